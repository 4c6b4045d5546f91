"""The report: one self-contained page that works offline in a real (headless) browser, its map
interactive and holding every feature; display rasters reduced as documented."""

import re
import shutil

import numpy as np
import pytest

from corridors.pipeline.outputs.report import display_raster


def test_display_raster_reduces_blocks_by_hand():
    v = np.arange(1, 31, dtype=np.float32).reshape(5, 6)
    v[0, 0] = np.nan
    picked, k = display_raster(v, "pick", limit=3)
    assert k == 2 and np.array_equal(picked, v[::2, ::2], equal_nan=True)
    top, _ = display_raster(v, "max", limit=3)
    # blocks of 2 x 2, the last row of blocks has one row
    assert top.tolist() == [[8, 10, 12], [20, 22, 24], [26, 28, 30]]
    low, _ = display_raster(v, "min", limit=3)
    assert low.tolist() == [[2, 3, 5], [13, 15, 17], [25, 27, 29]]  # NaN left out of its block
    nan_block = np.full((4, 4), np.nan, dtype=np.float32)
    assert np.isnan(display_raster(nan_block, "max", limit=2)[0]).all()
    same, k1 = display_raster(v, "max", limit=10)
    assert k1 == 1 and same is v


def test_page_is_self_contained(default_run):
    text = (default_run.out / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"<(script|img|iframe|link)[^>]+(src|href)\s*=\s*['\"](?!data:)", text, re.I)
    assert not re.search(r"url\(\s*['\"]?(?!data:|#)", text)  # CSS images inline (VML's #default excepted)
    assert "<script type='application/json' id='report-data'>" in text


@pytest.fixture(scope="module")
def page(browser, default_run, tmp_path_factory):
    # the page alone in an empty folder: it must need nothing beside it
    alone = tmp_path_factory.mktemp("alone") / "report.html"
    shutil.copy(default_run.out / "report.html", alone)
    browser.open(alone.as_uri())
    assert browser.js("window.corridorsReport && window.corridorsReport.ready") is True
    return browser


def test_loads_offline_without_console_errors(page):
    errors = [text for level, text in page.console if level in ("error", "assert")]
    assert not errors, errors
    assert not page.errors, page.errors
    outside = [u for u in page.requests if not u.startswith(("file:", "data:", "about:"))]
    assert not outside, outside


def test_map_holds_every_feature(page, default_run):
    import vectors

    gpkg = default_run.out / "corridors.gpkg"
    for layer in ("links", "protected_areas", "border_reserves", "corridors", "gaps", "pinch_points"):
        n = len(vectors.read_vector(gpkg, layer=layer))
        assert page.js(f"corridorsReport.features('{layer}')") == n, layer
    assert page.js("corridorsReport.drawn('links')") == len(default_run.ranking)
    import pyogrio

    n_pas = len(pyogrio.read_dataframe(default_run.out / "corridors.gpkg", layer="protected_areas"))
    assert page.js("corridorsReport.drawn('protected_areas')") == n_pas
    assert page.js("document.querySelectorAll('#map img.lyr-resistance').length") == 1
    assert page.js("document.querySelectorAll('.leaflet-container').length") == page.js("corridorsReport.maps")


def _point_on_a_link(page):
    """Viewport coordinates of the middle of the longest drawn link path."""
    return page.js("""(function () {
        var best = Array.prototype.reduce.call(document.querySelectorAll('#map path.lyr-links'),
            function (a, p) { return a && a.getTotalLength() >= p.getTotalLength() ? a : p; }, null);
        var pt = best.getPointAtLength(best.getTotalLength() / 2), m = best.getScreenCTM();
        return [pt.x * m.a + pt.y * m.c + m.e, pt.x * m.b + pt.y * m.d + m.f];
    })()""")


