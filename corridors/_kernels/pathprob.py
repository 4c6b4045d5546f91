"""Numba kernels for maximum-product path probabilities on a node graph (PC, dPC, link removal).

The graph is undirected, in CSR form: node ``u``'s neighbours are ``indices[indptr[u]:indptr[u+1]]``
with edge weights ``weights[...] = -log(p_uv) = k * d_uv >= 0`` and undirected edge numbers
``edge_id[...]`` (both directions of an edge share one number). The maximum-product probability
``p*_ij`` is ``exp(-dist_ij)`` with ``dist`` the shortest-path distance on these weights.

Node and link removal (Saura & Rubio 2010) never re-run a search from scratch: from each source
``s`` one Dijkstra search builds the shortest-path tree; removing node ``k`` (or the tree edge
into ``c``) can only change the distances of ``k``'s descendants (``c``'s subtree), which are a
contiguous slice of the tree's preorder. Only those nodes are searched again, seeded from their
unchanged neighbours outside the slice. Removing anything that is not on ``s``'s tree leaves every
distance from ``s`` as it was (the tree itself survives), so it costs nothing. Equal-length
alternative paths are found by the restricted search, so ties never count as losses.

Sources are split into a fixed number of chunks (independent of the thread count), each with its
own accumulators, summed in chunk order afterwards: results are identical for any number of
threads.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from . import JIT, njit


@njit(inline="always", **JIT)
def _heap_push(hk, hi, size, key, item):
    """Push (key, item) on the binary min-heap ``hk``/``hi``; returns the new size.

    Ordered by (key, item), so equal keys pop in node order. The arrays never grow: callers
    size them with :func:`heap_capacity` (a search pushes at most once per edge direction and
    once for its start), which keeps arrays out of the return value (no reference counting in
    the inner loop).
    """
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
    return size + 1


@njit(**JIT)
def heap_capacity(indptr, n):
    """Heap entries one search can need: one per edge direction plus one per node."""
    return indptr[n] + n + 1


@njit(inline="always", **JIT)
def _heap_pop(hk, hi, size):
    """Pop the smallest (key, item) from the heap of :func:`_heap_push`; returns key, item, size."""
    key = hk[0]
    item = hi[0]
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
    return key, item, size


@njit(**JIT)
def shortest_tree(indptr, indices, weights, s, dist, parent, pedge, order, state, hk, hi):
    """Dijkstra search from ``s``: distances, shortest-path tree and settle order.

    ``dist`` must be +inf and ``state`` 0 everywhere on entry (callers reset only what a search
    touched). Ties pop in node order, and a node keeps the first parent that reached it with
    its final distance, so the tree is deterministic.

    Returns
    -------
    int
        Number of nodes reached (``order[:m]``, ``order[0] == s``).
    """
    dist[s] = 0.0
    parent[s] = -1
    pedge[s] = -1
    size = 0
    size = _heap_push(hk, hi, size, 0.0, s)
    m = 0
    while size > 0:
        d, u, size = _heap_pop(hk, hi, size)
        if state[u] != 0 or d > dist[u]:
            continue
        state[u] = 1
        order[m] = u
        m += 1
        for e in range(indptr[u], indptr[u + 1]):
            v = indices[e]
            nd = d + weights[e]
            if nd < dist[v]:
                dist[v] = nd
                parent[v] = u
                pedge[v] = e
                size = _heap_push(hk, hi, size, nd, v)
    return m


@njit(**JIT)
def _preorder(order, m, parent, areas, tin, size, npos, pre, nxt):
    """Preorder of the tree: the subtree of ``v`` is ``pre[tin[v] : tin[v] + size[v]]``.

    ``npos[v]`` counts the nodes with area > 0 in that subtree (``v`` included). ``nxt`` is
    scratch (a cursor per node: the next free slot in its block).
    """
    for t in range(m):
        v = order[t]
        size[v] = 1
        npos[v] = 1 if areas[v] > 0.0 else 0
    for t in range(m - 1, 0, -1):  # a child settles after its parent
        v = order[t]
        size[parent[v]] += size[v]
        npos[parent[v]] += npos[v]
    s = order[0]
    tin[s] = 0
    pre[0] = s
    nxt[s] = 1
    for t in range(1, m):  # parents are placed before their children
        v = order[t]
        p = parent[v]
        tin[v] = nxt[p]
        nxt[p] += size[v]
        nxt[v] = tin[v] + 1
        pre[tin[v]] = v


@njit(**JIT)
def _restricted_loss(indptr, indices, weights, areas, pre, lo, hi_, tin, dist, skip_node,
                     skip_u, skip_v, nd, done, hk, hi):
    """Search again the nodes ``pre[lo:hi_]`` after a removal; return the loss of reach.

    The nodes outside the slice keep their distances (their tree paths avoid the removed node
    or link). Each node of the slice starts from its best neighbour outside the slice (not
    ``skip_node`` and not across the link ``skip_u``-``skip_v``), then Dijkstra runs inside the
    slice.

    Returns
    -------
    float
        ``sum over v in the slice of a_v * (exp(-dist_v) - exp(-new_dist_v))`` (>= 0).
    """
    size = 0
    for t in range(lo, hi_):
        v = pre[t]
        best = np.inf
        for e in range(indptr[v], indptr[v + 1]):
            u = indices[e]
            tu = tin[u]
            if tu < 0 or u == skip_node or (tu >= lo and tu < hi_):
                continue
            if v == skip_v and u == skip_u:
                continue
            c = dist[u] + weights[e]
            if c < best:
                best = c
        nd[v] = best
        if best < np.inf:
            size = _heap_push(hk, hi, size, best, v)
    while size > 0:
        d, v, size = _heap_pop(hk, hi, size)
        if done[v] != 0 or d > nd[v]:
            continue
        done[v] = 1
        for e in range(indptr[v], indptr[v + 1]):
            u = indices[e]
            tu = tin[u]
            if tu < lo or tu >= hi_ or done[u] != 0:
                continue
            c = d + weights[e]
            if c < nd[u]:
                nd[u] = c
                size = _heap_push(hk, hi, size, c, u)
    loss = 0.0
    for t in range(lo, hi_):
        v = pre[t]
        done[v] = 0
        a = areas[v]
        if a != 0.0 and nd[v] > dist[v]:
            loss += a * (np.exp(-dist[v]) - np.exp(-nd[v]))
    return loss


@njit(**JIT)
def _chunk(indptr, indices, weights, edge_id, areas, start, stop, want_nodes, edge_mask,
           rows, node_acc, edge_acc):
    """Process sources ``start..stop-1`` into ``rows`` and this chunk's accumulators."""
    n = areas.size
    dist = np.full(n, np.inf)
    parent = np.full(n, -1, np.int64)
    pedge = np.full(n, -1, np.int64)
    order = np.empty(n, np.int64)
    state = np.zeros(n, np.int8)
    tin = np.full(n, -1, np.int64)
    size = np.zeros(n, np.int64)
    npos = np.zeros(n, np.int64)
    pre = np.empty(n, np.int64)
    nxt = np.empty(n, np.int64)
    nd = np.full(n, np.inf)
    done = np.zeros(n, np.int8)
    cap = heap_capacity(indptr, n)
    hk = np.empty(cap, np.float64)
    hi = np.empty(cap, np.int64)
    want_edges = edge_mask.size > 0
    for s in range(start, stop):
        a_s = areas[s]
        if a_s == 0.0:
            continue  # a source with no area adds nothing to any sum
        m = shortest_tree(indptr, indices, weights, s, dist, parent, pedge, order, state, hk, hi)
        row = 0.0
        for t in range(1, m):
            v = order[t]
            row += areas[v] * np.exp(-dist[v])
        rows[s] = row
        if (want_nodes or want_edges) and m > 1:
            _preorder(order, m, parent, areas, tin, size, npos, pre, nxt)
            for t in range(1, m):
                v = order[t]
                sz = size[v]
                lo = tin[v]
                if npos[v] == 0:
                    continue  # no node below v (nor v) has area: no removal here loses anything
                below = npos[v] - (1 if areas[v] > 0.0 else 0)
                if want_nodes and below > 0:  # v is a stepping stone for its descendants
                    loss = _restricted_loss(indptr, indices, weights, areas, pre, lo + 1,
                                            lo + sz, tin, dist, v, -1, -1, nd, done, hk, hi)
                    node_acc[v] += a_s * loss
                if want_edges:
                    eid = edge_id[pedge[v]]
                    if edge_mask[eid]:  # the link into v is on this tree: its subtree may lose
                        loss = _restricted_loss(indptr, indices, weights, areas, pre, lo,
                                                lo + sz, tin, dist, -1, parent[v], v, nd, done,
                                                hk, hi)
                        edge_acc[eid] += a_s * loss
        # reset what this search touched
        for t in range(m):
            v = order[t]
            dist[v] = np.inf
            state[v] = 0
            tin[v] = -1


