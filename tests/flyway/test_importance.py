"""dPC on flyway legs, the ranking table, country shares and the flight-range sensitivity table."""

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from corridors.errors import InputError
from corridors.flyway import (GEOD, RANKING_COLUMNS, SENSITIVITY_COLUMNS, FlywayNetwork,
                              country_shares, range_sensitivity, site_dpc, site_ranking)

RANGE = 500.0


def parallel_stopovers():
    return pd.DataFrame({
        "site_id": ["B", "S1", "S2", "W"],
        "lon": [120.0, 118.5, 121.5, 120.0],
        "lat": [0.0, 3.6, 3.6, 7.2],
        "role": ["breeding", "stopover", "stopover", "wintering"],
        "area_km2": [10.0, 5.0, 5.0, 10.0],
        "name": ["b", "s1", "s2", "w"],
        "iso3": ["CHN", "KOR", "PRK", "JPN"],
        "protected": ["yes", "no", "no", "yes"],
    })


def brute_force_dpc(net: FlywayNetwork, median: float) -> pd.Series:
    """dPC by removing each node and recomputing PC with networkx (Saura & Rubio 2010)."""
    k = math.log(2) / median
    a = net.sites["area_km2"]
    g = nx.Graph()
    g.add_nodes_from(net.sites.index)
    d = net.distances_km
    for i in net.sites.index:
        for j in net.sites.index:
            if i < j and net.adjacency[net.sites.index.get_loc(i), net.sites.index.get_loc(j)]:
                g.add_edge(i, j, w=k * d.at[i, j])

    def pc_num(graph):
        total = 0.0
        for i, lengths in nx.all_pairs_dijkstra_path_length(graph, weight="w"):
            for j, length in lengths.items():
                total += a[i] * a[j] * math.exp(-length)
        return total

    base = pc_num(g)
    out = {}
    for s in g.nodes:
        h = g.copy()
        h.remove_node(s)
        out[s] = 100 * (base - pc_num(h)) / base
    return pd.Series(out).sort_index()


def test_parallel_stopovers_have_no_connector_role():
    net = FlywayNetwork(parallel_stopovers(), max_leg_km=RANGE)
    dpc = site_dpc(net, median_leg_km=300)
    # each stopover is replaceable by the other: removing one leaves the best B-W path intact
    assert dpc.loc["S1", "dPCconnector"] == pytest.approx(0.0, abs=1e-12)
    assert dpc.loc["S2", "dPCconnector"] == pytest.approx(0.0, abs=1e-12)
    assert dpc.loc["S1", "dPC"] == pytest.approx(dpc.loc["S2", "dPC"], rel=1e-12)
    assert (dpc["dPC"] > 0).all()


def test_chain_stopover_is_a_connector():
    sites = parallel_stopovers().iloc[[0, 1, 3]]
    net = FlywayNetwork(sites, max_leg_km=RANGE)
    dpc = site_dpc(net, median_leg_km=300)
    assert dpc.loc["S1", "dPCconnector"] > 0
    assert dpc.loc["B", "dPCconnector"] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("seed", [4, 5])
def test_dpc_matches_brute_force_networkx(seed):
    rng = np.random.default_rng(seed)
    n = 14
    sites = pd.DataFrame({
        "site_id": [f"S{k:02d}" for k in range(n)],
        "lon": rng.uniform(118, 128, n), "lat": rng.uniform(30, 42, n),
        "role": rng.choice(["breeding", "stopover", "wintering"], n),
        "area_km2": rng.uniform(0, 50, n),
    })
    net = FlywayNetwork(sites.sample(frac=1, random_state=seed), max_leg_km=420)
    dpc = site_dpc(net, median_leg_km=200)["dPC"].sort_index()
    expect = brute_force_dpc(net, 200)
    np.testing.assert_allclose(dpc.to_numpy(), expect.to_numpy(), rtol=1e-9, atol=1e-9)
    assert (dpc.index == expect.index).all()


