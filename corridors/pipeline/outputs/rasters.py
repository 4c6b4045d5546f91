"""The run's rasters as Cloud-Optimised GeoTIFFs (tiled, DEFLATE, internal overviews), written
strip by strip from band sources (:mod:`rasters.blocks`): the corridor mosaic and the current
density are assembled from the links' windows as they are written, never as whole grids."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .uncertainty import uncertainty_rasters

__all__ = ["output_rasters", "write_rasters", "band_source"]


def band_source(raster):
    """A band source for a Grid (wrapped) or a band source (as it is)."""
    import rasters

    return rasters.GridBands(raster) if isinstance(raster, rasters.Grid) else raster


def output_rasters(r) -> dict[str, Any]:
    """``{file stem: band source}`` of the rasters a run writes (:class:`~..results.StageResults`
    ``r``); each has ``shape``, ``transform``, ``crs``, ``nodata``, ``name`` and ``read_rows``."""
    out = {"resistance": r.resistance.grid, "corridor_mosaic": r.corridors.mosaic_bands,
           "current_density": r.pinch_points.current_bands, "barrier_improvement": r.restoration.improvement,
           **uncertainty_rasters(r)}
    return {name: band_source(v) for name, v in out.items()}


def write_rasters(folder: Path, rasters_out: dict[str, Any]) -> list[str]:
    """Cloud-Optimised GeoTIFFs (tiled, deflate, overviews) of the given grids or band sources."""
    import rasters

    names = []
    for name, source in rasters_out.items():
        rasters.write_bands(band_source(source), folder / f"{name}.tif", cog=True)
        names.append(f"{name}.tif")
    return names
