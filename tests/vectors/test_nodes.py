"""Network nodes: overlap groups, dissolve, split by country, context countries, pair kinds, adjoining."""

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from shapely.geometry import box

import vectors
from corridors.errors import InputError

LAEA = "+proj=laea +lat_0=45 +lon_0=115 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
KM = 1000.0


def countries():
    # A | B side by side along x = 100 km; C (context) east of B
    return gpd.GeoDataFrame(
        {"iso3": ["AAA", "BBB", "CCC"], "role": ["core", "core", "context"]},
        geometry=[box(0, 0, 100 * KM, 100 * KM), box(100 * KM, 0, 200 * KM, 100 * KM),
                  box(200 * KM, 0, 300 * KM, 100 * KM)],
        crs=LAEA,
    )


def reserves():
    rows = [
        # id, iso3, box (km), focus, complex, legal
        ("A1", "AAA", (60, 40, 100, 60), "TIG", "X", True),       # on the A-B border
        ("A2", "AAA", (70, 45, 80, 55), "LEO", "", True),         # nested in A1
        ("A3", "AAA", (10, 10, 30, 30), "", "", True),            # domestic, far
        ("A4", "AAA", (29.9, 10, 45, 30), "", "", True),          # sliver overlap with A3 (< 1 %)
        ("B1", "BBB", (100, 42, 130, 58), "TIG", "X", True),      # adjoins A1 across the border
        ("B2", "BBB", (101, 61, 110, 70), "", "", True),          # near A1 only at a corner
        ("B3", "BBB", (133, 42, 150, 58), "", "", True),          # 3 km east of B1, 16 km facing it
        ("AB", "AAA;BBB", (90, 80, 120, 90), "", "", True),       # straddles the border
        ("C1", "CCC", (200, 40, 230, 60), "", "", True),          # context country, touches B
        ("D1", "AAA;BBB", (95, 0, 105, 5), "", "", False),        # not a legal reserve
    ]
    return gpd.GeoDataFrame(
        {"pa_id": [r[0] for r in rows], "name": [f"name {r[0]}" for r in rows], "iso3": [r[1] for r in rows],
         "focus_species": [r[3] for r in rows], "complex": [r[4] for r in rows], "legal": [r[5] for r in rows]},
        geometry=[box(*(v * KM for v in r[2])) for r in rows],
        crs=LAEA,
    )


def test_overlap_groups_match_networkx_components():
    rng = np.random.default_rng(3)
    geoms = [shapely.box(x, y, x + w, y + w) for x, y, w in rng.uniform(0, 100, size=(40, 3))]
    groups = rng.integers(0, 2, size=40)
    labels = vectors.overlap_groups(geoms, groups=groups, min_overlap=0.05)
    g = nx.Graph()
    g.add_nodes_from(range(40))
    for i in range(40):
        for j in range(i + 1, 40):
            inter = geoms[i].intersection(geoms[j]).area
            if groups[i] == groups[j] and inter > 0.05 * min(geoms[i].area, geoms[j].area):
                g.add_edge(i, j)
    comps = {frozenset(c) for c in nx.connected_components(g)}
    mine = {frozenset(np.flatnonzero(labels == k).tolist()) for k in np.unique(labels)}
    assert mine == comps
    # labels numbered by first appearance
    first = [int(labels[0])] + [int(v) for v in labels[1:]]
    seen = []
    for v in first:
        if v not in seen:
            seen.append(v)
    assert seen == list(range(len(seen)))


def test_dissolve_keeps_members_and_cuts_slivers():
    pas = reserves()[lambda d: d.pa_id.isin(["A1", "A2", "A3", "A4"])]
    out = vectors.dissolve_overlapping(pas).set_index("pa_id")
    assert sorted(out.index) == ["A1", "A3", "A4"]
    assert out.loc["A1", "members"] == "A1;A2" and out.loc["A1", "n_members"] == 2
    assert out.loc["A1"].geometry.area == pytest.approx(40 * 20 * KM**2)
    # A3/A4 overlap by 0.1 km x 20 km (0.5 % of A3): not merged, the sliver goes to the larger (A3)
    assert out.loc["A3", "members"] == "A3" and out.loc["A4", "members"] == "A4"
    assert out.loc["A3"].geometry.area == pytest.approx(20 * 20 * KM**2)
    assert out.loc["A4"].geometry.area == pytest.approx((45 - 30) * 20 * KM**2)
    assert out.loc["A3"].geometry.intersection(out.loc["A4"].geometry).area == pytest.approx(0, abs=1e-3)
    with pytest.raises(InputError, match="min_overlap"):
        vectors.overlap_groups(list(pas.geometry), min_overlap=1.5)


