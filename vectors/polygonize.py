"""Raster cells to polygons: the union of a boolean mask's cells as one (Multi)Polygon."""

from __future__ import annotations

import numpy as np

from rasters.grid import require_north_up

__all__ = ["cells_to_polygon"]


def cells_to_polygon(mask: np.ndarray, transform, *, offset: tuple[int, int] = (0, 0)):
    """Union of the cells where ``mask`` is True, as a shapely (Multi)Polygon in map units.

    Cells are merged per row into runs (rectangles) before the union, so the cost grows with the
    number of runs, not of cells. ``offset`` = (row0, col0) of ``mask`` inside the grid that
    ``transform`` describes. Returns an empty Polygon for an empty mask.
    """
    import shapely

    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return shapely.Polygon()
    r0, c0 = offset
    padded = np.zeros((mask.shape[0], mask.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    d = np.diff(padded, axis=1)
    rows_s, cols_s = np.nonzero(d == 1)
    rows_e, cols_e = np.nonzero(d == -1)  # same order: row-major, starts and ends alternate
    t = transform
    require_north_up(t, "cells_to_polygon")
    x0 = t.c + (cols_s + c0) * t.a
    x1 = t.c + (cols_e + c0) * t.a
    ya = t.f + (rows_s + r0) * t.e
    yb = t.f + (rows_s + r0 + 1) * t.e
    boxes = shapely.box(np.minimum(x0, x1), np.minimum(ya, yb), np.maximum(x0, x1), np.maximum(ya, yb))
    return shapely.union_all(boxes)
