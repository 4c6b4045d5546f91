"""The colour classes of a run's rasters, computed once from the run and shared by the QGIS styles
and the report, so both draw the same colours.

A raster whose style says ``table_classes`` (the resistance) names its legend classes after the
land-cover classes that give each value. Class names are known when the run uses a species
profile (profiles are written for the embedded dataset's legend); with a user's resistance table
the classes are named by their codes.
"""

from __future__ import annotations

from typing import Any

from .styles import RasterClasses, raster_classes, raster_style

__all__ = ["run_raster_classes", "resistance_names", "landcover_legend"]


def landcover_legend(r) -> dict[int, str] | None:
    """Land-cover code -> class name when the run's table is keyed on the profiles' legend, else None."""
    if r.scenario.inputs.resistance_table is not None:
        return None
    from ...datasets import LANDCOVER_CLASSES

    return dict(LANDCOVER_CLASSES)


def resistance_names(table: dict, legend: dict[int, str] | None) -> dict[float, str]:
    """Resistance value -> the class names (or ``class CODE``) that the table maps to it."""
    by_value: dict[float, list[str]] = {}
    for code, value in sorted(table.items()):
        name = legend.get(int(code), f"class {code}") if legend else f"class {code}"
        by_value.setdefault(float(value), []).append(name)
    return {v: ", ".join(names) for v, names in by_value.items()}


def run_raster_classes(r, grids: dict[str, Any]) -> dict[str, RasterClasses]:
    """``{raster name: RasterClasses}`` of the rasters ``grids`` of run ``r`` (StageResults)."""
    out = {}
    for name, grid in grids.items():
        style = raster_style(name)
        names = resistance_names(r.inputs.table, landcover_legend(r)) if style.table_classes else None
        out[name] = raster_classes(grid.values, style, nodata=grid.nodata, names=names)
    return out
