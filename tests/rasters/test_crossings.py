"""Crossings: a gap opened in a burnt road or fence, checked by hand and by connectivity."""

import numpy as np
import pytest
import shapely
from affine import Affine
from shapely.geometry import LineString, Point

import corridors
import rasters

NAN = np.nan


def _grid(rows=10, cols=10, value=1.0, cell=1.0):
    v = np.full((rows, cols), value, dtype=np.float32)
    return rasters.Grid(v, Affine(cell, 0, 0, 0, -cell, rows * cell), None, NAN, "base")


def test_one_cell_gap_in_a_vertical_fence_by_hand():
    base = _grid()
    base = base.with_values(np.where(np.arange(10)[None, :] < 5, 1.0, 3.0).repeat(10, 0).astype(np.float32))
    fence = LineString([(5.5, 0), (5.5, 10)])  # through the centres of column 5
    burnt = rasters.burn_lines(base, [fence], width=0.2, value="barrier")
    assert np.isnan(burnt.values[:, 5]).all() and np.isfinite(burnt.values[:, [4, 6]]).all()
    out = rasters.open_crossings(burnt, base, [Point(5.5, 4.5)], [fence], width=0.1, line_widths=0.2)
    want = burnt.values.copy()
    want[5, 5] = 3.0  # row 5 spans y 4..5; the land-cover value comes back
    np.testing.assert_array_equal(out.resistance.values, want)
    (c,) = out.crossings
    assert c.cells == 1 and c.distance == 0.0 and c.line == 0
    assert c.snapped.equals(Point(5.5, 4.5))


def test_gap_width_along_the_line():
    base = _grid()
    fence = LineString([(5.5, 0), (5.5, 10)])
    burnt = rasters.burn_lines(base, [fence], width=0.2, value="barrier")
    # 2.6 wide around y = 4.5: y 3.2 .. 5.8 -> rows 4, 5, 6; a point 0.3 off the line snaps to it
    out = rasters.open_crossings(burnt, base, Point(5.8, 4.5), [fence], width=2.6, line_widths=0.2)
    opened = np.isnan(burnt.values) & np.isfinite(out.resistance.values)
    assert sorted(zip(*np.nonzero(opened))) == [(4, 5), (5, 5), (6, 5)]
    assert out.crossings[0].distance == pytest.approx(0.3)


@pytest.mark.parametrize("angle", [0, 17, 30, 45, 60, 89])
@pytest.mark.parametrize("line_width", [0.3, 1.7])
def test_gap_opens_the_band_at_any_angle(angle, line_width):
    """A barrier line across the grid separates its two sides; one crossing of a tenth of a cell
    reconnects them with 4 neighbours (and so with 8), through few cells."""
    n = 31
    base = _grid(n, n)
    t = np.radians(angle)
    c = np.array([n / 2 + 0.13, n / 2 + 0.07])
    d = np.array([np.cos(t), np.sin(t)])
    line = LineString([tuple(c - 40 * d), tuple(c + 40 * d)])
    burnt = rasters.burn_lines(base, [line], width=line_width, value="barrier")
    # one cell on each side, 5 cells from the line along its normal
    nrm = np.array([-d[1], d[0]])
    pa, pb = c + 5 * nrm, c - 5 * nrm
    ra, ca = burnt.rowcol(*pa)
    rb, cb = burnt.rowcol(*pb)
    src = np.zeros((n, n), bool)
    src[ra, ca] = True
    for nb in (4, 8):
        assert np.isinf(corridors.cost_distance(burnt.values, src, neighbours=nb)[rb, cb])
    p = Point(*(c + 3.3 * d))  # a point on the line away from the centre
    out = rasters.open_crossings(burnt, base, [p], [line], width=0.1, line_widths=line_width)
    for nb in (4, 8):
        assert np.isfinite(corridors.cost_distance(out.resistance.values, src, neighbours=nb)[rb, cb])
    opened = np.isnan(burnt.values) & np.isfinite(out.resistance.values)
    assert 1 <= opened.sum() <= 2 * (line_width + 3)  # a strip across the band, not a hole
    # every opened cell lies near the crossing point
    rr, cc = np.nonzero(opened)
    x, y = out.resistance.xy(rr, cc)
    assert np.all(np.hypot(x - p.x, y - p.y) <= line_width / 2 + 2 * np.sqrt(2) + 0.1)


def test_crossing_restores_the_underlying_value_not_a_constant():
    base = _grid(5, 5).with_values(np.arange(25, dtype=np.float32).reshape(5, 5) + 1)
    road = LineString([(0, 2.5), (5, 2.5)])  # along row 2
    burnt = rasters.burn_lines(base, [road], width=0.2, value=500.0, rule="add")
    out = rasters.open_crossings(burnt, base, [Point(1.5, 2.5)], [road], width=0.1, line_widths=0.2)
    assert out.resistance.values[2, 1] == base.values[2, 1]
    assert out.resistance.values[2, 2] == base.values[2, 2] + 500.0


def test_crossing_errors():
    base = _grid()
    fence = LineString([(5.5, 0), (5.5, 10)])
    burnt = rasters.burn_lines(base, [fence], width=0.2, value="barrier")
    with pytest.raises(rasters.InputError, match=r"from the nearest road or fence.*CRS"):
        rasters.open_crossings(burnt, base, [Point(9.5, 4.5)], [fence], width=1, line_widths=0.2)
    with pytest.raises(rasters.InputError, match="no road or fence"):
        rasters.open_crossings(burnt, base, [Point(5.5, 4.5)], [], width=1, line_widths=[])
    with pytest.raises(rasters.InputError, match="Point"):
        rasters.open_crossings(burnt, base, [shapely.box(5, 4, 6, 5)], [fence], width=1, line_widths=0.2)
    with pytest.raises(rasters.InputError, match="width"):
        rasters.open_crossings(burnt, base, [Point(5.5, 4.5)], [fence], width=0, line_widths=0.2)
    with pytest.raises(rasters.InputError, match="line width"):
        rasters.open_crossings(burnt, base, [Point(5.5, 4.5)], [fence], width=1, line_widths=[1, 2])
