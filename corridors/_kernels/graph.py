"""Numba kernels for circuit graphs on rasters: node labelling, edge lists, CSR Laplacians, currents.

Arrays in, arrays out; cells are flat (row-major) indices; conductance 0 marks a cell that is not
habitat (nodata, masked or zero conductance) - the wrappers convert nodata before calling.
"""

from __future__ import annotations

import math

import numpy as np

from . import JIT, njit

# Neighbour offsets (drow, dcol) that point "forward" so every undirected edge is visited once:
# right, down, down-right, up-right (the order Circuitscape uses).
_FORWARD_OFFSETS = np.array([[0, 1], [1, 0], [1, 1], [-1, 1]], dtype=np.int64)


@njit(**JIT)
def _find(parent, x):
    root = x
    while parent[root] != root:
        root = parent[root]
    while parent[x] != root:  # path compression
        nxt = parent[x]
        parent[x] = root
        x = nxt
    return root


@njit(**JIT)
def label_nodes(valid, group_ptr, group_cells):
    """Assign a node number to every cell, merging groups of cells into single nodes.

    Parameters
    ----------
    valid : ndarray of bool, shape (ncells,)
        Cells with positive conductance.
    group_ptr, group_cells : ndarray of int64
        Groups in CSR form: cells ``group_cells[group_ptr[g]:group_ptr[g+1]]`` form one node
        (polygons, focal regions). Overlapping groups merge transitively.

    Returns
    -------
    ndarray of int32, shape (ncells,)
        Node of each cell, -1 for none. A merged set of cells is a node iff at least one of its
        cells is valid (so nodata cells of a polygon join the polygon's node, as in Circuitscape).
        Nodes are numbered in order of their first cell (row-major), so numbering is deterministic.
    """
    n = valid.shape[0]
    parent = np.arange(n)
    member = valid.copy()
    for g in range(group_ptr.shape[0] - 1):
        start = group_ptr[g]
        stop = group_ptr[g + 1]
        if stop <= start:
            continue
        r0 = _find(parent, group_cells[start])
        member[group_cells[start]] = True
        for t in range(start + 1, stop):
            c = group_cells[t]
            member[c] = True
            r = _find(parent, c)
            if r != r0:
                if r < r0:  # keep the smaller index as root (deterministic)
                    parent[r0] = r
                    r0 = r
                else:
                    parent[r] = r0
    has_valid = np.zeros(n, dtype=np.bool_)
    for c in range(n):
        if valid[c]:
            has_valid[_find(parent, c)] = True
    node_of_root = np.full(n, -1, dtype=np.int64)
    out = np.full(n, -1, dtype=np.int32)
    count = 0
    for c in range(n):
        if not member[c]:
            continue
        r = _find(parent, c)
        if not has_valid[r]:
            continue
        if node_of_root[r] < 0:
            node_of_root[r] = count
            count += 1
        out[c] = node_of_root[r]
    return out


@njit(**JIT)
def _edge_weight(g1, g2, avg_res, diagonal):
    if avg_res:
        if g1 <= 0.0 or g2 <= 0.0:
            return 0.0  # 1 / mean resistance with an infinite resistance
        w = 2.0 / (1.0 / g1 + 1.0 / g2)
    else:
        w = 0.5 * (g1 + g2)
    if diagonal:
        w /= math.sqrt(2.0)
    return w


