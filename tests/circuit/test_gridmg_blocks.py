"""Row blocks smoothed side by side: the same numbers for any thread count, checked against SciPy.

Small grids with a small ``PARALLEL_MIN`` (and ``COARSEST``) so that several levels are cut
into blocks.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve, spsolve_triangular

from corridors.circuit import _parallel, gridmg
from corridors.circuit._sparse import GroundedMatrix, matvec
from corridors.circuit.gridmg import GridMultigrid
from corridors.circuit.solvers import pcg_refined

from .test_high_contrast import _system

NONE = np.zeros(0, np.uint8)


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(_parallel, "PARALLEL_MIN", 200)
    monkeypatch.setattr(gridmg, "COARSEST", 40)


def _block_lower(a, bounds):
    """D + L of each diagonal block of ``a`` (the blocks' couplings dropped)."""
    coo = sp.tril(a).tocoo()
    blk = np.searchsorted(bounds, np.arange(a.shape[0]), side="right") - 1
    keep = blk[coo.row] == blk[coo.col]
    return sp.csr_matrix((coo.data[keep], (coo.row[keep], coo.col[keep])), shape=a.shape)


def test_block_forward_sweep_and_residual_match_scipy(small_blocks):
    a, _ = _system(30, 3)
    bounds = _parallel.block_bounds(a.shape[0])
    assert bounds.size == _parallel.BLOCKS + 1
    lev = gridmg._Level(a)
    b = np.random.default_rng(5).standard_normal(a.shape[0])
    x, r = np.empty_like(b), np.empty_like(b)
    nblk = bounds.size - 1
    gridmg._bsgs_forward_from_zero(lev.indptr, lev.indices, lev.data, lev.diag, NONE, x, b, r, bounds, 0, nblk)
    gridmg._boundary_residual(lev.indptr, lev.indices, lev.data, NONE, x, r, lev.brow, lev.bptr, bounds, 0, nblk)
    ref = spsolve_triangular(_block_lower(a, bounds), b, lower=True)
    np.testing.assert_allclose(x, ref, rtol=1e-12, atol=1e-12 * np.abs(ref).max())
    np.testing.assert_allclose(r, b - a @ x, rtol=1e-10, atol=1e-10 * np.abs(b).max())
    # the backward block sweep from x: (D + U) y = b - (A - D - U) x within blocks, the other
    # blocks frozen at x
    c = np.empty(lev.brow.size)
    gridmg._boundary_coupling(lev.indptr, lev.indices, lev.data, x, lev.brow, lev.bptr, bounds, c, 0, nblk)
    y = x.copy()
    gridmg._bsgs_backward(lev.indptr, lev.indices, lev.data, lev.diag, NONE, y, b, lev.brow, lev.bptr,
                          bounds, c, 0, nblk)
    upper = _block_lower(a.T.tocsr(), bounds).T.tocsr()
    ref = spsolve_triangular(upper, b - (a - upper) @ x, lower=False)
    np.testing.assert_allclose(y, ref, rtol=1e-10, atol=1e-10 * np.abs(ref).max())


def test_blocked_v_cycle_stays_symmetric_positive_definite(small_blocks):
    a, (rows, cols) = _system(48, 8)
    mg = GridMultigrid(a, rows, cols, cycle="v", threads=2)
    assert sum(lev.blocked for lev in mg.levels) >= 2
    u, v = np.random.default_rng(4).standard_normal((2, a.shape[0]))
    assert np.isclose(u @ mg(v), v @ mg(u), rtol=1e-8)
    assert u @ mg(u) > 0 and v @ mg(v) > 0


@pytest.mark.parametrize("mag", [0, 5])
def test_blocked_k_cycle_matches_spsolve_bit_for_bit_on_any_thread_count(mag, small_blocks):
    a, (rows, cols) = _system(64, mag)
    b = np.zeros(a.shape[0])
    b[-5] = 1.0
    ref = spsolve(a.tocsc(), b)
    runs = []
    for threads in (1, 2, 3, 1):
        mg = GridMultigrid(a, rows, cols, threads=threads)
        assert mg.levels[0].blocked
        x, it = pcg_refined(a, b, mg, rtol=1e-11, flexible=True, threads=threads)
        runs.append(x)
        np.testing.assert_allclose(x[-5], ref[-5], rtol=1e-8)
        np.testing.assert_allclose(x, ref, rtol=1e-7)
    for x in runs[1:]:
        np.testing.assert_array_equal(x, runs[0])


def test_threaded_matvec_is_bit_identical(small_blocks):
    a, _ = _system(40, 4)
    x = np.random.default_rng(6).standard_normal(a.shape[0])
    np.testing.assert_array_equal(matvec(a, x, threads=2), matvec(a, x))
    np.testing.assert_allclose(matvec(a, x, threads=3), a @ x, rtol=1e-12, atol=1e-12)
    keep = np.arange(0, a.shape[0], 2)
    g = GroundedMatrix(a, keep)
    xg = np.zeros_like(x)
    xg[keep] = x[keep]
    np.testing.assert_array_equal(matvec(g, xg, threads=2), matvec(g, xg))


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_blocks_still_run_in_a_forked_child(small_blocks):
    """The block pool's threads do not survive a fork; the child must make its own."""
    import multiprocessing as mp

    a, _ = _system(40, 4)
    x = np.random.default_rng(7).standard_normal(a.shape[0])
    want = matvec(a, x, threads=2)  # the parent's pool exists from here on
    ctx = mp.get_context("fork")
    with ctx.Pool(1) as pool:
        got = pool.apply_async(matvec, (a, x, None, 2)).get(timeout=60)
    np.testing.assert_array_equal(got, want)
