"""Circular windows on a grid: which cells a disk of radius r covers, and the disk min-filter."""

from __future__ import annotations

import math

import numpy as np

from rasters.errors import InputError

from .._kernels.window import disk_min

__all__ = ["disk_half_widths", "disk_footprint", "disk_offsets", "window_min", "check_radius"]

#: Relative slack when comparing a cell centre's distance with the radius, so that a radius of
#: exactly k cells includes the cells k cells away despite float rounding in radius / cellsize.
_SLACK = 1e-9


def check_radius(radius, cellsize: float, what: str = "radius") -> float:
    """A radius in map units as a float; at least one cell, finite."""
    if isinstance(radius, bool) or not isinstance(radius, (int, float, np.integer, np.floating)):
        raise InputError(f"{what} must be a number (map units), got {radius!r}")
    r = float(radius)
    if not np.isfinite(r) or r < cellsize * (1 - _SLACK):
        raise InputError(
            f"{what}={radius!r} map units is smaller than one cell ({cellsize:g}); a window that "
            "holds only its centre cell restores nothing (its score is 0 everywhere). Give a radius "
            ">= the cell size (map units; cells for a plain array)"
        )
    return r


def disk_half_widths(radius: float, cellsize: float = 1.0) -> np.ndarray:
    """Half-width (cells) of the disk on each row offset ``-R .. R``.

    The disk of radius ``radius`` (map units) centred on a cell covers the cells whose centres lie
    within ``radius`` of the centre: offset (dr, dc) is inside when
    ``(dr**2 + dc**2) * cellsize**2 <= radius**2``.

    Returns
    -------
    int64 ndarray, shape (2R + 1,)
        ``R = floor(radius / cellsize)``; entry ``k`` is the largest ``dc`` inside on row offset
        ``k - R`` (always >= 0: the centre column is inside on every row offset up to R).
    """
    rho2 = (float(radius) / float(cellsize)) ** 2 * (1 + _SLACK)
    big_r = int(math.floor(math.sqrt(rho2)))
    out = np.empty(2 * big_r + 1, np.int64)
    for k in range(2 * big_r + 1):
        dr = k - big_r
        out[k] = int(math.floor(math.sqrt(max(rho2 - dr * dr, 0.0))))
        while (out[k] + 1) ** 2 + dr * dr <= rho2:  # guard against sqrt rounding down
            out[k] += 1
        while out[k] ** 2 + dr * dr > rho2:
            out[k] -= 1
    return out


def disk_footprint(radius: float, cellsize: float = 1.0) -> np.ndarray:
    """Boolean footprint (2R + 1, 2R + 1) of :func:`disk_half_widths` (True = inside)."""
    hw = disk_half_widths(radius, cellsize)
    big_r = (hw.size - 1) // 2
    dc = np.abs(np.arange(-big_r, big_r + 1))
    return dc[None, :] <= hw[:, None]


def disk_offsets(radius: float, cellsize: float = 1.0) -> np.ndarray:
    """(n, 2) int64 (drow, dcol) of the cells inside the disk, row-major."""
    fp = disk_footprint(radius, cellsize)
    big_r = (fp.shape[0] - 1) // 2
    r, c = np.nonzero(fp)
    return np.column_stack([r - big_r, c - big_r]).astype(np.int64)


def window_min(values, radius: float, cellsize: float = 1.0) -> np.ndarray:
    """Minimum of ``values`` over the disk of ``radius`` (map units) around every cell.

    Parameters
    ----------
    values : 2-D array
        NaN counts as +inf (no value). Cells beyond the grid edge are not part of any window.
    radius : float
        Map units (cells when ``cellsize`` is 1).
    cellsize : float

    Returns
    -------
    float64 ndarray, same shape

    Notes
    -----
    Numba kernel :func:`corridors._kernels.window.disk_min` (van Herk / Gil-Werman row minima,
    then a minimum over the disk's row offsets; narrow runs by shifted minima): a few operations
    per cell and radius cell, equal to ``scipy.ndimage.minimum_filter(values,
    footprint=disk_footprint(...), mode="constant", cval=inf)``. Measured on 960 x 540
    (``benchmarks/bench_barrier.py``, shared machine): level with scipy at 1-2 cells (0.9-1.5x
    between runs), 1.5-2.5x faster at 3-4 cells, 3-4x at 5 and 8-10x at 10 cells. Memory: two
    float64 grids besides the input.
    """
    v = np.asarray(values, dtype=np.float64)
    if v.ndim != 2:
        raise InputError(f"window_min: values must be 2-D, got shape {v.shape}")
    if np.isnan(v).any():
        v = np.where(np.isnan(v), np.inf, v)
    return disk_min(np.ascontiguousarray(v), disk_half_widths(radius, cellsize))