@njit(**JIT)
def grid_edges(cond, node_of_cell, nrows, ncols, eight, avg_res):
    """List the graph's edges between distinct nodes (parallel edges not yet summed).

    Parameters
    ----------
    cond : ndarray of float64, shape (ncells,)
        Cell conductance (1/ohm); 0 where the cell is not habitat (still a node if merged).
    node_of_cell : ndarray of int32
        From :func:`label_nodes`.
    nrows, ncols : int
        Grid shape.
    eight : bool
        Also connect diagonal neighbours (their weight divided by sqrt(2)).
    avg_res : bool
        Edge conductance = 1 / mean resistance (True) or mean conductance (False).

    Returns
    -------
    (ei, ej, w) : int64, int64, float64 arrays
        Edges with ``ei != ej`` and ``w > 0``, in row-major order of their first cell.
    """
    noff = 4 if eight else 2
    count = 0
    for pass_ in range(2):
        if pass_ == 1:
            ei = np.empty(count, dtype=np.int64)
            ej = np.empty(count, dtype=np.int64)
            w = np.empty(count, dtype=np.float64)
            count = 0
        for r in range(nrows):
            for c in range(ncols):
                p = r * ncols + c
                a = node_of_cell[p]
                if a < 0:
                    continue
                for k in range(noff):
                    rr = r + _FORWARD_OFFSETS[k, 0]
                    cc = c + _FORWARD_OFFSETS[k, 1]
                    if rr < 0 or rr >= nrows or cc >= ncols:
                        continue
                    q = rr * ncols + cc
                    b = node_of_cell[q]
                    if b < 0 or b == a:
                        continue
                    wt = _edge_weight(cond[p], cond[q], avg_res, k >= 2)
                    if wt <= 0.0:
                        continue
                    if pass_ == 1:
                        ei[count] = a
                        ej[count] = b
                        w[count] = wt
                    count += 1
    return ei, ej, w


# All neighbour offsets in row-major order of the neighbour, so a row's columns come out sorted,
# the diagonal going in at _MID; _DIAG_ORDER: the order in which grid_edges + laplacian_csr add a
# node's edges into its diagonal (up-left, up, left, right, down, down-right, up-right, down-left),
# kept so both paths give bit-identical matrices.
_ALL_OFFSETS_8 = np.array([[-1, -1], [-1, 0], [-1, 1], [0, -1], [0, 1], [1, -1], [1, 0], [1, 1]],
                          dtype=np.int64)
_DIAG_ORDER_8 = np.array([0, 1, 3, 4, 6, 7, 2, 5], dtype=np.int64)
_ALL_OFFSETS_4 = np.array([[-1, 0], [0, -1], [0, 1], [1, 0]], dtype=np.int64)
_DIAG_ORDER_4 = np.array([0, 1, 2, 3], dtype=np.int64)


def grid_laplacian_csr(cond, node_of_cell, nrows, ncols, eight, avg_res):
    """The Laplacian of a grid whose nodes are single cells, straight from the stencil.

    The same matrix, bit for bit, as :func:`grid_edges` then :func:`laplacian_csr` when no node
    merges cells (nodes numbered in row-major order of their cell, as :func:`label_nodes` numbers
    them), without the edge lists (24 bytes per edge) and without sorting: each row visits its
    cell's neighbours in row-major order.

    Parameters
    ----------
    cond, node_of_cell, nrows, ncols, eight, avg_res
        As for :func:`grid_edges`.

    Returns
    -------
    (indptr, indices, data)
        As :func:`laplacian_csr`: sorted columns, the diagonal always stored, int32 indices where
        they fit.
    """
    offsets, order = (_ALL_OFFSETS_8, _DIAG_ORDER_8) if eight else (_ALL_OFFSETS_4, _DIAG_ORDER_4)
    n = int(node_of_cell.max()) + 1 if node_of_cell.size else 0
    counts = np.zeros(n + 1, dtype=np.int64)
    _stencil_count(cond, node_of_cell, nrows, ncols, offsets, avg_res, counts)
    nnz = int(counts.sum())
    idx = np.int32 if nnz < 2**31 and n < 2**31 else np.int64
    ptr = np.zeros(n + 1, dtype=idx)
    np.cumsum(counts[:-1], out=ptr[1:])
    cols = np.empty(nnz, dtype=idx)
    vals = np.empty(nnz, dtype=np.float64)
    _stencil_fill(cond, node_of_cell, nrows, ncols, offsets, order, offsets.shape[0] // 2, avg_res,
                  ptr, cols, vals)
    return ptr, cols, vals


@njit(**JIT)
def _stencil_count(cond, node_of_cell, nrows, ncols, offsets, avg_res, counts):
    """Entries of each node's row (its edges + the diagonal) into ``counts``."""
    for r in range(nrows):
        for c in range(ncols):
            p = r * ncols + c
            a = node_of_cell[p]
            if a < 0:
                continue
            m = 1
            for k in range(offsets.shape[0]):
                rr = r + offsets[k, 0]
                cc = c + offsets[k, 1]
                if rr < 0 or rr >= nrows or cc < 0 or cc >= ncols or node_of_cell[rr * ncols + cc] < 0:
                    continue
                diagonal = offsets[k, 0] != 0 and offsets[k, 1] != 0
                if _edge_weight(cond[p], cond[rr * ncols + cc], avg_res, diagonal) > 0.0:
                    m += 1
            counts[a] = m


