"""The default run's project in a real QGIS (the system's, headless): every layer valid, attached
to the layer tree and styled, every GeoPackage layer styled from its ``layer_styles`` table, the
map renders non-blank and the print layout exports. Skipped, with the reason, without QGIS."""

import xml.etree.ElementTree as ET

import pytest

from corridors.pipeline.outputs.styles import LAYER_STYLES, RasterStyle, rank_classes

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def qgis_report(system_qgis, default_run, tmp_path_factory):
    out = tmp_path_factory.mktemp("qgis")
    report = system_qgis.run("check_project.py", default_run.out, out)
    report["out"] = out
    return report


def _expected_layers(run_dir):
    root = ET.parse(run_dir / "corridors.qgs").getroot()
    return {ml.findtext("layername"): ml for ml in root.iter("maplayer")}


def test_every_layer_is_valid_attached_and_keeps_its_id(qgis_report, default_run):
    expected = _expected_layers(default_run.out)
    assert qgis_report["read"]
    layers = qgis_report["layers"]
    assert sorted(layers) == sorted(expected)
    for name, layer in layers.items():
        assert layer["valid"], name
        assert layer["in_tree"], f"{name} is not attached to the layer tree"
        assert layer["id_kept"], f"QGIS gave {name} a new id"
    assert qgis_report["tree_without_layer"] == []
    assert {"Links (least-cost paths) by rank", "Gaps (unprotected corridor stretches)"} <= set(layers)


def test_layers_are_styled_as_written(qgis_report, default_run):
    n_links = len(default_run.ranking)
    by_title = {s.title: (n, s) for n, s in LAYER_STYLES.items()}
    for title, layer in qgis_report["layers"].items():
        if title not in by_title:  # an attribute table without geometry: no symbology to check
            assert title in {"link_countries"}, title
            continue
        name, style = by_title[title]
        if isinstance(style, RasterStyle):
            assert layer["renderer"] == "singlebandpseudocolor", name
            assert layer["stops"] >= 2 and layer["legend"], name
            continue
        if style.by_rank:
            assert layer["renderer"] == "graduatedSymbol", name
            classes = rank_classes(n_links)
            assert layer["colours"] == [c.colour for c in classes], name
            assert layer["classes"] == [[c.low - 0.5, c.high + 0.5] for c in classes], name
        else:
            assert layer["renderer"] == "singleSymbol" and layer["colours"] == [style.colour], name
        assert layer["labels"] == (style.label is not None), name
    resistance = qgis_report["layers"][LAYER_STYLES["resistance"].title]
    assert any("(forest)" in label for label in resistance["legend"])


def test_every_geopackage_layer_gets_its_default_style_from_the_file(qgis_report):
    styles = qgis_report["gpkg_styles"]
    assert set(styles) >= {"links", "gaps", "corridors", "protected_areas", "water", "countries"}
    for table, info in styles.items():
        assert info["valid"] and info["styles_in_db"] >= 1, table
        style = LAYER_STYLES[table]
        assert info["renderer"] == ("graduatedSymbol" if style.by_rank else "singleSymbol"), table
        if not style.by_rank:
            assert info["colours"] == [style.colour], table


def test_map_and_print_layout_render_non_blank(qgis_report):
    render = qgis_report["render"]
    assert render["errors"] == []
    assert render["non_background_share"] > 0.5 and render["colours"] > 50
    (layout,) = qgis_report["layouts"]
    assert layout["png_ok"] and layout["pdf_ok"] and layout["pdf_bytes"] > 10_000
    for kind in ("QgsLayoutItemMap", "QgsLayoutItemLegend", "QgsLayoutItemScaleBar", "QgsLayoutItemPicture"):
        assert kind in layout["items"]
    assert layout["items"].count("QgsLayoutItemLabel") == 2  # title and sources
    assert layout["legend_rows"] >= 8
    assert layout["non_background_share"] > 0.2
