"""Styles: every layer's QML is what QGIS reads, classes follow the data, colours follow the rule."""

import xml.etree.ElementTree as ET

import numpy as np
import pytest

from corridors.errors import InputError
from corridors.pipeline.outputs.layers import LAYER_GEOMETRY
from corridors.pipeline.outputs.styles import (LAYER_STYLES, RasterStyle, VectorStyle, colourise, draw_order,
                                               rank_classes, raster_classes, raster_qml, to_sld, vector_qml,
                                               vector_style)


def _parse(qml: str) -> ET.Element:
    head, body = qml.split("\n", 1)
    assert head.startswith("<!DOCTYPE qgis")
    return ET.fromstring(body)


def test_every_vector_layer_has_a_style_that_parses():
    for name in LAYER_GEOMETRY:
        s = vector_style(name)
        root = _parse(vector_qml(name, n_links=23))
        assert root.tag == "qgis" and root.find("renderer-v2") is not None and root.find("pipe") is None
        assert root.get("labelsEnabled") == ("1" if s.label else "0")
        assert (root.find("labeling") is not None) == (s.label is not None)
        code = {"marker": "0", "line": "1", "fill": "2"}[s.symbol]
        assert root.findtext("layerGeometryType") == code
        # QGIS >= 3.18 reads <Option>, older releases <prop>: both are written
        layer = root.find("renderer-v2/symbols/symbol/layer")
        assert layer.find("Option") is not None and layer.find("prop") is not None


def test_every_raster_style_parses():
    rasters = [n for n, s in LAYER_STYLES.items() if isinstance(s, RasterStyle)]
    assert rasters == ["barrier_improvement", "corridor_frequency", "current_density", "corridor_mosaic", "resistance"]
    for name in rasters:
        classes = raster_classes(np.geomspace(1, 500, 40), LAYER_STYLES[name])
        root = _parse(raster_qml(name, classes))
        assert root.find("pipe/rasterrenderer").get("type") == "singlebandpseudocolor"
        assert len(root.findall("pipe/rasterrenderer/rastershader/colorrampshader/item")) == len(classes.values)


def test_unknown_layer_names_the_table_to_extend():
    with pytest.raises(InputError, match="LAYER_STYLES"):
        vector_style("crossings_not_yet_styled")
    with pytest.raises(InputError, match="VectorStyle"):
        vector_style("resistance")  # a raster


def test_draw_order_follows_the_table_and_puts_unknown_names_last():
    assert draw_order(["borders", "table_x", "links", "resistance", "water"]) == [
        "links", "borders", "water", "resistance", "table_x"]


def test_rank_classes_cover_every_rank_contiguously():
    for n in (1, 2, 4, 5, 6, 23, 36, 101):
        classes = rank_classes(n)
        assert classes[0].low == 1 and classes[-1].high == n
        assert all(a.high + 1 == b.low for a, b in zip(classes, classes[1:]))
        assert len(classes) == min(5, n)
    assert [c.label for c in rank_classes(3)] == ["rank 1", "rank 2", "rank 3"]
    root = _parse(vector_qml("links", n_links=23))
    ranges = root.find("renderer-v2/ranges")
    lows = [float(r.get("lower")) for r in ranges]
    highs = [float(r.get("upper")) for r in ranges]
    assert lows[0] == 0.5 and highs[-1] == 23.5 and highs[:-1] == lows[1:]


def test_few_distinct_values_get_one_named_class_each():
    values = np.array([[1, 1, 3], [20, 20, np.nan], [200, 3, 1]], dtype=np.float32)
    c = raster_classes(values, LAYER_STYLES["resistance"], names={1.0: "forest", 20.0: "water, bare"})
    assert c.mode == "discrete" and c.values == (1.0, 3.0, 20.0, 200.0)
    assert c.labels == ("1 (forest)", "3", "20 (water, bare)", "200")
    assert len(set(c.colours)) == 4  # neighbouring classes differ
    root = _parse(raster_qml("resistance", c))
    items = root.findall("pipe/rasterrenderer/rastershader/colorrampshader/item")
    assert [i.get("value") for i in items] == ["1.0", "3.0", "20.0", "inf"]  # QGIS: last discrete class open


