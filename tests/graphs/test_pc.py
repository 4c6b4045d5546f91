"""PC, ECA, dPC fractions and link importance against hand cases and independent oracles."""

from __future__ import annotations

import math

import numba
import numpy as np
import pandas as pd
import pytest

import corridors
from corridors import InputError
from corridors.graphs import DPC_COLUMNS, LINK_COLUMNS, decay_rate, iic, pc

from .conftest import direct_links, enumerated_pstar, random_case, removal_dpc, scipy_pstar

INF = np.inf


def chain3(m=10.0):
    """A(100) - B(100) - C(1): A-B and B-C one median distance, no direct A-C link."""
    d = np.array([[0, m, INF], [m, 0, m], [INF, m, 0]])
    return np.array([100.0, 100.0, 1.0]), d


# ------------------------------------------------------------------------------- hand cases
def test_registered_submodule():
    assert corridors.graphs.pc is pc


def test_two_reserves_one_median_apart():
    # p = 0.5: numerator 1 + 1 + 2 * 0.5 = 3 km4, ECA = sqrt(3) km2, PC = 3 / 100**2
    r = pc([1.0, 1.0], [[0, 7.0], [7.0, 0]], median_dispersal=7.0, landscape_area=100.0)
    assert r.pc_num == pytest.approx(3.0, rel=1e-15)
    assert r.eca == r.ec == pytest.approx(math.sqrt(3.0), rel=1e-15)
    assert r.pc == pytest.approx(3.0 / 1e4, rel=1e-15)
    assert decay_rate(7.0) == pytest.approx(math.log(2) / 7.0)
    # each node: intra 1/3, flux 2 * 0.5 / 3; no connector
    np.testing.assert_allclose(r.dpc.loc[0, ["dPCintra", "dPCflux", "dPCconnector"]],
                               [100 / 3, 100 / 3, 0.0], rtol=1e-14, atol=1e-14)
    li = r.link_importance(0, 1)
    assert list(li.index) == list(LINK_COLUMNS)
    assert li["dPCnum"] == pytest.approx(1.0)
    assert li["dPC"] == li["dPCconnector"] == pytest.approx(100 / 3)
    assert li["dECA"] == pytest.approx(math.sqrt(3) - math.sqrt(2))


def test_three_node_link_importance_by_hand():
    a, d = chain3()
    r = pc(a, d, median_dispersal=10.0, landscape_area=1000.0)
    # p_AB = p_BC = 0.5, p*_AC = 0.25 through B
    num = 100 * 100 + 100 * 100 + 1 + 2 * (100 * 100 * 0.5 + 100 * 1 * 0.5 + 100 * 1 * 0.25)
    assert num == 30151
    assert r.pc_num == pytest.approx(num, rel=1e-14)
    ab, bc = r.link_importance(0, 1), r.link_importance(1, 2)
    # removing A-B cuts A from B and from C; removing B-C cuts C from both
    assert ab["dPCnum"] == pytest.approx(2 * (5000 + 25), rel=1e-14)
    assert bc["dPCnum"] == pytest.approx(2 * (50 + 25), rel=1e-14)
    assert ab["dPC"] == pytest.approx(100 * 10050 / num, rel=1e-14)
    assert bc["dPC"] == pytest.approx(100 * 150 / num, rel=1e-14)
    assert ab["dPC"] > bc["dPC"]
    assert r.link_importance(1, 0).equals(ab)  # either order names the same link


def test_three_node_dpc_fractions_by_hand():
    a, d = chain3()
    dp = pc(a, d, median_dispersal=10.0, landscape_area=1000.0).dpc
    num = 30151
    assert list(dp.columns) == list(DPC_COLUMNS)
    assert list(dp.index) == [0, 1, 2]
    b = dp.loc[1]
    assert b["dPCintra"] == pytest.approx(100 * 10000 / num, rel=1e-14)
    assert b["dPCflux"] == pytest.approx(100 * 2 * 100 * (100 * 0.5 + 1 * 0.5) / num, rel=1e-14)
    assert b["dPCconnector"] == pytest.approx(100 * 2 * 100 * 1 * 0.25 / num, rel=1e-14)
    # removing B leaves A and C unlinked: numerator 100**2 + 1**2
    assert b["dPC"] == pytest.approx(100 * (num - 10001) / num, rel=1e-14)
    assert dp.loc[0, "dPCconnector"] == 0 and dp.loc[2, "dPCconnector"] == 0


def test_zero_area_stepping_stone_is_pure_connector():
    # A - S - B, S has no area: all of S's dPC is connector
    d = np.array([[0, 5.0, INF], [5.0, 0, 5.0], [INF, 5.0, 0]])
    r = pc([2.0, 0.0, 3.0], d, median_dispersal=5.0, landscape_area=50.0)
    num = 4 + 9 + 2 * 2 * 3 * 0.25
    assert r.pc_num == pytest.approx(num)
    s = r.dpc.loc[1]
    assert s["dPCintra"] == 0 and s["dPCflux"] == 0
    assert s["dPC"] == pytest.approx(100 * 3.0 / num)


