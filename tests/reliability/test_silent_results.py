"""Silent wrong results: each is a clear error unless a scenario key says the user means it."""

from __future__ import annotations

import numpy as np
import pytest
from affine import Affine
from click.testing import CliRunner

import rasters
import vectors
from rasters.errors import DataFormatError, InputError
from rasters.grid import Grid

from corridors.cli import main
from corridors.scenario import Scenario

from .conftest import LAEA


def _grid(values, nodata=None):
    values = np.asarray(values)
    return Grid(values, Affine(1000, 0, 0, 0, -1000, 1000 * values.shape[0]), rasters.as_crs(LAEA), nodata, "lc")


def _scenario_error(tiny, tmp_path, extra: str, **replace) -> str:
    text = tiny.read_text()
    for a, b in replace.items():
        text = text.replace(a, b)
    toml = tiny.parent / f"case-{abs(hash(extra + str(replace)))}.toml"
    toml.write_text(text + extra)
    res = CliRunner().invoke(main, ["run", str(toml), "--out", str(tmp_path / "out")])
    assert res.exit_code == 1, res.output
    assert not (tmp_path / "out").exists()
    lines = [ln for ln in res.output.splitlines() if ln.startswith("error: ")]
    assert len(lines) == 1 and "Traceback" not in res.output, res.output
    return lines[0]


def test_landcover_nodata_equal_to_a_class_is_refused_unless_said():
    lc = _grid([[1, 2, 3], [3, 1, 2]], nodata=3)
    table = {1: 1.0, 2: 5.0, 3: 10.0}
    with pytest.raises(InputError, match=r"nodata value 3 is also a class.*2 cells.*nodata_in_table"):
        rasters.reclassify(lc, table)
    as_nodata = rasters.reclassify(lc, table, nodata_in_table="nodata").values
    assert np.isnan(as_nodata[0, 2]) and np.isnan(as_nodata[1, 0]) and as_nodata[0, 0] == 1.0
    as_class = rasters.reclassify(lc, table, nodata_in_table="class").values
    np.testing.assert_array_equal(as_class, [[1, 5, 10], [10, 1, 5]])
    # no cell holds the nodata value: nothing to warn about
    rasters.reclassify(_grid([[1, 2]], nodata=3), table)


def test_landcover_nodata_key_in_a_scenario(tiny, tmp_path):
    lc = rasters.read(tiny.parent / "landcover.tif")
    rasters.write(lc.with_values(lc.values, nodata=6), tiny.parent / "lc6.tif")  # 6 is grassland
    line = _scenario_error(tiny, tmp_path, "", **{'"landcover.tif"': '"lc6.tif"'})
    assert "nodata value 6 is also a class" in line and "inputs.nodata_in_table" in line
    sc = Scenario.from_dict({"inputs": {"nodata_in_table": "nodata"}})
    assert sc.inputs.nodata_in_table == "nodata"


@pytest.mark.parametrize("code, hint", [("XX", None), ("Russia", "RUS"), ("ZZZ", None), ("CHN;XYZ", None)])
def test_country_codes_must_be_iso_3166_alpha_3(tmp_path, code, hint):
    import geopandas as gpd
    import shapely

    pas = gpd.GeoDataFrame({"pa_id": ["A"], "name": ["a"], "iso3": [code]}, geometry=[shapely.box(0, 0, 1, 1)], crs=LAEA)
    with pytest.raises(InputError, match="not ISO 3166-1 alpha-3") as err:
        vectors.prepare_protected_areas(pas)
    assert "'A'" in str(err.value) or "for A" in str(err.value)
    if hint:
        assert f"did you mean {hint}?" in str(err.value)
    countries = gpd.GeoDataFrame({"iso3": [code.split(";")[-1]], "name": ["c"]}, geometry=[shapely.box(0, 0, 1, 1)], crs=LAEA)
    with pytest.raises(InputError, match="not ISO 3166-1 alpha-3"):
        vectors.prepare_countries(countries)


def test_new_reserve_country_code_is_checked():
    from corridors.errors import ConfigError

    with pytest.raises(ConfigError, match=r"edits\[0\]\.iso3.*'ZZZ'"):
        Scenario.from_dict({"edits": [{"type": "reserve", "name": "n", "pa_id": "Q", "iso3": "ZZZ",
                                       "wkt": "POLYGON ((0 0, 1 0, 1 1, 0 0))"}]})


def test_duplicate_pa_ids_are_refused_unless_dissolve_duplicates(tiny, tmp_path):
    import geopandas as gpd

    pas = gpd.read_file(tiny.parent / "pas.gpkg")
    pas.loc[1, "pa_id"] = "CN1"  # two different reserves given one id by mistake
    pas.to_file(tiny.parent / "dup.gpkg")
    line = _scenario_error(tiny, tmp_path, "", **{'"pas.gpkg"': '"dup.gpkg"'})
    assert "'CN1' (2 features)" in line and "dissolve_duplicates = true under [inputs]" in line
    merged = vectors.read_protected_areas(tiny.parent / "dup.gpkg", dissolve_duplicates=True)
    assert list(merged["pa_id"]) == ["CN1", "RU1", "RU2"] and merged.set_index("pa_id").loc["CN1", "n_parts"] == 2


