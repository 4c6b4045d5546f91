"""QGIS styles (one ``.qml`` per layer and raster) and the ``corridors.qgs`` project opening them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .layers import GPKG_NAME, LAYER_GEOMETRY
from .qgis_project import ProjectLayer, write_project
from .styles import style_for_layer, write_qml

__all__ = ["write_styles_and_project"]

#: drawing order, top first
VECTOR_ORDER = ("crossings", "pinch_points", "gaps", "links", "unlinked_pairs", "edits", "robust_corridors",
                "corridors", "border_reserves", "protected_areas", "borders")
RASTER_ORDER = ("corridor_frequency", "current_density", "corridor_mosaic", "resistance")


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


def write_styles_and_project(folder: Path, *, layers: dict[str, Any], rasters_out: dict[str, Any],
                             n_links: int, crs, extent, title: str) -> list[str]:
    """One ``.qml`` per layer and raster, and ``corridors.qgs`` opening them styled."""
    written = []
    proj_layers: list[ProjectLayer] = []
    for name in VECTOR_ORDER:
        if name not in layers:
            continue
        els, kw = style_for_layer(name, n_links=n_links)
        write_qml(folder / f"{name}.qml", els, **kw)
        written.append(f"{name}.qml")
        proj_layers.append(ProjectLayer(name=name, source=GPKG_NAME, kind="vector", style=els,
                                        gpkg_layer=name, geometry=LAYER_GEOMETRY[name]))
    for name in RASTER_ORDER:
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
