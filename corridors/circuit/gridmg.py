"""Grid-aware aggregation multigrid: a lean preconditioner for raster circuit systems.

A raster graph's unknowns sit on a grid, so coarse levels need no graph search for aggregates
nor a smoothed prolongator (what makes a generic AMG hierarchy costly to build and hold): every
level merges the cells of each 2 x 2 block that are strongly connected to one another
(``-a_ij >= theta sqrt(a_ii a_jj)``; on a smooth grid the whole block, across a 10^8 contrast
only the cells on one side), and the coarse matrix is the Galerkin product ``P^T A P`` with
piecewise-constant ``P``. For a graph Laplacian that product *is* the
Laplacian of the aggregated graph (crossing conductances summed, groundings summed), so it stays
symmetric positive definite and keeps the 4- or 8-neighbour stencil, for any contrast of the
coefficients (no rediscretisation that could average a barrier away). Merged nodes (polygons,
focal regions) aggregate with the block of their first cell.

Each level smooths with symmetric Gauss-Seidel (forward before, backward after the coarse
correction, compiled with Numba; from a zero guess the forward sweep also leaves the residual,
one pass over the matrix) and the coarsest level is solved by a sparse LU factor.

Cycles. Plain aggregation under-corrects smooth errors, more with every level (the V-cycle
needed 112 CG iterations on BigTests' 6 M-cell grid, 36 on the 1 M-cell one). The default
*K-cycle* (Notay & Vassilevski 2008, Numer. Linear Algebra Appl. 15:473; Notay's AGMG) replaces
the coarse solve on every intermediate level by two flexible-CG steps preconditioned by that
level's own cycle, so the step lengths come from the coarse matrices themselves: 14 iterations
on the 6 M grid at about twice the cost of a V-cycle. It is not a fixed linear operator, so
conjugate gradients must be the flexible variant (``pcg_refined(..., flexible=True)``). The
``cycle="v"`` V-cycle is a fixed SPD operator (plain CG); on levels that coarsen by whole
blocks its coarse correction is scaled by :data:`OVER_CORRECTION` (Vaněk's over-correction).

Memory: the levels below the finest hold about a third of the fine matrix, plus one int32
aggregate index and three vectors per unknown and level (about 40 bytes per unknown in all,
against several hundred for a smoothed-aggregation hierarchy).
"""

from __future__ import annotations

import threading

import numba as nb
import numpy as np
import scipy.sparse as sp

from ._parallel import block_bounds, run_blocks

__all__ = ["GridMultigrid", "OVER_CORRECTION"]

#: Scale of the coarse-grid correction on levels that coarsen by whole 2 x 2 blocks (smooth
#: coefficients): 36 against 82 CG iterations at 1.0 on BigTests' 1000 x 1000 grid. Levels whose
#: blocks split at strong contrasts keep 1.0 (77 against 200 iterations at 1.8, 200 x 200, 1..1e8).
OVER_CORRECTION = 1.5
#: K-cycle: the second inner step is skipped when the first left at most this share of the
#: residual (Notay & Vassilevski 2008, t = 0.25).
KCYCLE_TOL = 0.25
#: Stop coarsening at this many unknowns (sparse LU there).
COARSEST = 1500
#: Strength threshold: cells of a 2 x 2 block join one aggregate only through couplings this strong.
THETA = 0.1


@nb.njit(cache=True)
def _find(parent, i):
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


@nb.njit(cache=True)
def _block_aggregates(indptr, indices, data, diag, key, theta):
    """Label each unknown with its aggregate: the strongly connected cells of its 2 x 2 block.

    Unknowns with ``key < 0`` (held at zero) get label -1.
    """
    n = key.size
    parent = np.arange(n)
    for i in range(n):
        if key[i] < 0:
            continue
        for k in range(indptr[i], indptr[i + 1]):
            j = indices[k]
            if j <= i or key[j] != key[i]:
                continue
            if -data[k] >= theta * np.sqrt(diag[i] * diag[j]):
                ri, rj = _find(parent, i), _find(parent, j)
                if ri != rj:
                    if ri < rj:
                        parent[rj] = ri
                    else:
                        parent[ri] = rj
    label = np.full(n, -1, dtype=np.int64)
    count = 0
    for i in range(n):
        if key[i] < 0:
            continue
        r = _find(parent, i)
        if label[r] < 0:
            label[r] = count
            count += 1
        label[i] = label[r]
    return label, count


