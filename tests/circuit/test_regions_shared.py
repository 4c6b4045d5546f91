"""Focal regions through one reduced network (strategy "shared") against the dense oracle.

Regions here have nodata cells (which gain branches when shorted under mean conductance), touch
short-circuit polygons, straddle barriers and sit in other components.
"""

import numpy as np
import pytest

from corridors.circuit import FocalSet, pairwise


def _random_scene(seed, shape=(11, 13)):
    rng = np.random.default_rng(seed)
    hab = rng.lognormal(0.0, 1.0, shape)
    hab[rng.random(shape) < 0.15] = np.nan
    hab[:, shape[1] - 4] = np.nan  # a barrier: a second component on the right
    poly = np.zeros(shape, dtype=int)
    r0, c0 = rng.integers(0, shape[0] - 2), rng.integers(0, shape[1] - 6)
    poly[r0:r0 + 2, c0:c0 + 3] = 7
    cells = {}
    for ident in (1, 2, 3, 4, 5):
        r, c = rng.integers(0, shape[0] - 2), rng.integers(0, shape[1] - 2)
        block = [(r + dr, c + dc) for dr in range(2) for dc in range(3) if rng.random() < 0.8]
        cells[ident] = block or [(r, c)]
    cells[6] = [(shape[0] - 1, shape[1] - 1)]  # right-hand component
    fs = FocalSet.from_cells(cells, shape)
    return hab, poly, fs


def _check_against_oracle(oracle, hab, poly, fs, res, neighbours, average):
    cond = np.where(np.isfinite(hab), 1 / np.nan_to_num(hab, nan=1.0), 0.0)
    groups = [np.flatnonzero(poly.ravel() == p) for p in np.unique(poly[poly > 0])]
    ids = res.ids
    for i, a in enumerate(ids):
        for j in range(i + 1, len(ids)):
            b = ids[j]
            labels, lap = oracle.dense_graph(cond, groups + [fs[a], fs[b]], eight=neighbours == 8,
                                             avg_res=average == "resistance")
            na, nb = labels[fs[a]].max(), labels[fs[b]].max()
            if na < 0 or nb < 0:
                assert res.resistances[i, j] == -1, (a, b)
                continue
            if na == nb:
                assert res.resistances[i, j] == 0, (a, b)
                continue
            r, v = oracle.pair_solution(lap, na, nb)
            if r is None:
                assert res.resistances[i, j] == -1, (a, b)
                continue
            assert res.resistances[i, j] == pytest.approx(r, rel=1e-9), (a, b)
            paint = lambda x: np.where(labels >= 0, x[np.maximum(labels, 0)], 0.0).reshape(hab.shape)
            np.testing.assert_allclose(res.voltage_maps[(a, b)], paint(v), rtol=1e-8, atol=1e-10)
            np.testing.assert_allclose(res.current_maps[(a, b)], paint(oracle.node_current(lap, v)),
                                       rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("neighbours,average", [(8, "conductance"), (4, "resistance")])
def test_shared_regions_match_dense_pinv(oracle, seed, neighbours, average):
    hab, poly, fs = _random_scene(seed)
    res = pairwise(hab, fs, neighbours=neighbours, average=average, polygons=poly,
                   voltage_maps=True, current_maps=True)
    _check_against_oracle(oracle, hab, poly, fs, res, neighbours, average)
    if res.info["strategy"] == "shared":
        other = pairwise(hab, fs, neighbours=neighbours, average=average, polygons=poly,
                         strategy="per_pair")
        np.testing.assert_allclose(res.resistances, other.resistances, rtol=1e-9)


def test_nodata_region_cells_gain_branches_in_shared_mode(oracle):
    hab = np.full((6, 7), 2.0)
    hab[:, 3] = np.nan  # barrier column, except through region 1's nodata cell
    hab[2, 3] = np.nan
    fs = FocalSet.from_cells({1: [(2, 2), (2, 3)], 2: [(2, 5)], 3: [(5, 0)]}, hab.shape)
    res = pairwise(hab, fs, neighbours=8, average="conductance", voltage_maps=True,
                   current_maps=True)
    # region 1's nodata cell (2, 3) bridges the barrier only when 1 is shorted: the reduced
    # network cannot add a branch into a component 1's habitat does not reach
    assert res.info["strategy"] == "per_pair"
    assert res.resistance(1, 2) > 0 and res.resistance(2, 3) == -1
    _check_against_oracle(oracle, hab, np.zeros(hab.shape, int), fs, res, 8, "conductance")
    hab[0, 3] = 2.0  # now both sides are one component: shared mode with the extra branches
    res = pairwise(hab, fs, neighbours=8, average="conductance", voltage_maps=True,
                   current_maps=True)
    assert res.info["strategy"] == "shared"
    _check_against_oracle(oracle, hab, np.zeros(hab.shape, int), fs, res, 8, "conductance")


def test_region_nodata_cell_in_nodata_polygon_falls_back(oracle):
    hab = np.full((5, 6), 1.5)
    hab[1:3, 2:4] = np.nan
    poly = np.zeros(hab.shape, int)
    poly[1:3, 2:4] = 9  # a polygon without habitat: no node until a region shorts into it
    fs = FocalSet.from_cells({1: [(1, 1), (1, 2)], 2: [(4, 5)]}, hab.shape)
    res = pairwise(hab, fs, polygons=poly, voltage_maps=True, current_maps=True)
    assert res.info["strategy"] == "per_pair"
    _check_against_oracle(oracle, hab, poly, fs, res, 8, "conductance")
    with pytest.raises(ValueError, match="per_pair"):
        pairwise(hab, fs, polygons=poly, strategy="shared")


@pytest.mark.skipif("cholmod" not in __import__("corridors.circuit", fromlist=["x"]).available_methods(),
                    reason="optional CHOLMOD solver not installed: pip install '.[cholmod]' (needs libsuitesparse-dev)")
def test_geometric_ordering_path_matches_per_pair(monkeypatch):
    import sys

    monkeypatch.setattr(sys.modules["corridors.circuit.reduced"], "GEOMETRIC_ORDER_MIN", 0)
    hab, poly, fs = _random_scene(4, shape=(24, 30))
    res = pairwise(hab, fs, polygons=poly, average="resistance", solver="cholmod")
    assert res.info["strategy"] == "shared" and res.info["solves"] == 0
    other = pairwise(hab, fs, polygons=poly, average="resistance", strategy="per_pair", solver="splu")
    np.testing.assert_allclose(res.resistances, other.resistances, rtol=1e-9)