def test_touching_nodes_have_probability_one():
    r = pc([1.0, 2.0], [[0, 0.0], [0.0, 0]], median_dispersal=1.0, landscape_area=10.0)
    assert r.eca == pytest.approx(3.0)  # (1 + 2)**2 = 9
    np.testing.assert_array_equal(r.probabilities(), np.ones((2, 2)))


def test_iic_hand_case():
    a, d = chain3()
    # A-B and B-C linked (d <= 10), A-C two links apart
    expected = (100**2 + 100**2 + 1 + 2 * 100 * 100 / 2 + 2 * 100 * 1 / 2 + 2 * 100 * 1 / 3) / 1e6
    assert iic(a, d, max_distance=10.0, landscape_area=1000.0) == pytest.approx(expected, 1e-14)
    # a shorter threshold drops both links: only the intra terms stay
    assert iic(a, d, max_distance=9.9, landscape_area=1000.0) == pytest.approx(20001 / 1e6)
    # an infinite threshold links every finite pair (still not A-C)
    assert iic(a, d, max_distance=INF, landscape_area=1000.0) == pytest.approx(expected, 1e-14)


# --------------------------------------------------------------------- independent oracles
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_agrees_with_brute_force_enumeration(seed):
    rng = np.random.default_rng(seed)
    n, median = 6, 2.0
    a, d = random_case(rng, n)
    links = direct_links(d, median)
    node, intra, flux, link, num, P = removal_dpc(a, n, links, enumerated_pstar)
    r = pc(a, d, median_dispersal=median, landscape_area=100.0, min_probability=0)
    assert r.n_links == len(links)
    np.testing.assert_allclose(r.probabilities(), P, rtol=0, atol=1e-12)
    assert abs(r.pc_num - num) <= 1e-12 * num
    dp = r.dpc
    np.testing.assert_allclose(dp["dPC"], node, rtol=0, atol=1e-12)
    np.testing.assert_allclose(dp["dPCintra"], intra, rtol=0, atol=1e-12)
    np.testing.assert_allclose(dp["dPCflux"], flux, rtol=0, atol=1e-12)
    li = r.link_importances()
    got = {(int(i), int(j)): v for i, j, v in zip(li["i"], li["j"], li["dPC"])}
    assert set(got) == set(link)
    for e, v in link.items():
        assert abs(got[e] - v) <= 1e-12, (e, got[e], v)


def test_agrees_with_scipy_dijkstra_on_a_larger_graph(rng):
    n, median = 40, 1.0
    a, d = random_case(rng, n, p_missing=0.5)
    links = direct_links(d, median, pmin=1e-3)
    r = pc(a, d, median_dispersal=median, landscape_area=1000.0)  # default pruning 1e-3
    assert r.n_links == len(links)
    assert r.edges_per_node == pytest.approx(2 * len(links) / n)
    node, intra, flux, link, num, P = removal_dpc(a, n, links, scipy_pstar)
    np.testing.assert_allclose(r.probabilities(), P, rtol=0, atol=1e-13)
    assert r.pc_num == pytest.approx(num, rel=1e-12)
    np.testing.assert_allclose(r.dpc["dPC"], node, rtol=1e-9, atol=1e-11)
    some = list(link)[::7]
    li = r.link_importances(some)
    np.testing.assert_allclose(li["dPC"], [link[e] for e in some], rtol=1e-9, atol=1e-11)


def test_fractions_sum_to_dpc(rng):
    a, d = random_case(rng, 30)
    dp = pc(a, d, median_dispersal=1.5, landscape_area=500.0).dpc
    np.testing.assert_allclose(dp["dPCintra"] + dp["dPCflux"] + dp["dPCconnector"], dp["dPC"],
                               rtol=1e-15, atol=0)
    assert (dp.to_numpy() >= 0).all()
    # intra fractions alone sum to 100 sum a^2 / numerator
    r = pc(a, d, median_dispersal=1.5, landscape_area=500.0)
    assert dp["dPCintra"].sum() == pytest.approx(100 * np.sum(a * a) / r.pc_num)


def test_independent_of_node_order(rng):
    a, d = random_case(rng, 25)
    r = pc(a, d, median_dispersal=1.5, landscape_area=500.0)
    perm = rng.permutation(a.size)
    rp = pc(a[perm], d[np.ix_(perm, perm)], median_dispersal=1.5, landscape_area=500.0)
    assert rp.pc_num == pytest.approx(r.pc_num, rel=1e-13)
    np.testing.assert_allclose(rp.dpc.to_numpy(), r.dpc.to_numpy()[perm], rtol=1e-11, atol=1e-13)
    li = r.link_importances()
    inv = np.argsort(perm)  # node v of the original is node inv[v] of the permuted graph
    lp = rp.link_importances(list(zip(inv[li["i"]], inv[li["j"]])))
    np.testing.assert_allclose(lp["dPCnum"], li["dPCnum"], rtol=1e-11, atol=1e-12 * r.pc_num)


