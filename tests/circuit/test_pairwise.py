"""Pairwise resistances and maps against a dense pseudo-inverse oracle."""

import numpy as np
import pytest

from corridors.circuit import FocalSet, available_methods, effective_resistance, pairwise


def _scene(seed, barrier=True):
    rng = np.random.default_rng(seed)
    hab = rng.uniform(0.5, 10.0, (10, 12))
    hab[rng.random(hab.shape) < 0.12] = np.nan
    if barrier:
        hab[:, 8] = np.nan  # splits off columns 9..11 as separate components
    poly = np.zeros(hab.shape, dtype=int)
    poly[1:3, 2:5] = 3
    poly[7, 5:8] = 4
    cells = {
        1: [(0, 0), (1, 0), (0, 1)],  # region
        2: [(8, 6)],  # point inside polygon 4's row neighbourhood
        5: [(4, 3), (2, 4)],  # region touching polygon 3
        6: [(9, 10)],  # other component
        7: [(5, 6), (5, 7), (6, 6), (9, 0)],  # region with a far-away cell
        8: [(7, 6)],  # inside polygon 4
    }
    for rc in [rc for v in cells.values() for rc in v]:
        if rng.random() < 0.5:
            hab[rc] = rng.uniform(0.5, 10.0)
    hab[9, 0] = np.nan  # a region cell without habitat
    hab[7, 6] = np.nan  # polygon cell without habitat still in the polygon node
    return hab, poly, FocalSet.from_cells(cells, hab.shape)


def _oracle_pair(oracle, cond, poly, fs, a, b, eight, avg_res):
    groups = [np.flatnonzero(poly.ravel() == p) for p in np.unique(poly[poly > 0])]
    groups += [fs[a], fs[b]]
    labels, lap = oracle.dense_graph(cond, groups, eight=eight, avg_res=avg_res)
    na, nb = labels[fs[a]].max(), labels[fs[b]].max()
    if na < 0 or nb < 0:
        return -1.0, None, None
    if na == nb:
        return 0.0, None, None
    r, v = oracle.pair_solution(lap, na, nb)
    if r is None:
        return -1.0, None, None
    paint = lambda x: np.where(labels >= 0, x[np.maximum(labels, 0)], 0.0).reshape(cond.shape)
    return r, paint(v), paint(oracle.node_current(lap, v))


