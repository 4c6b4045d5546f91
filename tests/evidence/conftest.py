"""Small simulated landscapes for the calibration tests (seconds, not minutes)."""

import numpy as np
import pytest
from affine import Affine
from scipy import ndimage

from rasters.grid import Grid


def simulated(seed, *, size=30, nsamples=25, truth=None, kind="cost", noise=0.2, pure_noise=False):
    """Land cover with 3 patchy classes, samples, and genetic distances from the true surface.

    Genetic distance = 0.5 x standardised landscape distance + per-sample effects (sd 0.2) +
    pair noise (sd ``noise``): the MLPE model itself; ``pure_noise`` replaces it by noise.
    """
    from corridors.evidence import landscape_distances

    truth = truth or {1: 1.0, 2: 5.0, 3: 25.0}
    rng = np.random.default_rng(seed)
    field = ndimage.gaussian_filter(rng.normal(size=(size, size)), 3)
    lc = (np.digitize(field, np.quantile(field, [0.4, 0.75])) + 1).astype(np.int16)
    grid = Grid(lc, Affine(1000, 0, 500_000, 0, -1000, 4_800_000), "EPSG:32652", None, "simulated land cover")
    cells = rng.choice(size * size, nsamples, replace=False)
    r, c = np.divmod(cells, size)
    x, y = grid.xy(r, c)
    res = np.vectorize(truth.get)(lc).astype(float)
    d = landscape_distances(res, cells, kind=kind, cellsize=1000.0)
    iu, ju = np.triu_indices(nsamples, 1)
    z = (d - d[iu, ju].mean()) / d[iu, ju].std()
    tau = rng.normal(scale=0.2, size=nsamples)
    g = rng.normal(size=(nsamples, nsamples)) if pure_noise else (
        0.5 * z + tau[:, None] + tau[None, :] + rng.normal(scale=noise, size=(nsamples, nsamples)))
    g = np.triu(g, 1)
    return grid, np.column_stack([x, y]), g + g.T


@pytest.fixture
def landscape():
    return simulated


DATA = __import__("pathlib").Path(__file__).parents[1] / "data" / "evidence"


def small_world():
    """Two countries (CHN west, RUS east of x = 500 km, EPSG:32652), two corridors, a resistance.

    Corridor 1 straddles the border around y = 4750 km, corridor 2 around y = 4710 km. The
    resistance is 50 except a cheap east-west band through corridor 1 (y 4745-4755 km) and two
    cheap north-south strips (x 445-455 km and 545-555 km) that lead to it from the north.
    """
    import geopandas as gpd
    import shapely

    crs = "EPSG:32652"
    countries = gpd.GeoDataFrame(
        {"iso3": ["CHN", "RUS"], "name": ["China", "Russia"]},
        geometry=[shapely.box(350_000, 4_650_000, 500_000, 4_850_000), shapely.box(500_000, 4_650_000, 650_000, 4_850_000)],
        crs=crs)
    corridors = gpd.GeoDataFrame(
        {"Link_ID": [1, 2], "From_PA": ["CN01", "CN02"], "To_PA": ["RU01", "RU02"]},
        geometry=[shapely.box(480_000, 4_740_000, 520_000, 4_760_000), shapely.box(480_000, 4_705_000, 520_000, 4_715_000)],
        crs=crs)
    x0, y_top, cell = 400_000, 4_800_000, 1000
    nrows, ncols = 100, 200
    res = np.full((nrows, ncols), 50.0, np.float32)
    yc = y_top - (np.arange(nrows) + 0.5) * cell
    xc = x0 + (np.arange(ncols) + 0.5) * cell
    band = (yc >= 4_745_000) & (yc <= 4_755_000)
    res[band, :] = 1.0
    north = yc >= 4_745_000
    for lo, hi in ((445_000, 455_000), (545_000, 555_000)):
        strip = (xc >= lo) & (xc <= hi)
        res[np.ix_(north, strip)] = 1.0
    grid = Grid(res, Affine(cell, 0, x0, 0, -cell, y_top), crs, None, "test resistance")
    return countries, corridors, grid


@pytest.fixture
def world():
    return small_world()
