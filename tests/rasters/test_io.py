"""Raster I/O: round trips, COG layout (checked with tifffile, not GDAL), ASCII grids, errors."""

import gzip
import os

import numpy as np
import pytest
import rasterio
import tifffile
from affine import Affine

import rasters
from rasters.io import ASCII_NODATA

LAEA = "+proj=laea +lat_0=45 +lon_0=115 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"


def _float_grid():
    v = np.array([[1.5, 2.25, np.nan, 4.0], [0.1, 5.0, 6.0, 1e-7], [3.0, np.nan, 7.125, 8.0]], dtype=np.float32)
    return rasters.Grid(v, Affine(5000, 0, -2200000, 0, -5000, 1300000), LAEA, np.nan, "float grid")


def _class_grid():
    v = np.array([[1, 2, 3], [255, 7, 1]], dtype=np.uint8)
    return rasters.Grid(v, Affine(5000, 0, 0, 0, -5000, 10000), LAEA, 255, "classes")


def _assert_same_georeference(a, b):
    assert a.shape == b.shape
    assert a.transform.almost_equals(b.transform, precision=1e-9)
    assert rasters.crs_equal(a.crs, b.crs)


@pytest.mark.parametrize("name,cog", [("r.tif", True), ("r.tif", False), ("r.tiff", True)])
def test_geotiff_round_trip_keeps_values_dtype_nodata(tmp_path, name, cog):
    g = _float_grid()
    out = rasters.write(g, tmp_path / name, cog=cog)
    assert out == tmp_path / name
    r = rasters.read(out)
    _assert_same_georeference(r, g)
    assert r.crs == g.crs  # WKT2 through GDAL keeps the CRS exactly equivalent
    assert r.dtype == np.float32 and np.isnan(r.nodata)
    np.testing.assert_array_equal(r.values, g.values)  # NaN positions included
    c = _class_grid()
    rasters.write(c, tmp_path / ("c" + name), cog=cog)
    rc = rasters.read(tmp_path / ("c" + name))
    assert rc.dtype == np.uint8 and rc.nodata == 255
    np.testing.assert_array_equal(rc.values, c.values)


@pytest.mark.parametrize("name", ["r.asc", "r.asc.gz"])
def test_ascii_round_trip(tmp_path, name):
    g = _float_grid()
    rasters.write(g, tmp_path / name)
    r = rasters.read(tmp_path / name)
    _assert_same_georeference(r, g)
    assert r.crs == g.crs  # via the .prj sidecar (read by us for .gz)
    assert r.dtype == np.float64 and r.nodata == ASCII_NODATA  # NaN nodata written as -9999
    np.testing.assert_array_equal(r.nodata_mask, np.isnan(g.values))
    # 9 significant digits: every float32 value reads back to the same float32
    np.testing.assert_array_equal(r.values[r.valid_mask].astype(np.float32), g.values[g.valid_mask])
    c = _class_grid()
    rasters.write(c, tmp_path / ("c" + name))
    rc = rasters.read(tmp_path / ("c" + name))
    assert rc.dtype == np.int32 and rc.nodata == 255  # ASCII has no dtype: GDAL's int32
    np.testing.assert_array_equal(rc.values, c.values)


def test_float64_ascii_round_trip_is_exact(tmp_path):
    v = np.array([[1 / 3, np.pi], [2.0 ** -30, 123456.789012345678]])
    g = rasters.Grid(v, Affine(10, 0, 0, 0, -10, 20), None, None, "f64")
    rasters.write(g, tmp_path / "x.asc")
    r = rasters.read(tmp_path / "x.asc")
    assert r.dtype == np.float64 and r.crs is None
    np.testing.assert_array_equal(r.values, v)


def test_ascii_header_is_esri_with_circuitscape_nodata(tmp_path):
    g = rasters.Grid(
        np.array([[1.5, np.nan], [2.0, 3.0]], dtype=np.float32), Affine(25, 0, 100, 0, -25, 300), None, np.nan
    )
    rasters.write(g, tmp_path / "h.asc")
    lines = (tmp_path / "h.asc").read_text().split("\n")
    header = {ln.split()[0].lower(): float(ln.split()[1]) for ln in lines[:6]}
    # lower-left corner = (100, 300 - 2 * 25)
    assert header == {"ncols": 2, "nrows": 2, "xllcorner": 100, "yllcorner": 250, "cellsize": 25, "nodata_value": -9999}
    assert lines[6].split() == ["1.5", "-9999"]
    assert not (tmp_path / "h.prj").exists()


def test_gzipped_ascii_is_real_gzip_and_deterministic(tmp_path):
    g = _class_grid()
    rasters.write(g, tmp_path / "a.asc.gz")
    rasters.write(g, tmp_path / "b.asc.gz")
    a, b = (tmp_path / "a.asc.gz").read_bytes(), (tmp_path / "b.asc.gz").read_bytes()
    assert a == b
    text = gzip.decompress(a).decode()
    assert text.lower().startswith("ncols")
    assert (tmp_path / "a.prj").exists()


