"""The embedded region on a finer grid (corridors datasets --resample): classes cell for cell."""

import numpy as np
import pytest
from click.testing import CliRunner

import rasters
from corridors import datasets
from corridors.cli import main
from corridors.datasets.finer import UPSAMPLED_NOTE, finer_grid, finer_nea
from rasters.errors import InputError


@pytest.fixture(scope="module")
def fine():
    return finer_nea(2500.0)


def test_each_fine_cell_takes_the_class_under_its_centre(fine):
    lc, elev = fine
    coarse = datasets.nea().landcover
    assert lc.shape == (2 * coarse.height, 2 * coarse.width)
    assert lc.crs == coarse.crs and lc.cellsize == 2500.0
    assert lc.bounds == coarse.bounds
    # a 5 km cell holds the centres of exactly 2 x 2 cells of 2.5 km
    expected = np.repeat(np.repeat(np.asarray(coarse.values), 2, axis=0), 2, axis=1)
    np.testing.assert_array_equal(lc.values, expected)
    assert lc.dtype == coarse.dtype and lc.nodata == coarse.nodata


def test_elevation_is_bilinear_between_cell_centres(fine):
    _, elev = fine
    e = np.asarray(datasets.nea().elevation.values, dtype=np.float64)
    # fine cell (2i, 2j) sits a quarter cell up-left of coarse centre (i, j): 3/4 of it, 1/4 of
    # the neighbour above (left), in each direction
    rows = slice(100, 140)
    cols = slice(300, 340)
    i = np.arange(rows.start, rows.stop)[:, None]
    j = np.arange(cols.start, cols.stop)[None, :]
    hand = (0.75 * 0.75 * e[i, j] + 0.75 * 0.25 * e[i - 1, j] + 0.25 * 0.75 * e[i, j - 1]
            + 0.25 * 0.25 * e[i - 1, j - 1])
    assert np.all(e[rows.start - 1:rows.stop, cols.start - 1:cols.stop] > -32768)  # all land here
    np.testing.assert_allclose(np.asarray(elev.values)[2 * i, 2 * j], hand, rtol=1e-6)


def test_odd_cell_sizes_cover_the_extent():
    coarse = datasets.nea().landcover
    t = finer_grid(700.0, coarse)
    assert t.shape == (-(-coarse.height * 5000 // 700), -(-coarse.width * 5000 // 700))
    assert t.transform.c == coarse.transform.c and t.transform.f == coarse.transform.f
    with pytest.raises(InputError, match="positive"):
        finer_grid(0.0, coarse)


def test_cli_writes_a_runnable_folder_safely(tmp_path):
    out = tmp_path / "nea-2500"
    r = CliRunner().invoke(main, ["datasets", "--resample", "2500", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "tests scaling, not ecology" in r.output
    names = sorted(p.name for p in out.iterdir())
    assert {"landcover.tif", "elevation.tif", "scenario.toml", "README.md"} <= set(names)
    assert UPSAMPLED_NOTE in (out / "README.md").read_text()
    lc = rasters.read(out / "landcover.tif")
    assert lc.shape == (1080, 1920) and lc.cellsize == 2500.0
    # the scenario parses and its inputs load on the new grid
    r = CliRunner().invoke(main, ["run", str(out / "scenario.toml"), "--check"])
    assert r.exit_code == 0, r.output
    # an existing folder is kept without --overwrite and replaced with it
    r = CliRunner().invoke(main, ["datasets", "--resample", "2500", "--out", str(out)])
    assert r.exit_code == 1 and "--overwrite" in r.output, r.output
    r = CliRunner().invoke(main, ["datasets", "--resample", "5000", "--out", str(out), "--overwrite"])
    assert r.exit_code == 0, r.output
    assert rasters.read(out / "landcover.tif").shape == (540, 960)


def test_cli_needs_both_options(tmp_path):
    r = CliRunner().invoke(main, ["datasets", "--resample", "1000"])
    assert r.exit_code == 2 and "--out" in r.output
