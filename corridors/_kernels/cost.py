"""Accumulated-cost (cost-distance) kernels on 4- and 8-neighbour grids.

Arrays in, arrays out, flat (row-major) indices, no nodata sentinels: a cell is a barrier when its
resistance is not ``< inf`` (NaN or +inf); the wrapper turns nodata into NaN.

Cost rule
---------
A step from cell ``u`` to its neighbour ``v`` costs ``(r[u] + r[v]) * (0.5 * length)`` with
``length`` = cell size (orthogonal) or cell size x sqrt(2) (diagonal): the mean of the two
resistances times the step length, the rule of scikit-image's ``MCP_Geometric`` and ArcGIS. Costs
accumulate in float64.

Queues
------
:func:`cost_distance_buckets` is exact Dijkstra with a circular bucket queue (Dinitz's rule): with
bucket width ``w`` no larger than the cheapest step, every label in the lowest non-empty bucket is
final, because relaxing a label ``d >= k w`` yields at least ``(k + 1) w``, i.e. a later bucket. So
the cells of one bucket may be settled in any order, and each queue operation is O(1) (intrusive
doubly linked lists over the cells, no lazy duplicates). It needs ``max step / w + 2`` buckets, so
the wrapper uses it while that count is moderate and :func:`cost_distance_heap` (binary heap,
lazy deletion, ordered by (cost, flat index)) otherwise. Both give the same labels.

Ties
----
Among predecessors giving exactly the same (float64) cost, the one with the lowest flat index wins.
The rule depends only on the final labels, not on the queue order, so back-links and allocation are
reproducible across queue types and thread counts.

Back-link codes
---------------
``back[v] = d`` means the predecessor of ``v`` is at
``(row + OFFSETS8[d][0], col + OFFSETS8[d][1])``; ``-1`` marks source cells and cells that were
not reached.
"""

from __future__ import annotations

import numpy as np

from . import JIT, njit

#: (drow, dcol) of the eight neighbours; back-link codes index this table.
OFFSETS8 = np.array(
    [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)], dtype=np.int64
)
#: Indices into :data:`OFFSETS8` of the four orthogonal neighbours.
ORTHOGONAL = np.array([1, 3, 4, 6], dtype=np.int64)

# prv[] states besides "previous cell in my bucket" (>= 0)
_HEAD = -1  # first cell of its bucket
_UNSEEN = -2  # never queued
_SETTLED = -3  # final label
_DROPPED = -4  # popped above max_cost: not expanded, reported unreachable


def neighbour_table(neighbours: int, cellsize: float):
    """Neighbour codes and step lengths for a 4- or 8-neighbour rule.

    Returns
    -------
    codes : ndarray of int64
        Indices into :data:`OFFSETS8`.
    length : ndarray of float64
        Step length in map units (``cellsize`` or ``cellsize * sqrt(2)``).
    """
    codes = np.arange(8, dtype=np.int64) if neighbours == 8 else ORTHOGONAL.copy()
    d = OFFSETS8[codes]
    length = np.where((d[:, 0] != 0) & (d[:, 1] != 0), cellsize * np.sqrt(2.0), cellsize * 1.0)
    return codes, length.astype(np.float64)


@njit(**JIT)
def resistance_stats(res):
    """One pass over a flat resistance array.

    Returns
    -------
    (min_finite, max_finite, n_nonpositive, first_nonpositive, n_barrier)
        Smallest and largest finite resistance (inf / -inf when there is none), the count and first
        flat index (-1 if none) of finite values <= 0 or -inf, and the count of NaN / +inf cells.
    """
    lo = np.inf
    hi = -np.inf
    nbad = 0
    first = -1
    nbar = 0
    for i in range(res.size):
        r = res[i]
        if r < np.inf:
            if r <= 0.0:
                nbad += 1
                if first < 0:
                    first = i
            else:
                if r < lo:
                    lo = r
                if r > hi:
                    hi = r
        else:
            nbar += 1
    return lo, hi, nbad, first, nbar


@njit(**JIT)
def _prepare(nrows, ncols, codes, length, dist, back, alloc):
    k = codes.size
    off = np.empty(k, np.int64)
    dr = np.empty(k, np.int64)
    dc = np.empty(k, np.int64)
    half = np.empty(k, np.float64)
    code_back = np.empty(k, np.int8)
    for j in range(k):
        c = codes[j]
        dr[j] = OFFSETS8_T[c, 0]
        dc[j] = OFFSETS8_T[c, 1]
        off[j] = dr[j] * ncols + dc[j]
        half[j] = 0.5 * length[j]
        code_back[j] = 7 - c  # the opposite direction points back to the predecessor
    off8 = np.empty(8, np.int64)
    for c in range(8):
        off8[c] = OFFSETS8_T[c, 0] * ncols + OFFSETS8_T[c, 1]
    dist[:] = np.inf
    back[:] = -1
    if alloc.size:
        alloc[:] = 0
    return off, dr, dc, half, code_back, off8


OFFSETS8_T = OFFSETS8  # global constant frozen into the kernels