@nb.njit(cache=True, nogil=True)
def _sgs_forward(indptr, indices, data, diag, active, x, b):
    n = x.size
    for i in range(n):
        if active.size and not active[i]:
            continue
        s = b[i]
        for k in range(indptr[i], indptr[i + 1]):
            j = indices[k]
            if j != i:
                s -= data[k] * x[j]
        x[i] = s / diag[i]


@nb.njit(cache=True, nogil=True)
def _sgs_forward_from_zero(indptr, indices, data, diag, active, x, b, r):
    """One forward Gauss-Seidel sweep from ``x = 0`` that also leaves ``r = b - A x``.

    From zero, row i needs only its lower part, and afterwards ``r_i = -sum_{j>i} a_ij x_j``;
    with ``a_ij = a_ji`` each ``x_j``, once known, is scattered into the rows above it while
    row j is still in cache: one pass over the matrix instead of two (sweep, then residual).
    Rows with ``active[i] == 0`` (when ``active`` is not empty) are held at zero.
    """
    n = x.size
    for i in range(n):
        r[i] = 0.0
    masked = active.size > 0
    for i in range(n):
        if masked and not active[i]:
            x[i] = 0.0
            continue
        s = b[i]
        for k in range(indptr[i], indptr[i + 1]):
            j = indices[k]
            if j < i:
                s -= data[k] * x[j]
        xi = s / diag[i]
        x[i] = xi
        for k in range(indptr[i], indptr[i + 1]):
            j = indices[k]
            if j < i and not (masked and not active[j]):
                r[j] -= data[k] * xi


@nb.njit(cache=True, nogil=True)
def _sgs_backward(indptr, indices, data, diag, active, x, b):
    n = x.size
    for i in range(n - 1, -1, -1):
        if active.size and not active[i]:
            continue
        s = b[i]
        for k in range(indptr[i], indptr[i + 1]):
            j = indices[k]
            if j != i:
                s -= data[k] * x[j]
        x[i] = s / diag[i]


@nb.njit(cache=True)
def _boundary_flags(indptr, indices, bounds):
    """1 for each row with a coupling outside its block (``bounds``: block row starts)."""
    n = indptr.size - 1
    flag = np.zeros(n, dtype=np.uint8)
    for blk in range(bounds.size - 1):
        lo, hi = bounds[blk], bounds[blk + 1]
        for i in range(lo, hi):
            for k in range(indptr[i], indptr[i + 1]):
                j = indices[k]
                if j < lo or j >= hi:
                    flag[i] = 1
                    break
    return flag


@nb.njit(cache=True, nogil=True)
def _bsgs_forward_from_zero(indptr, indices, data, diag, active, x, b, r, bounds, first, stop):
    """:func:`_sgs_forward_from_zero` on each of the blocks ``first .. stop - 1`` alone.

    Block Jacobi of Gauss-Seidel: couplings to other blocks see their zero start, so the blocks
    are independent; :func:`_boundary_residual` then completes ``r`` on the rows that have them.
    """
    masked = active.size > 0
    for blk in range(first, stop):
        lo, hi = bounds[blk], bounds[blk + 1]
        for i in range(lo, hi):
            r[i] = 0.0
        for i in range(lo, hi):
            if masked and not active[i]:
                x[i] = 0.0
                continue
            s = b[i]
            for k in range(indptr[i], indptr[i + 1]):
                j = indices[k]
                if j < i and j >= lo:
                    s -= data[k] * x[j]
            xi = s / diag[i]
            x[i] = xi
            for k in range(indptr[i], indptr[i + 1]):
                j = indices[k]
                if j < i and j >= lo and not (masked and not active[j]):
                    r[j] -= data[k] * xi


