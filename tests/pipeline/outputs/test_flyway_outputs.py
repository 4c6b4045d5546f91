"""A flyway run's outputs in the real tools: its project in the system QGIS (headless) and its
report page in headless chromium. Skipped, with the reason, without QGIS or chromium."""

import shutil

import pytest

import vectors
from corridors.pipeline.outputs.styles import FLYWAY_SITE_CLASSES, LAYER_STYLES

pytestmark = pytest.mark.slow

SPECIES = "black_faced_spoonbill"  # the bird with a critical site at its nominal range


@pytest.fixture(scope="module")
def spoonbill(flyway_run):
    return flyway_run(SPECIES)


@pytest.fixture(scope="module")
def qgis_report(system_qgis, spoonbill, tmp_path_factory):
    out = tmp_path_factory.mktemp("qgis-flyway")
    return system_qgis.run("check_project.py", spoonbill.out, out)


def test_qgis_opens_every_layer_valid_attached_and_styled(qgis_report):
    assert qgis_report["read"]
    layers = qgis_report["layers"]
    assert qgis_report["tree_without_layer"] == []
    for name, layer in layers.items():
        assert layer["valid"] and layer["in_tree"] and layer["id_kept"], name
    sites = layers[LAYER_STYLES["flyway_sites"].title]
    assert sites["renderer"] == "categorizedSymbol" and sites["labels"]
    assert sites["colours"] == [colour for _, colour, _ in FLYWAY_SITE_CLASSES]
    legs = layers[LAYER_STYLES["flyway_legs"].title]
    assert legs["renderer"] == "singleSymbol" and legs["colours"] == [LAYER_STYLES["flyway_legs"].colour]
    assert LAYER_STYLES["resistance"].title not in layers  # no terrestrial raster in a flyway run


def test_geopackage_layers_arrive_styled_on_their_own(qgis_report):
    styles = qgis_report["gpkg_styles"]
    assert {"flyway_sites", "flyway_legs", "protected_areas", "borders", "countries"} <= set(styles)
    assert styles["flyway_sites"]["valid"] and styles["flyway_sites"]["renderer"] == "categorizedSymbol"
    assert styles["flyway_legs"]["colours"] == [LAYER_STYLES["flyway_legs"].colour]


def test_map_and_print_layout_render(qgis_report):
    render = qgis_report["render"]
    assert render["errors"] == [] and render["non_background_share"] > 0.05 and render["colours"] > 10
    (layout,) = qgis_report["layouts"]
    assert layout["png_ok"] and layout["pdf_ok"] and layout["pdf_bytes"] > 10_000
    assert layout["legend_rows"] >= 4


@pytest.fixture(scope="module")
def page(browser, spoonbill, tmp_path_factory):
    alone = tmp_path_factory.mktemp("alone-flyway") / "report.html"
    shutil.copy(spoonbill.out / "report.html", alone)
    browser.open(alone.as_uri())
    assert browser.js("window.corridorsReport && window.corridorsReport.ready") is True
    return browser


def test_report_loads_offline_without_console_errors(page):
    errors = [text for level, text in page.console if level in ("error", "assert")]
    assert not errors, errors
    assert not page.errors, page.errors
    outside = [u for u in page.requests if not u.startswith(("file:", "data:", "about:"))]
    assert not outside, outside


def test_report_map_holds_every_site_and_leg(page, spoonbill):
    gpkg = spoonbill.out / "corridors.gpkg"
    for layer in ("flyway_sites", "flyway_legs"):
        n = len(vectors.read_vector(gpkg, layer=layer))
        assert page.js(f"corridorsReport.features('{layer}')") == n, layer
        assert page.js(f"corridorsReport.drawn('{layer}')") == n, layer
    legend = page.js("document.getElementById('legend').textContent")
    for _, _, label in FLYWAY_SITE_CLASSES:
        assert label in legend
    # a critical site is drawn in its class's colour
    colour = dict((v, c) for v, c, _ in FLYWAY_SITE_CLASSES)["critical"]
    fills = page.js("Array.prototype.map.call(document.querySelectorAll('#map path.lyr-flyway_sites'), "
                    "function (p) { return p.getAttribute('fill'); })")
    assert fills.count(colour) == 1


def test_a_ranking_row_shows_its_site(page):
    page.js("document.querySelector('#table-ranking tbody tr[data-row=\"0\"]').click()")
    assert page.js("document.getElementById('selected').textContent") == "Selected site FW09"
    assert page.js("document.querySelector('#table-ranking tr.sel').dataset.link") == "FW09"
    text = page.js("(document.querySelector('#map .leaflet-popup-content') || {}).textContent || ''")
    assert "FW09" in text and "connections_lost" in text
