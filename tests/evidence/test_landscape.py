"""Pairwise landscape distances: scikit-image MCP and the circuit core as oracles."""

import numpy as np
import pytest

import corridors
from corridors.errors import InputError
from corridors.evidence import cost_distances, resistance_distances


@pytest.fixture
def surface():
    rng = np.random.default_rng(4)
    res = rng.uniform(1, 20, (25, 30))
    res[8, 3:27] = np.nan  # a wall with gaps at both ends
    cells = rng.choice(np.flatnonzero(np.isfinite(res.ravel())), 12, replace=False)
    cells[5] = cells[2]  # two samples on one cell
    return res, cells


def test_cost_distances_match_scikit_image(surface):
    from skimage.graph import MCP_Geometric

    res, cells = surface
    d = cost_distances(res, cells, cellsize=2.0)
    cost = np.where(np.isfinite(res), res, np.inf)
    for i in (0, 4, 11):
        r, c = divmod(int(cells[i]), res.shape[1])
        acc, _ = MCP_Geometric(cost, fully_connected=True, sampling=(2.0, 2.0)).find_costs([(r, c)])
        np.testing.assert_allclose(d[i], acc.ravel()[cells], rtol=1e-9)
    assert d[2, 5] == 0 and np.allclose(d, d.T)


@pytest.mark.parametrize("solver, rtol", [("splu", 1e-9), ("auto", 1e-9), ("cg+amg", 1e-5)])
def test_resistance_distances_match_effective_resistance(surface, solver, rtol):
    # splu: reduced network read off one SuperLU factor; cg+amg: the circuit core's ReducedNetwork
    res, cells = surface
    r = resistance_distances(res, cells, solver=solver)
    uniq = np.unique(cells)
    ids, ref = corridors.effective_resistance(res, {k + 1: [c] for k, c in enumerate(uniq)})
    pos = np.searchsorted(uniq, cells)
    np.testing.assert_allclose(r, ref[np.ix_(pos, pos)], rtol=rtol, atol=1e-12)
    assert r[2, 5] == 0


def test_resistance_distance_dense_pseudoinverse():
    # 2 x 3 grid, 4 neighbours, unit resistances: a ladder; R from the Laplacian pseudo-inverse
    res = np.ones((2, 3))
    lap = np.zeros((6, 6))
    for a, b in [(0, 1), (1, 2), (3, 4), (4, 5), (0, 3), (1, 4), (2, 5)]:
        lap[a, b] = lap[b, a] = -1
    lap -= np.diag(lap.sum(1))
    lp = np.linalg.pinv(lap)
    cells = np.array([0, 2, 4])
    r = resistance_distances(res, cells, neighbours=4)
    for i in range(3):
        for j in range(3):
            a, b = cells[i], cells[j]
            assert r[i, j] == pytest.approx(lp[a, a] + lp[b, b] - 2 * lp[a, b], abs=1e-12)


def test_island_without_samples_is_ignored():
    # a component without samples must not make the grounded system singular
    res = np.ones((6, 6))
    res[:, 3] = np.nan
    r = resistance_distances(res, np.array([0, 2, 13]))
    ids, ref = corridors.effective_resistance(res, {1: [0], 2: [2], 3: [13]})
    np.testing.assert_allclose(r, ref, rtol=1e-9)


def test_disconnected_samples_raise():
    res = np.ones((5, 5))
    res[:, 2] = np.nan
    for fn in (lambda c: cost_distances(res, c, cellsize=1.0), lambda c: resistance_distances(res, c)):
        with pytest.raises(InputError, match="separate"):
            fn(np.array([0, 4, 5]))
