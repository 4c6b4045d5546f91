"""Slope (Horn) against planes and an explicit loop, and the slope resistance formula."""

import math

import numpy as np
import pytest
from affine import Affine

import rasters

LAEA = "+proj=laea +lat_0=45 +lon_0=115 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"


def _plane(a, b, rows=7, cols=9, dx=30.0, dy=30.0, dtype=np.float64):
    """z = a * x + b * y sampled at cell centres of a north-up grid."""
    t = Affine(dx, 0, 1000.0, 0, -dy, 5000.0)
    g = rasters.Grid(np.zeros((rows, cols)), t, LAEA, None, "plane")
    r, c = np.mgrid[0:rows, 0:cols]
    x, y = g.xy(r, c)
    return g.with_values((a * x + b * y).astype(dtype))


@pytest.mark.parametrize("a,b,dx,dy", [(0.1, 0.0, 30, 30), (0.3, -0.4, 30, 30), (-0.05, 0.2, 20, 50), (0, 0, 10, 10)])
def test_slope_of_a_plane_is_atan_of_the_gradient_everywhere(a, b, dx, dy):
    g = _plane(a, b, dx=dx, dy=dy)
    s = rasters.slope_degrees(g)
    expected = math.degrees(math.atan(math.hypot(a, b)))
    assert s.dtype == np.float32 and np.isnan(s.nodata)
    # edges included: missing neighbours are extrapolated linearly
    np.testing.assert_allclose(s.values, expected, atol=1e-4)


def test_slope_next_to_holes_and_nodata_cells():
    g = _plane(0.3, -0.4)
    z = g.values.copy()
    z[3, 4] = -32768
    z[0:2, 0:2] = -32768
    h = g.with_values(z, nodata=-32768)
    s = rasters.slope_degrees(h)
    assert np.isnan(s.values[3, 4]) and np.isnan(s.values[0:2, 0:2]).all()
    np.testing.assert_allclose(s.values[h.valid_mask], math.degrees(math.atan(0.5)), atol=1e-4)


def _horn_loop(z, dx, dy):
    """Horn's slope written out cell by cell (interior cells only)."""
    out = np.full(z.shape, np.nan)
    for i in range(1, z.shape[0] - 1):
        for j in range(1, z.shape[1] - 1):
            a, b, c = z[i - 1, j - 1], z[i - 1, j], z[i - 1, j + 1]
            d, f = z[i, j - 1], z[i, j + 1]
            g, h, k = z[i + 1, j - 1], z[i + 1, j], z[i + 1, j + 1]
            dzdx = ((c + 2 * f + k) - (a + 2 * d + g)) / (8 * dx)
            dzdy = ((g + 2 * h + k) - (a + 2 * b + c)) / (8 * dy)
            out[i, j] = math.degrees(math.atan(math.sqrt(dzdx**2 + dzdy**2)))
    return out


def test_slope_matches_an_explicit_horn_loop_on_random_terrain():
    rng = np.random.default_rng(42)
    z = rng.normal(0, 50, (12, 14)).cumsum(axis=0).cumsum(axis=1)
    g = rasters.Grid(z, Affine(25, 0, 0, 0, -40, 0), LAEA, None, "dem")
    s = rasters.slope_degrees(g).values
    ref = _horn_loop(z, 25.0, 40.0)
    np.testing.assert_allclose(s[1:-1, 1:-1], ref[1:-1, 1:-1], rtol=1e-5)


def test_slope_resistance_formula():
    # a plane of 20 degrees: r = 1 + (20 / 10) ** 2 = 5
    g = _plane(math.tan(math.radians(20)), 0)
    r = rasters.slope_resistance(g)
    np.testing.assert_allclose(r.values, 5.0, rtol=1e-5)
    r1 = rasters.slope_resistance(g, reference_slope=40, power=1)
    np.testing.assert_allclose(r1.values, 1.5, rtol=1e-5)
    capped = rasters.slope_resistance(g, max_resistance=3)
    np.testing.assert_allclose(capped.values, 3.0)
    flat = rasters.slope_resistance(_plane(0, 0))
    np.testing.assert_array_equal(flat.values, 1.0)
    with pytest.raises(rasters.InputError, match="reference_slope must be > 0"):
        rasters.slope_resistance(g, reference_slope=0)
    with pytest.raises(rasters.InputError, match="max_resistance must be >= 1"):
        rasters.slope_resistance(g, max_resistance=0.5)


def test_slope_refuses_geographic_grids():
    g = rasters.Grid(np.zeros((3, 3)), Affine(0.1, 0, 100, 0, -0.1, 50), "EPSG:4326", None, "dem_lonlat.tif")
    with pytest.raises(rasters.CRSError, match="dem_lonlat.tif.*geographic.*rasters.reproject"):
        rasters.slope_degrees(g)


def test_slope_on_real_nea_elevation(test_data):
    dem = rasters.read(test_data.nea("elevation_m_laea5km.tif"))
    assert dem.dtype == np.int16 and dem.nodata == -32768
    s = rasters.slope_degrees(dem)
    np.testing.assert_array_equal(np.isnan(s.values), dem.nodata_mask)
    valid = s.values[~np.isnan(s.values)]
    assert valid.min() >= 0 and valid.max() < 45  # 5 km cells of smoothed terrain
    r = rasters.slope_resistance(dem)
    rasters.check_resistance(r)
    assert np.nanmin(r.values) >= 1.0
