"""cg+amg on high-contrast grids (resistances over 1 .. 1e8): agrees with a direct solve.

Grids in the spirit of Circuitscape's ill-conditioned BigTests (quadrants of different
magnitudes, bands of the lowest and highest resistance), generated here.
"""

import logging

import numpy as np
import pytest

from corridors.circuit import pairwise, solvers
from corridors.circuit.gridmg import GridMultigrid
from corridors.circuit.solvers import make_solver, pcg_refined
from corridors.errors import SolverError


def contrast_grid(n, mag, seed=0):
    """Resistances k**mag for random k in 1..10, low/high quadrants, 1 and 10**mag bands."""
    rng = np.random.default_rng(seed)
    k = rng.integers(1, 11, size=(n, n)).astype(float)
    r = k ** mag
    h = n // 2
    r[h:, h:] = k[h:, h:]
    r[:h, :h] = 10.0 ** (mag - 1) * k[:h, :h]
    r[:, h] = 1.0
    r[h, :] = 1.0
    r[:, n // 4] = 10.0 ** mag
    r[n // 4, :] = 10.0 ** mag
    r[rng.random((n, n)) < 0.02] = np.nan  # some nodata
    return r


def focal(n):
    f = np.zeros((n, n), dtype=int)
    for i, (r, c) in enumerate([(2, 2), (2, n - 3), (n - 3, 2), (n - 3, n - 3), (n // 4 + 2, n // 2 + 5)], 1):
        f[r, c] = i
    return f


@pytest.mark.parametrize("mag,neighbours,path", [(8, 8, "grid"), (8, 4, "grid"), (5, 8, "grid"),
                                                 (8, 8, "pyamg"), (6, 4, "pyamg")])
def test_pairwise_cg_amg_matches_direct(mag, neighbours, path, monkeypatch):
    n = 48  # 2304 cells: above GRID_MG_MIN, so "grid" takes the grid multigrid
    if path == "pyamg":
        monkeypatch.setattr(solvers, "GRID_MG_MIN", 10**9)
    r = contrast_grid(n, mag, seed=mag + neighbours)
    r[2, 2] = r[2, n - 3] = 1.0
    ref = pairwise(r, focal(n), neighbours=neighbours, solver="splu", strategy="per_pair")
    # cg+amg through the shared reduction (one solve per focal point)
    got = pairwise(r, focal(n), neighbours=neighbours, solver="cg+amg")
    ok = ref.resistances > 0
    assert ok.sum() >= 16 and np.array_equal(ok, got.resistances > 0)
    assert ref.resistances[ok].max() / ref.resistances[ok].min() > 10 ** (mag / 3)
    rel = np.abs(got.resistances[ok] - ref.resistances[ok]) / ref.resistances[ok]
    assert rel.max() <= 1e-6, f"max relative difference {rel.max():.2e}"


def _system(n, mag):
    from corridors.circuit.graph import assemble, conductance_from_habitat

    r = contrast_grid(n, mag)
    g = assemble(conductance_from_habitat(r, True, None), r.shape, 8, "conductance", [], [])
    keep = np.arange(1, g.n_nodes)
    a = g.laplacian[keep][:, keep].tocsr()
    return a, g.grid_positions(keep)


def test_grid_multigrid_splits_blocks_at_contrasts_and_stays_spd():
    a, (rows, cols) = _system(48, 8)
    mg = GridMultigrid(a, rows, cols)
    assert len(mg.levels) >= 2 and mg.operator_complexity < 2.5
    # 2 x 2 blocks split where the contrast is strong: more aggregates than a quarter of the cells
    assert mg.levels[1].a.shape[0] > 0.3 * a.shape[0]
    rng = np.random.default_rng(1)
    u, v = rng.standard_normal((2, a.shape[0]))
    # symmetric and positive definite as a preconditioner (CG needs both)
    assert np.isclose(u @ mg(v), v @ mg(u), rtol=1e-8)
    assert u @ mg(u) > 0 and v @ mg(v) > 0


def test_stall_stops_early_with_a_clear_message():
    a, _ = _system(40, 8)
    b = np.zeros(a.shape[0])
    b[-3] = 1.0
    with pytest.raises(SolverError, match=r"cg\+amg (stalled|reached 30 iterations).*relative residual"):
        pcg_refined(a, b, lambda r: r, rtol=1e-12, maxiter=30, stall_window=5)


def test_auto_switches_to_direct_when_cg_stalls(monkeypatch, caplog):
    a, grid = _system(80, 8)  # above SMALL_SYSTEM, so auto may choose cg+amg
    b = np.zeros(a.shape[0])
    b[-3] = 1.0
    monkeypatch.setattr(solvers, "CG_MAXITER", 2)
    # a small memory budget makes 'auto' choose cg+amg; 2 iterations cannot converge
    slv = make_solver(a, "auto", memory_limit=int(800 * a.shape[0]), grid=grid)
    assert slv.method == "cg+amg"
    with caplog.at_level(logging.WARNING, logger="corridors.circuit"):
        x = slv.solve(b)
    assert "switches to" in caplog.text and slv.method.startswith("cg+amg->")
    ref = make_solver(a, slv.method.split("->")[1]).solve(b)
    assert abs(x[-3] - ref[-3]) <= 1e-12 * abs(ref[-3])
    with pytest.raises(SolverError, match="use a direct"):
        make_solver(a, "cg+amg", grid=grid).solve(b)


def test_threaded_right_hand_sides_equal_serial(monkeypatch):
    a, grid = _system(60, 6)
    b = np.zeros((a.shape[0], 3))
    b[[-3, 100, 900], [0, 1, 2]] = 1.0
    slv = make_solver(a, "cg+amg", grid=grid)
    monkeypatch.setattr(solvers, "CG_THREADS", 1)
    serial = slv.solve(b)
    monkeypatch.setattr(solvers, "CG_THREADS", 3)
    threaded = slv.solve(b)
    np.testing.assert_array_equal(serial, threaded)
