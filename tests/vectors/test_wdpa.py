"""Reading WDPA downloads: sources, extent, STATUS, PA_DEF, MARINE, MAB, points, multi-ISO3, overlaps."""

import math
import zipfile

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

import vectors
from corridors.errors import DataFormatError, InputError

from . import wdpa_files as wf

LAEA = "+proj=laea +lat_0=45 +lon_0=115 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"


@pytest.fixture(scope="module")
def shp_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wdpa_shp")
    wf.write_shapefile_download(folder, parts=2)
    return folder


@pytest.fixture(scope="module")
def gdb(tmp_path_factory):
    path = tmp_path_factory.mktemp("wdpa_gdb") / "WDPA_Mar2025_Public.gdb"
    wf.write_geodatabase(path)
    return path


def countries():
    return wf.countries_lonlat().to_crs(LAEA)


def read(source, **kw):
    kw.setdefault("extent", wf.EXTENT)
    kw.setdefault("crs", LAEA)
    kw.setdefault("countries", countries())
    return vectors.read_wdpa(source, **kw)


def test_written_files_have_the_release_schema(shp_folder, gdb):
    info = pyogrio.read_info(next(shp_folder.rglob("*-polygons.shp")))
    assert list(info["fields"]) == wf.POLY_FIELDS
    types = dict(zip(info["fields"], info["dtypes"]))
    assert types["WDPAID"] == "float64" and types["MARINE"] == "object" and types["STATUS_YR"] in ("int32", "int64")
    pts = pyogrio.read_info(next(shp_folder.rglob("*-points.shp")))
    assert "GIS_AREA" not in pts["fields"] and pts["geometry_type"] == "MultiPoint"
    layers = dict(pyogrio.list_layers(gdb))
    assert set(layers) == {"WDPA_poly_Mar2025", "WDPA_point_Mar2025", "WDPA_source_Mar2025"}
    assert "PARENT_ISO3" in pyogrio.read_info(gdb, layer="WDPA_poly_Mar2025")["fields"]


def test_sources_from_folder_file_list_and_gdb(shp_folder, gdb):
    found = vectors.find_wdpa_sources(shp_folder)
    assert len(found) == 4 and sum(s.is_points for s in found) == 2
    one = next(shp_folder.rglob("*-polygons.shp"))
    assert len(vectors.find_wdpa_sources(one)) == 1
    assert len(vectors.find_wdpa_sources([one, gdb])) == 3  # the table layer has no geometry
    assert {s.layer for s in vectors.find_wdpa_sources(gdb)} == {"WDPA_poly_Mar2025", "WDPA_point_Mar2025"}
    assert vectors.is_wdpa(shp_folder) and vectors.is_wdpa(one) and vectors.is_wdpa(gdb)


def test_default_filters_points_split_and_dissolve(shp_folder):
    pas = read(shp_folder)
    c = pas.attrs["wdpa_counts"]
    assert c["read"] == 14  # 15 records, 1010 outside the extent
    assert c["read_points"] == 3
    assert c["dropped_status"] == {"Not Reported": 1, "Proposed": 1}
    assert c["dropped_oecm"] == 1 and c["dropped_marine"] == 1 and c["dropped_mab"] == 1
    assert c["dropped_points_without_area"] == 1 and c["points_to_circles"] == 2
    assert c["sites"] == 7  # 1007's two parcels are one site
    assert c["split_multi_country"] == 1
    by = pas.set_index("pa_id")
    assert sorted(by.index) == ["1001", "1007", "1008_CHN", "1008_RUS", "1011", "2001", "2003"]
    # nested 1002 dissolved into 1001, which keeps both WDPAIDs
    assert by.loc["1001", "wdpa_ids"] == "1001;1002" and by.loc["1001", "n_sites"] == 2
    assert by.loc["1001", "members"] == "1001;1002"
    ref = vectors.read_wdpa(shp_folder, extent=wf.EXTENT, crs=LAEA, dissolve=False).set_index("pa_id")
    assert by.loc["1001"].geometry.area == pytest.approx(ref.loc["1001"].geometry.area, rel=1e-9)
    # the CHN;RUS site is split at 131 E; the pieces add up to the site
    assert by.loc["1008_CHN", "iso3"] == "CHN" and by.loc["1008_RUS", "iso3"] == "RUS"
    assert by.loc["1008_CHN"].geometry.area == pytest.approx(by.loc["1008_RUS"].geometry.area, rel=0.02)
    assert by.loc["1008_CHN"].geometry.area + by.loc["1008_RUS"].geometry.area == pytest.approx(
        ref.loc["1008"].geometry.area, rel=1e-6)
    # points: circles of REP_AREA (km2), a multipoint's area shared by its points
    assert by.loc["2001"].geometry.area / 1e6 == pytest.approx(100.0, rel=2e-3)
    assert by.loc["2001", "from_point"] and not by.loc["1001", "from_point"]
    two = by.loc["2003"].geometry
    assert len(shapely.get_parts(two)) == 2 and two.area / 1e6 == pytest.approx(50.0, rel=2e-3)
    # attributes of the release travel along
    assert by.loc["1007", "status"] == "Established" and by.loc["1011", "status"] == "Adopted"
    assert by.loc["1008_RUS", "status"] == "Inscribed" and by.loc["1001", "status_yr"] == 2001
    assert pas.crs.equals(vectors.read_wdpa(shp_folder, extent=wf.EXTENT, crs=LAEA).crs)
    # units of one country never overlap
    g = np.asarray(pas.geometry.values, dtype=object)
    for i in range(len(g)):
        for j in range(i + 1, len(g)):
            assert shapely.area(shapely.intersection(g[i], g[j])) < 1.0