@nb.njit(cache=True, nogil=True)
def _boundary_residual(indptr, indices, data, active, x, r, brow, bptr, bounds, first, stop):
    """``r_i -= sum_{j outside i's block} a_ij x_j`` on the boundary rows of the given blocks."""
    masked = active.size > 0
    for blk in range(first, stop):
        lo, hi = bounds[blk], bounds[blk + 1]
        for t in range(bptr[blk], bptr[blk + 1]):
            i = brow[t]
            if masked and not active[i]:
                continue
            s = 0.0
            for k in range(indptr[i], indptr[i + 1]):
                j = indices[k]
                if j < lo or j >= hi:
                    s += data[k] * x[j]
            r[i] -= s


@nb.njit(cache=True, nogil=True)
def _boundary_coupling(indptr, indices, data, x, brow, bptr, bounds, c, first, stop):
    """``c_t = sum_{j outside the block} a_ij x_j`` for boundary row ``i = brow[t]``."""
    for blk in range(first, stop):
        lo, hi = bounds[blk], bounds[blk + 1]
        for t in range(bptr[blk], bptr[blk + 1]):
            i = brow[t]
            s = 0.0
            for k in range(indptr[i], indptr[i + 1]):
                j = indices[k]
                if j < lo or j >= hi:
                    s += data[k] * x[j]
            c[t] = s


@nb.njit(cache=True, nogil=True)
def _bsgs_backward(indptr, indices, data, diag, active, x, b, brow, bptr, bounds, c, first, stop):
    """Backward Gauss-Seidel on each block alone, other blocks' values frozen in ``c``.

    The transpose of :func:`_bsgs_forward_from_zero`'s smoother, so that the cycle stays
    symmetric (``c`` from :func:`_boundary_coupling` before any block changes ``x``).
    """
    masked = active.size > 0
    for blk in range(first, stop):
        lo, hi = bounds[blk], bounds[blk + 1]
        t = bptr[blk + 1] - 1
        for i in range(hi - 1, lo - 1, -1):
            s = b[i]
            if t >= bptr[blk] and brow[t] == i:
                s -= c[t]
                t -= 1
            if masked and not active[i]:
                continue
            for k in range(indptr[i], indptr[i + 1]):
                j = indices[k]
                if j != i and j >= lo and j < hi:
                    s -= data[k] * x[j]
            x[i] = s / diag[i]


@nb.njit(cache=True, nogil=True)
def _residual(indptr, indices, data, active, x, b, r):
    n = x.size
    for i in range(n):
        if active.size and not active[i]:
            r[i] = 0.0
            continue
        s = b[i]
        for k in range(indptr[i], indptr[i + 1]):
            s -= data[k] * x[indices[k]]
        r[i] = s


@nb.njit(cache=True, nogil=True)
def _restrict(agg, r, out):
    out[:] = 0.0
    for i in range(agg.size):
        if agg[i] >= 0:
            out[agg[i]] += r[i]


@nb.njit(cache=True, nogil=True)
def _prolong_add(agg, xc, scale, x):
    for i in range(agg.size):
        if agg[i] >= 0:
            x[i] += scale * xc[agg[i]]


@nb.njit(cache=True, nogil=True)
def _first_step(indptr, indices, data, x, rhs, c, v):
    """c = x; v = A x; returns (x.v, x.rhs, rhs.rhs)."""
    xv = 0.0
    xr = 0.0
    rr = 0.0
    for i in range(x.size):
        s = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            s += data[k] * x[indices[k]]
        v[i] = s
        c[i] = x[i]
        xv += x[i] * s
        xr += x[i] * rhs[i]
        rr += rhs[i] * rhs[i]
    return xv, xr, rr


