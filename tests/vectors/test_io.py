"""Reading protected areas (3 formats, field mapping, repair, dissolve) and atomic writers."""

import csv

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from shapely.geometry import Polygon, box

import vectors
import vectors.io as vio
from corridors.errors import DataFormatError, InputError, OutputExistsError

LAEA = "+proj=laea +lat_0=45 +lon_0=115 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
BOWTIE = Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])  # self-intersecting: two triangles of 25 m2


def wdpa_like():
    return gpd.GeoDataFrame(
        {
            "WDPAID": [101.0, 102.0, 102.0, 103.0],
            "NAME": ["Alpha", "Beta", "Beta", "Gamma"],
            "ISO3": ["CHN", "MNG", "RUS", "CHN"],
            "DESIG": ["NP", "NR", "NR", "NP"],
        },
        geometry=[box(0, 0, 100, 100), box(200, 0, 300, 50), box(300, 0, 400, 50), BOWTIE],
        crs=LAEA,
    )


@pytest.mark.parametrize("ext", [".gpkg", ".shp", ".geojson"])
def test_read_protected_areas_formats_fields_repair_dissolve(tmp_path, ext):
    path = tmp_path / f"pas{ext}"
    wdpa_like().to_file(path)
    with pytest.raises(InputError, match=r"'102' \(2 features\).*dissolve_duplicates"):
        vectors.read_protected_areas(path)  # a shared id is refused unless the parts are meant
    pas = vectors.read_protected_areas(path, dissolve_duplicates=True)
    assert list(pas.columns[:3]) == ["pa_id", "name", "iso3"]
    assert list(pas.pa_id) == ["101", "102", "103"]  # float ids become clean strings
    assert list(pas.name) == ["Alpha", "Beta", "Gamma"]
    # 102 had two parts in two countries: one row, union geometry, both codes
    beta = pas.set_index("pa_id").loc["102"]
    assert beta.iso3 == "MNG;RUS" and beta.n_parts == 2
    assert beta.geometry.area == pytest.approx(200 * 50)
    # the bowtie was repaired (two triangles, 50 m2) and reported
    gamma = pas.set_index("pa_id").loc["103"]
    assert gamma.repaired and gamma.geometry.is_valid
    assert gamma.geometry.area == pytest.approx(50.0)
    assert list(pas.attrs["repaired"]) == ["103"]
    assert "Self-intersection" in pas.attrs["repaired"]["103"]
    assert pas.DESIG.tolist() == ["NP", "NR", "NP"]


def test_explicit_field_mapping_and_reprojection(tmp_path):
    gdf = wdpa_like().rename(columns={"WDPAID": "code", "NAME": "label", "ISO3": "cty"})
    path = tmp_path / "x.geojson"
    gdf.to_file(path)
    with pytest.raises(InputError, match="pa_id"):
        vectors.read_protected_areas(path)
    pas = vectors.read_protected_areas(path, fields={"pa_id": "code", "name": "label", "iso3": "cty"},
                                       crs="EPSG:4326", dissolve_duplicates=True)
    assert pas.crs.to_epsg() == 4326 and list(pas.pa_id) == ["101", "102", "103"]
    with pytest.raises(InputError, match="nope"):
        vectors.read_protected_areas(path, fields={"pa_id": "nope", "name": "label", "iso3": "cty"})


def test_bad_inputs(tmp_path):
    with pytest.raises(DataFormatError, match="no such file"):
        vectors.read_protected_areas(tmp_path / "missing.gpkg")
    with pytest.raises(DataFormatError, match="unsupported"):
        vectors.read_protected_areas(tmp_path / "x.kml")
    pts = gpd.GeoDataFrame({"pa_id": ["1"], "name": ["n"], "iso3": ["CHN"]},
                           geometry=[shapely.Point(0, 0)], crs=LAEA)
    with pytest.raises(InputError, match="not polygons"):
        vectors.prepare_protected_areas(pts)
    two = tmp_path / "two.gpkg"
    vectors.write_layers(two, {"a": wdpa_like(), "b": wdpa_like()})
    with pytest.raises(DataFormatError, match="choose one"):
        vectors.read_protected_areas(two)
    assert len(vectors.read_protected_areas(two, layer="b", dissolve_duplicates=True)) == 3


