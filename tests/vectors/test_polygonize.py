"""Cells to polygons against the union of one box per cell."""

import numpy as np
import pytest
import shapely
from affine import Affine

from vectors import cells_to_polygon


def test_cells_to_polygon_matches_cell_union():
    rng = np.random.default_rng(0)
    mask = rng.random((13, 17)) > 0.55
    t = Affine(10.0, 0, 1000.0, 0, -10.0, 5000.0)
    geom = cells_to_polygon(mask, t, offset=(2, 3))
    # brute force: union of one box per cell
    boxes = []
    for r, c in zip(*np.nonzero(mask)):
        x0 = 1000.0 + (c + 3) * 10.0
        y1 = 5000.0 - (r + 2) * 10.0
        boxes.append(shapely.box(x0, y1 - 10.0, x0 + 10.0, y1))
    brute = shapely.union_all(boxes)
    assert geom.area == mask.sum() * 100.0
    assert shapely.symmetric_difference(geom, brute).area < 1e-6
    assert cells_to_polygon(np.zeros((3, 3), bool), t).is_empty


def test_cells_to_polygon_refuses_rotated_transforms():
    from rasters.errors import InputError

    with pytest.raises(InputError, match="rotated grids are not supported"):
        cells_to_polygon(np.ones((2, 2), bool), Affine(10.0, 2.0, 0, 0, -10.0, 0))