def test_ranking_columns_and_order():
    net = FlywayNetwork(parallel_stopovers().iloc[[0, 1, 3]], max_leg_km=RANGE)
    r = site_ranking(net, median_leg_km=300)
    assert list(r.columns[: len(RANKING_COLUMNS)]) == list(RANKING_COLUMNS)
    # the chain's stopover (critical, all connections lost) comes first
    assert r.loc[0, "site_id"] == "S1" and r.loc[0, "critical"] and r.loc[0, "connections_lost"] == 1
    assert set(r["site_id"]) == {"B", "S1", "W"}
    with pytest.raises(InputError, match="lack column"):
        site_ranking(FlywayNetwork(parallel_stopovers().drop(columns="iso3"), max_leg_km=RANGE),
                     median_leg_km=300)


def test_country_shares_by_hand():
    ranking = pd.DataFrame({
        "site_id": ["a", "b", "c", "d", "e"],
        "iso3": ["CHN", "CHN", "KOR;PRK", "JPN", "KOR"],
        "critical": [True, False, True, True, True],
        "protected": ["no", "no", "no", "yes", "unknown"],
    })
    s = country_shares(ranking)
    assert list(s.index) == ["CHN", "JPN", "KOR", "PRK"]
    assert s.loc["CHN", "n_sites"] == 2 and s.loc["KOR", "n_sites"] == 2
    # 4 critical sites: CHN 1, JPN 1, KOR 2 (c and e), PRK 1 (c)
    assert s["n_critical"].to_dict() == {"CHN": 1, "JPN": 1, "KOR": 2, "PRK": 1}
    assert s.loc["KOR", "critical_share"] == 0.5 and s.loc["CHN", "critical_share"] == 0.25
    # 2 unprotected critical sites: a (CHN) and c (KOR;PRK)
    assert s["unprotected_critical_share"].to_dict() == {"CHN": 0.5, "JPN": 0.0, "KOR": 0.5, "PRK": 0.5}
    assert s.loc["KOR", "n_unverified_critical"] == 1
    none = country_shares(ranking.assign(critical=False))
    assert none["critical_share"].isna().all() and none["unprotected_critical_share"].isna().all()


def chain_at(fractions, roles=("breeding", "stopover", "wintering")):
    lats = [30.0]
    for f in fractions:
        lats.append(float(GEOD.fwd(120.0, lats[-1], 0.0, f * RANGE * 1000)[1]))
    return pd.DataFrame({"site_id": ["B", "S", "W"], "lon": 120.0, "lat": lats, "role": list(roles),
                         "area_km2": 1.0, "protected": ["yes", "no", "yes"]})


def test_sensitivity_table_by_hand():
    # legs of 0.9 and 1.05 x range: connected from +12.5 % on; the direct B-W leg (1.95 x)
    # appears only beyond +95 %, so the stopover stays critical at +12.5 % and +25 %
    sites = chain_at([0.9, 1.05])
    t = range_sensitivity(sites, RANGE)
    assert list(t.columns) == list(SENSITIVITY_COLUMNS)
    assert t["change"].tolist() == [-0.25, -0.125, 0.0, 0.125, 0.25]
    assert t["max_leg_km"].tolist() == pytest.approx([375, 437.5, 500, 562.5, 625])
    assert t["connected_pairs"].tolist() == [0, 0, 0, 1, 1]
    assert t["n_legs"].tolist() == [0, 0, 1, 2, 2]
    assert t["critical_sites"].tolist() == ["", "", "", "S;W", "S;W"]
    assert t["unprotected_critical_sites"].tolist() == ["", "", "", "S", "S"]
    assert t["max_lost_site"].tolist() == ["", "", "", "S", "S"]
    assert t["max_connections_lost"].tolist() == [0, 0, 0, 1, 1]


def test_sensitivity_without_protection_column_and_bad_change():
    sites = chain_at([0.6, 0.6]).drop(columns="protected")
    t = range_sensitivity(sites, RANGE, changes=[0.0])
    assert t.loc[0, "n_critical"] == 2 and t.loc[0, "n_unprotected_critical"] == 0
    with pytest.raises(InputError, match="range change"):
        range_sensitivity(sites, RANGE, changes=[-1.0])
