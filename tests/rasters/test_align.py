"""Resampling onto a template and reprojection, against hand values and pyproj."""

import numpy as np
import pytest
from affine import Affine
from pyproj import Transformer

import rasters

LAEA = "+proj=laea +lat_0=45 +lon_0=115 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"


def _ramp():
    """4 x 4 grid, cell 1, origin (0, 0) at the lower-left, value = 10 * row + col."""
    r, c = np.mgrid[0:4, 0:4]
    return rasters.Grid((10 * r + c).astype(np.float32), Affine(1, 0, 0, 0, -1, 4), LAEA, np.nan, "ramp")


def _template(x0, y0, shape=(3, 3), cell=1.0, crs=LAEA):
    return rasters.Grid(np.zeros(shape, np.uint8), Affine(cell, 0, x0, 0, -cell, y0), crs, None, "template")


def test_nearest_and_bilinear_against_hand_values():
    # template cell (i, j) has its centre at source position (row i + 0.25, col j + 0.25)
    t = _template(0.25, 3.75)
    i, j = np.mgrid[0:3, 0:3]
    near = rasters.resample_to(_ramp(), t, resampling="nearest")
    np.testing.assert_array_equal(near.values, 10 * i + j)
    bil = rasters.resample_to(_ramp(), t, resampling="bilinear")
    # bilinear of a linear ramp is the ramp itself at the fractional position
    np.testing.assert_allclose(bil.values, 10 * (i + 0.25) + (j + 0.25), rtol=0, atol=1e-5)
    assert bil.transform == t.transform and rasters.crs_equal(bil.crs, t.crs)
    # halfway between four centres: their mean
    mid = rasters.resample_to(_ramp(), _template(0.5, 3.5), resampling="bilinear")
    np.testing.assert_allclose(mid.values, 10 * (i + 0.5) + (j + 0.5), atol=1e-5)


def test_nearest_upsampling_repeats_cells():
    src = rasters.Grid(np.arange(1, 10, dtype=np.uint8).reshape(3, 3), Affine(2, 0, 0, 0, -2, 6), LAEA, 0, "coarse")
    out = rasters.resample_to(src, _template(0, 6, shape=(6, 6)))
    np.testing.assert_array_equal(out.values, np.kron(src.values, np.ones((2, 2), np.uint8)))
    assert out.dtype == np.uint8 and out.nodata == 0


def test_bilinear_on_integers_gives_float32():
    src = _ramp().with_values(_ramp().values.astype(np.int16), nodata=-1)
    out = rasters.resample_to(src, _template(0.5, 3.5), resampling="bilinear")
    assert out.dtype == np.float32 and np.isnan(out.nodata)
    assert out.values[0, 0] == pytest.approx(5.5)


def test_cells_outside_the_source_are_nodata():
    big = _template(-1, 5, shape=(6, 6))
    f = rasters.resample_to(_ramp(), big)
    assert np.isnan(f.values[0]).all() and np.isnan(f.values[:, 0]).all()
    np.testing.assert_array_equal(f.values[1:5, 1:5], _ramp().values)
    # integer source without nodata: the dtype's extreme marks outside cells, and is recorded
    u8 = rasters.Grid(_ramp().values.astype(np.uint8), _ramp().transform, LAEA, None, "u8")
    o = rasters.resample_to(u8, big)
    assert o.nodata == 255 and (o.values[0] == 255).all()
    assert o.nodata_mask.sum() == 36 - 16
    # nodata cells of the source stay nodata
    holes = _ramp().with_values(np.where(_ramp().values == 11, np.nan, _ramp().values).astype(np.float32))
    h = rasters.resample_to(holes, big)
    assert np.isnan(h.values[2, 2]) and h.values[2, 3] == 12


def test_resample_refusals():
    with pytest.raises(rasters.InputError, match="nearest, bilinear"):
        rasters.resample_to(_ramp(), _template(0, 4), resampling="lanczos-ish")
    with pytest.raises(rasters.CRSError, match="no CRS"):
        rasters.resample_to(_ramp(), _template(0, 4, crs=None))
    # neither has a CRS: both are taken to be in the same frame
    bare = rasters.Grid(_ramp().values, _ramp().transform, None, np.nan, "bare")
    out = rasters.resample_to(bare, _template(0.25, 3.75, crs=None))
    assert out.crs is None and out.values[1, 1] == 11


def test_reproject_geographic_to_laea_matches_pyproj_lookup():
    # 0.5-degree classes over 110-120E, 40-50N; each cell a distinct id
    rows, cols = 20, 20
    ids = np.arange(rows * cols, dtype=np.int32).reshape(rows, cols)
    src = rasters.Grid(ids, Affine(0.5, 0, 110, 0, -0.5, 50), "EPSG:4326", -1, "lonlat ids")
    with pytest.raises(rasters.CRSError, match="geographic"):
        src.require_projected("cost distance")
    out = rasters.reproject(src, LAEA, resolution=20000)
    assert out.res == (20000.0, 20000.0) and out.is_projected and out.dtype == np.int32
    # oracle: send every output cell centre back to lon/lat with pyproj and look the id up
    r, c = np.nonzero(out.valid_mask)
    x, y = out.xy(r, c)
    lon, lat = Transformer.from_crs(out.crs, "EPSG:4326", always_xy=True).transform(x, y)
    fc, fr = (lon - 110) / 0.5, (50 - lat) / 0.5
    # GDAL warps through an approximate transformer (error up to 0.125 source cell), so cells
    # whose centre maps within 0.15 cell of a source cell edge may go either way
    tol = 0.15
    clear = (np.abs(fc - np.round(fc)) > tol) & (np.abs(fr - np.round(fr)) > tol)
    inside = (fc >= -tol) & (fc < cols + tol) & (fr >= -tol) & (fr < rows + tol)
    assert inside.all()  # every valid output cell maps into the source
    expected = ids[np.clip(fr.astype(int), 0, rows - 1), np.clip(fc.astype(int), 0, cols - 1)]
    assert clear.sum() > 0.4 * clear.size
    np.testing.assert_array_equal(out.values[r, c][clear], expected[clear])
    # and the grid covers the source: the projected source centre lies inside
    xc, yc = Transformer.from_crs("EPSG:4326", out.crs, always_xy=True).transform(115, 45)
    left, bottom, right, top = out.bounds
    assert left < xc < right and bottom < yc < top


def test_reproject_refuses_a_grid_without_crs():
    bare = rasters.Grid(np.ones((2, 2)), Affine(1, 0, 0, 0, -1, 2), None, None, "bare")
    with pytest.raises(rasters.CRSError, match="bare has no CRS"):
        rasters.reproject(bare, LAEA)


def test_require_aligned_names_both():
    a = _ramp()
    b = rasters.Grid(a.values, Affine(1, 0, 0.5, 0, -1, 4), LAEA, np.nan, "shifted")
    rasters.require_aligned([a, a])
    with pytest.raises(rasters.AlignmentError, match="'ramp' and 'shifted'"):
        rasters.require_aligned([a, b])


def test_resample_onto_its_own_georeference_is_the_identity():
    src = _ramp()
    same = rasters.Grid(np.zeros((4, 4)), src.transform, LAEA, None, "twin")
    out = rasters.resample_to(src, same)
    np.testing.assert_array_equal(out.values, src.values)
    bil = rasters.resample_to(src, same, resampling="bilinear")  # warped: exact at centres
    np.testing.assert_allclose(bil.values, src.values, atol=1e-5)
