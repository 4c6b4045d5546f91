"""Gaps, pinch points and cell polygons against brute force and hand geometry."""

import geopandas as gpd
import numpy as np
import shapely
from affine import Affine
from scipy import ndimage

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


def test_pinch_points_are_local_maxima_outside_reserves():
    rng = np.random.default_rng(1)
    cur = rng.random((20, 20))
    corridor = np.ones((20, 20), bool)
    corridor[:, :3] = False
    protected = np.zeros((20, 20), bool)
    protected[15:, :] = True
    got = pinch_points(cur, corridor, protected, window=5, top=4)
    c = np.where(corridor, cur, 0.0)
    lm = (c == ndimage.maximum_filter(c, size=5, mode="constant")) & corridor & ~protected & (c > 0)
    r, k = np.nonzero(lm)
    order = np.argsort(-c[r, k])[:4]
    assert [(int(r[i]), int(k[i])) for i in order] == [(a, b) for a, b, _ in got]
    assert got[0][2] >= got[-1][2]


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
