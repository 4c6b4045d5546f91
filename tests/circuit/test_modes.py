"""One-to-all, all-to-one and advanced modes against dense solves, plus reference cases."""

import numpy as np
import pytest

from corridors.circuit import FocalSet, advanced, all_to_one, one_to_all, pairwise


def _scene():
    rng = np.random.default_rng(21)
    hab = rng.uniform(0.5, 4.0, (9, 10))
    hab[rng.random(hab.shape) < 0.1] = np.nan
    hab[:, 7] = np.nan
    cells = {1: [(0, 0), (1, 0)], 2: [(8, 5)], 3: [(4, 4), (4, 5)], 4: [(2, 9)], 6: [(6, 1)]}
    for v in cells.values():
        for rc in v:
            hab[rc] = 1.0
    return hab, FocalSet.from_cells(cells, hab.shape)


def _dense_solve(lap, src, direct, finite=None):
    n = lap.shape[0]
    a = lap + np.diag(finite if finite is not None else np.zeros(n))
    keep = ~direct
    v = np.zeros(n)
    v[keep] = np.linalg.solve(a[np.ix_(keep, keep)], src[keep])
    return v


def test_one_to_all_and_all_to_one_match_dense(oracle):
    hab, fs = _scene()
    cond = np.where(np.isfinite(hab), 1 / np.nan_to_num(hab, nan=1.0), 0.0)
    strengths = {1: 2.0, 3: 0.5}
    o = one_to_all(hab, fs, neighbours=8, average="resistance", variable_sources=strengths,
                   voltage_maps=True, current_maps=True, cumulative_current=True)
    a = all_to_one(hab, fs, neighbours=8, average="resistance", voltage_maps=True, current_maps=True)
    labels, lap = oracle.dense_graph(cond, [fs[i] for i in fs.ids], eight=True, avg_res=True)
    comp = oracle.components(lap)
    node = {i: labels[fs[i]].max() for i in fs.ids}
    paint = lambda x: np.where(labels >= 0, x[np.maximum(labels, 0)], 0.0).reshape(hab.shape)
    cum = np.zeros(hab.shape)
    for t, n in enumerate(fs.ids):
        mine = comp == comp[node[n]]
        others = [node[m] for m in fs.ids if m != n and comp[node[m]] == comp[node[n]]]
        # one-to-all
        if not others:
            assert o.values[t, 1] == -1 and a.values[t, 1] == -1
            continue
        sub = np.flatnonzero(mine)
        l2 = lap[np.ix_(sub, sub)]
        src = np.zeros(sub.size)
        s = strengths.get(n, 1.0)
        src[np.searchsorted(sub, node[n])] = s
        direct = np.isin(sub, others)
        v = np.zeros(lap.shape[0])
        v[sub] = _dense_solve(l2, src, direct)
        assert o.values[t, 1] == pytest.approx(v[node[n]] / s, rel=1e-9)
        np.testing.assert_allclose(o.voltage_maps[n], paint(v), rtol=1e-8, atol=1e-10)
        c = paint(oracle.node_current(lap, v))
        np.testing.assert_allclose(o.current_maps[n], c, rtol=1e-8, atol=1e-10)
        cum += c
        # all-to-one
        src = np.zeros(sub.size)
        for m in others:
            src[np.searchsorted(sub, m)] += 1.0
        direct = sub == node[n]
        v = np.zeros(lap.shape[0])
        v[sub] = _dense_solve(l2, src, direct)
        assert a.values[t, 1] == 0
        np.testing.assert_allclose(a.voltage_maps[n], paint(v), rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(a.current_maps[n], paint(oracle.node_current(lap, v)), rtol=1e-8,
                                   atol=1e-10)
    np.testing.assert_allclose(o.cumulative_current, cum, rtol=1e-8, atol=1e-10)


def test_included_pairs_one_to_all_grounds_only_partners():
    hab = np.ones((5, 5))
    focal = np.zeros((5, 5))
    focal[0, 0], focal[4, 4], focal[0, 4], focal[4, 0] = 1, 2, 3, 4
    full = one_to_all(hab, focal).values
    part = one_to_all(hab, focal, include_pairs={(1, 2)}, included_ids=[1, 2, 3]).values
    assert [int(x) for x in part[:, 0]] == [1, 2, 3]
    r12 = pairwise(hab, focal).resistance(1, 2)
    assert part[0, 1] == pytest.approx(r12) and part[1, 1] == pytest.approx(r12)
    assert part[2, 1] == -1  # no partner -> no ground
    assert full[0, 1] < r12


def test_advanced_matches_dense_with_policies(oracle):
    rng = np.random.default_rng(4)
    hab = rng.uniform(1, 5, (7, 8))
    hab[:, 5] = np.nan
    poly = np.zeros(hab.shape, int)
    poly[1:3, 1:3] = 1
    src = np.zeros(hab.shape)
    src[0, 0], src[6, 4], src[1, 2], src[3, 7] = 2.0, -0.5, 1.0, 1.0
    gnd = np.full(hab.shape, np.nan)
    gnd[6, 0], gnd[4, 4], gnd[1, 1], gnd[0, 6] = 0.0, 3.0, 2.0, 5.0  # [0, 6]: component w/o source sum? has source at [3,7]
    cond = 1 / np.nan_to_num(hab, nan=np.inf)
    labels, lap = oracle.dense_graph(cond, [np.flatnonzero(poly.ravel() == 1)], eight=False, avg_res=True)
    comp = oracle.components(lap)
    for policy in ("keepall", "rmvsrc", "rmvgnd"):
        res = advanced(hab, src, gnd, neighbours=4, average="resistance", polygons=poly, policy=policy)
        s = np.zeros(lap.shape[0])
        g = np.zeros(lap.shape[0])
        direct = np.zeros(lap.shape[0], bool)
        for (r, c), val in np.ndenumerate(src):
            if val:
                s[labels[r * 8 + c]] += val
        for (r, c), val in np.ndenumerate(gnd):
            if np.isfinite(val):
                if val == 0:
                    direct[labels[r * 8 + c]] = True
                else:
                    g[labels[r * 8 + c]] += 1 / val
        conflict = (s != 0) & ((g > 0) | direct)
        if policy == "rmvsrc":
            s[conflict] = 0
        if policy == "rmvgnd":
            g[conflict] = 0
            direct[conflict] = False
        v = np.zeros(lap.shape[0])
        for k in np.unique(comp):
            idx = np.flatnonzero(comp == k)
            if s[idx].sum() == 0 or not ((g[idx] > 0) | direct[idx]).any():
                continue
            v[idx] = _dense_solve(lap[np.ix_(idx, idx)], s[idx], direct[idx], g[idx])
        solved = np.isin(comp, res.solved_components)
        cur = oracle.node_current(lap, v, ground=np.where(solved, g, 0))
        paint = lambda x: np.where(labels >= 0, x[np.maximum(labels, 0)], 0.0).reshape(hab.shape)
        np.testing.assert_allclose(res.voltage, paint(v), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(res.current, paint(cur), rtol=1e-9, atol=1e-12)


def test_reference_sgverify4_resistances_and_maps(ref):
    hab = ref.read("input/raster/pairwise/4/cellmap.asc")
    pts = ref.read("input/raster/pairwise/4/points.asc")
    res = pairwise(hab, pts, neighbours=4, average="resistance", voltage_maps=True, current_maps=True,
                   cumulative_current=True)
    exp = np.loadtxt(ref.root / "output_verify/sgVerify4_resistances.out")
    assert res.ids == [int(x) for x in exp[0, 1:]]
    np.testing.assert_allclose(res.resistances, exp[1:, 1:], rtol=1e-6, atol=1e-8)
    for (a, b), vm in res.voltage_maps.items():
        np.testing.assert_allclose(vm, np.nan_to_num(ref.read(f"output_verify/sgVerify4_voltmap_{a}_{b}.asc")),
                                   atol=1e-5)
        np.testing.assert_allclose(res.current_maps[(a, b)],
                                   np.nan_to_num(ref.read(f"output_verify/sgVerify4_curmap_{a}_{b}.asc")),
                                   atol=1e-5)
    np.testing.assert_allclose(res.cumulative_current,
                               np.nan_to_num(ref.read("output_verify/sgVerify4_cum_curmap.asc")), atol=1e-5)


def test_reference_sgverify11_regions_with_nodata_cells(ref):
    d = "input/raster/pairwise/11/"
    res = pairwise(ref.read(d + "cellmap7.asc"), ref.read(d + "points_polys7.asc"),
                   habitat_is_resistance=False, neighbours=8, average="resistance",
                   polygons=ref.read(d + "polys7.asc"), voltage_maps=True, current_maps=True)
    exp = np.loadtxt(ref.root / "output_verify/sgVerify11_resistances.out")
    np.testing.assert_allclose(res.resistances, exp[1:, 1:], rtol=1e-6, atol=1e-8)
    for (a, b), vm in res.voltage_maps.items():
        np.testing.assert_allclose(vm, np.nan_to_num(ref.read(f"output_verify/sgVerify11_voltmap_{a}_{b}.asc")),
                                   atol=1e-5)


def test_reference_one_to_all_9_and_mgverify1(ref):
    d = "input/raster/one_to_all/9/"
    kw = dict(habitat_is_resistance=False, neighbours=8, average="conductance",
              polygons=ref.read(d + "polygons5x5.asc"))
    o = one_to_all(ref.read(d + "cellmap5x5.asc"), ref.read(d + "points5x5_polys.asc"), current_maps=True, **kw)
    exp = np.loadtxt(ref.root / "output_verify/oneToAllVerify9_resistances.out")
    np.testing.assert_allclose(o.values, exp, rtol=1e-6)
    d = "input/raster/advanced/1/"
    res = advanced(ref.read(d + "cellmap5x5.asc"), ref.read(d + "sources5x5.asc"), ref.read(d + "grounds5x5.asc"),
                   neighbours=4, average="resistance", polygons=ref.read(d + "polygons5x5.asc"))
    np.testing.assert_allclose(res.voltage, np.nan_to_num(ref.read("output_verify/mgVerify1_voltmap.asc")), atol=1e-5)
    np.testing.assert_allclose(res.current, np.nan_to_num(ref.read("output_verify/mgVerify1_curmap.asc")), atol=1e-5)