def test_extra_layer_with_zero_or_negative_values_under_max():
    base = _grid([[1.0, 2.0], [3.0, 4.0]])
    roads = _grid([[0.0, 50.0], [0.0, 0.0]]).with_values(np.array([[0.0, 50.0], [0.0, 0.0]]), name="roads.tif")
    with pytest.raises(InputError, match=r"roads.tif: 3 cells are <= 0.*be ignored silently.*nonpositive"):
        rasters.combine([base, roads], "max")
    out = rasters.combine([base, roads], "max", nonpositive="unchanged").values
    np.testing.assert_array_equal(out, [[1, 50], [3, 4]])
    neg = roads.with_values(np.array([[-1.0, 1.0], [1.0, 1.0]]))
    with pytest.raises(InputError, match="lower the resistance"):
        rasters.combine([base, neg], "sum")
    np.testing.assert_array_equal(rasters.combine([base, roads], "sum").values, [[1, 52], [3, 4]])  # 0 adds nothing


def test_extra_layer_key_in_a_scenario(tiny, tmp_path):
    lc = rasters.read(tiny.parent / "landcover.tif")
    rasters.write(lc.with_values(np.zeros(lc.shape, np.float32), nodata=None), tiny.parent / "zeros.tif")
    layer = '\n[[inputs.layers]]\npath = "zeros.tif"\ncombine = "max"\n'
    toml_text = tiny.read_text().replace("[outputs]", layer.strip() + "\n[outputs]")
    toml = tiny.parent / "layer.toml"
    toml.write_text(toml_text)
    res = CliRunner().invoke(main, ["run", str(toml), "--check"])
    assert res.exit_code == 1 and "inputs.layers[0]" in res.output and "nonpositive" in res.output, res.output
    toml.write_text(toml_text.replace('combine = "max"', 'combine = "max"\nnonpositive = "unchanged"'))
    res = CliRunner().invoke(main, ["run", str(toml), "--check"])
    assert res.exit_code == 0, res.output


def test_road_width_that_overflows_is_refused(tiny, tmp_path):
    line = _scenario_error(tiny, tmp_path, '\n[[edits]]\ntype = "road"\nname = "A1"\nwidth_m = 1e300\n'
                           'wkt = "LINESTRING (60000 10000, 120000 110000)"\n')
    assert "edits[0] (road 'A1')" in line and "width_m 1e+300 is wider than the whole grid" in line
    with pytest.raises(InputError, match="wider than the whole grid"):
        rasters.burn_lines(_grid(np.ones((3, 3))), __import__("shapely").LineString([(0, 0), (3000, 3000)]),
                           width=1e300, value=10)


def test_empty_wkt_is_named_empty():
    from corridors.errors import ConfigError

    with pytest.raises(ConfigError, match=r"edits\[0\]\.wkt.*got an empty LineString"):
        Scenario.from_dict({"edits": [{"type": "road", "wkt": "LINESTRING EMPTY"}]})


HEADER = "ncols 3\nnrows 2\nxllcorner 0\nyllcorner 0\ncellsize 1\nNODATA_value -9999\n"


@pytest.mark.parametrize("body, message", [
    ("1 2 3\n4 5\n", "2 values where the header says ncols 3"),        # GDAL filled 0
    ("1 2 3 4\n5 6 7 8\n", "4 values where the header says ncols 3"),  # GDAL cropped
    ("1 2\n3 4\n5 6\n", "the data has 3 lines"),                        # GDAL re-wrapped
    ("1 nan 3\n4 5 6\n", "'nan' is not a number"),                      # GDAL read 0
])
def test_ascii_grid_that_disagrees_with_its_header(tmp_path, body, message):
    p = tmp_path / "hab.asc"
    p.write_text(HEADER + body)
    with pytest.raises(DataFormatError, match=message):
        rasters.read(p)
    # and through a Circuitscape job
    (tmp_path / "pts.txt").write_text("1 0.5 0.5\n2 2.5 1.5\n")
    (tmp_path / "job.ini").write_text("data_type = raster\nscenario = pairwise\nhabitat_file = hab.asc\n"
                                      "point_file = pts.txt\noutput_file = out/x.out\n")
    res = CliRunner().invoke(main, ["circuitscape", str(tmp_path / "job.ini"), "--base-dir", str(tmp_path)])
    assert res.exit_code == 1 and message in res.output and "Traceback" not in res.output, res.output
    p.write_text(HEADER + "1 2 3\n4 5 6\n")
    np.testing.assert_array_equal(rasters.read(p).values, [[1, 2, 3], [4, 5, 6]])
