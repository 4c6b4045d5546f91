"""Shared fixtures for the rasters tests (small hand-made grids).

pytest runs with ``--import-mode=importlib``, so helpers are handed out as fixtures rather than
imported from this file.
"""

import numpy as np
import pytest
from affine import Affine

import rasters


def _make_grid(values, *, cell=1.0, x0=0.0, y0=None, crs=None, nodata=None, name="g"):
    """North-up grid with upper-left corner (x0, y0); y0 defaults to rows * cell (origin at 0, 0)."""
    values = np.asarray(values)
    if y0 is None:
        y0 = values.shape[0] * cell
    return rasters.Grid(values, Affine(cell, 0, x0, 0, -cell, y0), crs, nodata, name)


@pytest.fixture
def make_grid():
    return _make_grid
