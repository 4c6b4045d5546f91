"""Styles stored in the GeoPackage: QGIS's table, one default per layer, the layer list untouched."""

import sqlite3

import geopandas as gpd
import pytest
import shapely

import vectors
from corridors.errors import DataFormatError
from corridors.pipeline.outputs.gpkg_styles import LayerStyle, read_layer_styles, write_layer_styles

#: the columns and declared types of QGIS 3.22's layer_styles (created through GDAL's GPKG driver)
QGIS_COLUMNS = [("id", "INTEGER"), ("f_table_catalog", "TEXT(256)"), ("f_table_schema", "TEXT(256)"),
                ("f_table_name", "TEXT(256)"), ("f_geometry_column", "TEXT(256)"), ("styleName", "TEXT(30)"),
                ("styleQML", "TEXT"), ("styleSLD", "TEXT"), ("useAsDefault", "BOOLEAN"), ("description", "TEXT"),
                ("owner", "TEXT(30)"), ("ui", "TEXT(30)"), ("update_time", "DATETIME")]


@pytest.fixture
def gpkg(tmp_path):
    path = tmp_path / "t.gpkg"
    crs = "EPSG:3857"
    vectors.write_layers(path, {
        "links": gpd.GeoDataFrame({"Rank": [1]}, geometry=[shapely.LineString([(0, 0), (1, 1)])], crs=crs),
        "gaps": gpd.GeoDataFrame({"Gap_ID": [1]}, geometry=[shapely.box(0, 0, 1, 1)], crs=crs)})
    return path


def test_table_has_qgis_columns_and_one_default_per_layer(gpkg):
    write_layer_styles(gpkg, [LayerStyle("links", "<qgis/>", "<sld/>", "corridors links", "d1"),
                              LayerStyle("gaps", "<qgis a='1'/>", "", "corridors gaps")])
    with sqlite3.connect(gpkg) as con:
        cols = [(r[1], r[2]) for r in con.execute("PRAGMA table_info(layer_styles)")]
    assert cols == QGIS_COLUMNS
    rows = read_layer_styles(gpkg)
    assert [(r["f_table_name"], r["f_geometry_column"], r["useAsDefault"], r["styleQML"]) for r in rows] == [
        ("links", "geom", 1, "<qgis/>"), ("gaps", "geom", 1, "<qgis a='1'/>")]
    assert rows[0]["f_table_catalog"] == "" and rows[0]["f_table_schema"] == "" and rows[0]["ui"] is None
    assert rows[0]["update_time"].endswith("Z")
    # registered as QGIS registers it: GDAL lists it after the data layers
    assert vectors.list_layers(gpkg) == ["links", "gaps", "layer_styles"]
    with sqlite3.connect(gpkg) as con:
        assert con.execute("SELECT data_type, identifier, srs_id FROM gpkg_contents "
                           "WHERE table_name = 'layer_styles'").fetchall() == [("attributes", "layer_styles", 0)]


def test_a_new_default_demotes_the_old_one_and_keeps_it(gpkg):
    write_layer_styles(gpkg, [LayerStyle("links", "<qgis/>", "", "old")])
    write_layer_styles(gpkg, [LayerStyle("links", "<qgis b='2'/>", "", "new")])
    rows = read_layer_styles(gpkg)
    assert [(r["styleName"], r["useAsDefault"]) for r in rows] == [("old", 0), ("new", 1)]


def test_unknown_layer_or_file_is_refused_and_nothing_written(gpkg, tmp_path):
    with pytest.raises(DataFormatError, match="no layer 'corridors'"):
        write_layer_styles(gpkg, [LayerStyle("links", "<qgis/>", "", "a"), LayerStyle("corridors", "<qgis/>", "", "b")])
    assert read_layer_styles(gpkg) == []
    missing = tmp_path / "missing.gpkg"
    with pytest.raises(DataFormatError, match="no such GeoPackage"):
        write_layer_styles(missing, [LayerStyle("links", "<qgis/>", "", "a")])
    assert not missing.exists()
    not_gpkg = tmp_path / "x.gpkg"
    not_gpkg.write_text("hello")
    with pytest.raises(DataFormatError, match="is it a GeoPackage"):
        write_layer_styles(not_gpkg, [LayerStyle("links", "<qgis/>", "", "a")])