def test_geodatabase_reads_like_the_shapefiles(shp_folder, gdb):
    a = read(shp_folder).set_index("pa_id")
    b = read(gdb).set_index("pa_id")
    assert sorted(a.index) == sorted(b.index)
    np.testing.assert_allclose(b.loc[a.index].geometry.area, a.geometry.area, rtol=1e-6)
    assert (b.loc[a.index, "wdpa_ids"] == a["wdpa_ids"]).all()
    assert b.attrs["wdpa_counts"]["dropped_status"] == a.attrs["wdpa_counts"]["dropped_status"]


def test_options_keep_marine_mab_oecm_and_no_dissolve(shp_folder):
    marine = read(shp_folder, keep_marine=True)
    assert "1005" in set(marine.pa_id) and marine.set_index("pa_id").loc["1005", "marine"] == 2
    mab = read(shp_folder, keep_mab=True).set_index("pa_id")
    # the biosphere reserve covers 1001 and 1002: one unit named after the largest site
    assert mab.loc["1006", "wdpa_ids"] == "1001;1002;1006" and "1001" not in mab.index
    assert "1009" in set(read(shp_folder, keep_oecm=True).pa_id)
    proposed = read(shp_folder, statuses=[*vectors.WDPA_KEPT_STATUS, "Proposed"])
    assert "1003" in set(proposed.pa_id) and proposed.attrs["wdpa_counts"]["dropped_status"] == {"Not Reported": 1}
    flat = read(shp_folder, dissolve=False)
    assert {"1001", "1002"} <= set(flat.pa_id)
    assert (flat["n_sites"] == 1).all()


def test_without_countries_multi_country_sites_stay_whole(shp_folder):
    pas = read(shp_folder, countries=None)
    assert pas.set_index("pa_id").loc["1008", "iso3"] == "CHN;RUS"
    every = vectors.read_wdpa(shp_folder, crs=LAEA)  # no extent: the far site is read too
    assert "1010" in set(every.pa_id)


def test_read_protected_areas_routes_wdpa_downloads(shp_folder, gdb):
    routed = vectors.read_protected_areas(shp_folder, extent=wf.EXTENT, crs=LAEA, countries=countries())
    direct = read(shp_folder)
    assert list(routed.pa_id) == list(direct.pa_id)
    assert {"n_parts", "repaired"} <= set(routed.columns)
    one = vectors.read_protected_areas(gdb, layer="WDPA_point_Mar2025", crs=LAEA)
    assert sorted(one.pa_id) == ["2001", "2003"]
    # a file with a WDPAID field but not the release's fields is read as a plain layer
    plain = wf.polygons()[["WDPAID", "NAME", "ISO3", "geometry"]].iloc[:2]
    path = shp_folder.parent / "plain.gpkg"
    plain.to_file(path)
    assert not vectors.is_wdpa(path)
    assert list(vectors.read_protected_areas(path).pa_id) == ["1001", "1002"]
    with pytest.raises(InputError, match="WDPA downloads only"):
        vectors.read_protected_areas(path, keep_mab=True)


def test_zip_of_shapefiles_and_bad_sources(shp_folder, tmp_path):
    part = sorted(shp_folder.glob("*_shp_0"))[0]
    z = tmp_path / "part0.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for f in sorted(part.iterdir()):
            zf.write(f, arcname=f.name)
    assert len(vectors.find_wdpa_sources(z)) == 2
    outer = tmp_path / "download.zip"
    with zipfile.ZipFile(outer, "w") as zf:
        zf.write(z, arcname="part0.zip")
    with pytest.raises(DataFormatError, match="unzip it once"):
        vectors.find_wdpa_sources(outer)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataFormatError, match="no WDPA layer"):
        vectors.read_wdpa(empty)
    with pytest.raises(DataFormatError, match="no such file"):
        vectors.read_wdpa(tmp_path / "missing.gdb")
    with pytest.raises(InputError, match="no record intersects"):
        vectors.read_wdpa(shp_folder, extent=(0, 0, 1, 1))
    with pytest.raises(InputError, match="xmin < xmax"):
        vectors.read_wdpa(shp_folder, extent=(5, 0, 1, 1))


def test_points_to_circles_are_area_true_far_north():
    pts = pd.DataFrame({"x": [88.0, 145.0], "y": [52.0, 44.0]})
    import geopandas as gpd

    g = gpd.GeoDataFrame(pts, geometry=gpd.points_from_xy(pts.x, pts.y), crs="EPSG:4326")
    circles = vectors.points_to_circles(g, [10.0, 1000.0])
    for circle, (lon, lat), area in zip(circles, [(88.0, 52.0), (145.0, 44.0)], [10.0, 1000.0]):
        local = f"+proj=laea +lat_0={lat} +lon_0={lon} +ellps=WGS84 +units=m"
        a = gpd.GeoSeries([circle], crs="EPSG:4326").to_crs(local).iloc[0]
        assert a.area / 1e6 == pytest.approx(area, rel=1e-6)
        # radius of the equal-area circle, within the 64-gon's enlargement
        r = math.sqrt(area * 1e6 / math.pi)
        assert shapely.get_coordinates(a)[:, 0].max() == pytest.approx(r, rel=2e-3)
    with pytest.raises(InputError, match="area > 0"):
        vectors.points_to_circles(g, [0.0, 1.0])
