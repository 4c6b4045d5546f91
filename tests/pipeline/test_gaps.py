"""Gaps, pinch points and cell polygons against brute force and hand geometry."""

import geopandas as gpd
import numpy as np
import pytest
import shapely
from affine import Affine

from corridors.pipeline.gaps import mask_to_geometry, pinch_points, unprotected_stretches


def test_mask_to_geometry_matches_cell_union():
    rng = np.random.default_rng(0)
    mask = rng.random((13, 17)) > 0.55
    t = Affine(10.0, 0, 1000.0, 0, -10.0, 5000.0)
    geom = mask_to_geometry(mask, t, offset=(2, 3))
    # brute force: union of one box per cell
    boxes = []
    for r, c in zip(*np.nonzero(mask)):
        x0 = 1000.0 + (c + 3) * 10.0
        y1 = 5000.0 - (r + 2) * 10.0
        boxes.append(shapely.box(x0, y1 - 10.0, x0 + 10.0, y1))
    brute = shapely.union_all(boxes)
    assert geom.area == mask.sum() * 100.0
    assert shapely.symmetric_difference(geom, brute).area < 1e-6
    assert mask_to_geometry(np.zeros((3, 3), bool), t).is_empty


def test_pinch_points_by_hand():
    # 7 x 7 current map, window 3 (a cell must be the maximum of its 3 x 3 neighbourhood)
    cur = np.array([
        [9.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0],  # (0, 6): grid corner, padding counts as 0
        [9.0, 5.0, 0.0, 0.0, 0.0, 0.0, 0.0],  # (1, 1): the 9s beside it are outside the corridor
        [9.0, 0.0, 0.0, 0.0, 8.0, 0.0, 0.0],  # (2, 4): protected maximum, never reported
        [9.0, 0.0, 0.0, 7.0, 0.0, 0.0, 0.0],  # (3, 3): diagonal to 8 (window edge): suppressed
        [9.0, 0.0, 0.0, 0.0, 0.0, 6.0, 0.0],  # (4, 5): two rows from 8, just outside: kept
        [9.0, 4.0, 4.0, 0.0, 0.0, 0.0, 0.0],  # (5, 1) = (5, 2): plateau, both kept, by column
        [9.0, 0.0, 0.0, 0.0, 3.0, 0.0, np.nan],  # (6, 4): bottom edge; NaN counts as 0
    ])
    corridor = np.ones((7, 7), bool)
    corridor[:, 0] = False
    protected = np.zeros((7, 7), bool)
    protected[2, 4] = True
    want = [(4, 5, 6.0), (1, 1, 5.0), (5, 1, 4.0), (5, 2, 4.0), (6, 4, 3.0), (0, 6, 2.0)]
    assert pinch_points(cur, corridor, protected, window=3, top=10) == want
    # top cuts inside the plateau: the lower column goes first
    assert pinch_points(cur, corridor, protected, window=3, top=3) == want[:3]
    assert pinch_points(cur, corridor, protected, window=3, top=0) == []
    # unprotected, the 8 is the top pinch point
    assert pinch_points(cur, corridor, np.zeros((7, 7), bool), window=3, top=1) == [(2, 4, 8.0)]


def test_unprotected_stretches_by_hand():
    crs = "EPSG:3857"
    corr = gpd.GeoDataFrame({"Link_ID": [7], "Rank": [1]}, geometry=[shapely.box(0, 0, 10000, 2000)], crs=crs)
    pas = gpd.GeoDataFrame({"pa_id": ["A", "B"]}, geometry=[shapely.box(-5000, -5000, 2000, 5000),
                                                            shapely.box(8000, -5000, 15000, 5000)], crs=crs)
    countries = gpd.GeoDataFrame({"iso3": ["AAA", "BBB"]}, geometry=[shapely.box(-9e4, -9e4, 5000, 9e4),
                                                                     shapely.box(5000, -9e4, 9e4, 9e4)], crs=crs)
    g = unprotected_stretches(corr, pas, countries, min_area_km2=0.0)
    assert len(g) == 1
    assert g["Area_km2"].iloc[0] == 6000 * 2000 / 1e6
    assert g["Countries"].iloc[0] == "AAA;BBB"
    assert g["Link_ID"].iloc[0] == 7 and g["Gap_ID"].iloc[0] == 1
    assert len(unprotected_stretches(corr, pas, countries, min_area_km2=13.0)) == 0


def test_mask_to_geometry_refuses_rotated_transforms():
    from corridors.errors import InputError

    with pytest.raises(InputError, match="rotated grids are not supported"):
        mask_to_geometry(np.ones((2, 2), bool), Affine(10.0, 2.0, 0, 0, -10.0, 0))
