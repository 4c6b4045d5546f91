"""ProtConn and its fractions on hand-computed layouts (square reserves in metres)."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely

from corridors import CRSError, InputError
from corridors.graphs import PROTCONN_FIELDS, protconn, protconn_by_country

CRS = "EPSG:32652"  # UTM 52N, metres
KM = 1000.0
REGION = shapely.box(0, 0, 10 * KM, 10 * KM)  # 100 km2


def pas(*geoms):
    return gpd.GeoSeries(list(geoms), crs=CRS)


def check_partition(s):
    assert s["ProtConn_Prot"] + s["ProtConn_Trans"] + s["ProtConn_Unprot"] == pytest.approx(100)
    assert s["ProtConn_Within"] + s["ProtConn_Contig"] == pytest.approx(s["ProtConn_Prot"])
    assert s["ProtUnconn"] == pytest.approx(s["Prot"] - s["ProtConn"])
    assert s["ProtConn_Bound"] == pytest.approx(s["Prot"] - s["ProtUnconn_Design"])
    assert s["ProtConn"] <= s["ProtConn_Bound"] + 1e-12 <= s["Prot"] + 2e-12
    for f in ("ProtConn_Prot", "ProtConn_Trans", "ProtConn_Unprot", "ProtConn_Within",
              "ProtConn_Contig", "ProtUnconn_Design"):
        assert s[f] >= -1e-12, f


def test_issue_case_two_reserves_one_median_apart():
    # 100 km2 region; two 1 km2 reserves 1 km apart edge to edge; median dispersal 1 km
    s = protconn(pas(shapely.box(0, 0, KM, KM), shapely.box(2 * KM, 0, 3 * KM, KM)), REGION,
                 median_dispersal=KM)
    assert list(s.index) == list(PROTCONN_FIELDS)
    assert s["ECA_km2"] == pytest.approx(math.sqrt(3), rel=1e-12)
    assert s["ProtConn"] == pytest.approx(1.732, abs=5e-4)
    assert s["ProtConn"] == pytest.approx(math.sqrt(3), rel=1e-12)  # 100 * sqrt(3) / 100
    assert s["Prot"] == pytest.approx(2.0, rel=1e-12)
    assert s["RelConn"] == pytest.approx(100 * math.sqrt(3) / 2)
    # no contiguity, no foreign land: ProtConn[Prot] = ProtConn[Within] = sqrt(1 + 1)
    assert s["ProtConn_Within"] == pytest.approx(100 * math.sqrt(2) / math.sqrt(3))
    assert s["ProtConn_Prot"] == pytest.approx(s["ProtConn_Within"])
    assert s["ProtConn_Contig"] == pytest.approx(0, abs=1e-12)
    assert s["ProtConn_Trans"] == 0
    assert s["ProtConn_Unprot"] == pytest.approx(100 - 100 * math.sqrt(2 / 3))
    # one piece of land: Design = Prot - ProtConn, so Bound = ProtConn
    assert s["ProtConn_Bound"] == pytest.approx(s["ProtConn"])
    assert s["n_units"] == 2 and s["n_transboundary"] == 0
    check_partition(s)


def test_touching_reserves_are_contiguous():
    # two 1 km2 reserves sharing an edge, a third 1 km away from the pair
    s = protconn(pas(shapely.box(0, 0, KM, KM), shapely.box(KM, 0, 2 * KM, KM),
                     shapely.box(3 * KM, 0, 4 * KM, KM)), REGION, median_dispersal=KM)
    # p(AB) = 1, p(B, C) = 0.5, p*(A, C) = 0.5: numerator 9 * 1 ... by hand
    num = 3 + 2 * (1.0 + 0.5 + 0.5)
    assert s["ECA_km2"] == pytest.approx(math.sqrt(num))
    eca = math.sqrt(num)
    assert s["ProtConn_Within"] == pytest.approx(100 * math.sqrt(3) / eca)
    assert s["ProtConn_Prot"] == pytest.approx(100 * math.sqrt(2**2 + 1) / eca)
    assert s["ProtConn_Contig"] == pytest.approx(100 * (math.sqrt(5) - math.sqrt(3)) / eca)
    check_partition(s)


def test_overlapping_reserves_count_their_land_once():
    a = shapely.box(0, 0, 2 * KM, KM)
    b = shapely.box(KM, 0, 3 * KM, KM)  # overlaps a by 1 km2
    s = protconn(pas(a, b), REGION, median_dispersal=KM)
    assert s["n_units"] == 1
    assert s["Prot"] == pytest.approx(3.0)
    assert s["ProtConn"] == pytest.approx(3.0)
    assert s["ProtConn_Within"] == pytest.approx(100)
    check_partition(s)


def test_transboundary_stepping_stone_links_two_domestic_reserves():
    # A and B in the top corners, 8 km apart; a foreign reserve F 200 m above the border
    # spans both (x from 0.5 to 9.5 km): A-F = F-B = 200 m
    a = shapely.box(0, 9 * KM, KM, 10 * KM)
    b = shapely.box(9 * KM, 9 * KM, 10 * KM, 10 * KM)
    f = shapely.box(0.5 * KM, 10.2 * KM, 9.5 * KM, 10.5 * KM)
    p_direct = 0.5**8
    p_via = 0.5**0.4
    eca = math.sqrt(2 + 2 * p_via)
    eca_dom = math.sqrt(2 + 2 * p_direct)
    s = protconn(pas(a, b, f), REGION, median_dispersal=KM, transboundary=KM)
    assert s["n_transboundary"] == 1
    assert s["Prot"] == pytest.approx(2.0)  # F adds no protected land of its own
    assert s["ECA_km2"] == pytest.approx(eca, rel=1e-12)
    assert s["ProtConn_Trans"] == pytest.approx(100 * (eca - eca_dom) / eca, rel=1e-12)
    assert s["ProtConn_Prot"] == pytest.approx(100 * math.sqrt(2) / eca, rel=1e-12)
    assert s["ProtConn_Unprot"] == pytest.approx(100 * (eca_dom - math.sqrt(2)) / eca, rel=1e-12)
    check_partition(s)
    # no foreign reserves (None), or F beyond the transboundary distance: as if F were absent
    for tb in (None, 100.0):
        s0 = protconn(pas(a, b, f), REGION, median_dispersal=KM, transboundary=tb)
        assert s0["n_transboundary"] == 0
        assert s0["ECA_km2"] == pytest.approx(eca_dom, rel=1e-12)
        assert s0["ProtConn_Trans"] == 0
        check_partition(s0)


def test_straddling_reserve_keeps_only_its_domestic_area():
    # a 2 km2 reserve half outside the region; its foreign half is a stepping stone
    r = shapely.box(9 * KM, 0, 11 * KM, KM)
    s = protconn(pas(r), REGION, median_dispersal=KM, transboundary=0.0)
    assert s["Prot"] == pytest.approx(1.0)
    assert s["n_transboundary"] == 1
    assert s["ProtConn"] == pytest.approx(1.0)
    assert s["ProtConn_Trans"] == pytest.approx(0.0, abs=1e-12)


def test_islands_are_not_penalised_in_bound():
    # two 50 km2 islands 15 km apart, one 1 km2 reserve on each; median 1 km
    island1 = shapely.box(0, 0, 10 * KM, 5 * KM)
    island2 = shapely.box(0, 20 * KM, 10 * KM, 25 * KM)
    region = gpd.GeoSeries([island1, island2], crs=CRS)
    a = shapely.box(0, 0, KM, KM)
    b = shapely.box(0, 24 * KM, KM, 25 * KM)  # 23 km from a
    s = protconn(pas(a, b), region, median_dispersal=KM, min_probability=0)
    assert s["Region_km2"] == pytest.approx(100)
    eca = math.sqrt(2 + 2 * 0.5**23)
    assert s["ProtConn"] == pytest.approx(eca)
    # design: each island links what is on it, the islands are 15 km apart
    eca_design = math.sqrt(2 + 2 * 0.5**15)
    assert s["ProtUnconn_Design"] == pytest.approx(eca_design - eca, rel=1e-9)
    assert s["ProtConn_Bound"] == pytest.approx(2 - (eca_design - eca), rel=1e-9)
    assert s["ProtConn_Bound"] > s["ProtConn"] + 0.5  # ~1.414 -> ~2: sea isolation forgiven
    # the same reserves on one piece of land: Bound = ProtConn
    one = protconn(pas(a, b), shapely.box(0, 0, 10 * KM, 25 * KM), median_dispersal=KM,
                   min_probability=0)
    assert one["ProtConn_Bound"] == pytest.approx(one["ProtConn"])
    check_partition(s)


def test_fractions_sum_and_order_independent():
    rng = np.random.default_rng(7)
    boxes = []
    for _ in range(25):
        x, y = rng.uniform(-2 * KM, 11 * KM, 2)
        w, h = rng.uniform(100, 1500, 2)
        boxes.append(shapely.box(x, y, x + w, y + h))
    g = pas(*boxes)
    s = protconn(g, REGION, median_dispersal=700.0, transboundary=2 * KM)
    assert s["n_transboundary"] > 0 and s["n_units"] > 5
    check_partition(s)
    perm = rng.permutation(len(boxes))
    sp = protconn(g.iloc[perm], REGION, median_dispersal=700.0, transboundary=2 * KM)
    np.testing.assert_allclose(sp.to_numpy(), s.to_numpy(), rtol=1e-10, atol=1e-12)


def test_no_protected_land():
    s = protconn(pas(shapely.box(20 * KM, 0, 21 * KM, KM)), REGION, median_dispersal=KM)
    assert s["Prot"] == 0 and s["ProtConn"] == 0
    assert np.isnan(s["RelConn"]) and np.isnan(s["ProtConn_Prot"])


def test_by_country():
    west = shapely.box(0, 0, 10 * KM, 10 * KM)
    east = shapely.box(10 * KM, 0, 20 * KM, 10 * KM)
    countries = gpd.GeoDataFrame({"iso3": ["KOR", "CHN"]}, geometry=[west, east], crs=CRS)
    a = shapely.box(0, 0, KM, KM)
    b = shapely.box(2 * KM, 0, 3 * KM, KM)
    c = shapely.box(10.2 * KM, 0, 11.2 * KM, KM)  # in CHN, 200 m from the border
    t = protconn_by_country(pas(a, b, c), countries, median_dispersal=KM)
    assert list(t.index) == ["CHN", "KOR"] and t.index.name == "iso3"
    assert list(t.columns) == list(PROTCONN_FIELDS)
    assert t.loc["KOR", "ProtConn"] == pytest.approx(math.sqrt(3))
    assert t.loc["CHN", "ProtConn"] == pytest.approx(1.0)
    assert t.loc["CHN", "Prot"] == pytest.approx(1.0)
    # with transboundary, c (in CHN, 200 m from the border) is a stepping stone for KOR
    tt = protconn_by_country(pas(a, b, c), countries, median_dispersal=KM, transboundary=KM)
    assert tt.loc["KOR", "n_transboundary"] == 1 and tt.loc["CHN", "n_transboundary"] == 0
    same = protconn(pas(a, b, c), west, median_dispersal=KM, transboundary=KM)
    np.testing.assert_allclose(tt.loc["KOR"].to_numpy(), same.to_numpy())


@pytest.mark.parametrize("kw, exc, match", [
    (dict(median_dispersal=-1.0), InputError, "median_dispersal"),
    (dict(median_dispersal=KM, transboundary=-5.0), InputError, "transboundary"),
    (dict(median_dispersal=KM, min_probability=2.0), InputError, "min_probability"),
])
def test_bad_parameters(kw, exc, match):
    with pytest.raises(exc, match=match):
        protconn(pas(shapely.box(0, 0, KM, KM)), REGION, **kw)


def test_bad_layers():
    geo = gpd.GeoSeries([shapely.box(0, 0, 1, 1)], crs="EPSG:4326")
    with pytest.raises(CRSError, match="geographic"):
        protconn(geo, REGION, median_dispersal=KM)
    with pytest.raises(CRSError, match="share"):
        protconn(pas(shapely.box(0, 0, KM, KM)), gpd.GeoSeries([REGION], crs="EPSG:3857"),
                 median_dispersal=KM)
    with pytest.raises(InputError, match="not polygons"):
        protconn(pas(shapely.Point(0, 0)), REGION, median_dispersal=KM)
    bowtie = shapely.Polygon([(0, 0), (KM, KM), (KM, 0), (0, KM)])
    with pytest.raises(InputError, match="invalid polygon"):
        protconn(pas(bowtie), REGION, median_dispersal=KM)
    with pytest.raises(InputError, match="iso3"):
        protconn_by_country(pas(shapely.box(0, 0, KM, KM)),
                            gpd.GeoDataFrame({"code": ["KOR"]}, geometry=[REGION], crs=CRS),
                            median_dispersal=KM)