@njit(**JIT)
def _stencil_fill(cond, node_of_cell, nrows, ncols, offsets, order, mid, avg_res, ptr, cols, vals):
    """Fill the CSR rows counted by :func:`_stencil_count`."""
    nk = offsets.shape[0]
    w = np.zeros(nk)
    other = np.zeros(nk, dtype=np.int64)
    for r in range(nrows):
        for c in range(ncols):
            p = r * ncols + c
            a = node_of_cell[p]
            if a < 0:
                continue
            for k in range(nk):
                w[k] = 0.0
                rr = r + offsets[k, 0]
                cc = c + offsets[k, 1]
                if rr < 0 or rr >= nrows or cc < 0 or cc >= ncols:
                    continue
                q = rr * ncols + cc
                if node_of_cell[q] < 0:
                    continue
                other[k] = node_of_cell[q]
                w[k] = _edge_weight(cond[p], cond[q], avg_res, offsets[k, 0] != 0 and offsets[k, 1] != 0)
            diag = 0.0
            for k in range(nk):
                diag += w[order[k]]
            t = ptr[a]
            for k in range(nk):
                if k == mid:
                    cols[t] = a
                    vals[t] = diag
                    t += 1
                if w[k] > 0.0:
                    cols[t] = other[k]
                    vals[t] = -w[k]
                    t += 1


@njit(**JIT)
def symmetric_components(indptr, indices):
    """Connected components of a graph given by a structurally symmetric CSR matrix.

    SciPy's ``connected_components(directed=False)`` builds the transpose first (a copy of the
    matrix); a Laplacian is its own transpose, so its rows alone give the neighbours.

    Returns
    -------
    (n_components, labels) : int, ndarray of int32
        Components numbered in order of their lowest node.
    """
    n = indptr.shape[0] - 1
    labels = np.full(n, -1, dtype=np.int32)
    stack = np.empty(n, dtype=np.int64)
    count = 0
    for s in range(n):
        if labels[s] >= 0:
            continue
        labels[s] = count
        top = 0
        stack[0] = s
        while top >= 0:
            i = stack[top]
            top -= 1
            for t in range(indptr[i], indptr[i + 1]):
                j = indices[t]
                if labels[j] < 0:
                    labels[j] = count
                    top += 1
                    stack[top] = j
        count += 1
    return count, labels


def laplacian_csr(n, ei, ej, w):
    """Assemble the graph Laplacian straight to CSR, summing parallel edges.

    Parameters
    ----------
    n : int
        Number of nodes.
    ei, ej, w : ndarray
        Undirected edges (each listed once), ``ei != ej``.

    Returns
    -------
    (indptr, indices, data)
        CSR arrays of ``L = D - A`` with sorted column indices and the diagonal always stored;
        int32 indices where they fit (what SciPy would convert them to anyway, so no second
        copy), int64 otherwise.
    """
    nnz = 2 * int(ei.shape[0]) + int(n)
    idx = np.int32 if nnz < 2**31 and n < 2**31 else np.int64
    ptr = np.zeros(n + 1, dtype=idx)
    cols = np.empty(nnz, dtype=idx)
    vals = np.empty(nnz, dtype=np.float64)
    pos = _laplacian_fill(n, ei, ej, w, ptr, cols, vals)
    if pos < nnz:  # parallel edges were merged: compact (plain grids have none)
        cols, vals = cols[:pos].copy(), vals[:pos].copy()
    return ptr, cols, vals