@njit(parallel=True, **JIT)
def connectivity_sums(indptr, indices, weights, edge_id, areas, n_edges, want_nodes, edge_mask,
                      nchunks):
    """Row sums of the PC numerator and the connector losses of node and link removal.

    Parameters
    ----------
    indptr, indices, weights, edge_id : ndarray
        The CSR graph (see the module docstring).
    areas : float64 array (n,)
        Node attributes (areas), >= 0.
    n_edges : int
        Number of undirected edges (``edge_id`` values are ``0..n_edges-1``).
    want_nodes : bool
        Compute node-removal connector losses.
    edge_mask : bool array (n_edges,) or empty
        Links whose removal loss is wanted; empty for none.
    nchunks : int
        Fixed number of source chunks (results do not depend on the thread count).

    Returns
    -------
    rows : float64 array (n,)
        ``sum over j != s of a_j p*_sj`` for every source with ``a_s > 0`` (0 otherwise).
    node_loss : float64 array (n,) or (0,)
        ``sum over i != k, j != k of a_i a_j (p*_ij - p*_ij without k)`` (ordered pairs).
    edge_loss : float64 array (n_edges,) or (0,)
        ``sum over i, j of a_i a_j (p*_ij - p*_ij without the link)`` (ordered pairs), masked
        links only.
    """
    n = areas.size
    rows = np.zeros(n)
    nn = n if want_nodes else 0
    ne = n_edges if edge_mask.size > 0 else 0
    node_acc = np.zeros((nchunks, nn))
    edge_acc = np.zeros((nchunks, ne))
    for c in prange(nchunks):
        start = (c * n) // nchunks
        stop = ((c + 1) * n) // nchunks
        _chunk(indptr, indices, weights, edge_id, areas, start, stop, want_nodes, edge_mask,
               rows, node_acc[c], edge_acc[c])
    node_loss = np.zeros(nn)
    edge_loss = np.zeros(ne)
    for c in range(nchunks):  # fixed order: identical sums for any thread count
        node_loss += node_acc[c]
        edge_loss += edge_acc[c]
    return rows, node_loss, edge_loss


