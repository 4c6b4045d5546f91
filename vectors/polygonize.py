"""Raster cells to polygons: the union of a boolean mask's cells as one (Multi)Polygon."""

from __future__ import annotations

import numpy as np

from rasters.grid import require_north_up

__all__ = ["cells_to_polygon", "strips_to_polygon", "cell_boxes"]

#: Cells of the mask turned into runs at a time (the run finder's int8 temporaries are about
#: three bytes a cell of one strip, not of the whole mask).
STRIP_CELLS = 1 << 22


def cell_boxes(mask: np.ndarray, transform, *, offset: tuple[int, int] = (0, 0)) -> np.ndarray:
    """The cells where ``mask`` is True merged per row into runs, as shapely boxes (map units).

    ``offset`` = (row0, col0) of ``mask`` inside the grid that ``transform`` describes, so a
    mask read strip by strip gives, strip after strip, the boxes of the whole mask in the same
    (row-major) order. The union of the boxes is :func:`cells_to_polygon`.
    """
    import shapely

    mask = np.asarray(mask, dtype=bool)
    t = transform
    require_north_up(t, "cells_to_polygon")
    r0, c0 = offset
    padded = np.zeros((mask.shape[0], mask.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    d = np.diff(padded, axis=1)
    del padded
    rows_s, cols_s = np.nonzero(d == 1)
    _, cols_e = np.nonzero(d == -1)  # same order: row-major, starts and ends alternate
    del d
    x0 = t.c + (cols_s + c0) * t.a
    x1 = t.c + (cols_e + c0) * t.a
    ya = t.f + (rows_s + r0) * t.e
    yb = t.f + (rows_s + r0 + 1) * t.e
    return shapely.box(np.minimum(x0, x1), np.minimum(ya, yb), np.maximum(x0, x1), np.maximum(ya, yb))


def cells_to_polygon(mask: np.ndarray, transform, *, offset: tuple[int, int] = (0, 0)):
    """Union of the cells where ``mask`` is True, as a shapely (Multi)Polygon in map units.

    Cells are merged per row into runs (rectangles) before the union, so the cost grows with the
    number of runs, not of cells; the runs are found strip by strip (:data:`STRIP_CELLS`).
    ``offset`` = (row0, col0) of ``mask`` inside the grid that ``transform`` describes. Returns
    an empty Polygon for an empty mask.
    """
    mask = np.asarray(mask)
    r0, c0 = offset
    step = max(1, STRIP_CELLS // max(mask.shape[1], 1))
    return strips_to_polygon(((r0 + i, mask[i:i + step]) for i in range(0, mask.shape[0], step)), transform,
                             col0=c0)


def strips_to_polygon(strips, transform, *, col0: int = 0):
    """:func:`cells_to_polygon` of a mask given strip by strip, so the whole mask is never held.

    ``strips`` yields ``(row0, mask rows)``: each strip's first row in the grid that ``transform``
    describes and its boolean rows (``col0``: their first column). Returns an empty Polygon when
    no strip has a True cell.
    """
    import shapely

    boxes = [cell_boxes(rows, transform, offset=(r0, col0)) for r0, rows in strips]
    boxes = np.concatenate(boxes) if boxes else np.empty(0, object)
    return shapely.union_all(boxes) if boxes.size else shapely.Polygon()
