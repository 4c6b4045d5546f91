"""Grid value object: pixel convention, masks, CRS comparison, nodata normalisation."""

import numpy as np
import pytest
from affine import Affine
from pyproj import CRS

import rasters
from rasters.grid import crs_equal

LAEA = "+proj=laea +lat_0=45 +lon_0=115 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"


def test_cell_centre_convention_and_rowcol_round_trip(make_grid):
    g = make_grid(np.zeros((3, 4)), cell=10.0, x0=100.0, y0=500.0)
    # upper-left corner at (100, 500); cell (0, 0) centre is half a cell in
    assert g.xy(0, 0) == (105.0, 495.0)
    assert g.xy(2, 3) == (135.0, 475.0)
    assert g.rowcol(105.0, 495.0) == (0, 0)
    assert g.rowcol(139.9, 470.1) == (2, 3)
    assert g.rowcol(99.0, 495.0) == (0, -1)  # outside: floor, not clipped
    assert g.bounds == (100.0, 470.0, 140.0, 500.0)
    assert g.cellsize == 10.0


def test_nodata_is_normalised_to_the_values_kind(make_grid):
    g = rasters.Grid(np.array([[1, 255]], dtype=np.uint8), nodata=255.0)
    assert g.nodata == 255 and isinstance(g.nodata, int)
    np.testing.assert_array_equal(g.nodata_mask, [[False, True]])
    f = rasters.Grid(np.array([[1.0, np.nan, -9999.0]], dtype=np.float32), nodata=np.float32(-9999))
    assert isinstance(f.nodata, float)
    np.testing.assert_array_equal(f.nodata_mask, [[False, True, True]])


def test_values_are_read_only(make_grid):
    g = make_grid(np.ones((2, 2)))
    with pytest.raises(ValueError):
        g.values[0, 0] = 5


def test_crs_equal_ignores_esri_datum_names(make_grid):
    laea = CRS.from_user_input(LAEA)
    esri = CRS.from_wkt(laea.to_wkt("WKT1_ESRI"))
    assert laea != esri  # PROJ alone says no (datum renamed to D_...)
    assert crs_equal(laea, esri)
    assert not crs_equal(laea, CRS.from_epsg(3035))
    assert crs_equal(None, None) and not crs_equal(None, laea)


def test_check_aligned_names_both_grids(make_grid):
    a = make_grid(np.ones((3, 3)), crs=LAEA, name="landcover.tif")
    b = make_grid(np.ones((3, 3)), x0=0.5, crs=LAEA, name="roads.tif")
    with pytest.raises(rasters.AlignmentError) as err:
        a.check_aligned(b)
    msg = str(err.value)
    assert "landcover.tif" in msg and "roads.tif" in msg and "resample_to" in msg
    c = make_grid(np.ones((3, 3)), crs="EPSG:3035", name="other_crs.tif")
    with pytest.raises(rasters.AlignmentError, match="other_crs.tif"):
        a.check_aligned(c)


def test_require_projected_refuses_geographic_with_the_fix(make_grid):
    g = rasters.Grid(np.ones((2, 2)), Affine(0.1, 0, 100, 0, -0.1, 50), "EPSG:4326", None, "lonlat.tif")
    with pytest.raises(rasters.CRSError) as err:
        g.require_projected("cost distance")
    msg = str(err.value)
    assert "lonlat.tif" in msg and "geographic" in msg and "rasters.reproject" in msg
    with pytest.raises(rasters.CRSError, match="no CRS"):
        make_grid(np.ones((2, 2)), name="bare").require_projected()


def test_require_square_refuses_rotated_and_oblong_cells():
    assert rasters.Grid(np.zeros((2, 2)), Affine(5.0, 0, 0, 0, -5.0, 10.0)).require_square() == 5.0
    rotated = rasters.Grid(np.zeros((2, 2)), Affine(5.0, 1.0, 0, 0, -5.0, 10.0), name="r.tif")
    with pytest.raises(rasters.InputError, match="r.tif: rotated grids are not supported"):
        rotated.require_square()
    with pytest.raises(rasters.InputError, match="rotated"):
        rotated.cellsize
    oblong = rasters.Grid(np.zeros((2, 2)), Affine(5.0, 0, 0, 0, -4.0, 10.0), name="o.tif")
    with pytest.raises(rasters.InputError, match=r"o.tif: cells are not square \(5.0 x 4.0\)"):
        oblong.require_square()
