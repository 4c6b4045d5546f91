"""QML styles and the QGIS project are well-formed XML referencing existing layers."""

import xml.etree.ElementTree as ET

import geopandas as gpd
import shapely
from pyproj import CRS

from corridors.pipeline.outputs.qgis_project import ProjectLayer, write_project
from corridors.pipeline.outputs.qgis import RASTER_ORDER
from corridors.pipeline.outputs.styles import LAYER_STYLES, style_for_layer, to_qml


def test_every_style_is_valid_qml():
    for name in LAYER_STYLES:
        els, kw = style_for_layer(name, n_links=23, value_range=(1.0, 50.0))
        root = ET.fromstring(to_qml(els, **kw).split("\n", 1)[1])
        assert root.tag == "qgis"
        if name in RASTER_ORDER:
            assert root.find("pipe") is not None and root.find("renderer-v2") is None, name
        else:
            assert root.find("renderer-v2") is not None and root.find("pipe") is None, name


def test_rank_classes_cover_every_rank():
    els, _ = style_for_layer("links", n_links=23)
    ranges = els[0].find("ranges")
    lows = [float(r.get("lower")) for r in ranges]
    highs = [float(r.get("upper")) for r in ranges]
    assert lows[0] < 1 and highs[-1] > 23
    assert all(h == l2 for h, l2 in zip(highs, lows[1:]))  # contiguous


def test_project_references_layers(tmp_path):
    import vectors

    crs = CRS.from_epsg(3857)
    gdf = gpd.GeoDataFrame({"Rank": [1]}, geometry=[shapely.LineString([(0, 0), (1, 1)])], crs=crs)
    vectors.write_layers(tmp_path / "corridors.gpkg", {"links": gdf})
    els, _ = style_for_layer("links", n_links=1)
    write_project(tmp_path / "p.qgs", [ProjectLayer("links", "corridors.gpkg", "vector", els, "links", "Line")],
                  crs, title="t", extent=(0, 0, 1, 1))
    root = ET.parse(tmp_path / "p.qgs").getroot()
    sources = [e.text for e in root.iter("datasource")]
    assert sources == ["./corridors.gpkg|layername=links"]
    assert "links" in vectors.list_layers(tmp_path / "corridors.gpkg")
    assert root.find("projectlayers/maplayer/renderer-v2") is not None
