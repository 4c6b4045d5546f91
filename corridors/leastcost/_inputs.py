"""Validation and conversion of least-cost inputs (ndarray or Grid) for the kernels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rasters.errors import InputError, ResistanceValueError
from rasters.grid import Grid

from .._kernels.cost import neighbour_table, resistance_stats

#: Most buckets the bucket queue may use (max step / min step); beyond it the heap is used.
MAX_BUCKETS = 1 << 18


@dataclass(frozen=True)
class Surface:
    """A validated resistance surface, flat, ready for the kernels."""

    flat: np.ndarray  # 1-D float32/float64, NaN/inf = barrier
    shape: tuple[int, int]
    cellsize: float
    neighbours: int
    codes: np.ndarray
    length: np.ndarray
    min_res: float
    max_res: float
    grid: Grid | None  # georeference when a Grid was given
    name: str

    @property
    def size(self) -> int:
        return self.shape[0] * self.shape[1]

    def queue(self):
        """("buckets", width, nbuckets) when the bucket queue fits, else ("heap", 0, 0)."""
        if not np.isfinite(self.min_res):
            return "heap", 0.0, 0
        min_step = self.min_res * self.cellsize  # mean of two resistances >= the smallest
        max_step = self.max_res * float(self.length.max())
        # a hair under the cheapest step so float rounding never puts a successor in the same bucket
        width = min_step * (1.0 - 1e-9)
        need = max_step / width + 3.0
        if not np.isfinite(need) or need > MAX_BUCKETS or width <= 0 or not np.isfinite(width):
            return "heap", 0.0, 0
        nb = 1 << int(np.ceil(np.log2(need)))
        return "buckets", width, nb

    def wrap(self, values, *, nodata=None, name=None):
        """Return ``values`` reshaped, as a Grid on the surface's georeference when it had one."""
        values = values.reshape(self.shape)
        if self.grid is None:
            return values
        return Grid(values, self.grid.transform, self.grid.crs, nodata, name or self.grid.name)


def check_neighbours(neighbours) -> int:
    if neighbours not in (4, 8):
        raise InputError(f"neighbours must be 4 or 8, got {neighbours!r}")
    return int(neighbours)


def surface(resistance, *, cellsize=None, neighbours=8, what="resistance") -> Surface:
    """Validate a resistance ndarray or Grid.

    NaN, +inf and the Grid's nodata are barriers; finite values <= 0 (and -inf) raise
    :class:`ResistanceValueError` with their count and the first cell.
    """
    neighbours = check_neighbours(neighbours)
    grid = None
    if isinstance(resistance, Grid):
        grid = resistance
        name = grid.name
        if grid.crs is not None:
            grid.require_projected("cost distance")
        gcs = grid.cellsize
        if cellsize is not None and not np.isclose(float(cellsize), gcs, rtol=1e-9):
            raise InputError(
                f"{name}: cellsize={cellsize!r} disagrees with the grid's cell size {gcs}; "
                "leave cellsize out when passing a Grid"
            )
        cellsize = gcs
        values = grid.values
        nodata = grid.nodata
        if nodata is not None and not (isinstance(nodata, float) and np.isnan(nodata)):
            values = grid.masked_float(np.float64)
    else:
        name = what
        values = np.asarray(resistance)
        if cellsize is None:
            cellsize = 1.0
    if values.ndim != 2:
        raise InputError(f"{name}: resistance must be 2-D, got shape {values.shape}")
    if values.shape[0] == 0 or values.shape[1] == 0:
        raise InputError(f"{name}: resistance is empty (shape {values.shape})")
    cellsize = float(cellsize)
    if not (np.isfinite(cellsize) and cellsize > 0):
        raise InputError(f"cellsize must be a positive finite number (map units), got {cellsize!r}")
    if values.dtype not in (np.float32, np.float64):
        if values.dtype == bool or not np.issubdtype(values.dtype, np.number):
            raise InputError(f"{name}: resistance must be numeric, got dtype {values.dtype}")
        values = values.astype(np.float64)
    flat = np.ascontiguousarray(values).reshape(-1)
    lo, hi, nbad, first, nbar = resistance_stats(flat)
    if nbad:
        r, c = divmod(int(first), values.shape[1])
        raise ResistanceValueError(
            f"{name}: {nbad} cell(s) have resistance <= 0 (first at row {r}, col {c}: "
            f"{flat[first]!r}); resistance must be > 0. Use NaN, inf or nodata for barriers, "
            "or raise the smallest class value in the reclassification table"
        )
    codes, length = neighbour_table(neighbours, cellsize)
    return Surface(flat, values.shape, cellsize, neighbours, codes, length, float(lo), float(hi),
                   grid, name)


