"""The QGIS project and styles writer: ids QGIS keeps, the drawing order of the style table, the
print layout, attribute tables among the layers, styles stored in the GeoPackage."""

import xml.etree.ElementTree as ET

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

import vectors
from corridors.pipeline.outputs.gpkg_styles import read_layer_styles
from corridors.pipeline.outputs.qgis import write_styles_and_project
from corridors.pipeline.outputs.qgis_project import layer_id
from corridors.pipeline.outputs.styles import LAYER_STYLES, raster_classes

CRS_ = CRS.from_epsg(3857)


def _write(tmp_path):
    links = gpd.GeoDataFrame({"Rank": [1, 2], "Link_ID": [7, 9]},
                             geometry=[shapely.LineString([(0, 0), (1, 1)]), shapely.LineString([(1, 0), (0, 1)])],
                             crs=CRS_)
    gaps = gpd.GeoDataFrame({"Gap_ID": [1]}, geometry=[shapely.box(0, 0, 1, 1)], crs=CRS_)
    per_country = pd.DataFrame({"iso3": ["CHN", "RUS"], "links": [2, 1]})  # a table without geometry
    countries = gpd.GeoDataFrame({"iso3": ["CHN"]}, geometry=[shapely.box(-1, -1, 2, 2)], crs=CRS_)
    layers = {"links": links, "gaps": gaps, "per_country": per_country}
    vectors.write_layers(tmp_path / "corridors.gpkg", layers)
    vectors.write_layers(tmp_path / "context.gpkg", {"countries": countries})
    classes = {"resistance": raster_classes(np.array([1.0, 20.0, 200.0]), LAYER_STYLES["resistance"]),
               "corridor_mosaic": raster_classes(np.linspace(0, 5, 50), LAYER_STYLES["corridor_mosaic"])}
    files = write_styles_and_project(tmp_path, layers=layers, context={"countries": countries},
                                     raster_classes=classes, n_links=2, crs=CRS_, extent=(0, 0, 2, 1),
                                     title="t", sources="Sources: test data.")
    return ET.parse(tmp_path / "corridors.qgs").getroot(), files


def test_ids_are_kept_by_qgis_and_tree_matches_layers(tmp_path):
    root, files = _write(tmp_path)
    ids = [e.text for e in root.iter("id")]
    assert all(len(i) > 10 for i in ids)  # QGIS <= 3.22 replaces ids of 10 characters or fewer
    assert len(set(ids)) == len(ids) and layer_id("links") in ids
    tree = [e.get("id") for e in root.find("layer-tree-group").iter("layer-tree-layer")]
    order = [e.get("id") for e in root.find("layerorder")]
    assert tree == order == [ml.findtext("id") for ml in root.iter("maplayer")]
    assert "corridors.qgs" in files and "links.qml" in files and "per_country.qml" not in files


def test_drawing_order_follows_the_style_table_and_tables_come_last(tmp_path):
    root, _ = _write(tmp_path)
    names = [ml.findtext("datasource").split("layername=")[-1].lstrip("./") for ml in root.iter("maplayer")]
    assert names == ["links", "gaps", "countries", "corridor_mosaic.tif", "resistance.tif", "per_country"]
    table = next(ml for ml in root.iter("maplayer") if ml.findtext("layername") == "per_country")
    assert table.get("geometry") == "No geometry" and table.find("renderer-v2") is None
    sources = {ml.findtext("layername"): ml.findtext("datasource") for ml in root.iter("maplayer")}
    assert sources["Countries"] == "./context.gpkg|layername=countries"
    hidden = next(e for e in root.iter("layer-tree-layer") if e.get("id") == layer_id("corridor_mosaic"))
    assert hidden.get("checked") == "Qt::Unchecked"


def test_every_geopackage_layer_has_a_default_style(tmp_path):
    _write(tmp_path)
    for gpkg, expected in (("corridors.gpkg", {"links", "gaps", "per_country"}), ("context.gpkg", {"countries"})):
        rows = read_layer_styles(tmp_path / gpkg)
        assert {r["f_table_name"] for r in rows if r["useAsDefault"]} == expected
        for r in rows:
            assert ET.fromstring(r["styleQML"].split("\n", 1)[1]).tag == "qgis"


def test_print_layout_has_its_items_and_a_curated_legend(tmp_path):
    root, _ = _write(tmp_path)
    layout = root.find("Layouts/Layout")
    kinds = sorted(int(i.get("type")) for i in layout.iter("LayoutItem"))
    # page, map, picture (north arrow), 2 labels, legend, scale bar
    assert kinds == [65638, 65639, 65640, 65641, 65641, 65642, 65646]
    labels = {i.get("id"): i.get("labelText") for i in layout.iter("LayoutItem") if i.get("type") == "65641"}
    assert labels == {"title": "t", "sources": "Sources: test data."}
    legend = next(i for i in layout.iter("LayoutItem") if i.get("type") == "65642")
    listed = [e.get("name") for e in legend.iter("layer-tree-layer")]
    assert "Countries" not in listed and LAYER_STYLES["corridor_mosaic"].title not in listed
    assert LAYER_STYLES["links"].title in listed and LAYER_STYLES["resistance"].title in listed
    res = next(e for e in legend.iter("layer-tree-layer") if e.get("name") == LAYER_STYLES["resistance"].title)
    order = res.find("customproperties/Option/Option[@name='legend/node-order']").get("value")
    assert order == "1,2,3"  # three classes, the band name left out
    # the map frame keeps the extent's shape (2 x 1)
    m = next(i for i in layout.iter("LayoutItem") if i.get("type") == "65639")
    w, h = (float(v) for v in m.get("size").split(",")[:2])
    assert abs(w / h - 2.0) < 1e-9
