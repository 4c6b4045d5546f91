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
