"""The colour classes of a run's rasters, computed once from the run and shared by the QGIS styles
and the report, so both draw the same colours.

A raster whose style says ``table_classes`` (the resistance) names its legend classes after the
land-cover classes that give each value. Class names are known when the run uses a species
profile (profiles are written for the embedded dataset's legend); with a user's resistance table
the classes are named by their codes.
"""

from __future__ import annotations

from typing import Any

from .rasters import band_source
from .styles import MAX_EXACT, RasterClasses, finite_values, interpolated_classes, raster_classes, raster_style

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
    """``{raster name: RasterClasses}`` of the rasters ``grids`` (Grids or band sources, see
    :mod:`rasters.blocks`) of run ``r`` (StageResults)."""
    out = {}
    for name, grid in grids.items():
        style = raster_style(name)
        names = resistance_names(r.inputs.table, landcover_legend(r)) if style.table_classes else None
        out[name] = source_classes(band_source(grid), style, names=names)
    return out


def source_classes(source, style, *, names=None, max_exact: int = MAX_EXACT) -> RasterClasses:
    """:func:`~.styles.raster_classes` of a band source, read strip by strip.

    The distinct values are gathered strip by strip; when there are more than ``max_exact`` of
    them (an interpolated legend) the 2nd and 98th percentiles come from two more passes
    (:func:`~.percentiles.strip_percentiles`), never holding the values. The classes are those
    of :func:`~.styles.raster_classes` on the whole array.
    """
    import numpy as np
    import pandas as pd

    import rasters

    distinct: set = set()
    for _, _, rows in rasters.blocks.strips(source):
        distinct.update(pd.unique(finite_values(rows, source.nodata)).tolist())
        if len(distinct) > max_exact:
            break
    else:
        return raster_classes(np.array(sorted(distinct), dtype=np.float64), style, names=names,
                              max_exact=max_exact)
    from .percentiles import strip_percentiles

    def values():
        for _, _, rows in rasters.blocks.strips(source):
            yield finite_values(rows, source.nodata)

    # the 2nd and 98th percentiles in two passes over the strips (no copy of the finite values)
    keep = (lambda v: v > 0) if style.scale == "log" else None
    bounds, n = strip_percentiles(values, [2, 98], keep=keep)
    if n == 0:  # as raster_classes: no positive value on a log scale
        return raster_classes(np.array([]), style, names=names, max_exact=max_exact)
    return interpolated_classes(*bounds, style)
