"""Reading camera-trap detections: Camtrap DP 1.0 and the plain CSV; species names; bad rows."""

import shutil

import pandas as pd
import pytest

from corridors.datasets import species_profile
from corridors.errors import InputError
from corridors.evidence import match_species, read_detections

from .conftest import DATA

PACKAGE = DATA / "camtrap_dp"


def test_camtrap_dp_package():
    det = read_detections(PACKAGE)
    t = det.table
    assert list(t["det_id"]) == list(range(1, 9))
    assert t.crs.to_epsg() == 4326
    assert set(t["species"]) == {"amur_tiger"}
    assert t.groupby("individual").size().to_dict() == {"T1": 3, "T2": 2, "T3": 3}
    assert det.skipped == {"animal without individualID": 1, "observationType blank": 1, "observationType human": 1,
                           "repeated detection (same individual, station and time)": 1}
    t1 = t[t["individual"] == "T1"].sort_values("time")
    # +08:00 and +10:00 offsets converted to UTC
    assert [str(v) for v in t1["time"]] == ["2021-03-01 14:10:00+00:00", "2021-03-03 00:10:00+00:00",
                                            "2021-03-06 00:10:00+00:00"]
    assert read_detections(PACKAGE / "datapackage.json").table.equals(t)


def test_species_matching_levels():
    tiger, leopard = species_profile("amur_tiger"), species_profile("amur_leopard")
    profs = [tiger, leopard]
    assert match_species("Panthera tigris altaica", profs) == ["amur_tiger"]
    assert match_species("Panthera tigris", profs) == ["amur_tiger"]  # subspecies optional
    assert match_species("panthera  tigris  Temminck, 1844", profs) == ["amur_tiger"]  # authorship ignored
    assert match_species("Panthera tigris tigris", profs) == ["amur_tiger"]  # Kitchener et al. 2017
    assert match_species("Panthera tigris sumatrae", profs) == []
    assert match_species("Panthera pardus japonensis", profs) == []  # another leopard subspecies
    assert match_species("Panthera pardus ssp. orientalis", profs) == ["amur_leopard"]
    snow = species_profile("snow_leopard")  # species-level profile: any subspecies
    assert match_species("Panthera uncia uncioides", [snow]) == ["snow_leopard"]
    assert match_species("Uncia uncia", [snow]) == ["snow_leopard"]
    assert match_species("tiger", profs) == []


def _copy(tmp_path):
    dst = tmp_path / "pkg"
    shutil.copytree(PACKAGE, dst)
    return dst


def _edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_bad_rows_each_get_one_line(tmp_path):
    pkg = _copy(tmp_path)
    _edit(pkg / "deployments.csv", "S6,L6,south-west,42.721461,128.511454", "S6,L6,south-west,,128.511454")
    obs = pkg / "observations.csv"
    _edit(obs, "o4,S3,", "o4,S9,")
    _edit(obs, "Panthera tigris,1,adult,female,,T2,human,test,east side", "Panthera tigrs,1,adult,female,,T2,human,test,east side")
    _edit(obs, "o6,S5,,e6,2021-03-05T01:00:00+08:00", "o6,S5,,e6,2021-03-35T01:00:00+08:00")
    _edit(obs, "o8,S5,,e8,2021-03-15T03:00:00+08:00", "o8,S5,,e8,2021-03-15T03:00:00")
    _edit(obs, "o2,S2,m2,", "o2,S2,m9,")
    with pytest.raises(InputError) as e:
        read_detections(pkg)
    lines = str(e.value).splitlines()
    dep, o = pkg / "deployments.csv", obs
    assert lines == [
        f"{dep}: line 7: deployment 'S6' has no coordinates (latitude='', longitude='128.511454')",
        f"{o}: line 4: observation 'o2' points to unknown media 'm9'",
        f"{o}: line 6: observation 'o4' points to unknown deployment 'S9'",
        f"{o}: line 7: individual 'T2': unknown species 'Panthera tigrs'; accepted names: "
        + str(sorted({n for p in map(species_profile, __import__("corridors").datasets.species_names()) for n in p.accepted_names})),
        f"{o}: line 8: date-time '2021-03-35T01:00:00+08:00' does not parse (ISO 8601 expected, e.g. 2021-03-05T06:40:00+10:00)",
        f"{o}: line 10: date-time '2021-03-15T03:00:00' has no UTC offset; Camtrap DP requires offsets (e.g. 2021-03-05T06:40:00+10:00)",
    ]


def test_other_camtrap_version_refused(tmp_path):
    pkg = _copy(tmp_path)
    _edit(pkg / "datapackage.json", "camtrap-dp/1.0/camtrap-dp-profile.json", "camtrap-dp/0.1.6/camtrap-dp-profile.json")
    with pytest.raises(InputError, match="not Camtrap DP 1.0"):
        read_detections(pkg)


def test_plain_csv_lonlat_and_timezone(tmp_path):
    p = tmp_path / "det.csv"
    p.write_text("station,lon,lat,datetime,species,individual\n"
                 "A,129.1,42.9,2021-03-01 22:10,Panthera tigris altaica,T1\n"
                 "B,128.9,42.9,2021-03-02T01:00:00+08:00,Panthera tigris,T1\n"
                 "C,128.9,42.8,2021-03-02T01:00:00+08:00,Panthera tigris,\n")
    with pytest.raises(InputError, match=r"line 2: date-time '2021-03-01 22:10' has no UTC offset; add one"):
        read_detections(p)
    det = read_detections(p, timezone="Asia/Vladivostok")
    assert [str(v) for v in det.table["time"]] == ["2021-03-01 12:10:00+00:00", "2021-03-01 17:00:00+00:00"]
    assert det.skipped == {"row without individual id": 1}


def test_plain_csv_xy_needs_crs_and_coordinates(tmp_path):
    p = tmp_path / "det.csv"
    p.write_text("station,x,y,datetime,species,individual\n"
                 "A,490000,4750000,2021-03-01T22:10:00+08:00,Panthera tigris,T1\n"
                 "B,,4750000,2021-03-02T22:10:00+08:00,Panthera tigris,T1\n")
    with pytest.raises(InputError, match="name their CRS"):
        read_detections(p)
    with pytest.raises(InputError, match=r"line 3: station 'B' has no coordinates \(x='', y='4750000'\)"):
        read_detections(p, crs="EPSG:32652")


def test_missing_columns_named(tmp_path):
    p = tmp_path / "det.csv"
    p.write_text("station,lon,lat,when,species\nA,1,2,x,y\n")
    with pytest.raises(InputError, match=r"missing column\(s\) \['datetime', 'individual'\]"):
        read_detections(p)
