"""border_reserves and candidate_pairs on a hand-made two-country layout (distances by hand)."""

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, box

import vectors
from corridors.errors import CRSError, InputError

LAEA = "+proj=laea +lat_0=45 +lon_0=115 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"

# AAA is x < 0, BBB is x > 0; the land border is the line x = 0, y 0..100 km.
# A CCC-DDD border far away (x = 500 km) must not count for AAA/BBB reserves.
BORDERS = gpd.GeoDataFrame(
    {"iso3_a": ["AAA", "CCC"], "iso3_b": ["BBB", "DDD"], "pair": ["AAA-BBB", "CCC-DDD"]},
    geometry=[LineString([(0, 0), (0, 100_000)]), LineString([(500_000, 0), (500_000, 100_000)])],
    crs=LAEA,
)


def reserves():
    rows = [
        ("A1", "AAA", box(-10_000, 10_000, 0, 20_000)),      # touches the border
        ("A2", "AAA", box(-13_000, 30_000, -3_000, 40_000)),  # 3 km from it
        ("A3", "AAA", box(-40_000, 50_000, -30_000, 60_000)),  # 30 km
        ("B1", "BBB", box(2_000, 10_000, 12_000, 20_000)),    # 2 km; 2 km from A1
        ("B2", "BBB", box(-3_000, 30_000, 7_000, 40_000)),    # crosses the border, touches A2
        ("B3", "BBB", box(1_000, 10_000, 1_500, 20_000)),     # same country as B1
        ("C1", "CCC", box(495_000, 0, 499_000, 5_000)),       # near another pair's border
    ]
    return gpd.GeoDataFrame({"pa_id": [r[0] for r in rows], "name": [r[0] for r in rows],
                             "iso3": [r[1] for r in rows]}, geometry=[r[2] for r in rows], crs=LAEA)


def test_border_reserves_hand_distances():
    out = vectors.border_reserves(reserves(), BORDERS, 5_000)
    assert list(out.pa_id) == ["A1", "A2", "B1", "B2", "B3", "C1"]
    assert list(out.border_dist_m) == pytest.approx([0, 3000, 2000, 0, 1000, 1000])
    assert list(out.border_pair) == ["AAA-BBB"] * 5 + ["CCC-DDD"]
    out = vectors.border_reserves(reserves(), BORDERS, 2_500)
    assert list(out.pa_id) == ["A1", "B1", "B2", "B3", "C1"]


def test_border_of_other_countries_does_not_count():
    pas = reserves()
    pas.loc[pas.pa_id == "C1", "iso3"] = "EEE"
    out = vectors.border_reserves(pas, BORDERS, 50_000)
    assert "C1" not in set(out.pa_id)


def test_candidate_pairs_hand_gaps():
    out = vectors.candidate_pairs(reserves(), max_gap=5_000)
    expected = pd.DataFrame({
        "pa_a": ["A2", "A1", "A1", "A1"],
        "pa_b": ["B2", "B3", "B1", "B2"],
        "iso3_a": ["AAA"] * 4,
        "iso3_b": ["BBB"] * 4,
        "gap_m": [0.0, 1000.0, 2000.0, 10_000.0],
        "touching": [True, False, False, False],
    })
    # A1-B2: A1's top edge y=20 km, B2's bottom y=30 km -> 10 km, beyond 5 km
    expected = expected[expected.gap_m <= 5_000].reset_index(drop=True)
    pd.testing.assert_frame_equal(out, expected)


def test_candidate_pairs_with_borders_drops_pairs_without_land_border():
    pas = pd.concat([reserves(), gpd.GeoDataFrame(
        {"pa_id": ["Z1"], "name": ["Z1"], "iso3": ["ZZZ"]},
        geometry=[box(-12_000, 41_000, -9_000, 43_000)], crs=LAEA)], ignore_index=True)
    pas = gpd.GeoDataFrame(pas, crs=LAEA)
    plain = vectors.candidate_pairs(pas, max_gap=5_000)
    assert ("A2", "Z1") in set(zip(plain.pa_a, plain.pa_b))  # 1 km apart, but AAA-ZZZ has no border
    with_b = vectors.candidate_pairs(pas, max_gap=5_000, borders=BORDERS)
    assert ("A2", "Z1") not in set(zip(with_b.pa_a, with_b.pa_b))
    assert set(with_b.border_pair) == {"AAA-BBB"}


def test_multi_country_reserve_pairs_with_both_sides():
    pas = reserves()
    pas.loc[pas.pa_id == "B3", "iso3"] = "AAA;BBB"
    out = vectors.candidate_pairs(pas, max_gap=1_000)
    pairs = set(zip(out.pa_a, out.pa_b))
    assert ("A1", "B3") in pairs and ("B1", "B3") in pairs  # 1 km and 0.5 km


def test_errors():
    with pytest.raises(InputError, match="max_gap"):
        vectors.candidate_pairs(reserves(), max_gap=-1)
    with pytest.raises(CRSError):
        vectors.border_reserves(reserves(), BORDERS.to_crs(4326), 1000)
    dup = reserves()
    dup.loc[1, "pa_id"] = "A1"
    with pytest.raises(InputError, match="duplicated"):
        vectors.candidate_pairs(dup, max_gap=10)


def test_candidate_pairs_equal_brute_force_on_random_layout():
    import numpy as np

    rng = np.random.default_rng(7)
    n = 80
    x, y = rng.uniform(0, 200_000, n), rng.uniform(0, 200_000, n)
    w, h = rng.uniform(500, 8_000, n), rng.uniform(500, 8_000, n)
    codes = rng.choice(["AAA", "BBB", "CCC", "AAA;BBB"], n)
    pas = gpd.GeoDataFrame({"pa_id": [f"P{i:03d}" for i in range(n)], "iso3": codes},
                           geometry=[box(a, b, a + c, b + d) for a, b, c, d in zip(x, y, w, h)], crs=LAEA)
    out = vectors.candidate_pairs(pas, max_gap=6_000)
    brute = []
    for i in range(n):
        for j in range(i + 1, n):
            if set(codes[i].split(";")) != set(codes[j].split(";")):
                g = pas.geometry[i].distance(pas.geometry[j])
                if g <= 6_000:
                    brute.append((pas.pa_id[i], pas.pa_id[j], g))
    brute.sort(key=lambda r: (r[2], r[0], r[1]))
    assert list(zip(out.pa_a, out.pa_b)) == [(a, b) for a, b, _ in brute]
    assert list(out.gap_m) == pytest.approx([g for *_, g in brute])
    assert len(brute) > 20
