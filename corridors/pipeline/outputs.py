"""Step 6: write the run folder - GeoPackage, styles, QGIS project, COGs, CSV, Shapefiles."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rasters.atomic import atomic_write_text
from ..styles import style_for_layer, write_qml
from .project import ProjectLayer, write_project

__all__ = ["RANKING_COLUMNS", "write_ranking", "write_vectors", "write_rasters", "write_styles_and_project",
           "GPKG_NAME", "LAYER_GEOMETRY"]

log = logging.getLogger(__name__)

GPKG_NAME = "corridors.gpkg"

#: ranking.csv columns (all within Shapefile's 10 characters; Linkage Mapper names where they match)
RANKING_COLUMNS = [
    "Rank", "Link_ID", "From_PA", "To_PA", "From_Name", "To_Name", "From_ISO3", "To_ISO3",
    "From_Core", "To_Core", "Euc_Dist", "CW_Dist", "LCP_Length", "cwd2Euc_R", "cwd2Path_R",
    "Thru_Core", "Corr_km2", "Eff_Resist", "CF_Central", "Unprot_Shr",
    "N_Cost", "W_Cost", "N_Resist", "W_Resist", "N_Central", "W_Central", "N_Unprot", "W_Unprot",
    "Score",
]

#: output layer -> QGIS geometry keyword
LAYER_GEOMETRY = {
    "protected_areas": "Polygon", "border_reserves": "Polygon", "borders": "Line", "links": "Line",
    "corridors": "Polygon", "pinch_points": "Point", "gaps": "Polygon", "unlinked_pairs": "Line",
    "edits": "Line",
}


def write_ranking(path: Path, ranking: pd.DataFrame) -> Path:
    """``ranking.csv`` with every score component (full float precision, so it recomputes exactly)."""
    df = ranking[RANKING_COLUMNS]
    return atomic_write_text(path, df.to_csv(index=False, float_format=None))


def write_vectors(folder: Path, layers: dict[str, Any], *, shapefiles: bool) -> dict[str, Any]:
    """GeoPackage with every layer (+ optional Shapefiles and their field-name mapping)."""
    import vectors

    vectors.write_layers(folder / GPKG_NAME, layers, overwrite=False)
    out: dict[str, Any] = {"gpkg": GPKG_NAME}
    if shapefiles:
        mapping = vectors.write_shapefiles(folder / "shapefiles", layers)
        out["shapefile_fields"] = mapping
    return out


def _range(grid, *, log_scale: bool = False) -> tuple[float, float]:
    v = np.asarray(grid.values, dtype=np.float64)
    v = v[np.isfinite(v)]
    if grid.nodata is not None and np.isfinite(grid.nodata):
        v = v[v != grid.nodata]
    if v.size == 0:
        return 0.0, 1.0
    lo, hi = float(np.percentile(v, 2)), float(np.percentile(v, 98))
    if not hi > lo:
        hi = lo + 1.0
    return lo, hi


def write_rasters(folder: Path, rasters_out: dict[str, Any]) -> list[str]:
    """Cloud-Optimised GeoTIFFs (tiled, deflate, overviews) of the given grids."""
    import rasters

    names = []
    for name, grid in rasters_out.items():
        rasters.write(grid, folder / f"{name}.tif", cog=True)
        names.append(f"{name}.tif")
    return names


def write_styles_and_project(folder: Path, *, layers: dict[str, Any], rasters_out: dict[str, Any],
                             n_links: int, crs, extent, title: str) -> list[str]:
    """One ``.qml`` per layer and raster, and ``corridors.qgs`` opening them styled."""
    written = []
    proj_layers: list[ProjectLayer] = []
    order = ["pinch_points", "gaps", "links", "unlinked_pairs", "edits", "corridors", "border_reserves",
             "protected_areas", "borders"]
    for name in order:
        if name not in layers:
            continue
        els, kw = style_for_layer(name, n_links=n_links)
        write_qml(folder / f"{name}.qml", els, **kw)
        written.append(f"{name}.qml")
        proj_layers.append(ProjectLayer(name=name, source=GPKG_NAME, kind="vector", style=els,
                                        gpkg_layer=name, geometry=LAYER_GEOMETRY[name]))
    for name in ("current_density", "corridor_mosaic", "resistance"):
        if name not in rasters_out:
            continue
        rng = _range(rasters_out[name])
        els, kw = style_for_layer(name, value_range=rng)
        write_qml(folder / f"{name}.qml", els, **kw)
        written.append(f"{name}.qml")
        proj_layers.append(ProjectLayer(name=name, source=f"{name}.tif", kind="raster", style=els,
                                        visible=name != "corridor_mosaic"))
    write_project(folder / "corridors.qgs", proj_layers, crs, title=title, extent=extent)
    written.append("corridors.qgs")
    return written
