"""A tiny two-country landscape run through the whole main job, for hand-checked stage tests.

30 x 40 cells of 1 km, uniform forest (resistance 1 in the generalist profile); Russia west of
x = 20 km, China east of it; reserve RA (rows 10-14, cols 2-6) in Russia, reserve CB (rows
10-14, cols 33-37) in China. The one link runs straight along a row from col 6 to col 33 and
crosses the border between cols 19 and 20.
"""

import geopandas as gpd
import numpy as np
import pytest
import shapely
from affine import Affine

import rasters
import vectors

CELL = 1000.0
X0, Y0 = 500_000.0, 4_600_000.0  # UTM 52N
CRS = "EPSG:32652"
SHAPE = (30, 40)
BORDER_X = X0 + 20 * CELL


def _box(r0, r1, c0, c1):
    """Polygon covering rows r0..r1-1 and cols c0..c1-1."""
    return shapely.box(X0 + c0 * CELL, Y0 - r1 * CELL, X0 + c1 * CELL, Y0 - r0 * CELL)


@pytest.fixture(scope="session")
def two_country_world(tmp_path_factory):
    d = tmp_path_factory.mktemp("two_country")
    lc = rasters.Grid(np.ones(SHAPE, np.uint8), Affine(CELL, 0, X0, 0, -CELL, Y0), CRS, 255, "landcover")
    rasters.write(lc, d / "landcover.tif")
    countries = gpd.GeoDataFrame({"iso3": ["RUS", "CHN"], "name": ["Russia", "China"]},
                                 geometry=[_box(-5, 35, -5, 20), _box(-5, 35, 20, 45)], crs=CRS)
    vectors.write_layers(d / "countries.gpkg", {"countries": countries})
    pas = gpd.GeoDataFrame({"pa_id": ["RA", "CB"], "name": ["Reserve A", "Reserve B"], "iso3": ["RUS", "CHN"]},
                           geometry=[_box(10, 15, 2, 7), _box(10, 15, 33, 38)], crs=CRS)
    vectors.write_layers(d / "pas.gpkg", {"pas": pas})
    (d / "scenario.toml").write_text(
        'name = "two-country"\n[inputs]\nlandcover = "landcover.tif"\nprotected_areas = "pas.gpkg"\n'
        'countries = "countries.gpkg"\n[parameters]\ncorridor_width = 3000\nmax_cost_distance = 100000\n'
        '[outputs]\nreport = false\n', encoding="utf-8")
    from corridors.pipeline import run_scenario

    result = run_scenario(d / "scenario.toml", d / "out", progress=False)
    return d, result