def test_circuitscape_gzipped_grid_equals_plain_one(test_data):
    pairwise = test_data.jl / "input/raster/pairwise"
    plain = rasters.read(f"{pairwise}/1/cellmap.asc")
    gz = rasters.read(f"{pairwise}/15/cellmap.asc.gz")
    # independent parse of the plain file: numpy on the text after the 6-line header
    expected = np.loadtxt(f"{pairwise}/1/cellmap.asc", skiprows=6)
    for g in (plain, gz):
        assert g.nodata == -9999 and g.shape == (10, 10)
        np.testing.assert_array_equal(g.values, expected)
        assert g.transform == Affine(1, 0, 1, 0, -1, 11)  # xll 1, yll 1, 10 rows of 1
    assert gz.crs is None


def test_cog_layout_checked_with_tifffile(tmp_path):
    rng = np.random.default_rng(0)
    v = rng.random((600, 700)).astype(np.float32)
    g = rasters.Grid(v, Affine(30, 0, 0, 0, -30, 18000), LAEA, np.nan, "cog")
    path = rasters.write(g, tmp_path / "cog.tif")
    with tifffile.TiffFile(path) as tif:
        pages = list(tif.pages)
        assert [p.shape for p in pages] == [(600, 700), (300, 350), (150, 175)]  # down to one tile
        first_data = min(min(p.dataoffsets) for p in pages)
        for p in pages:
            assert p.is_tiled and p.tilewidth == 256 and p.tilelength == 256
            assert p.compression == 8  # DEFLATE
            assert p.predictor == 3  # floating-point predictor
            assert p.offset < first_data  # every IFD before any image data
        # COG order: smallest overview's data first, full resolution last
        starts = [min(p.dataoffsets) for p in pages]
        assert starts[2] < starts[1] < starts[0]
    with rasterio.open(path) as ds:
        assert ds.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG"
    # float overviews are averages: level 1 = mean of each 2 x 2 block
    with rasterio.open(path, overview_level=0) as ov:
        level1 = ov.read(1)
    blocks = v.reshape(300, 2, 350, 2).astype(np.float64).mean(axis=(1, 3))
    np.testing.assert_allclose(level1, blocks, rtol=1e-6)


def test_integer_overviews_are_nearest_not_averaged(tmp_path):
    # classes 1 and 4 in a checkerboard: any average would give 2.5, which is not a class
    v = np.where((np.add.outer(np.arange(600), np.arange(600)) % 2) == 0, 1, 4).astype(np.uint8)
    g = rasters.Grid(v, Affine(30, 0, 0, 0, -30, 18000), LAEA, 255, "checker")
    path = rasters.write(g, tmp_path / "c.tif")
    with rasterio.open(path, overview_level=0) as ov:
        level1 = ov.read(1)
    assert level1.shape == (300, 300)
    assert set(np.unique(level1)) <= {1, 4}
    with tifffile.TiffFile(path) as tif:
        assert tif.pages[0].predictor == 2  # horizontal differencing for integers


def test_plain_geotiff_is_tiled_compressed_without_overviews(tmp_path):
    g = rasters.Grid(np.ones((600, 300), np.float32), Affine(1, 0, 0, 0, -1, 600), None, np.nan)
    path = rasters.write(g, tmp_path / "p.tif", cog=False)
    with tifffile.TiffFile(path) as tif:
        assert len(tif.pages) == 1
        assert tif.pages[0].is_tiled and tif.pages[0].compression == 8


def test_real_nea_landcover_matches_an_independent_reader(test_data):
    path = test_data.nea("landcover_7class_laea5km.tif")
    g = rasters.read(path)
    assert g.shape == (540, 960) and g.dtype == np.uint8 and g.nodata == 255
    assert g.res == (5000.0, 5000.0)
    assert g.bounds == (-2200000.0, -1400000.0, 2600000.0, 1300000.0)  # README's study extent
    op = g.crs.coordinate_operation
    assert g.is_projected and op.method_name == "Lambert Azimuthal Equal Area"
    params = {p.name: p.value for p in op.params}
    assert params["Latitude of natural origin"] == 45 and params["Longitude of natural origin"] == 115
    with tifffile.TiffFile(path) as tif:
        np.testing.assert_array_equal(g.values, tif.asarray())
        tie = tif.pages[0].tags["ModelTiepointTag"].value
        scale = tif.pages[0].tags["ModelPixelScaleTag"].value
    assert (g.transform.c, g.transform.f) == (tie[3], tie[4])
    assert g.res == (scale[0], scale[1])
    assert set(np.unique(g.values)) == set(range(1, 8))  # 7 classes
    assert 150 < np.count_nonzero(g.values == 2) < 250  # README: "only ~190 wetland cells"
    assert g.name == str(path)


