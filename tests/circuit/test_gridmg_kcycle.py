"""The grid multigrid's fused kernels and its K-cycle, checked against SciPy.

Small grids with a small ``COARSEST`` so the hierarchy has several levels and the K-cycle
(levels 1 .. L-2) is really exercised.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve, spsolve_triangular

from corridors.circuit import gridmg, pairwise
from corridors.circuit.gridmg import GridMultigrid
from corridors.circuit.solvers import pcg_refined

from .test_high_contrast import _system, contrast_grid, focal


def _laplacian(n, seed=0):
    a, (rows, cols) = _system(n, 3)
    return a, rows, cols


def test_forward_sweep_from_zero_and_its_residual_match_scipy():
    a, _, _ = _laplacian(20)
    b = np.random.default_rng(2).standard_normal(a.shape[0])
    x, r = np.empty_like(b), np.empty_like(b)
    gridmg._sgs_forward_from_zero(a.indptr, a.indices, a.data, a.diagonal(), np.zeros(0, np.uint8), x, b, r)
    # one forward Gauss-Seidel sweep from zero solves (D + L) x = b
    ref = spsolve_triangular(sp.tril(a, format="csr"), b, lower=True)
    np.testing.assert_allclose(x, ref, rtol=1e-12, atol=1e-12 * np.abs(ref).max())
    np.testing.assert_allclose(r, b - a @ x, rtol=1e-10, atol=1e-10 * np.abs(b).max())


def test_k_cycle_steps_match_numpy():
    a, _, _ = _laplacian(16)
    rng = np.random.default_rng(3)
    x, rhs, v0, b = rng.standard_normal((4, a.shape[0]))
    c, v = np.empty_like(x), np.empty_like(x)
    xv, xr, rr = gridmg._first_step(a.indptr, a.indices, a.data, x, rhs, c, v)
    np.testing.assert_allclose(v, a @ x, rtol=1e-12)
    np.testing.assert_array_equal(c, x)
    np.testing.assert_allclose([xv, xr, rr], [x @ (a @ x), x @ rhs, rhs @ rhs], rtol=1e-12)
    w = np.empty_like(x)
    g, be, al = gridmg._second_step(a.indptr, a.indices, a.data, x, v0, b, w)
    np.testing.assert_allclose(w, a @ x, rtol=1e-12)
    np.testing.assert_allclose([g, be, al], [x @ v0, x @ (a @ x), x @ b], rtol=1e-12)


@pytest.mark.parametrize("mag", [0, 5])
def test_k_cycle_cg_matches_spsolve_and_needs_fewer_iterations(mag, monkeypatch):
    monkeypatch.setattr(gridmg, "COARSEST", 40)
    a, (rows, cols) = _system(64, mag)  # mag 0: uniform resistances with nodata holes
    b = np.zeros(a.shape[0])
    b[-5] = 1.0
    ref = spsolve(a.tocsc(), b)
    its = {}
    for cycle in ("v", "k"):
        mg = GridMultigrid(a, rows, cols, cycle=cycle)
        assert len(mg.levels) >= 4  # K-cycle on levels 1 .. L-2
        x, its[cycle] = pcg_refined(a, b, mg, rtol=1e-11, flexible=cycle == "k")
        # the effective resistance to ground (x at the injection), as resistances need it; at
        # mag 8 this one-ground system is beyond double precision (SuperLU and CHOLMOD differ
        # by 1.4e-6), so that contrast is checked on pairwise resistances below
        np.testing.assert_allclose(x[-5], ref[-5], rtol=1e-8)
        np.testing.assert_allclose(x, ref, rtol=1e-7)
    assert its["k"] < its["v"], its


def test_v_cycle_stays_symmetric_positive_definite_on_many_levels(monkeypatch):
    monkeypatch.setattr(gridmg, "COARSEST", 40)
    a, (rows, cols) = _system(48, 8)
    mg = GridMultigrid(a, rows, cols, cycle="v")
    assert len(mg.levels) >= 4
    u, v = np.random.default_rng(4).standard_normal((2, a.shape[0]))
    assert np.isclose(u @ mg(v), v @ mg(u), rtol=1e-8)
    assert u @ mg(u) > 0 and v @ mg(v) > 0


def test_pairwise_with_k_cycle_matches_direct_at_high_contrast(monkeypatch):
    monkeypatch.setattr(gridmg, "COARSEST", 40)
    n = 48
    r = contrast_grid(n, 8, seed=5)
    r[2, 2] = r[2, n - 3] = 1.0
    ref = pairwise(r, focal(n), solver="splu", strategy="per_pair")
    got = pairwise(r, focal(n), solver="cg+amg")
    ok = ref.resistances > 0
    rel = np.abs(got.resistances[ok] - ref.resistances[ok]) / ref.resistances[ok]
    assert rel.max() <= 1e-6, f"max relative difference {rel.max():.2e}"


def test_galerkin_product_matches_scipy():
    a, (rows, cols) = _system(30, 4)
    rng = np.random.default_rng(6)
    nc = 40
    agg = rng.integers(0, nc, a.shape[0]).astype(np.int64)
    agg[:nc] = np.arange(nc)  # every aggregate non-empty
    p = sp.csr_matrix((np.ones(agg.size), (np.arange(agg.size), agg)), shape=(agg.size, nc))
    ref = (p.T @ a @ p).toarray()
    got = gridmg.galerkin(a, agg, nc)
    assert got.has_sorted_indices and got.indices.dtype == np.int32
    for i in range(nc):
        assert np.all(np.diff(got.indices[got.indptr[i]:got.indptr[i + 1]]) > 0)
    np.testing.assert_allclose(got.toarray(), ref, rtol=1e-12, atol=1e-12 * np.abs(ref).max())


def _two_component_laplacian(n=56):
    """A graph Laplacian with a nodata wall: two components, one of them without a ground."""
    from corridors.circuit.graph import assemble, conductance_from_habitat

    r = contrast_grid(n, 3, seed=8)
    r[:, n // 3] = np.nan
    g = assemble(conductance_from_habitat(r, True, None), r.shape, 8, "conductance", [], [])
    assert g.n_components >= 2
    big = np.bincount(g.component).argmax()
    nodes = np.flatnonzero(g.component == big)
    keep = nodes[nodes != nodes[0]]  # ground the first node of the largest component
    return g, keep


def test_grounded_matrix_matches_the_copied_submatrix():
    from corridors.circuit._sparse import GroundedMatrix, inf_norm

    g, keep = _two_component_laplacian()
    sub = g.laplacian[keep][:, keep]
    gm = GroundedMatrix(g.laplacian, keep)
    x = np.zeros(g.n_nodes)
    x[keep] = np.random.default_rng(9).standard_normal(keep.size)
    y = gm.matvec(x)
    np.testing.assert_allclose(y[keep], sub @ x[keep], rtol=1e-12)
    assert not np.any(np.delete(y, keep))
    assert np.isclose(inf_norm(gm), abs(sub).sum(axis=1).max(), rtol=1e-14)


@pytest.mark.parametrize("cycle", ["k", "v"])
def test_grid_multigrid_on_a_grounded_laplacian_matches_spsolve(cycle, monkeypatch):
    from corridors.circuit._sparse import GroundedMatrix

    monkeypatch.setattr(gridmg, "COARSEST", 40)
    g, keep = _two_component_laplacian()
    sub = g.laplacian[keep][:, keep].tocsc()
    b = np.zeros(keep.size)
    b[[3, -7]] = [1.0, -0.25]
    ref = spsolve(sub, b)
    gm = GroundedMatrix(g.laplacian, keep)
    rows, cols = g.grid_positions(np.arange(g.n_nodes))
    mg = GridMultigrid(g.laplacian, rows, cols, cycle=cycle, active=gm.active)
    assert len(mg.levels) >= 4
    full = np.zeros(g.n_nodes)
    full[keep] = b
    x, _ = pcg_refined(gm, full, mg, rtol=1e-12, flexible=cycle == "k")
    assert not np.any(np.delete(x, keep))  # held at zero off the system
    np.testing.assert_allclose(x[keep], ref, rtol=1e-8, atol=1e-10 * np.abs(ref).max())


def test_solver_on_a_grounded_matrix_matches_direct():
    from corridors.circuit._sparse import GroundedMatrix
    from corridors.circuit.solvers import make_solver

    g, keep = _two_component_laplacian(64)
    assert keep.size >= 2000  # the grid multigrid's path
    rows, cols = g.grid_positions(keep)
    b = np.zeros((keep.size, 2))
    b[5, 0] = b[-9, 1] = 1.0
    ref = make_solver(g.laplacian[keep][:, keep].tocsr(), "splu").solve(b)
    slv = make_solver(GroundedMatrix(g.laplacian, keep), "cg+amg", grid=(rows, cols))
    assert slv._keep is not None and "multigrid" in slv.preconditioner
    np.testing.assert_allclose(slv.solve(b), ref, rtol=1e-8, atol=1e-10 * np.abs(ref).max())


@pytest.mark.parametrize("auto_picks_cg", [True, False])
def test_reduced_network_with_auto_solves_in_place_when_it_picks_cg_amg(auto_picks_cg, monkeypatch):
    from corridors.circuit import solvers
    from corridors.circuit._sparse import GroundedMatrix
    from corridors.circuit.reduced import ReducedNetwork

    g, keep = _two_component_laplacian(64)
    ports = np.r_[keep[[4, 900, -30]], np.flatnonzero(g.component != g.component[keep[0]])[:2]]
    ref = ReducedNetwork(g, ports, solver="splu").S
    if auto_picks_cg:  # "auto" takes cg+amg when a factor would not fit
        monkeypatch.setattr(solvers, "SMALL_SYSTEM", 100)
        monkeypatch.setattr(solvers, "_factor_nnz_estimate", lambda a: 1e15)
    rn = ReducedNetwork(g, ports, solver="auto")
    assert isinstance(rn.matrix, GroundedMatrix) == auto_picks_cg
    assert (rn.solver.method == "cg+amg") == auto_picks_cg
    assert (getattr(rn.solver, "_keep", None) is not None) == auto_picks_cg  # no copy
    np.testing.assert_allclose(rn.S, ref, rtol=1e-7, atol=1e-9 * np.abs(ref).max())


@pytest.mark.parametrize("n", [1000, 2500])  # one level (the factor alone), several levels
def test_a_strip_of_cells_is_solved(n):
    a = sp.diags([-np.ones(n - 1), np.r_[1.0, 2 * np.ones(n - 2), 1.0] + 1e-3, -np.ones(n - 1)],
                 [-1, 0, 1], format="csr")
    mg = GridMultigrid(a, np.zeros(n, int), np.arange(n))
    assert (len(mg.levels) == 1) == (n <= gridmg.COARSEST)
    b = np.random.default_rng(10).standard_normal(n)
    x, _ = pcg_refined(a, b, mg, rtol=1e-12, flexible=True)
    np.testing.assert_allclose(x, spsolve(a.tocsc(), b), rtol=1e-9)
