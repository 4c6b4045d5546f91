"""Transborder movements from the Camtrap DP test package: exactly two individuals cross."""

import numpy as np
import pytest
import shapely

from corridors.errors import InputError
from corridors.evidence import read_detections, transborder_movements

from .conftest import DATA


@pytest.fixture
def result(world):
    countries, corridors, grid = world
    det = read_detections(DATA / "camtrap_dp")
    return transborder_movements(det, countries, corridors=corridors, resistance=grid, n_null=199, seed=3)


def test_movements_exactly_the_two_crossing_tigers(result):
    m = result.movements.set_index("Indiv_ID")
    assert list(m.index) == ["T1", "T2"]  # T3 stays in China
    assert m.loc["T1", "Countries"] == "CHN>RUS>CHN" and m.loc["T2", "Countries"] == "CHN>RUS"
    assert m.loc["T1", "N_Det"] == 3 and m.loc["T1", "N_Cross"] == 2 and m.loc["T2", "N_Cross"] == 1
    assert m.loc["T1", "Min_Hours"] == pytest.approx(34.0)  # 14:10 UTC -> 00:10 UTC two days on
    assert m.loc["T2", "Min_Hours"] == pytest.approx(48.0)
    # T1 crosses inside corridor 1 both times; T2's straight line crosses far north of it, but
    # its least-cost path follows the cheap strips and band through corridor 1
    assert (m.loc["T1", "SL_In_Cor"], m.loc["T1", "LCP_In_Cor"]) == (2, 2)
    assert (m.loc["T2", "SL_In_Cor"], m.loc["T2", "LCP_In_Cor"]) == (0, 1)
    assert m.loc["T2", "Link_IDs"] == "1"
    assert all(g.geom_type == "LineString" for g in result.movements.geometry)


def test_crossings_and_paths(result):
    c = result.crossings
    assert list(c["Cross_ID"]) == [1, 2, 3]
    assert list(zip(c["From_ISO3"], c["To_ISO3"])) == [("CHN", "RUS"), ("RUS", "CHN"), ("CHN", "RUS")]
    assert list(c["Hours"]) == pytest.approx([34.0, 72.0, 48.0])
    assert list(c["SL_Links"]) == ["1", "1", ""] and list(c["LCP_Links"]) == ["1", "1", "1"]
    lcp = result.lcp_paths.set_index("Cross_ID").geometry
    border = shapely.LineString([(500_000, 4_600_000), (500_000, 4_900_000)])
    cross = shapely.intersection(lcp[3], border)
    assert 4_745_000 <= cross.y <= 4_755_000  # through the cheap band
    assert result.crossings.loc[2, "LCP_Cost"] == pytest.approx(lcp[3].length, rel=0.05)  # resistance 1 all the way


def test_validation_counts(result):
    v = result.validation.set_index("Link_ID")
    assert list(v.index) == [1, 2, "all"]
    assert v.loc[1, "N_Cross_SL"] == 3 and v.loc[1, "N_In_SL"] == 2 and v.loc[1, "Share_SL"] == pytest.approx(2 / 3)
    assert v.loc[1, "N_In_LCP"] == 3 and v.loc[1, "Share_LCP"] == 1.0
    assert v.loc[2, "N_In_SL"] == 0 and v.loc[2, "N_In_LCP"] == 0 and v.loc[2, "P_SL"] == 1.0
    assert v.loc["all", "N_In_SL"] == 2 and v.loc["all", "N_In_LCP"] == 3
    # corridor 1 beats randomly placed copies of itself
    assert v.loc[1, "Null_SL"] < v.loc[1, "Share_SL"] and v.loc[1, "P_SL"] < 0.2
    assert v.loc[1, "P_SL"] * 200 == pytest.approx(round(v.loc[1, "P_SL"] * 200))
    assert (v["N_Null"] == 199).all()


def test_validation_reproducible_with_seed(world):
    countries, corridors, grid = world
    det = read_detections(DATA / "camtrap_dp")
    a = transborder_movements(det, countries, corridors=corridors, n_null=50, seed=9).validation
    b = transborder_movements(det, countries, corridors=corridors, n_null=50, seed=9).validation
    c = transborder_movements(det, countries, corridors=corridors, n_null=50, seed=10).validation
    assert a.equals(b)
    assert not np.allclose(a["Null_SL"].fillna(0), c["Null_SL"].fillna(0))
    assert a["P_LCP"].isna().all()  # no resistance: no least-cost paths


def test_station_far_outside_every_country(world):
    countries, corridors, grid = world
    det = read_detections(DATA / "camtrap_dp")
    small = countries.copy()
    small.geometry = [g.buffer(-60_000) for g in small.geometry]  # S5 and S3 now far outside
    with pytest.raises(InputError, match=r"station 'S3' lies .* km outside every country polygon"):
        transborder_movements(det, small, corridors=corridors)
