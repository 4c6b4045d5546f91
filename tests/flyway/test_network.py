"""Flyway network: the issue's hand cases, row-order independence, and networkx as an oracle."""

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely

from corridors.errors import InputError
from corridors.flyway import FlywayNetwork, geodesic_km

RANGE = 500.0  # km


def on_meridian(names, roles, legs_as_range_fraction, *, area=10.0):
    """Sites on the 120 E meridian from 30 N, consecutive legs of the given fractions of RANGE.

    The latitude step of each leg is found so that its geodesic length is the wanted fraction
    (WGS 84 meridian arc: ``Geod.fwd`` due north).
    """
    from corridors.flyway import GEOD

    lats = [30.0]
    for frac in legs_as_range_fraction:
        _, lat, _ = GEOD.fwd(120.0, lats[-1], 0.0, frac * RANGE * 1000.0)
        lats.append(float(lat))
    return pd.DataFrame({"site_id": names, "lon": 120.0, "lat": lats, "role": roles,
                         "area_km2": area})


# ------------------------------------------------------------------------- distances (Earth)
def test_geodesic_on_the_equator_and_meridian():
    # 1 degree of longitude on the equator = a * pi / 180 (a = 6,378,137 m, WGS 84)
    assert geodesic_km(0, 0, 1, 0) == pytest.approx(6378.137 * math.pi / 180, rel=1e-12)
    # a quarter meridian of WGS 84 is 10,001.965729 km (the classic value)
    assert geodesic_km(0, 0, 0, 90) == pytest.approx(10001.965729, abs=1e-6)


def test_geodesic_close_to_haversine_between_real_sites():
    # Izumi (130.25 E, 32.13 N) - Cheorwon (127.27 E, 38.22 N): within 0.5 % of a sphere of
    # mean radius 6371.0088 km (the ellipsoid and sphere differ by up to about 0.5 %)
    lon1, lat1, lon2, lat2 = map(math.radians, (130.25, 32.13, 127.27, 38.22))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    hav = 2 * 6371.0088 * math.asin(math.sqrt(h))
    assert geodesic_km(130.25, 32.13, 127.27, 38.22) == pytest.approx(hav, rel=5e-3)


# --------------------------------------------------------------------------------- hand cases
def test_chain_with_legs_of_0_8_range():
    sites = on_meridian(["B", "S", "W"], ["breeding", "stopover", "wintering"], [0.8, 0.8])
    net = FlywayNetwork(sites, max_leg_km=RANGE)
    assert net.n_legs == 2 and net.n_connected_pairs == 1  # B-W is 1.6 x range: no direct leg
    imp = net.removal_impact()
    assert imp.loc["S", "critical"] and imp.loc["S", "connections_lost"] == 1.0
    assert imp.loc["S", "breeding_cut_off"] == "B"
    # the ends: no pair (b, w) with b, w != end exists, so nothing is lost ...
    assert imp.loc["B", "connections_lost"] == 0.0 and imp.loc["W", "connections_lost"] == 0.0
    assert imp.loc["B", "pairs_before"] == 0 and imp.loc["W", "pairs_before"] == 0
    # ... but W is the only wintering site B reaches, so its loss strands B (critical);
    # B's loss strands no other breeding site
    assert imp.loc["W", "critical"] and not imp.loc["B", "critical"]
    legs = net.legs()
    assert legs["dist_km"].to_numpy() == pytest.approx([0.8 * RANGE, 0.8 * RANGE], rel=1e-9)


def test_two_parallel_stopovers():
    # B (0 N) and W (7.2 N) on 120 E; S1 and S2 mirror images at 3.6 N, 1.5 deg either side:
    # B-S1 = B-S2 ~ 430 km, B-W ~ 797 km > range
    sites = pd.DataFrame({
        "site_id": ["B", "S1", "S2", "W"],
        "lon": [120.0, 118.5, 121.5, 120.0],
        "lat": [0.0, 3.6, 3.6, 7.2],
        "role": ["breeding", "stopover", "stopover", "wintering"],
        "area_km2": [10.0, 5.0, 5.0, 10.0],
    })
    net = FlywayNetwork(sites, max_leg_km=RANGE)
    assert net.adjacency[0, 3] == False  # noqa: E712  (no direct B-W leg)
    imp = net.removal_impact()
    for s in ("S1", "S2"):
        assert not imp.loc[s, "critical"]
        assert imp.loc[s, "connections_lost"] == 0.0
        assert imp.loc[s, "pairs_before"] == 1 and imp.loc[s, "pairs_lost"] == 0


