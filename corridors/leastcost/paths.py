"""Least-cost paths between two cells, and tracing paths on a back-link raster."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rasters.errors import InputError
from rasters.grid import Grid

from .._kernels.paths import path_cost_length, trace_backlink
from ._inputs import Surface, surface
from .costdistance import run_kernel

__all__ = ["least_cost_path", "LeastCostPath", "trace_path", "NoPathError"]


class NoPathError(InputError):
    """The end cell cannot be reached from the start (barriers separate them)."""


@dataclass(frozen=True)
class LeastCostPath:
    """A least-cost path.

    Attributes
    ----------
    cells : ndarray of int64, shape (n, 2)
        (row, col) of every cell from start to end.
    cost : float
        Accumulated cost at the end (cost units), the sum of the step costs along ``cells``.
    length : float
        Length along the cell centres, in map units.
    line : shapely.LineString or None
        The path through cell centres in map coordinates, when a Grid was given (a Point when
        start and end are the same cell).
    """

    cells: np.ndarray
    cost: float
    length: float
    line: object = None


def _cell(surf: Surface, point, what: str, xy: bool) -> int:
    if xy:
        if surf.grid is None:
            raise InputError(f"{what}: xy=True needs a Grid (map coordinates), got a plain array")
        r, c = surf.grid.rowcol(float(point[0]), float(point[1]))
    else:
        try:
            r, c = (int(v) for v in point)
        except (TypeError, ValueError) as exc:
            raise InputError(f"{what} must be a (row, col) pair, got {point!r}") from exc
    nr, nc = surf.shape
    if not (0 <= r < nr and 0 <= c < nc):
        raise InputError(f"{what} {tuple(point)} is outside the {nr} x {nc} grid")
    i = r * nc + c
    if not surf.flat[i] < np.inf:
        raise InputError(f"{what} cell (row {r}, col {c}) is a barrier (NaN, inf or nodata)")
    return i


def path_line(grid: Grid | None, flat_cells, ncols):
    """LineString through the centres of ``flat_cells`` (None without a Grid)."""
    if grid is None:
        return None
    from shapely.geometry import LineString, Point

    r, c = np.divmod(np.asarray(flat_cells), ncols)
    x, y = grid.xy(r, c)
    x = np.atleast_1d(x)
    y = np.atleast_1d(y)
    if x.size == 1:
        return Point(x[0], y[0])
    return LineString(np.column_stack([x, y]))


def trace_path(backlink, cell) -> np.ndarray:
    """Cells of the least-cost path from a source to ``cell`` along a back-link raster.

    Parameters
    ----------
    backlink : ndarray or Grid of int8
        From ``cost_distance(..., return_backlink=True)``.
    cell : (row, col)

    Returns
    -------
    ndarray of int64, shape (n, 2)
        (row, col) from the source to ``cell``.
    """
    b = backlink.values if isinstance(backlink, Grid) else np.asarray(backlink)
    if b.ndim != 2 or b.dtype != np.int8:
        raise InputError(f"backlink must be a 2-D int8 array, got {b.dtype} {b.shape}")
    r, c = (int(v) for v in cell)
    nr, nc = b.shape
    if not (0 <= r < nr and 0 <= c < nc):
        raise InputError(f"cell {tuple(cell)} is outside the {nr} x {nc} back-link raster")
    flat = np.ascontiguousarray(b).reshape(-1)
    i = r * nc + c
    cells = trace_backlink(flat, nc, i)
    if cells.size == 0:
        raise InputError("the back-link raster contains a cycle; it was not made by cost_distance")
    return np.column_stack(np.divmod(cells, nc))


def least_cost_path(resistance, start, end, *, cellsize=None, neighbours=8, xy=False):
    """The least-cost path from ``start`` to ``end``.

    Parameters
    ----------
    resistance : ndarray or rasters.Grid
        As for :func:`corridors.cost_distance`.
    start, end : (row, col), or (x, y) map coordinates with ``xy=True`` (Grid only)
    cellsize : float, optional
        Map units per cell (default 1, or the grid's).
    neighbours : {8, 4}
    xy : bool
        Read ``start`` and ``end`` as map coordinates.

    Returns
    -------
    LeastCostPath

    Raises
    ------
    NoPathError
        When barriers separate the two cells.

    Notes
    -----
    The search stops as soon as ``end`` is settled. Among equal-cost routes the one whose every
    cell comes from its lowest-flat-index predecessor is returned (deterministic).
    """
    surf = surface(resistance, cellsize=cellsize, neighbours=neighbours)
    s = _cell(surf, start, "start", xy)
    e = _cell(surf, end, "end", xy)
    idx = np.array([s], np.int64)
    dist, back, _ = run_kernel(surf, idx, np.ones(1, np.int32), target=e)
    if not np.isfinite(dist[e]):
        raise NoPathError(
            f"no path from {tuple(start)} to {tuple(end)}: barriers (NaN, inf or nodata) "
            "separate them"
        )
    nc = surf.shape[1]
    cells = trace_backlink(back, nc, e)
    cost, length = path_cost_length(surf.flat, cells, nc, surf.cellsize)
    return LeastCostPath(np.column_stack(np.divmod(cells, nc)), float(cost), float(length),
                         path_line(surf.grid, cells, nc))