def test_clicking_a_link_shows_its_attributes(page):
    page.js("document.getElementById('map').scrollIntoView({block: 'start'})")
    x, y = _point_on_a_link(page)
    assert page.js("document.querySelectorAll('.leaflet-popup').length") == 0
    page.click(x, y)
    text = page.js("(document.querySelector('#map .leaflet-popup-content') || {}).textContent || ''")
    assert "Link_ID" in text and "CW_Dist" in text and "Eff_Resist" in text, text
    lid = page.js("document.getElementById('selected').textContent")
    assert lid.startswith("Selected link ")
    link_id = lid.split()[-1]
    shown = page.js("Array.prototype.find.call(document.querySelectorAll('#map .leaflet-popup-content th'), "
                    "function (th) { return th.textContent === 'Link_ID'; }).nextSibling.textContent")
    assert shown == link_id
    # the ranking row of that link is highlighted
    assert page.js("document.querySelector('#table-ranking tr.sel').dataset.link") == link_id


def test_ranking_row_zooms_to_its_link_and_columns_sort(page, default_run):
    before = page.js("corridorsReport.zoom()")
    page.js("document.querySelector('#table-ranking tbody tr[data-row=\"4\"]').click()")
    assert page.js("corridorsReport.zoom()") > before
    fifth = int(default_run.ranking.sort_values("Rank")["Link_ID"].iloc[4])
    assert page.js("document.getElementById('selected').textContent") == f"Selected link {fifth}"
    # sort the ranking by score, ascending then descending
    col = page.js("Array.prototype.map.call(document.querySelectorAll('#table-ranking th'), function (t) "
                  "{ return t.textContent; }).indexOf('Score')")
    page.js(f"document.querySelectorAll('#table-ranking th')[{col}].click()")
    scores = page.js(f"Array.prototype.map.call(document.querySelectorAll('#table-ranking tbody tr'), function (tr) "
                     f"{{ return parseFloat(tr.cells[{col}].textContent); }})")
    assert scores == sorted(scores)
    page.js(f"document.querySelectorAll('#table-ranking th')[{col}].click()")
    ranks = page.js("Array.prototype.map.call(document.querySelectorAll('#table-ranking tbody tr'), function (tr) "
                    "{ return parseInt(tr.cells[0].textContent); })")
    assert ranks == sorted(ranks)  # highest score first = rank order


def test_layer_toggle_and_zoom_control(page):
    n = page.js("corridorsReport.drawn('links')")
    box = page.js("""(function () {
        var labels = document.querySelectorAll('.leaflet-control-layers-overlays label');
        var hit = Array.prototype.find.call(labels, function (l) { return l.textContent.indexOf('Links') >= 0; });
        return !!hit && (hit.querySelector('input').click(), true);
    })()""")
    assert box is True
    assert page.js("corridorsReport.drawn('links')") == 0
    page.js("Array.prototype.find.call(document.querySelectorAll('.leaflet-control-layers-overlays label'), "
            "function (l) { return l.textContent.indexOf('Links') >= 0; }).querySelector('input').click()")
    assert page.js("corridorsReport.drawn('links')") == n
    page.js("corridorsReport.map.setZoom(3, {animate: false}), 0")
    zoomed = page.js("""new Promise(function (ok) {
        corridorsReport.map.once('zoomend', function () { ok(corridorsReport.zoom()); });
        document.querySelector('#map .leaflet-control-zoom-in').click();
        setTimeout(function () { ok(corridorsReport.zoom()); }, 5000);
    })""")
    assert zoomed == 4


def test_blend_composites_over_by_hand():
    from corridors.pipeline.outputs.report import _blend

    red = np.array([[[255, 0, 0, 255], [0, 0, 0, 0]]], dtype=np.uint8)
    blue = np.array([[[0, 0, 255, 128], [0, 0, 255, 128]]], dtype=np.uint8)
    out = _blend([red, blue])
    a = 128 / 255
    assert out[0, 0].tolist() == [round(255 * (1 - a)), 0, round(255 * a), 255]
    assert out[0, 1].tolist() == [0, 0, 255, 128]  # over nothing: the top layer as it is
    assert _blend([red]) is red