def test_identical_for_any_thread_count(rng):
    a, d = random_case(rng, 80, p_missing=0.2)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        r1 = pc(a, d, median_dispersal=1.0, landscape_area=900.0)
        one = (r1.pc_num, r1.dpc.to_numpy(), r1.link_importances()["dPCnum"].to_numpy())
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        r2 = pc(a, d, median_dispersal=1.0, landscape_area=900.0)
        many = (r2.pc_num, r2.dpc.to_numpy(), r2.link_importances()["dPCnum"].to_numpy())
    finally:
        numba.set_num_threads(before)
    assert one[0] == many[0]
    np.testing.assert_array_equal(one[1], many[1])
    np.testing.assert_array_equal(one[2], many[2])


def test_link_importance_does_not_depend_on_unrelated_links():
    # A-B's loss of the numerator stays the same when a far-away pair C-D joins the graph
    d = np.array([[0, 3.0], [3.0, 0]])
    base = pc([4.0, 5.0], d, median_dispersal=3.0, landscape_area=100.0).link_importance(0, 1)
    d4 = np.full((4, 4), INF)
    d4[:2, :2] = d
    d4[2, 3] = d4[3, 2] = 1.0
    np.fill_diagonal(d4, 0)
    more = pc([4.0, 5.0, 9.0, 9.0], d4, median_dispersal=3.0,
              landscape_area=100.0).link_importance(0, 1)
    assert more["dPCnum"] == pytest.approx(base["dPCnum"], rel=1e-15)
    assert more["dPC"] < base["dPC"]  # the percentage does change: it is relative to PC


# ------------------------------------------------------------------------------- pruning
def test_pruning_threshold():
    m = 1.0
    cut = m * math.log2(1000)  # p = 1e-3
    d = np.array([[0, cut * 0.999, INF], [cut * 0.999, 0, cut * 1.001],
                  [INF, cut * 1.001, 0]])
    r = pc([1.0, 1.0, 1.0], d, median_dispersal=m, landscape_area=10.0)
    assert r.n_links == 1
    with pytest.raises(InputError, match="below min_probability"):
        r.link_importance(1, 2)
    with pytest.raises(InputError, match="inf"):
        r.link_importance(0, 2)
    full = pc([1.0, 1.0, 1.0], d, median_dispersal=m, landscape_area=10.0, min_probability=0)
    assert full.n_links == 2
    assert full.link_importance(1, 2)["dPCnum"] > 0


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("areas, dist, match", [
    ([1.0, -1.0], [[0, 1], [1, 0]], "finite and >= 0"),
    ([1.0, np.nan], [[0, 1], [1, 0]], "finite and >= 0"),
    ([0.0, 0.0], [[0, 1], [1, 0]], "at least one"),
    ([1.0, 1.0], [[0, 1, 1], [1, 0, 1], [1, 1, 0]], "n x n"),
    ([1.0, 1.0], [[0, np.nan], [np.nan, 0]], "NaN"),
    ([1.0, 1.0], [[0, -2.0], [-2.0, 0]], "negative"),
    ([1.0, 1.0], [[0, 1.0], [2.0, 0]], "not symmetric"),
    ([1.0, 1.0], [[0, 1.0], [INF, 0]], "both ways"),
    ([[1.0, 1.0]], [[0, 1], [1, 0]], "1-D"),
])
def test_bad_input(areas, dist, match):
    with pytest.raises(InputError, match=match):
        pc(areas, dist, median_dispersal=1.0, landscape_area=10.0)


@pytest.mark.parametrize("kw, match", [
    (dict(median_dispersal=0.0), "median_dispersal"),
    (dict(median_dispersal=INF), "median_dispersal"),
    (dict(landscape_area=-1.0), "landscape_area"),
    (dict(min_probability=1.0), "min_probability"),
    (dict(min_probability="x"), "min_probability"),
])
def test_bad_parameters(kw, match):
    args = dict(median_dispersal=1.0, landscape_area=10.0) | kw
    with pytest.raises(InputError, match=match):
        pc([1.0, 1.0], [[0, 1], [1, 0]], **args)


def test_bad_link_arguments():
    r = pc([1.0, 1.0], [[0, 1], [1, 0]], median_dispersal=1.0, landscape_area=10.0)
    with pytest.raises(InputError, match="out of range"):
        r.link_importance(0, 2)
    with pytest.raises(InputError, match="different nodes"):
        r.link_importance(1, 1)
    with pytest.raises(InputError, match="integer"):
        r.link_importance(0.0, 1)
    assert isinstance(r.link_importances(), pd.DataFrame)


def test_tiny_asymmetry_uses_the_smaller_distance():
    d = np.array([[0, 1.0], [1.0 + 1e-9, 0]])
    r = pc([1.0, 1.0], d, median_dispersal=1.0, landscape_area=10.0)
    assert r.graph.edge_distance[0] == 1.0