@nb.njit(cache=True, nogil=True)
def _second_step(indptr, indices, data, x, v, b, w):
    """w = A x; returns (x.v, x.w, x.b)."""
    xv = 0.0
    xw = 0.0
    xb = 0.0
    for i in range(x.size):
        s = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            s += data[k] * x[indices[k]]
        w[i] = s
        xv += x[i] * v[i]
        xw += x[i] * s
        xb += x[i] * b[i]
    return xv, xw, xb


@nb.njit(cache=True, nogil=True)
def _first_step_blocks(indptr, indices, data, x, rhs, c, v, bounds, parts, first, stop):
    """:func:`_first_step` on blocks ``first .. stop - 1``; each block's sums in ``parts[blk]``."""
    for blk in range(first, stop):
        xv = 0.0
        xr = 0.0
        rr = 0.0
        for i in range(bounds[blk], bounds[blk + 1]):
            s = 0.0
            for k in range(indptr[i], indptr[i + 1]):
                s += data[k] * x[indices[k]]
            v[i] = s
            c[i] = x[i]
            xv += x[i] * s
            xr += x[i] * rhs[i]
            rr += rhs[i] * rhs[i]
        parts[blk, 0] = xv
        parts[blk, 1] = xr
        parts[blk, 2] = rr


@nb.njit(cache=True, nogil=True)
def _second_step_blocks(indptr, indices, data, x, v, b, w, bounds, parts, first, stop):
    """:func:`_second_step` on blocks ``first .. stop - 1``; each block's sums in ``parts[blk]``."""
    for blk in range(first, stop):
        xv = 0.0
        xw = 0.0
        xb = 0.0
        for i in range(bounds[blk], bounds[blk + 1]):
            s = 0.0
            for k in range(indptr[i], indptr[i + 1]):
                s += data[k] * x[indices[k]]
            w[i] = s
            xv += x[i] * v[i]
            xw += x[i] * s
            xb += x[i] * b[i]
        parts[blk, 0] = xv
        parts[blk, 1] = xw
        parts[blk, 2] = xb


@nb.njit(cache=True, nogil=True)
def _axpy_sq_blocks(y, a, x, out, bounds, parts, first, stop):
    """out = y + a x on blocks ``first .. stop - 1``; each block's sum of squares in ``parts[blk, 0]``."""
    for blk in range(first, stop):
        s = 0.0
        for i in range(bounds[blk], bounds[blk + 1]):
            v = y[i] + a * x[i]
            out[i] = v
            s += v * v
        parts[blk, 0] = s


@nb.njit(cache=True, nogil=True)
def _prolong_add_blocks(agg, xc, scale, x, bounds, first, stop):
    for i in range(bounds[first], bounds[stop]):
        if agg[i] >= 0:
            x[i] += scale * xc[agg[i]]


def _block_sums(parts):
    """The blocks' partial sums added in block order (a fixed order: deterministic)."""
    out = np.zeros(parts.shape[1])
    for row in parts:
        out += row
    return out


@nb.njit(cache=True, nogil=True)
def _copy(x, out):
    for i in range(x.size):
        out[i] = x[i]


@nb.njit(cache=True, nogil=True)
def _axpy_norm(y, a, x, out):
    """out = y + a x; returns |out| (2-norm)."""
    s = 0.0
    for i in range(y.size):
        v = y[i] + a * x[i]
        out[i] = v
        s += v * v
    return np.sqrt(s)


@nb.njit(cache=True, nogil=True)
def _scale(x, a, out):
    for i in range(x.size):
        out[i] = a * x[i]


@nb.njit(cache=True, nogil=True)
def _combine(x, a, y, b, out):
    for i in range(x.size):
        out[i] = a * x[i] + b * y[i]


