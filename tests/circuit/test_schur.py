"""Schur complement read off a CHOLMOD factor, against dense linear algebra."""

import numpy as np
import pytest
import scipy.sparse as sp

from corridors.circuit import available_methods, build_graph

pytestmark = pytest.mark.skipif(
    "cholmod" not in available_methods(),
    reason="optional CHOLMOD solver not installed: pip install '.[cholmod]' (needs libsuitesparse-dev)",
)


def _grounded(seed, shape=(14, 17), barrier=True):
    rng = np.random.default_rng(seed)
    hab = rng.lognormal(0, 1, shape)
    hab[rng.random(shape) < 0.1] = np.nan
    if barrier:
        hab[:, 9] = np.nan  # two components: the matrix is block diagonal
    g = build_graph(hab, neighbours=8)
    # ground the first node of each component
    _, first = np.unique(g.component, return_index=True)
    keep = np.setdiff1d(np.arange(g.n_nodes), first)
    return g.laplacian[keep][:, keep].tocsr(), rng


@pytest.mark.parametrize("seed,m", [(0, 1), (1, 7), (2, 40)])
def test_schur_matches_dense(seed, m):
    from corridors.circuit.schur import cholmod_schur

    a, rng = _grounded(seed)
    keep = rng.choice(a.shape[0], m, replace=False)  # unsorted on purpose
    solver, s = cholmod_schur(a, keep)
    d = a.toarray()
    rest = np.setdiff1d(np.arange(a.shape[0]), keep)
    expect = d[np.ix_(keep, keep)] - d[np.ix_(keep, rest)] @ np.linalg.solve(d[np.ix_(rest, rest)],
                                                                              d[np.ix_(rest, keep)])
    assert s is not None
    np.testing.assert_allclose(s, expect, rtol=1e-9, atol=1e-11 * np.abs(expect).max())
    # the factor (ports last) still solves the original system in the original order
    b = rng.normal(size=(a.shape[0], 2))
    np.testing.assert_allclose(solver.solve(b), np.linalg.solve(d, b), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(solver.solve(b[:, 0]), np.linalg.solve(d, b[:, 0]), rtol=1e-8, atol=1e-10)


def test_schur_of_everything_is_the_matrix():
    from corridors.circuit.schur import cholmod_schur

    a, _ = _grounded(3, shape=(5, 6), barrier=False)
    keep = np.arange(a.shape[0])[::-1]
    _, s = cholmod_schur(sp.csc_matrix(a), keep)
    np.testing.assert_allclose(s, a.toarray()[np.ix_(keep, keep)], rtol=1e-12, atol=1e-12)


def test_geometric_order_is_a_permutation_and_gives_the_same_schur():
    from corridors.circuit.schur import cholmod_schur, grid_nested_dissection, node_order

    for shape in [(1, 9), (9, 1), (13, 7), (20, 31)]:
        rank = grid_nested_dissection(*shape, leaf=2)
        assert np.array_equal(np.sort(rank), np.arange(shape[0] * shape[1]))
    rng = np.random.default_rng(4)
    hab = rng.lognormal(0, 1, (16, 19))
    hab[rng.random(hab.shape) < 0.1] = np.nan
    poly = np.zeros(hab.shape, int)
    poly[3:6, 4:9] = 2  # a merged node takes its latest cell's rank
    g = build_graph(hab, polygons=poly)
    big = np.argmax(np.bincount(g.component))
    nodes = np.flatnonzero(g.component == big)[1:]  # grounded at the component's first node
    a = g.laplacian[nodes][:, nodes].tocsr()
    keep = rng.choice(nodes.size, 12, replace=False)
    _, s_amd = cholmod_schur(a, keep)
    order = node_order(g, nodes)
    assert np.array_equal(np.sort(order), np.arange(nodes.size))
    solver, s_nd = cholmod_schur(a, keep, order=order)
    np.testing.assert_allclose(s_nd, s_amd, rtol=1e-9, atol=1e-12 * np.abs(s_amd).max())
    b = rng.normal(size=nodes.size)
    np.testing.assert_allclose(solver.solve(b), np.linalg.solve(a.toarray(), b), rtol=1e-8, atol=1e-10)
