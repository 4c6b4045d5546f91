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


def test_cells_to_polygon_by_strips_equals_one_pass(monkeypatch):
    """Runs found strip by strip (strips of 3 rows here) give the polygon of the runs of the
    whole mask, and cell_boxes over strips with their offsets gives the whole mask's boxes."""
    import vectors.polygonize as P
    from vectors import cell_boxes

    rng = np.random.default_rng(4)
    mask = rng.random((20, 9)) > 0.4
    t = Affine(10.0, 0, 1000.0, 0, -10.0, 5000.0)
    whole = cell_boxes(mask, t)
    by_strip = np.concatenate([cell_boxes(mask[i:i + 3], t, offset=(i, 0)) for i in range(0, 20, 3)])
    assert len(whole) == len(by_strip)
    assert all(shapely.equals_exact(a, b, 0.0) for a, b in zip(whole, by_strip))
    one = cells_to_polygon(mask, t)
    monkeypatch.setattr(P, "STRIP_CELLS", 27)  # 3 rows of 9 cells
    assert shapely.equals_exact(cells_to_polygon(mask, t), one, 0.0)
    assert one.area == mask.sum() * 100.0
    from vectors import strips_to_polygon

    given = strips_to_polygon(((i, mask[i:i + 4]) for i in range(0, 20, 4)), t)
    assert shapely.equals_exact(given, one, 0.0)
    assert strips_to_polygon(((i, np.zeros((4, 9), bool)) for i in range(0, 20, 4)), t).is_empty