# The neighbour loop itself is written in both kernels: as an inlined helper returning
# (neighbour, cost) it ran 6x (buckets) and 3x (heap) slower on a 1500^2 grid (numba 0.68), so
# only the equal-cost tie rule and the reset after an early stop are shared.


@njit(inline="always", **JIT)
def _break_tie(u, v, j, back, alloc, want_alloc, off8, code_back):
    """An equal-cost predecessor ``u`` of ``v`` replaces the current one if its flat index is lower."""
    if u < v + off8[back[v]]:
        back[v] = code_back[j]
        if want_alloc:
            alloc[v] = alloc[u]


@njit(inline="always", **JIT)
def _clear_unsettled(dist, back, alloc, want_alloc, state, settled):
    """After a search stopped early: cells whose ``state`` is not ``settled`` were not reached."""
    for i in range(dist.size):
        if state[i] != settled:
            dist[i] = np.inf
            back[i] = -1
            if want_alloc:
                alloc[i] = 0


@njit(**JIT)
def cost_distance_buckets(res, nrows, ncols, src, lab, codes, length, max_cost, target,
                          width, nbuckets, dist, back, alloc):
    """Multi-source cost distance, exact, with a circular bucket queue.

    Parameters
    ----------
    res : 1-D float array (n,)
        Resistance per cell, > 0; NaN or +inf are barriers.
    nrows, ncols : int
        Grid shape.
    src : int64 array
        Flat indices of source cells (barrier sources are skipped).
    lab : int32 array
        Label of each source (written to ``alloc``).
    codes, length : arrays
        From :func:`neighbour_table`.
    max_cost : float
        Cells whose cost exceeds it are left at inf (the search stops there); ``inf`` for none.
    target : int
        Flat index at which to stop once it is settled; -1 for none.
    width : float
        Bucket width, > 0 and no larger than the cheapest step (in cost units).
    nbuckets : int
        Power of two > max step / width + 2.
    dist : float64 (n,), back : int8 (n,), alloc : int32 (n,) or (0,)
        Outputs (overwritten).

    Returns
    -------
    int
        Number of settled cells.
    """
    n = nrows * ncols
    off, dr, dc, half, code_back, off8 = _prepare(nrows, ncols, codes, length, dist, back, alloc)
    kn = off.size
    want_alloc = alloc.size > 0
    nxt = np.empty(n, np.int32)
    prv = np.full(n, _UNSEEN, np.int32)
    heads = np.full(nbuckets, -1, np.int32)
    mask = nbuckets - 1
    invw = 1.0 / width
    queued = 0
    for s in range(src.size):
        i = src[s]
        if not (res[i] < np.inf) or prv[i] != _UNSEEN:
            continue
        dist[i] = 0.0
        if want_alloc:
            alloc[i] = lab[s]
        h = heads[0]
        nxt[i] = h
        prv[i] = _HEAD
        if h != -1:
            prv[h] = i
        heads[0] = i
        queued += 1
    stop_bucket = max_cost * invw + 1.0
    cur = 0
    settled = 0
    truncated = False
    while queued > 0:
        b = cur & mask
        u = heads[b]
        if u == -1:
            cur += 1
            if cur > stop_bucket:
                truncated = True
                break
            continue
        q = nxt[u]
        heads[b] = q
        if q != -1:
            prv[q] = _HEAD
        queued -= 1
        du = dist[u]
        if du > max_cost:
            prv[u] = _DROPPED
            truncated = True
            continue
        prv[u] = _SETTLED
        settled += 1
        if u == target:
            truncated = True
            break
        ru = np.float64(res[u])
        row = u // ncols
        col = u - row * ncols
        interior = row > 0 and row < nrows - 1 and col > 0 and col < ncols - 1
        for j in range(kn):
            if not interior:
                rr = row + dr[j]
                cc = col + dc[j]
                if rr < 0 or rr >= nrows or cc < 0 or cc >= ncols:
                    continue
            v = u + off[j]
            rv = np.float64(res[v])
            if not (rv < np.inf):
                continue
            nd = du + (ru + rv) * half[j]
            dv = dist[v]
            if nd < dv:
                pv = prv[v]
                if pv <= _SETTLED:
                    continue  # final already (guards against rounding)
                if pv == _UNSEEN:
                    queued += 1
                else:  # unlink from the bucket of its old label
                    qv = nxt[v]
                    if pv == _HEAD:
                        heads[np.int64(dv * invw) & mask] = qv
                    else:
                        nxt[pv] = qv
                    if qv != -1:
                        prv[qv] = pv
                dist[v] = nd
                back[v] = code_back[j]
                if want_alloc:
                    alloc[v] = alloc[u]
                bb = np.int64(nd * invw) & mask
                h = heads[bb]
                nxt[v] = h
                prv[v] = _HEAD
                if h != -1:
                    prv[h] = v
                heads[bb] = v
            elif nd == dv and prv[v] > _SETTLED and back[v] >= 0:
                _break_tie(u, v, j, back, alloc, want_alloc, off8, code_back)
    if truncated:
        _clear_unsettled(dist, back, alloc, want_alloc, prv, _SETTLED)
    return settled


