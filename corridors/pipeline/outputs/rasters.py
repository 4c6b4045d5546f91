"""The run's rasters as Cloud-Optimised GeoTIFFs (tiled, DEFLATE, internal overviews)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .uncertainty import uncertainty_rasters

__all__ = ["output_rasters", "write_rasters"]


def output_rasters(r) -> dict[str, Any]:
    """``{file stem: Grid}`` of the rasters a run writes (:class:`~..results.StageResults` ``r``)."""
    return {"resistance": r.resistance.grid, "corridor_mosaic": r.corridors.mosaic,
            "current_density": r.pinch_points.current, "barrier_improvement": r.restoration.improvement,
            **uncertainty_rasters(r)}


def write_rasters(folder: Path, rasters_out: dict[str, Any]) -> list[str]:
    """Cloud-Optimised GeoTIFFs (tiled, deflate, overviews) of the given grids."""
    import rasters

    names = []
    for name, grid in rasters_out.items():
        rasters.write(grid, folder / f"{name}.tif", cog=True)
        names.append(f"{name}.tif")
    return names