@nb.njit(cache=True)
def _galerkin(indptr, indices, data, agg, nc, count_only, out_ptr, out_idx, out_data):
    """Rows of ``P^T A P`` for piecewise-constant ``P`` (aggregate sums), one pass per call.

    With ``count_only`` fills ``out_ptr`` (row starts); otherwise the sorted columns and
    summed values. No ``P^T A`` intermediate (as large as ``A``) is formed.
    """
    n = agg.size
    mptr = np.zeros(nc + 1, dtype=np.int64)
    for i in range(n):
        if agg[i] >= 0:
            mptr[agg[i] + 1] += 1
    for c in range(nc):
        mptr[c + 1] += mptr[c]
    mem = np.empty(n, dtype=np.int64)
    fill = mptr[:-1].copy()
    for i in range(n):
        if agg[i] >= 0:
            mem[fill[agg[i]]] = i
            fill[agg[i]] += 1
    marker = np.full(nc, -1, dtype=np.int64)
    slot = np.zeros(nc, dtype=np.int64)
    pos = 0
    for c in range(nc):
        start = pos
        for m in range(mptr[c], mptr[c + 1]):
            i = mem[m]
            for k in range(indptr[i], indptr[i + 1]):
                j = agg[indices[k]]
                if j < 0:
                    continue
                if marker[j] != c:
                    marker[j] = c
                    slot[j] = pos
                    if not count_only:
                        out_idx[pos] = j
                        out_data[pos] = data[k]
                    pos += 1
                elif not count_only:
                    out_data[slot[j]] += data[k]
        if count_only:
            out_ptr[c + 1] = pos
            continue
        if pos - start <= 32:  # insertion sort of the short row
            for t in range(start + 1, pos):
                jc = out_idx[t]
                v = out_data[t]
                u = t - 1
                while u >= start and out_idx[u] > jc:
                    out_idx[u + 1] = out_idx[u]
                    out_data[u + 1] = out_data[u]
                    u -= 1
                out_idx[u + 1] = jc
                out_data[u + 1] = v
        else:
            order = np.argsort(out_idx[start:pos])
            ci = out_idx[start:pos][order]
            cd = out_data[start:pos][order]
            out_idx[start:pos] = ci
            out_data[start:pos] = cd


def galerkin(a, agg, nc) -> sp.csr_matrix:
    """``P^T A P`` for the aggregation ``agg`` (piecewise-constant ``P``): coarse CSR, int32 indices."""
    ptr = np.zeros(nc + 1, dtype=np.int64)
    dummy_i = np.zeros(0, dtype=np.int32)
    dummy_d = np.zeros(0, dtype=np.float64)
    _galerkin(a.indptr, a.indices, a.data, agg, nc, True, ptr, dummy_i, dummy_d)
    idx = np.empty(ptr[-1], dtype=np.int32)
    val = np.empty(ptr[-1], dtype=np.float64)
    _galerkin(a.indptr, a.indices, a.data, agg, nc, False, ptr, idx, val)
    out = sp.csr_matrix((val, idx, ptr.astype(np.int32)), shape=(nc, nc))
    out.has_sorted_indices = True
    return out


class _Level:
    __slots__ = ("a", "indptr", "indices", "data", "diag", "agg", "scale", "n", "active", "n_active",
                 "bounds", "brow", "bptr")

    def __init__(self, a, active=None):
        a = sp.csr_matrix(a)
        a.sort_indices()
        self.a = a
        # views of the matrix's own arrays where the dtypes allow (no second copy of the fine level)
        self.indptr = a.indptr
        self.indices = a.indices
        self.data = a.data.astype(np.float64, copy=False)
        self.diag = a.diagonal().astype(np.float64)
        self.agg = None
        self.scale = 1.0
        self.n = a.shape[0]
        # rows held at zero (the finest level of a grounded Laplacian; empty: none)
        self.active = np.zeros(0, np.uint8) if active is None else np.ascontiguousarray(active, np.uint8)
        self.n_active = self.n if active is None else int(np.count_nonzero(active))
        # fixed row blocks smoothed side by side (block Jacobi of Gauss-Seidel) on big levels;
        # brow: the rows coupled to another block, bptr: where each block's rows start in it
        self.bounds = block_bounds(self.n)
        if self.bounds.size > 2:
            self.brow = np.flatnonzero(_boundary_flags(self.indptr, self.indices, self.bounds))
            self.bptr = np.searchsorted(self.brow, self.bounds).astype(np.int64)
        else:
            self.brow = self.bptr = None

    @property
    def blocked(self) -> bool:
        return self.brow is not None