@njit(inline="always", **JIT)
def _heap_push(hk, hi, size, key, item):
    """Push (key, item) on the binary min-heap ``hk``/``hi`` holding ``size`` entries.

    Ordered by (key, item), so equal costs pop in flat-index order. The arrays double when full;
    returns the (possibly new) arrays and the new size.
    """
    if size == hk.size:
        hk2 = np.empty(2 * size, np.float64)
        hi2 = np.empty(2 * size, np.int64)
        hk2[:size] = hk[:size]
        hi2[:size] = hi[:size]
        hk = hk2
        hi = hi2
    pos = size
    while pos > 0:
        par = (pos - 1) >> 1
        if hk[par] < key or (hk[par] == key and hi[par] < item):
            break
        hk[pos] = hk[par]
        hi[pos] = hi[par]
        pos = par
    hk[pos] = key
    hi[pos] = item
    return hk, hi, size + 1


@njit(**JIT)
def cost_distance_heap(res, nrows, ncols, src, lab, codes, length, max_cost, target,
                       dist, back, alloc):
    """Multi-source cost distance, exact, with a binary heap (any resistance range).

    Same parameters, outputs and tie rule as :func:`cost_distance_buckets` (without the bucket
    arguments). The heap is ordered by (cost, flat index) with lazy deletion.
    """
    n = nrows * ncols
    off, dr, dc, half, code_back, off8 = _prepare(nrows, ncols, codes, length, dist, back, alloc)
    kn = off.size
    want_alloc = alloc.size > 0
    state = np.zeros(n, np.int8)  # 0 open, 1 settled
    cap = max(1024, src.size * 2)
    hk = np.empty(cap, np.float64)  # heap keys (cost) ...
    hi = np.empty(cap, np.int64)  # ... and flat indices; the heap grows in _heap_push
    size = 0
    for s in range(src.size):
        i = src[s]
        if not (res[i] < np.inf) or dist[i] == 0.0:
            continue
        dist[i] = 0.0
        if want_alloc:
            alloc[i] = lab[s]
        hk, hi, size = _heap_push(hk, hi, size, 0.0, i)
    settled = 0
    truncated = False
    while size > 0:
        du = hk[0]
        u = hi[0]
        # pop the root
        size -= 1
        lk = hk[size]
        li = hi[size]
        pos = 0
        while True:
            ch = 2 * pos + 1
            if ch >= size:
                break
            if ch + 1 < size:
                k1 = hk[ch + 1]
                if k1 < hk[ch] or (k1 == hk[ch] and hi[ch + 1] < hi[ch]):
                    ch += 1
            if hk[ch] < lk or (hk[ch] == lk and hi[ch] < li):
                hk[pos] = hk[ch]
                hi[pos] = hi[ch]
                pos = ch
            else:
                break
        hk[pos] = lk
        hi[pos] = li
        if state[u] != 0 or du > dist[u]:
            continue  # stale entry
        if du > max_cost:
            truncated = True
            break
        state[u] = 1
        settled += 1
        if u == target:
            truncated = True
            break
        ru = np.float64(res[u])
        row = u // ncols
        col = u - row * ncols
        interior = row > 0 and row < nrows - 1 and col > 0 and col < ncols - 1
        for j in range(kn):
            if not interior:
                rr = row + dr[j]
                cc = col + dc[j]
                if rr < 0 or rr >= nrows or cc < 0 or cc >= ncols:
                    continue
            v = u + off[j]
            rv = np.float64(res[v])
            if not (rv < np.inf):
                continue
            nd = du + (ru + rv) * half[j]
            dv = dist[v]
            if nd < dv:
                if state[v] != 0:
                    continue
                dist[v] = nd
                back[v] = code_back[j]
                if want_alloc:
                    alloc[v] = alloc[u]
                hk, hi, size = _heap_push(hk, hi, size, nd, v)
            elif nd == dv and state[v] == 0 and back[v] >= 0:
                _break_tie(u, v, j, back, alloc, want_alloc, off8, code_back)
    if truncated:
        _clear_unsettled(dist, back, alloc, want_alloc, state, np.int8(1))
    return settled


@njit(**JIT)
def label_minima(dist, labels, nlabels):
    """Smallest ``dist`` over the cells of each label and where it is reached.

    Parameters
    ----------
    dist : float array (n,)
    labels : int32 array (n,)
        0 = no label, 1..nlabels.
    nlabels : int

    Returns
    -------
    mins : float64 (nlabels + 1,)
        ``mins[k]`` for label k (inf if no cell of k is reached).
    argmin : int64 (nlabels + 1,)
        Flat index of the lowest-index cell reaching ``mins[k]`` (-1 if none).
    """
    mins = np.full(nlabels + 1, np.inf)
    arg = np.full(nlabels + 1, -1, np.int64)
    for i in range(dist.size):
        k = labels[i]
        if k > 0:
            d = dist[i]
            if d < mins[k]:
                mins[k] = d
                arg[k] = i
    return mins, arg

