"""Sparse helpers that avoid full-size temporaries on big raster systems (Numba, one pass)."""

from __future__ import annotations

import numba as nb
import numpy as np
import scipy.sparse as sp

__all__ = ["principal_submatrix", "inf_norm", "matvec", "GroundedMatrix"]


@nb.njit(cache=True, nogil=True)
def _matvec(indptr, indices, data, x, out):
    for i in range(out.size):
        s = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            s += data[k] * x[indices[k]]
        out[i] = s


@nb.njit(cache=True, nogil=True)
def _matvec_active(indptr, indices, data, active, x, out):
    for i in range(out.size):
        if not active[i]:
            out[i] = 0.0
            continue
        s = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            s += data[k] * x[indices[k]]
        out[i] = s


@nb.njit(cache=True, nogil=True)
def _matvec_blocks(indptr, indices, data, active, x, out, bounds, first, stop):
    """Rows ``bounds[first] .. bounds[stop] - 1`` of :func:`_matvec_active` (``active`` empty: all)."""
    masked = active.size > 0
    for i in range(bounds[first], bounds[stop]):
        if masked and not active[i]:
            out[i] = 0.0
            continue
        s = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            s += data[k] * x[indices[k]]
        out[i] = s


@nb.njit(cache=True)
def _inf_norm_active(indptr, indices, data, active):
    best = 0.0
    for i in range(indptr.size - 1):
        if not active[i]:
            continue
        s = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            if active[indices[k]]:
                s += abs(data[k])
        if s > best:
            best = s
    return best


class GroundedMatrix:
    """The principal submatrix ``L[keep][:, keep]`` of a CSR matrix, without copying it.

    Vectors keep the length of ``L`` and are zero outside ``keep`` (those rows are held at
    zero: grounded nodes, components without a port). At 6 M cells this saves the 0.6 GB a
    copied submatrix takes.

    Parameters
    ----------
    lap : scipy.sparse.csr_matrix (N, N)
    keep : sorted int array
        Rows (and columns) of the submatrix.
    """

    def __init__(self, lap, keep):
        self.lap = sp.csr_matrix(lap)
        self.keep = np.asarray(keep, dtype=np.int64)
        self.active = np.zeros(self.lap.shape[0], dtype=np.uint8)
        self.active[self.keep] = 1
        self.shape = self.lap.shape
        self.nnz = self.lap.nnz

    def matvec(self, x, out=None) -> np.ndarray:
        """``L x`` on the kept rows, 0 elsewhere (``x`` must be 0 outside ``keep``)."""
        if out is None:
            out = np.empty(self.shape[0])
        a = self.lap
        _matvec_active(a.indptr, a.indices, a.data, self.active, x, out)
        return out

    def inf_norm(self) -> float:
        """``|L[keep][:, keep]|_inf``."""
        return float(_inf_norm_active(self.lap.indptr, self.lap.indices, self.lap.data, self.active))

    def submatrix(self) -> sp.csr_matrix:
        """The submatrix itself, copied (for a direct solver)."""
        return principal_submatrix(self.lap, self.keep)


_NO_ROWS = np.zeros(0, dtype=np.uint8)


def matvec(a, x, out=None, threads: int = 1) -> np.ndarray:
    """``a @ x`` for a CSR matrix (or a :class:`GroundedMatrix`) and a vector, without the GIL.

    With ``threads > 1`` a big system's fixed row blocks are computed side by side; each row
    is summed in the same order either way, so the result is bit-identical.
    """
    if threads > 1:
        from ._parallel import block_bounds, run_blocks

        bounds = block_bounds(a.shape[0])
        if bounds.size > 2:
            lap, active = (a.lap, a.active) if isinstance(a, GroundedMatrix) else (a, _NO_ROWS)
            if out is None:
                out = np.empty(a.shape[0])
            run_blocks(lambda f, t: _matvec_blocks(lap.indptr, lap.indices, lap.data, active, x, out,
                                                   bounds, f, t), bounds.size - 1, threads)
            return out
    if isinstance(a, GroundedMatrix):
        return a.matvec(x, out)
    if out is None:
        out = np.empty(a.shape[0])
    _matvec(a.indptr, a.indices, a.data, x, out)
    return out


@nb.njit(cache=True)
def _count(indptr, indices, pos, keep):
    counts = np.zeros(keep.size + 1, dtype=np.int64)
    for r in range(keep.size):
        i = keep[r]
        c = 0
        for k in range(indptr[i], indptr[i + 1]):
            if pos[indices[k]] >= 0:
                c += 1
        counts[r + 1] = c
    return np.cumsum(counts)


@nb.njit(cache=True)
def _fill(indptr, indices, data, pos, keep, out_ptr, out_idx, out_data):
    for r in range(keep.size):
        i = keep[r]
        o = out_ptr[r]
        for k in range(indptr[i], indptr[i + 1]):
            j = pos[indices[k]]
            if j >= 0:
                out_idx[o] = j
                out_data[o] = data[k]
                o += 1


def principal_submatrix(a, keep) -> sp.csr_matrix:
    """``a[keep][:, keep]`` for a CSR matrix and sorted ``keep``, built in one pass.

    SciPy's two fancy-indexing steps hold two full copies at once (1.3 GB at 6 M cells);
    this holds only the result. Column order follows ``keep``; sorted rows stay sorted.
    """
    a = sp.csr_matrix(a)
    keep = np.asarray(keep, dtype=np.int64)
    pos = np.full(a.shape[0], -1, dtype=np.int64)
    pos[keep] = np.arange(keep.size)
    ptr = _count(a.indptr, a.indices, pos, keep)
    idx_dtype = np.int32 if ptr[-1] < 2**31 and keep.size < 2**31 else np.int64
    out_idx = np.empty(ptr[-1], dtype=idx_dtype)
    out_data = np.empty(ptr[-1], dtype=a.data.dtype)
    _fill(a.indptr, a.indices, a.data, pos, keep, ptr, out_idx, out_data)
    return sp.csr_matrix((out_data, out_idx, ptr.astype(idx_dtype)), shape=(keep.size, keep.size))


@nb.njit(cache=True)
def _inf_norm(indptr, data):
    best = 0.0
    for i in range(indptr.size - 1):
        s = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            s += abs(data[k])
        if s > best:
            best = s
    return best


def inf_norm(a) -> float:
    """``max_i sum_j |a_ij|`` of a CSR matrix without an ``abs(a)`` copy."""
    if isinstance(a, GroundedMatrix):
        return a.inf_norm()
    a = sp.csr_matrix(a)
    return float(_inf_norm(a.indptr, a.data)) if a.shape[0] else 0.0