def test_chain_with_one_leg_of_1_2_range_has_no_connection():
    sites = on_meridian(["B", "S", "W"], ["breeding", "stopover", "wintering"], [0.8, 1.2])
    net = FlywayNetwork(sites, max_leg_km=RANGE)
    assert net.n_legs == 1 and net.n_connected_pairs == 0
    assert net.connected_pairs().empty
    imp = net.removal_impact()
    assert not imp["critical"].any()
    assert (imp["connections_lost"] == 0.0).all() and (imp["pairs_before"] == 0).all()


def test_leg_at_exactly_the_range_counts():
    sites = on_meridian(["B", "W"], ["breeding", "wintering"], [1.0])
    d = FlywayNetwork(sites, max_leg_km=RANGE).distances_km.loc["B", "W"]
    assert FlywayNetwork(sites, max_leg_km=d).n_legs == 1
    assert FlywayNetwork(sites, max_leg_km=d * (1 - 1e-9)).n_legs == 0


def test_shared_stopover_counts_share_of_pairs():
    # two breeding sites, two wintering sites; W2 hangs off S only, W1 off both B1 and S:
    # B1 - S - B2, S - W2, B1 - W1  (all legs 0.8 range, others > range)
    # built on a line: B2 S B1 W1, with W2 off to the side of S
    from corridors.flyway import GEOD

    lon0, lat0 = 120.0, 30.0
    step = 0.8 * RANGE * 1000
    pts = {"S": (lon0, lat0)}
    pts["B1"] = GEOD.fwd(*pts["S"], 0.0, step)[:2]
    pts["B2"] = GEOD.fwd(*pts["S"], 180.0, step)[:2]
    pts["W1"] = GEOD.fwd(*pts["B1"], 0.0, step)[:2]
    pts["W2"] = GEOD.fwd(*pts["S"], 90.0, step)[:2]
    roles = {"S": "stopover", "B1": "breeding", "B2": "breeding", "W1": "wintering",
             "W2": "wintering"}
    sites = pd.DataFrame({"site_id": list(pts), "lon": [p[0] for p in pts.values()],
                          "lat": [p[1] for p in pts.values()], "role": [roles[k] for k in pts],
                          "area_km2": 1.0})
    net = FlywayNetwork(sites, max_leg_km=RANGE)
    # all four (b, w) pairs are connected (one component)
    assert net.n_connected_pairs == 4
    imp = net.removal_impact()
    # without S: B2 is isolated, B1-W1 survives, B1-W2 lost -> lost 3 of 4
    assert imp.loc["S", "pairs_lost"] == 3 and imp.loc["S", "connections_lost"] == 0.75
    assert imp.loc["S", "critical"] and imp.loc["S", "breeding_cut_off"] == "B2"
    # without B1: pairs of B2 only: (B2, W1) lost, (B2, W2) kept -> 1 of 2; B2 still has W2
    assert imp.loc["B1", "connections_lost"] == 0.5 and not imp.loc["B1", "critical"]
    # without W1: (B1, W2) and (B2, W2) both kept
    assert imp.loc["W1", "connections_lost"] == 0.0 and not imp.loc["W1", "critical"]


# ------------------------------------------------------------------------- order, validation
def random_sites(seed, n=30):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "site_id": [f"X{k:02d}" for k in range(n)],
        "lon": rng.uniform(115, 135, n),
        "lat": rng.uniform(28, 52, n),
        "role": rng.choice(["breeding", "stopover", "wintering"], n, p=[0.3, 0.4, 0.3]),
        "area_km2": rng.uniform(0, 500, n),
    })


