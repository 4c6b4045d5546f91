"""Border permeability of adjoining reserves and the towns' pressure on a corridor, by hand."""

import geopandas as gpd
import numpy as np
import pytest
import shapely

from corridors.pipeline.stages.adjoining import border_steps
from corridors.pipeline.stages.pressure import town_exposure


def test_border_steps_by_hand():
    lab = np.array([[1, 1, 2],
                    [1, 1, 2]])
    res = np.array([[1.0, 3.0, 1.0],
                    [1.0, np.nan, 5.0]])
    t = border_steps(lab, res, neighbours=8)
    assert t[["a", "b", "n_steps", "n_open"]].values.tolist() == [[1, 2, 4, 2]]
    # steps between (col 1, col 2): (0,1)-(0,2) open, mean 2; (1,1)-(1,2) closed (NaN);
    # diagonals (0,1)-(1,2) open, mean 4; (1,1)-(0,2) closed
    assert t["conductance"].iloc[0] == pytest.approx(1 / 2 + 1 / 4)
    assert t["mean_res"].iloc[0] == pytest.approx(3.0)
    four = border_steps(lab, res, neighbours=4)
    assert four[["n_steps", "n_open"]].values.tolist() == [[2, 1]]


def test_a_fence_closes_every_step():
    lab = np.array([[1, 1, 2, 2]] * 3)
    res = np.ones((3, 4))
    res[:, 1] = np.nan  # a fence on the last column of reserve 1
    t = border_steps(lab, res)
    assert t["n_open"].iloc[0] == 0 and t["conductance"].iloc[0] == 0.0
    res[1, 1] = 1.0  # one crossing cell
    t = border_steps(lab, res)
    assert t["n_open"].iloc[0] == 3  # straight and two diagonals through the crossing cell


def test_town_exposure_by_hand():
    corridor = shapely.box(0, 0, 1000, 1000)
    towns = gpd.GeoDataFrame({"population": [1000.0, 5000.0, 1e6]},
                             geometry=[shapely.Point(500, 500), shapely.Point(3000, 500),
                                       shapely.Point(500, 500_000)], crs="EPSG:3857")
    e = town_exposure(corridor, towns, 1000.0)
    # inside: 1000; 2 km from the edge: 5000 e^-2; the third is beyond 10 x 1 km: left out
    assert e == pytest.approx(1000 + 5000 * np.exp(-2.0))
    assert town_exposure(corridor, None, 1000.0) == 0.0
