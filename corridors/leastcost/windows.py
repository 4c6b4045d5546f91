"""Windows of a resistance surface: where a bounded search can go, and where its cells come from.

A search from a core that stops at cost ``bound`` never leaves the core's bounding box grown by
:func:`reach_cells` cells: every step costs at least the cheapest resistance times the cell size,
so a cell more steps away than that costs more than ``bound``, and so does every path through it.
Running the search on that window gives exactly the costs, back-links and tie-breaks of the
search on the whole grid (flat indices keep their row-major order inside a window), in memory
and time proportional to the window.

The window's cells are read from a *source*: :class:`ArrayWindows` (the arrays in this process,
a window is a slice) or :class:`RasterWindows` (tiled GeoTIFFs on a path every dask worker can
read, so a worker reads its window instead of receiving the whole grid).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["reach_cells", "search_window", "to_window", "to_grid", "ArrayWindows", "RasterWindows"]

#: Relative slack on the reach: step costs are summed in float64, a hair under their exact value.
_SLACK = 1e-9


def reach_cells(bound: float, min_res: float, cellsize: float) -> int | None:
    """Most steps (cells, Chebyshev) a search bounded at ``bound`` cost units can travel.

    ``None`` when unbounded (``bound`` inf): the window is the whole grid. Every step between
    passable cells costs at least ``min_res * cellsize`` (the mean of two resistances >= the
    smallest, times a step >= the cell size), so ``floor(bound / (min_res * cellsize)) + 1``
    steps (one more for rounding) are never exceeded.
    """
    if not np.isfinite(bound):
        return None
    if not np.isfinite(min_res):  # no passable cell: the search settles only its sources
        return 1
    step = float(min_res) * float(cellsize)
    return int(math.floor(float(bound) / step * (1.0 + _SLACK))) + 1


def search_window(cells: np.ndarray, shape: tuple[int, int], reach: int | None):
    """Half-open ``(rows, cols)`` of the bounding box of flat ``cells`` grown by ``reach`` cells,
    clipped to ``shape`` (the whole grid when ``reach`` is None or there are no cells)."""
    nr, nc = shape
    if reach is None or cells.size == 0:
        return (0, nr), (0, nc)
    r, c = np.divmod(cells, nc)
    rows = (max(int(r.min()) - reach, 0), min(int(r.max()) + reach + 1, nr))
    cols = (max(int(c.min()) - reach, 0), min(int(c.max()) + reach + 1, nc))
    return rows, cols


def to_window(flat: np.ndarray, ncols: int, rows, cols) -> np.ndarray:
    """Flat indices of the whole grid (``ncols`` wide) -> flat indices inside the window."""
    r, c = np.divmod(np.asarray(flat, dtype=np.int64), ncols)
    return (r - rows[0]) * (cols[1] - cols[0]) + (c - cols[0])


def to_grid(flat: np.ndarray, ncols: int, rows, cols) -> np.ndarray:
    """Flat indices inside the window -> flat indices of the whole grid (``ncols`` wide)."""
    r, c = np.divmod(np.asarray(flat, dtype=np.int64), cols[1] - cols[0])
    return (r + rows[0]) * ncols + (c + cols[0])


@dataclass(frozen=True)
class ArrayWindows:
    """Resistance and dense core labels held in this process; :meth:`read` slices them.

    res : 2-D float array (NaN/inf = barrier); labels : 2-D integer array (0 = no core).
    """

    res: np.ndarray
    labels: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        return self.res.shape

    def read(self, rows, cols) -> tuple[np.ndarray, np.ndarray]:
        """(resistance, labels) of the window, C-contiguous copies small enough to work on."""
        win = (slice(*rows), slice(*cols))
        return np.ascontiguousarray(self.res[win]), np.ascontiguousarray(self.labels[win])


@dataclass(frozen=True)
class RasterWindows:
    """Resistance and dense core labels in raster files; :meth:`read` reads one window of each.

    res_path, labels_path : local paths or anything GDAL opens (``/vsicurl/https://...``);
    shape : (rows, cols) of the grid. Only the paths travel to a dask worker.
    """

    res_path: str
    labels_path: str
    shape: tuple[int, int]

    def read(self, rows, cols) -> tuple[np.ndarray, np.ndarray]:
        import rasters

        return (rasters.read_window(self.res_path, rows, cols),
                rasters.read_window(self.labels_path, rows, cols))

    @classmethod
    def write(cls, folder, res: np.ndarray, labels: np.ndarray, grid=None) -> "RasterWindows":
        """Write ``res`` and ``labels`` as tiled GeoTIFFs in ``folder`` (on ``grid``'s georeference
        when given) and return the source that reads them back (values exactly as given)."""
        from pathlib import Path

        import rasters
        from rasters.grid import Grid

        folder = Path(folder)
        if grid is None:
            from affine import Affine

            transform, crs = Affine(1.0, 0.0, 0.0, 0.0, -1.0, float(res.shape[0])), None
        else:
            transform, crs = grid.transform, grid.crs
        rp, lp = folder / "resistance.tif", folder / "core_labels.tif"
        rasters.write(Grid(res, transform, crs, None, "resistance (for the workers)"), rp, cog=False)
        rasters.write(Grid(labels, transform, crs, None, "core labels (for the workers)"), lp, cog=False)
        return cls(str(rp), str(lp), tuple(res.shape))