def test_results_independent_of_row_order():
    sites = random_sites(7)
    a = FlywayNetwork(sites, max_leg_km=450)
    b = FlywayNetwork(sites.sample(frac=1, random_state=3), max_leg_km=450)
    pd.testing.assert_frame_equal(a.removal_impact(), b.removal_impact())
    la, lb = a.legs(), b.legs()
    pd.testing.assert_frame_equal(la.drop(columns="geometry"), lb.drop(columns="geometry"))
    assert all(x.equals(y) for x, y in zip(la.geometry, lb.geometry))
    pd.testing.assert_frame_equal(a.connected_pairs(), b.connected_pairs())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_removal_impact_matches_networkx(seed):
    sites = random_sites(seed, n=35)
    rng_range = [380.0, 450.0, 520.0][seed - 1]
    net = FlywayNetwork(sites, max_leg_km=rng_range)
    imp = net.removal_impact()

    # independent oracle for the graph part: networkx, node removal and has_path recounts
    # (legs from the same geodesic distances: what is checked is the counting, not the Earth)
    g = nx.Graph()
    g.add_nodes_from(sites["site_id"])
    role = dict(zip(sites["site_id"], sites["role"]))
    for a in sites.itertuples():
        for b in sites.itertuples():
            if a.site_id < b.site_id and geodesic_km(a.lon, a.lat, b.lon, b.lat) <= rng_range:
                g.add_edge(a.site_id, b.site_id)
    breeding = [s for s in g if role[s] == "breeding"]
    wintering = [s for s in g if role[s] == "wintering"]

    def connected(graph, exclude):
        return {(b, w) for b in breeding for w in wintering
                if exclude not in (b, w) and nx.has_path(graph, b, w)}

    assert net.n_connected_pairs == len(connected(g, None))
    for s in g.nodes:
        before = connected(g, s)
        h = g.copy()
        h.remove_node(s)
        after = connected(h, s)
        lost = len(before - after)
        expect = lost / len(before) if before else 0.0
        assert imp.loc[s, "connections_lost"] == pytest.approx(expect, abs=1e-15), s
        reach_before = {b for b in breeding if b != s and any(nx.has_path(g, b, w) for w in wintering)}
        reach_after = {b for b in breeding if b != s
                       and any(nx.has_path(h, b, w) for w in wintering if w != s)}
        assert bool(imp.loc[s, "critical"]) == bool(reach_before - reach_after), s
    assert imp["pairs_lost"].sum() > 0  # the random graph exercises real losses


def test_legs_are_geodesic_lines_in_wgs84():
    sites = random_sites(11)
    net = FlywayNetwork(sites, max_leg_km=500)
    legs = net.legs()
    assert legs.crs.to_epsg() == 4326 and len(legs) == net.n_legs > 0
    assert (legs["dist_km"] <= 500).all()
    assert (legs["from_site"] < legs["to_site"]).all()
    first = legs.iloc[0]
    start, end = shapely.get_coordinates(first.geometry)[[0, -1]]
    s = net.sites.loc[first.from_site]
    t = net.sites.loc[first.to_site]
    assert tuple(start) == (s.lon, s.lat) and tuple(end) == (t.lon, t.lat)
    # the vertices follow the geodesic: the summed vertex-to-vertex geodesics equal dist_km
    xy = shapely.get_coordinates(first.geometry)
    along = geodesic_km(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1]).sum()
    assert along == pytest.approx(first.dist_km, rel=1e-9)


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda t: t.drop(columns="role"), r"lacks column\(s\) \['role'\]"),
        (lambda t: t.assign(role=["breeding", "resting", "wintering"]), "resting"),
        (lambda t: t.assign(site_id=["A", "A", "C"]), "duplicate site_id"),
        (lambda t: t.assign(site_id=["A", " ", "C"]), "blank site_id"),
        (lambda t: t.assign(lat=[0.0, 95.0, 1.0]), r"sites.lat .* \[95.0\]"),
        (lambda t: t.assign(area_km2=[1.0, -2.0, 1.0]), "area_km2"),
        (lambda t: t.iloc[0:0], "empty"),
    ],
)
def test_bad_sites_are_refused(edit, match):
    sites = on_meridian(["A", "B", "C"], ["breeding", "stopover", "wintering"], [0.5, 0.5])
    with pytest.raises(InputError, match=match):
        FlywayNetwork(edit(sites), max_leg_km=RANGE)


@pytest.mark.parametrize("bad", [0, -5, float("nan"), float("inf"), "far", True])
def test_bad_range_is_refused(bad):
    sites = on_meridian(["A", "B"], ["breeding", "wintering"], [0.5])
    with pytest.raises(InputError, match="max_leg_km"):
        FlywayNetwork(sites, max_leg_km=bad)