def test_split_by_country_conserves_area():
    pas = reserves()
    parts = vectors.split_by_country(pas[pas.pa_id.isin(["AB", "A1"])], countries()).set_index("pa_id")
    assert sorted(parts.index) == ["A1", "AB_AAA", "AB_BBB"]
    assert parts.loc["AB_AAA"].geometry.area == pytest.approx(10 * 10 * KM**2)
    assert parts.loc["AB_BBB"].geometry.area == pytest.approx(20 * 10 * KM**2)
    assert parts.loc["AB_AAA", "source_pa_id"] == "AB"
    # a piece outside both listed countries (here: in the sea south of them) goes to the nearest one
    sea = gpd.GeoDataFrame({"pa_id": ["S"], "name": ["s"], "iso3": ["AAA;BBB"]},
                           geometry=[box(90 * KM, -20 * KM, 98 * KM, 10 * KM)], crs=LAEA)
    s = vectors.split_by_country(sea, countries()).set_index("pa_id")
    assert list(s.index) == ["S_AAA"] and s.loc["S_AAA"].geometry.area == pytest.approx(8 * 30 * KM**2)
    bad = sea.assign(iso3="AAA;ZZZ")
    with pytest.raises(InputError, match="no \\['ZZZ'\\]"):
        vectors.split_by_country(bad, countries())


def test_network_nodes_merge_split_and_scope():
    nodes = vectors.network_nodes(reserves(), countries()).set_index("pa_id")
    # C1 is in a context country, D1 is not legal, A2 merged into A1, AB split
    assert sorted(nodes.index) == ["A1", "A3", "A4", "AB_AAA", "AB_BBB", "B1", "B2", "B3"]
    a1 = nodes.loc["A1"]
    assert a1.members == "A1;A2" and a1.member_names == "name A1;name A2" and a1.n_members == 2
    assert a1.focus_species == "LEO;TIG"  # union of the members
    assert a1.area_km2 == pytest.approx(800.0)
    assert (nodes.iso3.str.len() == 3).all()
    assert nodes.loc["AB_AAA", "source_pa_ids"] == "AB"
    with_c = vectors.network_nodes(reserves(), countries(), countries_of_interest=["AAA", "BBB", "CCC"])
    assert "C1" in set(with_c.pa_id)
    legal_too = vectors.network_nodes(reserves(), countries(), include_not_legal=True)
    assert {"D1_AAA", "D1_BBB"} <= set(legal_too.pa_id)
    only_b = vectors.network_nodes(reserves(), countries(), countries_of_interest=["BBB"])
    assert set(only_b.iso3) == {"BBB"}
    with pytest.raises(InputError, match="not in the countries layer"):
        vectors.network_nodes(reserves(), countries(), countries_of_interest=["XXX"])


def test_node_pairs_kinds_and_adjoining():
    nodes = vectors.network_nodes(reserves(), countries())
    borders = vectors.international_borders(countries())
    pairs = vectors.node_pairs(nodes, max_gap=50 * KM, borders=borders)
    key = {(a, b): r for a, b, r in zip(pairs.pa_a, pairs.pa_b, pairs.itertuples())}
    a1b1 = key[("A1", "B1")]
    assert a1b1.kind == "transboundary" and a1b1.adjoining and a1b1.gap_m == 0
    assert a1b1.shared_m == pytest.approx(16 * KM)  # B1's edge on the border (42-58 km)
    assert a1b1.border_pair == "AAA-BBB"
    # B2 is 1.41 km from A1's corner: no shared segment, whatever the tolerance
    a1b2 = key[("A1", "B2")]
    assert a1b2.kind == "transboundary" and a1b2.gap_m == pytest.approx(2**0.5 * KM) and not a1b2.adjoining
    wide = vectors.node_pairs(nodes, max_gap=50 * KM, borders=borders, adjoin_tolerance=5 * KM).set_index(["pa_a", "pa_b"])
    assert not wide.loc[("A1", "B2"), "adjoining"] and wide.loc[("A1", "B2"), "shared_m"] < 1.0
    # B1-B3: 3 km apart; adjoining only with a tolerance of a 5 km cell (16 + 2 x 2 - 2 x 5 = 10 km)
    assert not key[("B1", "B3")].adjoining and key[("B1", "B3")].kind == "domestic"
    assert wide.loc[("B1", "B3"), "adjoining"] and wide.loc[("B1", "B3"), "shared_m"] == pytest.approx(10 * KM)
    a3a4 = key[("A3", "A4")]
    assert a3a4.kind == "domestic" and a3a4.adjoining and a3a4.border_pair == ""
    assert ("A1", "A2") not in key  # merged
    assert (pairs.loc[pairs.kind == "transboundary", "iso3_a"] != pairs.loc[pairs.kind == "transboundary", "iso3_b"]).all()
    assert (pairs.loc[pairs.kind == "domestic", "iso3_a"] == pairs.loc[pairs.kind == "domestic", "iso3_b"]).all()
    assert pairs.kind.tolist() == sorted(pairs.kind.tolist(), key=["transboundary", "domestic"].index)
    assert not {"C1"} & (set(pairs.pa_a) | set(pairs.pa_b))
    with pytest.raises(InputError, match="several countries"):
        vectors.node_pairs(reserves(), max_gap=1.0)