def label_array(labels, surf: Surface, *, what: str, allow_mask: bool, none: str):
    """Validate a label raster (ndarray or Grid) on the surface's grid.

    A Grid must be aligned with the surface; its nodata (and NaN) become 0. Float arrays must
    hold whole numbers; labels must lie in 0..2**31-1, 0 meaning ``none`` (e.g. "no core").

    Returns
    -------
    ndarray
        The 2-D boolean mask as given (only with ``allow_mask``), else a 2-D integer array.
    """
    if isinstance(labels, Grid):
        if surf.grid is not None:
            surf.grid.check_aligned(labels)
        arr = labels.values
        if labels.nodata is not None or np.issubdtype(arr.dtype, np.floating):
            arr = np.where(labels.nodata_mask, 0, arr)
    else:
        arr = np.asarray(labels)
    kinds = "a boolean mask or integer label array" if allow_mask else "an integer label raster"
    if arr.shape != surf.shape:
        raise InputError(
            f"{what} has shape {arr.shape} but the resistance surface {surf.name!r} has "
            f"{surf.shape}; give {kinds} on the same grid"
        )
    if arr.dtype == bool and allow_mask:
        return arr
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
        raise InputError(f"{what}: expected {kinds} (0 = {none}), got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.floating):
        f = np.where(np.isnan(arr), 0, arr)
        if not np.all(np.isfinite(f)) or np.any(f != np.round(f)):
            raise InputError(f"{what}: label arrays must hold whole numbers (0 = {none})")
        arr = f.astype(np.int64)
    if arr.size and (arr.min() < 0 or arr.max() > np.iinfo(np.int32).max):
        raise InputError(
            f"{what}: labels must be positive integers below 2**31 (0 = {none}), "
            f"got values in [{arr.min()}, {arr.max()}]"
        )
    return arr


def source_cells(sources, surf: Surface, *, what="sources"):
    """Flat indices and labels of source cells.

    A boolean mask numbers its cells 1..k in row-major order; an integer (or integral float) label
    array uses its labels, 0 (and NaN / the Grid's nodata) meaning "not a source".

    Returns
    -------
    idx : int64 array, labels : int32 array, is_mask : bool
    """
    arr = label_array(sources, surf, what=what, allow_mask=True, none="not a source")
    flat = arr.reshape(-1)
    idx = np.flatnonzero(flat).astype(np.int64)
    is_mask = arr.dtype == bool
    if is_mask:
        labels = np.arange(1, idx.size + 1, dtype=np.int32)
    else:
        labels = flat[idx].astype(np.int32)
    if idx.size == 0:
        raise InputError(f"{what}: no source cells (mask all False / labels all 0)")
    if not np.any(surf.flat[idx] < np.inf):
        raise InputError(
            f"{what}: all {idx.size} source cell(s) lie on barriers (NaN, inf or nodata "
            "resistance); move the sources or give those cells a resistance"
        )
    return idx, labels, is_mask


def check_max_cost(max_cost) -> float:
    if max_cost is None:
        return np.inf
    m = float(max_cost)
    if np.isnan(m) or m < 0:
        raise InputError(f"max_cost must be >= 0 (cost units) or None, got {max_cost!r}")
    return m