class GridMultigrid:
    """Aggregation multigrid for an SPD matrix whose unknowns lie on a grid.

    Parameters
    ----------
    a : scipy sparse matrix (n, n)
        Symmetric positive definite (a grounded graph Laplacian).
    rows, cols : int arrays (n,)
        Grid position of each unknown (for a merged node, one of its cells).
    smoothing : int
        Symmetric Gauss-Seidel sweeps before and after each coarse correction.
    cycle : {"k", "v"}
        K-cycle (default; needs flexible CG) or V-cycle (a fixed SPD operator).
    over_correction : float
        Scale of the coarse correction on levels that coarsen by whole 2 x 2 blocks.
    kstride : int
        K-cycle on every ``kstride``-th intermediate level (1: all), V-cycle on the others.
    active : bool array (n,) or None
        Rows of ``a`` that are unknowns; the others are held at zero (``a`` is then a whole
        graph Laplacian and the system its principal submatrix on ``active``, solved without
        copying it). Vectors keep length n, zero on inactive rows.
    threads : int
        Threads that smooth the row blocks of big levels side by side (see :mod:`._parallel`;
        the result is the same for any number). Settable later as ``threads``.

    Attributes
    ----------
    levels : list
        Finest first; ``len(levels)`` levels, the last solved densely.
    """

    def __init__(self, a, rows, cols, smoothing: int = 1, cycle: str = "k",
                 over_correction: float = OVER_CORRECTION, kstride: int = 1, active=None,
                 threads: int = 1):
        self.kstride = int(kstride)
        self.threads = int(threads)
        if cycle not in ("v", "k"):
            raise ValueError(f"cycle must be 'v' or 'k', got {cycle!r}")
        self.cycle = cycle
        rows = np.asarray(rows, dtype=np.int64)
        cols = np.asarray(cols, dtype=np.int64)
        if rows.size != a.shape[0] or cols.size != a.shape[0]:
            raise ValueError("rows and cols need one grid position per unknown")
        self.smoothing = int(smoothing)
        if active is not None and np.asarray(active).size != a.shape[0]:
            raise ValueError("active needs one flag per row of a")
        self.levels = [_Level(a, active)]
        while self.levels[-1].n_active > COARSEST:
            lev = self.levels[-1]
            m = lev.n_active
            r2, c2 = rows // 2, cols // 2
            key = r2 * (int(c2.max(initial=0)) + 1) + c2
            if lev.active.size:
                key[lev.active == 0] = -1  # held at zero: in no aggregate
            agg, nc = _block_aggregates(lev.indptr, lev.indices, lev.data, lev.diag, key, THETA)
            if nc >= 0.75 * m:  # mostly weak links: merge whole blocks this once
                agg = np.full(key.size, -1, dtype=np.int64)
                uniq, agg[key >= 0] = np.unique(key[key >= 0], return_inverse=True)
                nc = uniq.size
            if nc >= 0.9 * m:  # cannot coarsen further (e.g. one long strip)
                break
            lev.agg = agg.astype(np.int32)
            lev.scale = over_correction if nc <= 0.3 * m else 1.0
            self.levels.append(_Level(galerkin(lev.a, lev.agg, nc)))
            # each aggregate keeps the coarse position of its cells
            inside = agg >= 0
            rows = np.zeros(nc, dtype=np.int64)
            cols = np.zeros(nc, dtype=np.int64)
            rows[agg[inside]] = r2[inside]
            cols[agg[inside]] = c2[inside]
        # coarsest level: a sparse LU (a few 10^4 nonzeros) solves in ~0.1 ms where a dense
        # Cholesky of ~1500 unknowns took ~4 ms, and the K-cycle visits it 2^(levels - 2) times
        from scipy.sparse.linalg import splu

        last = self.levels[-1]
        self._lu_keep = np.flatnonzero(last.active) if last.active.size else None
        mat = last.a if self._lu_keep is None else last.a[self._lu_keep][:, self._lu_keep]
        self._lu = splu(sp.csc_matrix(mat), permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0,
                        options=dict(SymmetricMode=True))
        self.nnz = sum(lev.a.nnz for lev in self.levels)
        self._local = threading.local()  # per-thread work vectors: solves may run concurrently

    def _kcycle_at(self, k: int) -> bool:
        return self.cycle == "k" and 1 <= k < len(self.levels) - 1 and (k - 1) % self.kstride == 0

    @property
    def operator_complexity(self) -> float:
        """Nonzeros of all levels over those of the finest."""
        return self.nnz / max(self.levels[0].a.nnz, 1)

    def _work(self):
        ws = getattr(self._local, "ws", None)
        if ws is None:
            # the finest level needs only a residual vector (x and b are the caller's)
            ws = [tuple(np.zeros(lev.n if k or i == 2 else 0)
                        for i in range(7 if self._kcycle_at(k) else 3))
                  for k, lev in enumerate(self.levels)]
            self._local.ws = ws
            # per level: other blocks' couplings frozen for the backward block sweep
            self._local.cbuf = [np.zeros(lev.brow.size) if lev.blocked else None
                                for lev in self.levels]
            self._local.parts = [np.zeros((lev.bounds.size - 1, 3)) if lev.blocked else None
                                 for lev in self.levels]
        return ws

    #: ``__call__`` accepts ``out=`` (conjugate gradients then reuse one vector).
    writes_into = True

    def __call__(self, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """One cycle from zero: an approximation of ``A^-1 b`` (thread-safe).

        The V-cycle is a fixed SPD operator; the K-cycle is not linear (its inner Krylov steps
        depend on ``b``), so conjugate gradients must use the flexible variant with it.
        """
        ws = self._work()
        if out is None:
            out = np.empty(self.levels[0].n)
        b = np.ascontiguousarray(b, dtype=np.float64)
        if len(self.levels) == 1:  # nothing to coarsen: the factor solves
            self._direct(b, out)
        else:
            self._vcycle(0, ws, out, b)  # the finest level works on the caller's vectors
        return out

    def _direct(self, b, x) -> None:
        if self._lu_keep is None:
            x[:] = self._lu.solve(b)
        else:  # a masked finest level that could not be coarsened
            x[:] = 0.0
            x[self._lu_keep] = self._lu.solve(b[self._lu_keep])

    def _vcycle(self, k: int, ws, x=None, b=None) -> None:
        """Smooth, correct from level ``k + 1``, smooth: ``x ~ A_k^-1 b`` (``ws[k]`` by default)."""
        lev = self.levels[k]
        r = ws[k][2]
        if x is None:
            x, b = ws[k][:2]
        blocked = lev.blocked and self.smoothing == 1
        if blocked:  # fixed blocks side by side (the same result for any thread count)
            nblk = lev.bounds.size - 1
            run_blocks(lambda f, t: _bsgs_forward_from_zero(
                lev.indptr, lev.indices, lev.data, lev.diag, lev.active, x, b, r, lev.bounds, f, t),
                nblk, self.threads)
            run_blocks(lambda f, t: _boundary_residual(
                lev.indptr, lev.indices, lev.data, lev.active, x, r, lev.brow, lev.bptr,
                lev.bounds, f, t), nblk, self.threads)
        elif self.smoothing == 1:  # the usual case: sweep and residual in one pass
            _sgs_forward_from_zero(lev.indptr, lev.indices, lev.data, lev.diag, lev.active, x, b, r)
        else:
            x[:] = 0.0
            for _ in range(self.smoothing):
                _sgs_forward(lev.indptr, lev.indices, lev.data, lev.diag, lev.active, x, b)
            _residual(lev.indptr, lev.indices, lev.data, lev.active, x, b, r)
        _restrict(lev.agg, r, ws[k + 1][1])
        self._coarse(k + 1, ws)
        if lev.blocked:
            xc = ws[k + 1][0]
            run_blocks(lambda f, t: _prolong_add_blocks(lev.agg, xc, lev.scale, x, lev.bounds, f, t),
                       lev.bounds.size - 1, self.threads)
        else:
            _prolong_add(lev.agg, ws[k + 1][0], lev.scale, x)
        if blocked:
            c = self._local.cbuf[k]
            run_blocks(lambda f, t: _boundary_coupling(
                lev.indptr, lev.indices, lev.data, x, lev.brow, lev.bptr, lev.bounds, c, f, t),
                nblk, self.threads)
            run_blocks(lambda f, t: _bsgs_backward(
                lev.indptr, lev.indices, lev.data, lev.diag, lev.active, x, b, lev.brow, lev.bptr,
                lev.bounds, c, f, t), nblk, self.threads)
            return
        for _ in range(self.smoothing):
            _sgs_backward(lev.indptr, lev.indices, lev.data, lev.diag, lev.active, x, b)

    def _coarse(self, k: int, ws) -> None:
        """Approximate solve on level ``k``: direct at the coarsest, else a V- or K-cycle."""
        if k == len(self.levels) - 1:
            self._direct(ws[k][1], ws[k][0])
            return
        if not self._kcycle_at(k):
            self._vcycle(k, ws)
            return
        # K-cycle (Notay & Vassilevski 2008): two flexible-CG steps on A_k x = b, each
        # preconditioned by the cycle of this level; the step lengths come from A_k itself, so
        # aggregation's under-correction is repaired at every level (no fixed over-correction).
        lev = self.levels[k]
        x, b, _, rhs, c1, v, w = ws[k]
        _copy(b, rhs)
        self._vcycle(k, ws)
        # c1 = x, v = A c1, and the dot products c1.v, c1.rhs, rhs.rhs in one pass
        if lev.blocked:  # by blocks, their partial sums added in a fixed order
            parts, nblk = self._local.parts[k], lev.bounds.size - 1
            run_blocks(lambda f, t: _first_step_blocks(lev.indptr, lev.indices, lev.data, x, rhs, c1, v,
                                                       lev.bounds, parts, f, t), nblk, self.threads)
            rho1, alpha1, rr = _block_sums(parts)
        else:
            rho1, alpha1, rr = _first_step(lev.indptr, lev.indices, lev.data, x, rhs, c1, v)
        if not rho1 > 0:
            x[:] = 0.0
            return
        a1 = alpha1 / rho1
        if lev.blocked:
            run_blocks(lambda f, t: _axpy_sq_blocks(rhs, -a1, v, b, lev.bounds, parts, f, t),
                       nblk, self.threads)
            nr = np.sqrt(_block_sums(parts[:, :1])[0])
        else:
            nr = _axpy_norm(rhs, -a1, v, b)  # b = rhs - a1 v, the residual after one step
        if nr <= KCYCLE_TOL * np.sqrt(rr):
            _scale(c1, a1, x)
            return
        self._vcycle(k, ws)  # x = c2 ~ A_k^-1 (rhs - a1 v)
        if lev.blocked:
            run_blocks(lambda f, t: _second_step_blocks(lev.indptr, lev.indices, lev.data, x, v, b, w,
                                                        lev.bounds, parts, f, t), nblk, self.threads)
            gamma, beta, alpha2 = _block_sums(parts)
        else:
            gamma, beta, alpha2 = _second_step(lev.indptr, lev.indices, lev.data, x, v, b, w)
        rho2 = beta - gamma * gamma / rho1
        if not rho2 > 0:
            _scale(c1, a1, x)
            return
        _combine(c1, a1 - gamma * alpha2 / (rho1 * rho2), x, alpha2 / rho2, x)
