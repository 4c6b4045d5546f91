"""rasterize_cores on a hand-made grid (expected array written out) and against shapely."""

import logging

import geopandas as gpd
import numpy as np
import pytest
import shapely
from affine import Affine
from shapely.geometry import box

import vectors
from corridors.errors import CRSError
from rasters.grid import Grid

LAEA = "+proj=laea +lat_0=45 +lon_0=115 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
# 6 rows x 8 cols of 10 m; x 0..80, y 0..60; row 0 is y 50..60
TEMPLATE = Grid(np.zeros((6, 8), np.uint8), Affine(10, 0, 0, 0, -10, 60), LAEA, None, "template")


def pas(rows):
    return gpd.GeoDataFrame({"pa_id": [r[0] for r in rows], "iso3": "AAA"},
                            geometry=[r[1] for r in rows], crs=LAEA)


def test_hand_grid_nested_tiny_and_outside(caplog):
    layer = pas([
        ("P1", box(0, 0, 40, 60)),       # cols 0-3, all rows
        ("P2", box(10, 20, 30, 40)),     # nested: rows 2-3, cols 1-2 (smaller wins)
        ("P3", box(52, 12, 54, 14)),     # smaller than a cell: cell (4, 5)
        ("P4", box(31, 51, 33, 53)),     # tiny, inside P1: takes cell (0, 3)
        ("P5", box(100, 100, 101, 101)),  # outside the grid: lost, reported
    ])
    with caplog.at_level(logging.WARNING, logger="corridors"):
        cores = vectors.rasterize_cores(layer, TEMPLATE)
    expected = np.array([
        [1, 1, 1, 4, 0, 0, 0, 0],
        [1, 1, 1, 1, 0, 0, 0, 0],
        [1, 2, 2, 1, 0, 0, 0, 0],
        [1, 2, 2, 1, 0, 0, 0, 0],
        [1, 1, 1, 1, 0, 3, 0, 0],
        [1, 1, 1, 1, 0, 0, 0, 0],
    ], dtype=np.int32)
    np.testing.assert_array_equal(cores.grid.values, expected)
    assert cores.grid.dtype == np.int16  # 2 bytes a cell (int32 beyond 32,767 reserves)
    assert vectors.cores.core_dtype(40000) == np.int32
    assert cores.grid.transform == TEMPLATE.transform and cores.grid.crs == TEMPLATE.crs
    assert cores.pa_ids == ("P1", "P2", "P3", "P4", "P5")
    assert list(cores.cells) == [19, 4, 1, 1, 0]
    assert cores.lost == ("P5",)
    assert "P5" in caplog.text
    assert cores.core_id("P3") == 3 and cores.mask("P2").sum() == 4


def test_equal_area_overlap_goes_to_earlier_row():
    layer = pas([("A", box(0, 0, 20, 20)), ("B", box(10, 0, 30, 20))])
    v = vectors.rasterize_cores(layer, TEMPLATE).grid.values
    assert v[5, 1] == 1 and v[5, 2] == 2 and v[5, 0] == 1  # cols 0-1 A, col 2 B
    assert v[4, 1] == 1


def test_matches_cell_centres_in_polygon():
    # independent oracle: a cell is in the core iff shapely says its centre is inside
    circle = shapely.Point(41, 29).buffer(23, quad_segs=32)
    cores = vectors.rasterize_cores(pas([("C", circle)]), TEMPLATE)
    rows, cols = np.indices(TEMPLATE.shape)
    x, y = TEMPLATE.xy(rows, cols)
    inside = shapely.contains_xy(circle, x, y)
    np.testing.assert_array_equal(cores.grid.values == 1, inside)


def test_crs_mismatch_is_refused():
    with pytest.raises(CRSError, match="to_crs"):
        vectors.rasterize_cores(pas([("A", box(0, 0, 1, 1))]).set_crs(3857, allow_override=True), TEMPLATE)