@pytest.mark.parametrize("neighbours,average", [(4, "resistance"), (8, "resistance"), (8, "conductance")])
def test_random_regions_match_dense_pinv(oracle, neighbours, average):
    hab, poly, fs = _scene(3)
    cond = np.where(np.isfinite(hab), 1 / np.nan_to_num(hab, nan=1.0), 0.0)
    res = pairwise(hab, fs, neighbours=neighbours, average=average, polygons=poly,
                   voltage_maps=True, current_maps=True, cumulative_current=True, max_current=True)
    # one reduced network even where a region's nodata cell gains branches when shorted
    assert res.info["strategy"] == "shared"
    cum = np.zeros(hab.shape)
    mx = np.zeros(hab.shape)
    ids = res.ids
    for i, a in enumerate(ids):
        for j in range(i + 1, len(ids)):
            b = ids[j]
            r, v, c = _oracle_pair(oracle, cond, poly, fs, a, b, neighbours == 8, average == "resistance")
            assert res.resistances[i, j] == pytest.approx(r, rel=1e-9, abs=1e-12), (a, b)
            assert res.resistances[j, i] == res.resistances[i, j]
            if v is None:
                assert (a, b) not in res.voltage_maps
                continue
            np.testing.assert_allclose(res.voltage_maps[(a, b)], v, rtol=1e-8, atol=1e-10)
            np.testing.assert_allclose(res.current_maps[(a, b)], c, rtol=1e-8, atol=1e-10)
            cum += c
            mx = np.maximum(mx, c)
    np.testing.assert_allclose(res.cumulative_current, cum, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(res.max_current, mx, rtol=1e-8, atol=1e-10)
    # cross-component pairs are -1, never a number
    assert res.resistance(1, 6) == -1 and res.resistance(6, 8) == -1
    # 5 touches polygon 3; 8 lies in polygon 4 (a nodata cell) and is still connected
    assert res.resistance(2, 8) > 0


def test_shared_equals_per_pair(oracle):
    hab, poly, fs = _scene(11)
    kw = dict(neighbours=8, average="resistance", polygons=poly, voltage_maps=True, current_maps=True)
    a = pairwise(hab, fs, strategy="shared", **kw)
    b = pairwise(hab, fs, strategy="per_pair", **kw)
    np.testing.assert_allclose(a.resistances, b.resistances, rtol=1e-10, atol=1e-12)
    assert a.voltage_maps.keys() == b.voltage_maps.keys()
    for key in a.voltage_maps:
        np.testing.assert_allclose(a.voltage_maps[key], b.voltage_maps[key], rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(a.current_maps[key], b.current_maps[key], rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("solver", [m for m in available_methods() if m in ("cholmod", "splu")])
def test_points_solve_count_and_same_node_gives_zero(solver):
    rng = np.random.default_rng(5)
    hab = rng.uniform(1, 3, (15, 15))
    poly = np.zeros(hab.shape, int)
    poly[10:12, 10:12] = 1
    fs = FocalSet.from_cells({1: [(0, 0)], 2: [(14, 14)], 3: [(7, 2)], 4: [(10, 10)], 9: [(11, 11)],
                              10: [(0, 0)]}, hab.shape)
    res = pairwise(hab, fs, polygons=poly, solver=solver)
    # 6 ids on 4 distinct nodes in one component: k - 1 solves, or none when the reduced network
    # is read off the CHOLMOD factor
    assert res.info["strategy"] == "shared"
    assert res.info["solves"] == (0 if solver == "cholmod" else 3)
    assert res.resistance(4, 9) == 0  # same polygon
    assert res.resistance(1, 10) == 0  # same cell
    assert res.resistance(1, 2) > 0
    other = pairwise(hab, fs, polygons=poly, strategy="per_pair", solver="splu")
    np.testing.assert_allclose(res.resistances, other.resistances, rtol=1e-10)


def test_include_pairs_and_nodata_points():
    hab = np.ones((6, 6))
    hab[3, 3] = np.nan
    focal = np.zeros((6, 6))
    focal[0, 0], focal[5, 5], focal[0, 5], focal[3, 3] = 1, 2, 3, 4
    res = pairwise(hab, focal, include_pairs={(2, 1), (1, 4)})
    assert res.resistance(1, 2) > 0
    assert res.resistance(1, 3) == -1 and res.resistance(2, 3) == -1  # excluded
    assert res.resistance(1, 4) == -1  # point on nodata
    assert np.all(np.diag(res.resistances) == 0)


def test_cg_amg_agrees_with_direct():
    rng = np.random.default_rng(1)
    hab = rng.lognormal(0, 1, (90, 90))
    hab[rng.random(hab.shape) < 0.05] = np.nan
    focal = np.zeros(hab.shape)
    for t, (r, c) in enumerate([(2, 2), (80, 85), (45, 10), (10, 70), (60, 40)], 1):
        focal[r, c] = t
        hab[r, c] = 1.0
    ids, direct = effective_resistance(hab, focal, solver="splu")
    ids2, amg = effective_resistance(hab, focal, solver="cg+amg")
    assert ids == ids2
    np.testing.assert_allclose(amg, direct, rtol=1e-6)


def test_map_callback_receives_maps():
    hab = np.ones((4, 5))
    focal = np.zeros((4, 5))
    focal[0, 0], focal[3, 4] = 1, 2
    got = {}
    res = pairwise(hab, focal, voltage_maps=True, current_maps=True,
                   map_callback=lambda a, b, v, c: got.setdefault((a, b), (v, c)))
    assert not res.voltage_maps and set(got) == {(1, 2)}
    v, c = got[(1, 2)]
    assert v[0, 0] == pytest.approx(0, abs=1e-12) and v[3, 4] == pytest.approx(res.resistance(1, 2))
    assert c[0, 0] == pytest.approx(1.0) and c[3, 4] == pytest.approx(1.0)
