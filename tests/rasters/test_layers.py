"""Rasterising, burning lines and applying polygons, checked by hand and against shapely."""

import geopandas as gpd
import numpy as np
import pytest
import shapely
from affine import Affine
from scipy import ndimage
from shapely.geometry import LineString, Polygon, box

import rasters
from rasters.layers import _close_diagonal_gaps

NAN = np.nan
LAEA = "+proj=laea +lat_0=45 +lon_0=115 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"


def _base(rows=10, cols=10, value=1.0, cell=1.0, crs=None):
    v = np.full((rows, cols), value, dtype=np.float32)
    return rasters.Grid(v, Affine(cell, 0, 0, 0, -cell, rows * cell), crs, NAN, "base")


def _cell_boxes(g):
    r, c = np.mgrid[0 : g.height, 0 : g.width]
    x, y = g.xy(r.ravel(), c.ravel())
    h = g.res[0] / 2
    return shapely.box(x - h, y - h, x + h, y + h).reshape(g.shape), x.reshape(g.shape), y.reshape(g.shape)


def test_rasterize_centre_rule_and_all_touched_match_shapely():
    g = _base(12, 15)
    poly = Polygon([(1.3, 2.2), (9.7, 1.1), (13.4, 6.6), (7.1, 10.9), (2.2, 8.3)])
    boxes, x, y = _cell_boxes(g)
    centre = rasters.rasterize([poly], g, values=7)
    assert centre.dtype == np.int32 and centre.nodata is None
    np.testing.assert_array_equal(centre.values == 7, shapely.contains_xy(poly, x, y))
    np.testing.assert_array_equal(centre.values[centre.values != 7], 0)
    touched = rasters.rasterize(poly, g, all_touched=True, fill=-1, dtype=np.int16)
    # generic coordinates: touching means overlapping with positive area
    np.testing.assert_array_equal(touched.values == 1, shapely.area(shapely.intersection(boxes, poly)) > 0)
    assert touched.dtype == np.int16 and (touched.values[touched.values != 1] == -1).all()


def test_rasterize_per_geometry_values_later_wins():
    g = _base(4, 4)
    out = rasters.rasterize([box(0, 0, 4, 4), box(0, 0, 2, 2), None, Polygon()], g, values=[1.5, 2.5, 9, 9])
    expected = np.full((4, 4), 1.5)
    expected[2:, :2] = 2.5  # lower-left quarter (rows 2-3, cols 0-1)
    np.testing.assert_array_equal(out.values, expected)
    assert out.dtype == np.float64
    with pytest.raises(rasters.InputError, match="2 values for 1 geometries"):
        rasters.rasterize([box(0, 0, 1, 1)], g, values=[1, 2])


def test_layer_crs_must_match_the_grid():
    g = _base(crs=LAEA)
    layer = gpd.GeoSeries([LineString([(0, 0), (5, 5)])], crs="EPSG:4326")
    with pytest.raises(rasters.CRSError, match=r"'WGS 84' but grid 'base'.*to_crs"):
        rasters.burn_lines(g, layer, width=1, value=10)
    same = gpd.GeoDataFrame({"kind": ["road"]}, geometry=[LineString([(0, 5.5), (10, 5.5)])], crs=LAEA)
    out = rasters.burn_lines(g, same, width=0.5, value=10)
    assert (out.values[4] == 10).all() and np.count_nonzero(out.values == 10) == 10


def test_burn_width_by_hand():
    g = _base()
    road = LineString([(2.5, 5.5), (7.5, 5.5)])  # along row 4, centres x 2.5 .. 7.5
    narrow = rasters.burn_lines(g, [road], width=0.2, value=50)
    expected = np.ones((10, 10), np.float32)
    expected[4, 2:8] = 50  # round caps reach x 2.4 .. 7.6: cols 2..7
    np.testing.assert_array_equal(narrow.values, expected)
    wide = rasters.burn_lines(g, [road], width=2.2, value=50)
    # band y 4.4 .. 6.6 -> rows 3..5; caps x 1.4 .. 8.6 -> cols 1..8; the round cap still
    # reaches the corner cells (3, 1): its corner (2, 6) is 0.71 from the end (2.5, 5.5) < 1.1
    expected[3:6, 1:9] = 50
    np.testing.assert_array_equal(wide.values, expected)
    # oracle: cells whose square overlaps the buffer
    boxes, _, _ = _cell_boxes(g)
    hit = shapely.area(shapely.intersection(boxes, road.buffer(1.1))) > 0
    np.testing.assert_array_equal(wide.values == 50, hit)


def test_thin_diagonal_road_is_a_gap_free_barrier():
    g = _base(20, 20)
    for road in (LineString([(0, 20), (20, 0)]), LineString([(0.3, 19.1), (19.7, 2.2)])):
        out = rasters.burn_lines(g, [road], width=0.05, value="barrier")
        blocked = np.isnan(out.values)
        # 4-connected band: one component under 4-connectivity
        _, n4 = ndimage.label(blocked, structure=ndimage.generate_binary_structure(2, 1))
        assert n4 == 1
        # and it splits the open cells even for 8-neighbour (diagonal) moves
        _, n8 = ndimage.label(~blocked, structure=np.ones((3, 3)))
        assert n8 == 2
    # without the road the open cells are one piece (the check can fail)
    _, n8 = ndimage.label(np.ones((20, 20), bool), structure=np.ones((3, 3)))
    assert n8 == 1


