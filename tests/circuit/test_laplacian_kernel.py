"""The CSR Laplacian kernel against SciPy's COO assembly (duplicates summed, rows sorted)."""

import numpy as np
import scipy.sparse as sp

from corridors._kernels.graph import laplacian_csr


def _scipy_laplacian(n, ei, ej, w):
    adj = sp.coo_matrix((np.r_[w, w], (np.r_[ei, ej], np.r_[ej, ei])), shape=(n, n)).tocsr()
    return (sp.diags(np.asarray(adj.sum(axis=1)).ravel()) - adj).tocsr()


def test_laplacian_csr_matches_scipy_with_parallel_edges_and_long_rows():
    rng = np.random.default_rng(7)
    n = 300
    ei = rng.integers(0, n, 3000)
    ej = rng.integers(0, n, 3000)
    hub = np.arange(1, 100)  # node 0: a merged node with a long row (argsort path)
    ei, ej = np.r_[ei, np.zeros(99, int), hub[:10]], np.r_[ej, hub, np.zeros(10, int)]
    keep = ei != ej
    ei, ej = ei[keep].astype(np.int64), ej[keep].astype(np.int64)
    w = rng.random(ei.size)
    ptr, cols, vals = laplacian_csr(n, ei, ej, w)
    got = sp.csr_matrix((vals, cols, ptr), shape=(n, n))
    ref = _scipy_laplacian(n, ei, ej, w)
    assert cols.dtype == np.int32 and ptr.dtype == np.int32
    for i in range(n):  # sorted, unique columns, diagonal stored
        row = cols[ptr[i]:ptr[i + 1]]
        assert np.all(np.diff(row) > 0) and i in row
    np.testing.assert_allclose(got.toarray(), ref.toarray(), rtol=1e-12, atol=1e-12)


def test_laplacian_csr_without_duplicates_keeps_every_entry():
    ei = np.array([0, 1, 2], dtype=np.int64)
    ej = np.array([1, 2, 3], dtype=np.int64)
    w = np.array([1.0, 2.0, 3.0])
    ptr, cols, vals = laplacian_csr(4, ei, ej, w)
    np.testing.assert_array_equal(ptr, [0, 2, 5, 8, 10])
    np.testing.assert_allclose(sp.csr_matrix((vals, cols, ptr)).toarray(),
                               [[1, -1, 0, 0], [-1, 3, -2, 0], [0, -2, 5, -3], [0, 0, -3, 3]])
