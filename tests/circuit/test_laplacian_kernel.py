"""The CSR Laplacian kernel against SciPy's COO assembly (duplicates summed, rows sorted)."""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from corridors._kernels.graph import (grid_edges, grid_laplacian_csr, label_nodes, laplacian_csr,
                                      symmetric_components)


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


def _random_grid(seed, shape=(23, 31)):
    rng = np.random.default_rng(seed)
    cond = rng.uniform(0.1, 10.0, shape[0] * shape[1])
    cond[rng.random(cond.size) < 0.25] = 0.0  # nodata: a few islands and isolated cells
    return cond, label_nodes(cond > 0, np.zeros(1, np.int64), np.zeros(0, np.int64))


@pytest.mark.parametrize("eight", [True, False])
@pytest.mark.parametrize("avg_res", [True, False])
def test_stencil_laplacian_matches_the_edge_list_assembly(eight, avg_res):
    cond, noc = _random_grid(3)
    n = int(noc.max()) + 1
    ptr, cols, vals = grid_laplacian_csr(cond, noc, 23, 31, eight, avg_res)
    rptr, rcols, rvals = laplacian_csr(n, *grid_edges(cond, noc, 23, 31, eight, avg_res))
    assert ptr.dtype == cols.dtype == np.int32
    np.testing.assert_array_equal(ptr, rptr)
    np.testing.assert_array_equal(cols, rcols)  # same sorted columns, diagonal included
    np.testing.assert_array_equal(vals, rvals)  # bit for bit: the diagonal summed in the same order
    lap = sp.csr_matrix((vals, cols, ptr), shape=(n, n))
    assert abs(lap - lap.T).max() == 0 and np.abs(lap.sum(axis=1)).max() < 1e-12


def test_symmetric_components_match_scipy():
    cond, noc = _random_grid(5, (40, 40))
    n = int(noc.max()) + 1
    ptr, cols, _ = grid_laplacian_csr(cond, noc, 40, 40, False, False)
    ncomp, labels = symmetric_components(ptr, cols)
    ref_n, ref = connected_components(sp.csr_matrix((np.ones(cols.size), cols, ptr), shape=(n, n)),
                                      directed=False)
    assert ncomp == ref_n > 5 and labels.dtype == np.int32
    np.testing.assert_array_equal(labels, ref)
