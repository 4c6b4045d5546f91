"""Path tracing on back-link rasters (codes of :data:`corridors._kernels.cost.OFFSETS8`)."""

from __future__ import annotations

import numpy as np

from . import JIT, njit
from .cost import OFFSETS8

_OFF = OFFSETS8


@njit(**JIT)
def trace_backlink(back, ncols, end):
    """Flat indices of the path that ends at ``end``, from its source to ``end``.

    Parameters
    ----------
    back : int8 array (n,)
        Back-link codes; -1 at sources.
    ncols : int
        Grid width.
    end : int
        Flat index of the last cell (must be reached).

    Returns
    -------
    int64 array
        Cells in travel order; empty if a cycle is found (corrupt back-link).
    """
    n = back.size
    out = np.empty(64, np.int64)
    m = 0
    i = end
    while True:
        if m == out.size:
            bigger = np.empty(out.size * 2, np.int64)
            bigger[:m] = out[:m]
            out = bigger
        out[m] = i
        m += 1
        c = back[i]
        if c < 0:
            break
        if m > n:
            return np.empty(0, np.int64)
        i = i + _OFF[c, 0] * ncols + _OFF[c, 1]
    res = np.empty(m, np.int64)
    for k in range(m):
        res[k] = out[m - 1 - k]
    return res


@njit(**JIT)
def path_cost_length(res, cells, ncols, cellsize):
    """Accumulated cost and length of a path of flat indices (same rule and order as the search).

    Returns
    -------
    cost : float64
        Sum of ``(r[a] + r[b]) * 0.5 * step`` along the path, in cost units.
    length : float64
        Sum of step lengths, in map units.
    """
    diag = cellsize * np.sqrt(2.0)
    cost = 0.0
    length = 0.0
    for k in range(1, cells.size):
        a = cells[k - 1]
        b = cells[k]
        ra = a // ncols
        rb = b // ncols
        if ra != rb and (a - ra * ncols) != (b - rb * ncols):
            step = diag
        else:
            step = cellsize * 1.0
        cost = cost + (np.float64(res[a]) + np.float64(res[b])) * (0.5 * step)
        length += step
    return cost, length