@njit(**JIT)
def max_product_matrix(indptr, indices, weights, out):
    """Fill ``out[s, j] = p*_sj`` (1 on the diagonal, 0 where unreachable) for every source."""
    n = out.shape[0]
    dist = np.full(n, np.inf)
    parent = np.full(n, -1, np.int64)
    pedge = np.full(n, -1, np.int64)
    order = np.empty(n, np.int64)
    state = np.zeros(n, np.int8)
    cap = heap_capacity(indptr, n)
    hk = np.empty(cap, np.float64)
    hi = np.empty(cap, np.int64)
    for s in range(n):
        m = shortest_tree(indptr, indices, weights, s, dist, parent, pedge, order, state, hk, hi)
        for j in range(n):
            out[s, j] = 0.0
        for t in range(m):
            v = order[t]
            out[s, v] = np.exp(-dist[v])
            dist[v] = np.inf
            state[v] = 0


@njit(**JIT)
def hop_sums(indptr, indices, areas):
    """``sum over j of a_j / (1 + nl_sj)`` per source (breadth-first hop counts ``nl``).

    ``nl_ss = 0``; unreachable nodes add nothing. Used by the integral index of connectivity.
    """
    n = areas.size
    out = np.zeros(n)
    hops = np.full(n, -1, np.int64)
    queue = np.empty(n, np.int64)
    for s in range(n):
        if areas[s] == 0.0:
            continue
        hops[s] = 0
        queue[0] = s
        head = 0
        tail = 1
        total = 0.0
        while head < tail:
            u = queue[head]
            head += 1
            total += areas[u] / (1.0 + hops[u])
            for e in range(indptr[u], indptr[u + 1]):
                v = indices[e]
                if hops[v] < 0:
                    hops[v] = hops[u] + 1
                    queue[tail] = v
                    tail += 1
        out[s] = total
        for t in range(tail):
            hops[queue[t]] = -1
    return out