def test_read_errors_name_the_path(tmp_path):
    missing = tmp_path / "nope.tif"
    with pytest.raises(rasters.DataFormatError, match="nope.tif: no such file"):
        rasters.read(missing)
    text = tmp_path / "notes.tif"
    text.write_text("this is not a raster\n")
    with pytest.raises(rasters.DataFormatError, match="notes.tif: not a raster"):
        rasters.read(text)
    rasters.write(_class_grid(), tmp_path / "one.tif")
    with pytest.raises(rasters.DataFormatError, match=r"band 2 is out of range; the file has 1 band"):
        rasters.read(tmp_path / "one.tif", band=2)
    with pytest.raises(OSError):  # DataFormatError is an OSError too
        rasters.read(tmp_path)


def test_write_is_atomic_and_leaves_no_temporaries(tmp_path):
    target = tmp_path / "r.tif"
    rasters.write(_class_grid(), target)
    before = target.read_bytes()
    # a failing write (value 300 does not fit uint8) leaves the old file untouched
    bad = _class_grid().with_values(np.array([[1, 300, 3], [255, 7, 1]], dtype=np.int32))
    with pytest.raises(rasters.InputError, match="outside uint8"):
        rasters.write(bad, target, dtype=np.uint8)
    assert target.read_bytes() == before
    rasters.write(_float_grid(), tmp_path / "a.asc.gz")
    assert sorted(os.listdir(tmp_path)) == ["a.asc.gz", "a.prj", "r.tif"]


def test_write_refusals(tmp_path):
    g = _float_grid()
    with pytest.raises(rasters.DataFormatError, match=r"\.asc\.gz, \.asc, \.tif"):
        rasters.write(g, tmp_path / "r.png")
    with pytest.raises(rasters.DataFormatError, match="does not exist"):
        rasters.write(g, tmp_path / "missing_dir" / "r.tif")
    rasters.write(g, tmp_path / "r.tif")
    with pytest.raises(rasters.OutputExistsError, match="overwrite=True"):
        rasters.write(g, tmp_path / "r.tif", overwrite=False)
    nonsquare = rasters.Grid(np.ones((2, 2)), Affine(10, 0, 0, 0, -20, 40), None, None, "nonsquare")
    with pytest.raises(rasters.InputError, match="not square"):
        rasters.write(nonsquare, tmp_path / "n.asc")
    with pytest.raises(rasters.InputError, match="not whole numbers"):
        rasters.write(g, tmp_path / "i.tif", dtype=np.int16)
    clash = rasters.Grid(np.array([[-9999.0, np.nan]]), Affine(1, 0, 0, 0, -1, 1), None, np.nan, "clash")
    with pytest.raises(rasters.InputError, match="1 valid cells of clash equal the nodata value -9999"):
        rasters.write(clash, tmp_path / "clash.asc")


def test_stale_prj_is_removed_when_the_grid_has_no_crs(tmp_path):
    g = _class_grid()
    rasters.write(g, tmp_path / "x.asc")
    assert (tmp_path / "x.prj").exists()
    rasters.write(rasters.Grid(g.values, g.transform, None, g.nodata), tmp_path / "x.asc")
    assert not (tmp_path / "x.prj").exists()
    assert rasters.read(tmp_path / "x.asc").crs is None


def test_bool_and_explicit_dtype(tmp_path):
    b = rasters.Grid(np.array([[True, False]]), Affine(1, 0, 0, 0, -1, 1), None, None, "mask")
    rasters.write(b, tmp_path / "m.tif")
    r = rasters.read(tmp_path / "m.tif")
    assert r.dtype == np.uint8
    np.testing.assert_array_equal(r.values, [[1, 0]])
    f = rasters.Grid(np.array([[1.0, 2.0], [np.nan, 4.0]]), Affine(1, 0, 0, 0, -1, 2), None, np.nan, "f")
    with pytest.raises(rasters.InputError, match="cannot hold"):
        rasters.write(f, tmp_path / "f.tif", dtype=np.int16)  # NaN cells, no integer nodata
    rasters.write(f.with_values(np.nan_to_num(f.values, nan=-1), nodata=-1), tmp_path / "f.tif", dtype=np.int16)
    r = rasters.read(tmp_path / "f.tif")
    assert r.dtype == np.int16 and r.nodata == -1
    np.testing.assert_array_equal(r.values, [[1, 2], [-1, 4]])


@pytest.mark.parametrize("body,regular", [
    ("1 2 3\n4.5e-3 -9999 6\n", True),
    ("1 2 3\r\n4 5 6\r\n\r\n", True),       # CRLF and a trailing blank line
    ("1 2 3\n4 5\n", False),                # short row: the exact check reports it
    ("1 2 3\n4 5 6\n7 8 9\n", False),       # a row too many
    ("1 nan 3\n4 5 6\n", False),            # a token that is not a number
    ("1 2 3\ne5 5 6\n", False),             # a token starting with e: not plainly a number
])
def test_vectorised_ascii_body_check_is_sure_only_of_plain_grids(body, regular):
    from rasters.io import _ascii_body_is_regular

    raw = ("ncols 3\nnrows 2\nxllcorner 0\nyllcorner 0\ncellsize 1\nNODATA_value -9999\n" + body).encode()
    assert _ascii_body_is_regular(raw, (2, 3)) is regular