@njit(**JIT)
def _laplacian_fill(n, ei, ej, w, out_ptr, cols, vals):
    """Fill CSR arrays (rows sorted, duplicates summed) in place; returns the stored count."""
    ptr = np.zeros(n + 1, dtype=np.int64)
    for e in range(ei.shape[0]):
        ptr[ei[e] + 1] += 1
        ptr[ej[e] + 1] += 1
    for i in range(n):
        ptr[i + 1] += ptr[i] + 1  # + 1: room for the diagonal
    fill = ptr[:-1].copy()
    diag = np.zeros(n, dtype=np.float64)
    for e in range(ei.shape[0]):
        a = ei[e]
        b = ej[e]
        cols[fill[a]] = b
        vals[fill[a]] = -w[e]
        fill[a] += 1
        cols[fill[b]] = a
        vals[fill[b]] = -w[e]
        fill[b] += 1
        diag[a] += w[e]
        diag[b] += w[e]
    for i in range(n):
        cols[fill[i]] = i
        vals[fill[i]] = 0.0  # diagonal added below, after merging duplicates
    # sort each row and merge duplicate columns, compacting in place (pos <= start always)
    pos = 0
    out_ptr[0] = 0
    for i in range(n):
        start = ptr[i]
        stop = ptr[i + 1]
        if stop - start <= 32:  # grid rows (<= 9 entries): insertion sort, no allocation
            for t in range(start + 1, stop):
                c = cols[t]
                v = vals[t]
                u = t - 1
                while u >= start and cols[u] > c:
                    cols[u + 1] = cols[u]
                    vals[u + 1] = vals[u]
                    u -= 1
                cols[u + 1] = c
                vals[u + 1] = v
        else:  # a merged node's long row
            order = np.argsort(cols[start:stop], kind="mergesort")
            row_cols = cols[start:stop][order]
            row_vals = vals[start:stop][order]
            cols[start:stop] = row_cols
            vals[start:stop] = row_vals
        last = -1
        for t in range(start, stop):
            cidx = cols[t]
            if cidx == last:
                vals[pos - 1] += vals[t]
            else:
                cols[pos] = cidx
                vals[pos] = diag[i] if cidx == i else vals[t]
                pos += 1
                last = cidx
        out_ptr[i + 1] = pos
    return pos


@njit(**JIT)
def upper_edges(indptr, indices, data):
    """Each edge of a CSR Laplacian once, read off its upper triangle (no triangle copy).

    Parameters
    ----------
    indptr, indices, data : CSR Laplacian arrays (off-diagonal = -conductance).

    Returns
    -------
    (ei, ej, g) : int64, int64, float64 arrays
        Edges ``ei < ej`` with a nonzero entry, in row-major order; ``g = -L[ei, ej]`` (siemens).
    """
    n = indptr.shape[0] - 1
    count = 0
    for i in range(n):
        for t in range(indptr[i], indptr[i + 1]):
            if indices[t] > i and data[t] != 0.0:
                count += 1
    ei = np.empty(count, dtype=np.int64)
    ej = np.empty(count, dtype=np.int64)
    g = np.empty(count, dtype=np.float64)
    k = 0
    for i in range(n):
        for t in range(indptr[i], indptr[i + 1]):
            j = indices[t]
            if j > i and data[t] != 0.0:
                ei[k] = i
                ej[k] = j
                g[k] = -data[t]
                k += 1
    return ei, ej, g


@njit(**JIT)
def group_flows(indptr, indices, data, v, group, ngroups, ground_g):
    """Total current into and out of each node group through its branches.

    Parameters
    ----------
    indptr, indices, data : CSR Laplacian arrays (off-diagonal = -conductance).
    v : ndarray of float64
        Node voltages (volts).
    group : ndarray of int64
        Group of each node (nodes shorted together share one; others a group of their own).
        Branches inside a group are ignored.
    ngroups : int
    ground_g : ndarray of float64
        Conductance of a finite ground at each node (0 for none); its current counts as a branch
        to 0 V.

    Returns
    -------
    (inflow, outflow) : ndarray of float64, shape (ngroups,)
        Amperes.
    """
    inflow = np.zeros(ngroups, dtype=np.float64)
    outflow = np.zeros(ngroups, dtype=np.float64)
    n = indptr.shape[0] - 1
    for i in range(n):
        gi = group[i]
        vi = v[i]
        for t in range(indptr[i], indptr[i + 1]):
            j = indices[t]
            if j == i or group[j] == gi:
                continue
            f = -data[t] * (vi - v[j])
            if f > 0.0:
                outflow[gi] += f
            else:
                inflow[gi] -= f
        if ground_g[i] > 0.0:
            f = ground_g[i] * vi
            if f > 0.0:
                outflow[gi] += f
            else:
                inflow[gi] -= f
    return inflow, outflow
