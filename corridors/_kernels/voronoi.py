"""Euclidean allocation (nearest labelled cell) of a label grid, row by row, in O(columns) memory.

Which label is nearest to each cell (distance between cell centres), and which labels' zones
touch, computed by the exact separable feature transform of Maurer, Qi & Raghavan (2003, IEEE
TPAMI 25: 265-270) with the tie-breaks of ``scipy.ndimage.distance_transform_edt`` (its
``return_indices``), so the zones are those of scipy's feature transform cell for cell:

1. down each column, the nearest labelled row (ties: the upper one);
2. along each row, the lower envelope of the column candidates (the Voronoi removal test, in
   exact integer arithmetic) and, for each cell, the first candidate of the envelope that no
   later one beats strictly (ties: the left one).

Step 1 needs, per column, only the sorted rows of its labelled cells, so a whole grid is never
held: the rows are produced one at a time and the touching pairs are found between a row and the
one above it. Memory: 4 bytes per labelled cell plus a few arrays of the row length.
"""

from __future__ import annotations

import numpy as np

from . import JIT, njit


@njit(**JIT)
def _column_features(labels):
    """CSR of the labelled rows of each column: ``start`` (ncols + 1,), ``rows`` (sorted)."""
    nr, nc = labels.shape
    count = np.zeros(nc + 1, np.int64)
    for r in range(nr):
        for c in range(nc):
            if labels[r, c] != 0:
                count[c + 1] += 1
    for c in range(nc):
        count[c + 1] += count[c]
    rows = np.empty(count[nc], np.int32)
    fill = count[:nc].copy()
    for r in range(nr):
        for c in range(nc):
            if labels[r, c] != 0:
                rows[fill[c]] = r
                fill[c] += 1
    return count, rows


@njit(**JIT)
def _nearest_in_columns(r, start, rows, ptr, out):
    """``out[c]``: the labelled row of column ``c`` nearest to row ``r`` (ties: the upper one), -1
    when the column has none. ``ptr[c]`` walks down the column's rows as ``r`` grows."""
    nc = out.size
    for c in range(nc):
        a, b = start[c], start[c + 1]
        if a == b:
            out[c] = -1
            continue
        p = ptr[c]
        while p + 1 < b and rows[p + 1] <= r:
            p += 1
        ptr[c] = p
        up = rows[p]
        if up > r:  # every labelled row of the column is below r
            out[c] = up
        elif p + 1 < b and (rows[p + 1] - r) < (r - up):
            out[c] = rows[p + 1]
        else:
            out[c] = up


@njit(**JIT)
def _row_allocation(r, frow, labels, g, out):
    """Labels of the nearest labelled cells of row ``r`` (0 when there is none) into ``out``."""
    nc = frow.size
    l = -1
    for ii in range(nc):
        if frow[ii] < 0:
            continue
        w = np.int64(frow[ii] - r)
        wr = w * w
        while l >= 1:
            i1 = g[l]
            i2 = g[l - 1]
            a = np.int64(i1 - i2)
            b = np.int64(ii - i1)
            c = a + b
            tu = np.int64(frow[i2] - r)
            tv = np.int64(frow[i1] - r)
            if c * (tv * tv) - b * (tu * tu) - a * wr - a * b * c <= 0:
                break
            l -= 1
        l += 1
        g[l] = ii
    maxl = l
    if maxl < 0:
        for ii in range(nc):
            out[ii] = 0
        return
    l = 0
    for ii in range(nc):
        t0 = np.int64(frow[g[l]] - r)
        t1 = np.int64(g[l] - ii)
        d1 = t0 * t0 + t1 * t1
        while l < maxl:
            t0 = np.int64(frow[g[l + 1]] - r)
            t1 = np.int64(g[l + 1] - ii)
            d2 = t0 * t0 + t1 * t1
            if d1 <= d2:
                break
            d1 = d2
            l += 1
        out[ii] = labels[frow[g[l]], g[l]]


@njit(**JIT)
def _add_pair(keys, m, a, b):
    if a == b or a <= 0 or b <= 0:
        return keys, m
    key = (min(a, b) << 32) + max(a, b)
    if m > 0 and keys[m - 1] == key:
        return keys, m
    if m == keys.size:
        bigger = np.empty(2 * keys.size, np.int64)
        bigger[:m] = keys[:m]
        keys = bigger
    keys[m] = key
    return keys, m + 1


@njit(**JIT)
def euclidean_zones(labels, diagonals, allocation):
    """Touching Euclidean allocation zones of a label grid (0 = no label), row by row.

    Parameters
    ----------
    labels : 2-D integer array
    diagonals : bool
        Zones also touch across a cell corner (8 neighbours), not only an edge (4).
    allocation : 2-D array of labels' type, the grid's shape, or (0, 0)
        Filled with each cell's nearest label when it has the grid's shape (for tests and
        callers that want the zones themselves).

    Returns
    -------
    int64 array
        Keys ``a << 32 | b`` (``a < b``) of the labels whose zones touch, possibly repeated.
    """
    nr, nc = labels.shape
    start, rows = _column_features(labels)
    ptr = start[:nc].copy()
    frow = np.empty(nc, np.int32)
    g = np.empty(nc, np.int64)
    cur = np.zeros(nc, labels.dtype)
    prev = np.zeros(nc, labels.dtype)
    keep = allocation.shape[0] == nr and allocation.shape[1] == nc
    keys = np.empty(1024, np.int64)
    m = 0
    for r in range(nr):
        _nearest_in_columns(r, start, rows, ptr, frow)
        _row_allocation(r, frow, labels, g, cur)
        if keep:
            for c in range(nc):
                allocation[r, c] = cur[c]
        for c in range(nc - 1):
            keys, m = _add_pair(keys, m, np.int64(cur[c]), np.int64(cur[c + 1]))
        if r > 0:
            for c in range(nc):
                keys, m = _add_pair(keys, m, np.int64(prev[c]), np.int64(cur[c]))
                if diagonals:
                    if c + 1 < nc:
                        keys, m = _add_pair(keys, m, np.int64(prev[c]), np.int64(cur[c + 1]))
                    if c > 0:
                        keys, m = _add_pair(keys, m, np.int64(prev[c]), np.int64(cur[c - 1]))
        tmp = prev
        prev = cur
        cur = tmp
    return keys[:m]