def test_many_values_get_interpolated_stops_between_the_percentiles():
    rng = np.random.default_rng(0)
    v = rng.uniform(0, 100, 10_000)
    c = raster_classes(v, LAYER_STYLES["corridor_mosaic"], stops=5)
    assert c.mode == "interpolated" and len(c.values) == 5
    np.testing.assert_allclose([c.values[0], c.values[-1]], np.percentile(v, [2, 98]))
    np.testing.assert_allclose(np.diff(c.values), np.diff(c.values)[0])  # linear scale: even steps
    logc = raster_classes(v + 1, LAYER_STYLES["current_density"], stops=4)
    np.testing.assert_allclose(np.diff(np.log10(logc.values)), np.diff(np.log10(logc.values))[0])


def test_colourise_follows_the_shader_rules_by_hand():
    from corridors.pipeline.outputs.styles import RasterClasses

    interp = RasterClasses((0.0, 10.0), ("#000000", "#ff0080"), ("0", "10"), "interpolated")
    img = colourise(np.array([[0.0, 5.0, 10.0, 20.0, np.nan, -3.0]]), interp, nodata=-3.0)
    assert img[0, 0].tolist() == [0, 0, 0, 255]
    assert img[0, 1].tolist() == [128, 0, 64, 255]  # half way: 127.5 -> 128, 64
    assert img[0, 2].tolist() == img[0, 3].tolist() == [255, 0, 128, 255]  # clamped above
    assert img[0, 4, 3] == 0 and img[0, 5, 3] == 0  # NaN and nodata transparent
    disc = RasterClasses((1.0, 3.0, 20.0), ("#010101", "#030303", "#141414"), ("a", "b", "c"), "discrete")
    img = colourise(np.array([0.5, 1.0, 2.0, 3.0, 19.0, 20.0, 500.0]), disc, opacity=0.5)
    assert img[:, 0].tolist() == [1, 1, 3, 3, 20, 20, 20]  # first stop >= value; the last is open
    assert set(img[:, 3].tolist()) == {128}


def test_sld_has_one_rule_per_rank_class():
    ns = {"se": "http://www.opengis.net/se", "ogc": "http://www.opengis.net/ogc"}
    root = ET.fromstring(to_sld("links", n_links=23))
    rules = root.findall(".//se:Rule", ns)
    assert [r.findtext("se:Name", namespaces=ns) for r in rules] == [c.label for c in rank_classes(23)]
    assert all(r.find("se:LineSymbolizer", ns) is not None for r in rules)
    lows = [int(r.findtext(".//ogc:LowerBoundary/ogc:Literal", namespaces=ns)) for r in rules]
    assert lows == [c.low for c in rank_classes(23)]
    one = ET.fromstring(to_sld("gaps"))
    assert len(one.findall(".//se:Rule", ns)) == 1 and one.find(".//se:PolygonSymbolizer", ns) is not None
    assert isinstance(LAYER_STYLES["gaps"], VectorStyle)


def test_categorised_style_lists_each_class_in_qml_and_sld():
    from corridors.pipeline.outputs.styles import FLYWAY_SITE_CLASSES

    root = _parse(vector_qml("flyway_sites"))
    renderer = root.find("renderer-v2")
    assert renderer.get("type") == "categorizedSymbol" and renderer.get("attr") == "map_class"
    cats = renderer.findall("categories/category")
    assert [(c.get("value"), c.get("label")) for c in cats] == [(v, label) for v, _, label in FLYWAY_SITE_CLASSES]
    colours = {s.get("name"): s.find("layer/Option/Option[@name='color']").get("value")
               for s in renderer.findall("symbols/symbol")}
    for c, (_, hex_colour, _) in zip(cats, FLYWAY_SITE_CLASSES):
        r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
        assert colours[c.get("symbol")] == f"{r},{g},{b},255"
    sld = ET.fromstring(to_sld("flyway_sites"))
    ogc = "{http://www.opengis.net/ogc}"
    literals = [e.text for e in sld.iter(f"{ogc}Literal")]
    assert literals == [v for v, _, _ in FLYWAY_SITE_CLASSES]
    assert [e.text for e in sld.iter(f"{ogc}PropertyName")] == ["map_class"] * len(FLYWAY_SITE_CLASSES)


def test_a_style_is_graduated_or_categorised_not_both():
    with pytest.raises(InputError, match="exclude each other"):
        VectorStyle("x", "marker", "#000000", by_rank=True, categories=("f", (("a", "#ffffff", "a"),)))