def test_close_diagonal_gaps_by_hand():
    g = _base(3, 3)
    mask = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]], bool)
    line = LineString([(0, 3), (3, 0)])  # exactly through the corners: tie -> upper cell
    out = _close_diagonal_gaps(mask, line, g)
    np.testing.assert_array_equal(out, [[1, 1, 0], [0, 1, 1], [0, 0, 1]])
    # the nearer shared neighbour is chosen when the line passes off the corner
    low = LineString([(0, 2.8), (3, -0.2)])  # below the corners: fill the lower-left cells
    np.testing.assert_array_equal(_close_diagonal_gaps(mask, low, g), [[1, 0, 0], [1, 1, 0], [0, 1, 1]])
    anti = np.array([[0, 0, 1], [0, 1, 0], [1, 0, 0]], bool)
    np.testing.assert_array_equal(
        _close_diagonal_gaps(anti, LineString([(3, 3), (0, 0)]), g), [[0, 1, 1], [1, 1, 0], [1, 0, 0]]
    )


def test_line_rules_and_nodata():
    v = np.array([[1, 80, NAN], [5, 5, 5]], dtype=np.float32)
    g = rasters.Grid(v, Affine(1, 0, 0, 0, -1, 2), None, NAN, "r")
    top = [LineString([(0, 1.5), (3, 1.5)])]  # row 0
    np.testing.assert_array_equal(rasters.burn_lines(g, top, width=0.1, value=50).values, [[50, 80, NAN], [5, 5, 5]])
    np.testing.assert_array_equal(
        rasters.burn_lines(g, top, width=0.1, value=50, rule="set").values, [[50, 50, NAN], [5, 5, 5]]
    )
    np.testing.assert_array_equal(
        rasters.burn_lines(g, top, width=0.1, value=50, rule="add").values, [[51, 130, NAN], [5, 5, 5]]
    )
    np.testing.assert_array_equal(
        rasters.burn_lines(g, top, width=0.1, value="barrier").values, [[NAN, NAN, NAN], [5, 5, 5]]
    )
    with pytest.raises(rasters.ResistanceValueError, match="1 cells of r would end <= 0; first at row 0, col 0 .* value -9.0"):
        rasters.burn_lines(g, top, width=0.1, value=-10, rule="add")  # 1 - 10; 80 - 10 is fine
    with pytest.raises(rasters.InputError, match="barrier value only makes sense with rule max or set"):
        rasters.burn_lines(g, top, width=0.1, value="barrier", rule="add")
    with pytest.raises(rasters.InputError, match="width must be a positive number"):
        rasters.burn_lines(g, top, width=0, value=5)
    with pytest.raises(rasters.InputError, match="max, set, add"):
        rasters.burn_lines(g, top, width=1, value=5, rule="min")
    geo = rasters.Grid(v, Affine(0.1, 0, 100, 0, -0.1, 45), "EPSG:4326", NAN, "lonlat")
    with pytest.raises(rasters.CRSError, match="geographic"):
        rasters.burn_lines(geo, top, width=100, value=5)
    # integer input becomes float32 with its nodata as NaN
    ints = rasters.Grid(np.array([[1, 2], [0, 4]], np.int32), Affine(1, 0, 0, 0, -1, 2), None, 0, "ints")
    out = rasters.burn_lines(ints, [LineString([(0, 0.5), (2, 0.5)])], width=0.1, value=3)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.values, [[1, 2], [NAN, 4]])


def test_polygon_rules_by_hand():
    v = np.array([[1, 2, 3], [4, NAN, 6], [7, 8, 9]], dtype=np.float32)
    g = rasters.Grid(v, Affine(1, 0, 0, 0, -1, 3), None, NAN, "r")
    town = box(0.1, 1.1, 2.1, 2.9)  # centres of row 0..1 x cols 0..1 -> rows 0-1, cols 0-1
    np.testing.assert_array_equal(
        rasters.apply_polygons(g, [town], value=100).values, [[100, 100, 3], [100, NAN, 6], [7, 8, 9]]
    )
    np.testing.assert_array_equal(
        rasters.apply_polygons(g, town, value=10, rule="add").values, [[11, 12, 3], [14, NAN, 6], [7, 8, 9]]
    )
    np.testing.assert_array_equal(
        rasters.apply_polygons(g, town, value=0.5, rule="multiply").values, [[0.5, 1, 3], [2, NAN, 6], [7, 8, 9]]
    )
    np.testing.assert_array_equal(
        rasters.apply_polygons(g, town, value="barrier").values, [[NAN, NAN, 3], [NAN, NAN, 6], [7, 8, 9]]
    )
    # all_touched reaches the third column too (the box's right edge at x 2.1 crosses it)
    touched = rasters.apply_polygons(g, town, value=100, all_touched=True)
    np.testing.assert_array_equal(touched.values, [[100, 100, 100], [100, NAN, 100], [7, 8, 9]])
    with pytest.raises(rasters.ResistanceValueError, match=r"2 cells of r would end <= 0; first at row 0, col 0 \(x=0.5, y=2.5\)"):
        rasters.apply_polygons(g, town, value=-2, rule="add")  # 1-2 and 2-2 fail, 4-2 is fine
    with pytest.raises(rasters.ResistanceValueError, match="must be > 0 for rule 'multiply'"):
        rasters.apply_polygons(g, town, value=0, rule="multiply")
    with pytest.raises(rasters.InputError, match="set, add, multiply"):
        rasters.apply_polygons(g, town, value=2, rule="max")