def test_write_layers_round_trip_and_table(tmp_path):
    path = tmp_path / "out.gpkg"
    links = pd.DataFrame({"Link_ID": [1, 2], "CW_Dist": [10.5, 20.25]})
    vectors.write_layers(path, {"pas": wdpa_like(), "links": links})
    assert vectors.list_layers(path) == ["pas", "links"]  # in the order written
    back = pyogrio.read_dataframe(path, layer="links")
    assert back["CW_Dist"].tolist() == [10.5, 20.25]
    pas = pyogrio.read_dataframe(path, layer="pas")
    assert pas.geometry.area.tolist()[:3] == [10000.0, 5000.0, 5000.0]
    with pytest.raises(OutputExistsError, match="overwrite"):
        vectors.write_layers(path, {"pas": wdpa_like()})
    vectors.write_layers(path, {"only": wdpa_like()}, overwrite=True)
    assert vectors.list_layers(path) == ["only"]


def test_write_layers_failure_leaves_nothing(tmp_path, monkeypatch):
    real = pyogrio.write_dataframe
    calls = []

    def flaky(df, path, **kw):
        calls.append(kw["layer"])
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(df, path, **kw)

    monkeypatch.setattr(vio.pyogrio, "write_dataframe", flaky)
    with pytest.raises(DataFormatError, match="disk full"):
        vectors.write_layers(tmp_path / "out.gpkg", {"a": wdpa_like(), "b": wdpa_like()})
    assert list(tmp_path.iterdir()) == []


def test_shapefile_field_names_are_short_unique_and_recorded(tmp_path):
    names = vectors.shapefile_field_names(
        ["border_dist_m", "border_distance", "Border_Dis", "pa_id", "cwd2Path_R"])
    assert names == {"border_dist_m": "border_d_1", "border_distance": "border_d_2",
                     "Border_Dis": "Border_Dis", "pa_id": "pa_id", "cwd2Path_R": "cwd2Path_R"}
    assert all(len(v) <= 10 for v in names.values())
    gdf = wdpa_like().iloc[:1].assign(border_dist_m=1.5, border_distance=2.5, touching=True)
    mapping = vectors.write_shapefiles(tmp_path / "shp", {"reserves": gdf})
    assert mapping["reserves"]["border_dist_m"] == "border_dis"
    assert mapping["reserves"]["border_distance"] == "border_d_1"
    back = pyogrio.read_dataframe(tmp_path / "shp" / "reserves.shp")
    assert back["border_dis"].tolist() == [1.5] and back["border_d_1"].tolist() == [2.5]
    assert back["touching"].tolist() == [1]
    with open(tmp_path / "shp" / "field_names.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {"layer": "reserves", "column": "border_dist_m", "shapefile_field": "border_dis"} in rows
    assert not [p for p in (tmp_path / "shp").iterdir() if p.name.startswith(".")]
    with pytest.raises(OutputExistsError):
        vectors.write_shapefiles(tmp_path / "shp", {"reserves": gdf})


def test_vectors_module_is_the_only_pyogrio_user():
    import pathlib
    import re

    import corridors
    import rasters

    pattern = re.compile(r"^\s*(import|from)\s+(pyogrio|fiona)\b", re.M)
    offenders = [
        p for mod in (corridors, rasters)
        for p in pathlib.Path(mod.__file__).resolve().parent.rglob("*.py")
        if pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_declared_geometry_types_for_empty_layers(tmp_path):
    empty = gpd.GeoDataFrame({"Link_ID": []}, geometry=[], crs=LAEA)
    full = gpd.GeoDataFrame({"a": [1]}, geometry=[box(0, 0, 1, 1)], crs=LAEA)
    types = {"gaps": "MultiPolygon", "links": "LineString"}
    vectors.write_layers(tmp_path / "o.gpkg", {"gaps": empty, "links": empty.copy()}, geometry_types=types)
    info = dict((str(a), str(b)) for a, b in pyogrio.list_layers(tmp_path / "o.gpkg"))
    assert info == {"gaps": "MultiPolygon", "links": "LineString"}
    vectors.write_layers(tmp_path / "p.gpkg", {"gaps": full}, geometry_types=types)
    assert pyogrio.read_dataframe(tmp_path / "p.gpkg").geom_type.tolist() == ["MultiPolygon"]
    vectors.write_shapefiles(tmp_path / "s", {"links": empty}, geometry_types=types)
    assert pyogrio.read_info(tmp_path / "s" / "links.shp")["geometry_type"] == "LineString"
    with pytest.raises(InputError, match="Blob"):
        vectors.write_layers(tmp_path / "q.gpkg", {"gaps": empty}, geometry_types={"gaps": "Blob"})
