"""Moving-window minimum over a disk (the min-filter of barrier analysis).

Arrays in, arrays out: a float64 2-D array (no NaN: the wrapper turns NaN into +inf) and the
disk as half-widths per row offset. Cells outside the array count as +inf, so a window at the
edge is the part of the disk inside the grid.

Method: a disk is a stack of horizontal runs, ``[-w_k, w_k]`` on row offset ``k - R``. For each
distinct half-width ``w`` the row-wise running minimum over ``2w + 1`` cells is computed once with
the van Herk / Gil-Werman algorithm (three comparisons per cell whatever ``w``); the disk minimum is
then the minimum of those rows shifted by their row offsets. Cost: about ``3 (R + 1) + (2R + 1)``
operations per cell for radius ``R`` cells, against ``(2R + 1)**2`` for a direct scan (narrow runs,
``w <= DIRECT_MAX_W``, are scanned directly: fewer passes over memory).
"""

from __future__ import annotations

import numpy as np

from . import JIT, njit


@njit(**JIT)
def _row_running_min(values, w, out):
    """``out[r, c] = min(values[r, c - w : c + w + 1])`` (inf beyond the edges), van Herk."""
    nr, nc = values.shape
    k = 2 * w + 1
    n = nc + 2 * w
    nblocks = (n + k - 1) // k
    m = nblocks * k
    pad = np.empty(m, np.float64)
    g = np.empty(m, np.float64)  # prefix minimum within each block
    h = np.empty(m, np.float64)  # suffix minimum within each block
    for r in range(nr):
        for i in range(m):
            j = i - w
            pad[i] = values[r, j] if 0 <= j < nc else np.inf
        for b in range(nblocks):
            s = b * k
            g[s] = pad[s]
            for i in range(s + 1, s + k):
                g[i] = pad[i] if pad[i] < g[i - 1] else g[i - 1]
            e = s + k - 1
            h[e] = pad[e]
            for i in range(e - 1, s - 1, -1):
                h[i] = pad[i] if pad[i] < h[i + 1] else h[i + 1]
        # window of output c covers pad[c .. c + 2w]: suffix min from c, prefix min up to c + 2w
        for c in range(nc):
            a = h[c]
            b = g[c + 2 * w]
            out[r, c] = a if a < b else b


#: Up to this half-width, 2w shifted-minimum passes (vectorised) beat van Herk's three passes.
DIRECT_MAX_W = 4


@njit(**JIT)
def _row_direct_min(values, w, out):
    """Same as :func:`_row_running_min` by ``2w`` passes of shifted minima (fast for small ``w``)."""
    nr, nc = values.shape
    for r in range(nr):
        vr = values[r]
        o = out[r]
        for c in range(nc):
            o[c] = vr[c]
        for s in range(1, min(w, nc - 1) + 1):
            for c in range(nc - s):
                o[c] = min(o[c], vr[c + s])
            for c in range(s, nc):
                o[c] = min(o[c], vr[c - s])


@njit(**JIT)
def disk_min(values, half_widths):
    """Minimum of ``values`` over a disk centred on each cell.

    Parameters
    ----------
    values : float64 (nr, nc)
        No NaN (+inf is allowed and means "nothing here").
    half_widths : int64 (2R + 1,)
        ``half_widths[k]``: the disk covers columns ``-w .. w`` on row offset ``k - R``;
        ``-1`` means the row offset holds no cell.

    Returns
    -------
    float64 (nr, nc)
    """
    nr, nc = values.shape
    nrow = half_widths.shape[0]
    big_r = (nrow - 1) // 2
    out = np.full((nr, nc), np.inf)
    tmp = np.empty((nr, nc), np.float64)
    wmax = -1
    for k in range(nrow):
        if half_widths[k] > wmax:
            wmax = half_widths[k]
    for w in range(wmax + 1):
        used = False
        for k in range(nrow):
            if half_widths[k] == w:
                used = True
        if not used:
            continue
        if w == 0:
            rows = values
        elif w <= DIRECT_MAX_W:
            _row_direct_min(values, w, tmp)
            rows = tmp
        else:
            _row_running_min(values, w, tmp)
            rows = tmp
        for k in range(nrow):
            if half_widths[k] != w:
                continue
            dr = k - big_r
            r0 = 0 if dr >= 0 else -dr
            r1 = nr - dr if dr >= 0 else nr
            for r in range(r0, r1):
                o = out[r]
                src = rows[r + dr]
                for c in range(nc):
                    o[c] = min(o[c], src[c])
    return out
