"""Tracebacks that became one line, and messages that name what the user knows (pa_ids, keys)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from click.testing import CliRunner

import rasters
from rasters.errors import DataFormatError

from corridors.cli import main


def _one_line(args) -> str:
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output, res.output
    errors = [ln for ln in res.output.splitlines() if ln.startswith("error: ")]
    assert len(errors) == 1, res.output
    return errors[0]


def test_non_utf8_scenario_names_the_file_and_the_encoding(tmp_path):
    toml = tmp_path / "cp1251.toml"
    toml.write_bytes('name = "Приморье"\n'.encode("cp1251"))
    line = _one_line(["run", str(toml), "--out", str(tmp_path / "o")])
    assert "cp1251.toml: not UTF-8" in line and "UTF-8" in line


def test_non_utf8_table_names_the_file_and_the_encoding(tiny, tmp_path):
    table = tiny.parent / "table-latin1.csv"
    table.write_bytes("code,resistance,name\n1,1,forêt\n3,10,culture\n6,3,prairie\n".encode("latin-1"))
    toml = tiny.parent / "latin1.toml"
    toml.write_text(tiny.read_text().replace("[inputs]\n", '[inputs]\nresistance_table = "table-latin1.csv"\n'))
    line = _one_line(["run", str(toml), "--check"])
    assert "table-latin1.csv: not UTF-8" in line and "re-save the table as UTF-8" in line


def test_corrupt_ranking_csv_given_to_compare(tiny_run, tmp_path):
    b = tmp_path / "b"
    shutil.copytree(tiny_run, b)
    (b / "ranking.csv").write_bytes(b"Rank,Link_ID\n\x00\xff\xfe garbage\n1,2,3,4,5\n")
    line = _one_line(["compare", str(tiny_run), str(b), "-o", str(tmp_path / "cmp")])
    assert "ranking.csv" in line and "corridors run" in line
    (b / "ranking.csv").write_text("Rank,Link_ID\n1,1\n")
    line = _one_line(["compare", str(tiny_run), str(b), "-o", str(tmp_path / "cmp")])
    assert "columns" in line and "From_PA" in line
    assert not (tmp_path / "cmp").exists()


def test_truncated_geotiff_says_why(tiny, tmp_path):
    src = (tiny.parent / "landcover.tif").read_bytes()
    bad = tmp_path / "trunc.tif"
    bad.write_bytes(src[: len(src) * 2 // 3])
    with pytest.raises(DataFormatError) as err:
        rasters.read(bad)
    assert "See previous exception" not in str(err.value)
    assert "truncated or damaged" in str(err.value) or "TIFF" in str(err.value)


def test_no_reserve_on_the_grid_says_crs_or_extent(tiny, tmp_path):
    import geopandas as gpd

    pas = gpd.read_file(tiny.parent / "pas.gpkg")
    pas["geometry"] = pas.translate(5e6, 0)  # e.g. coordinates in another CRS
    pas.to_file(tiny.parent / "far.gpkg")
    toml = tiny.parent / "far.toml"
    toml.write_text(tiny.read_text().replace('"pas.gpkg"', '"far.gpkg"'))
    line = _one_line(["run", str(toml), "--out", str(tmp_path / "o")])
    assert "no reserve on the land-cover grid" in line and "CRS and extent" in line
    assert "max_gap" not in line


def test_reserve_on_barriers_is_named_by_pa_id(tiny, tmp_path):
    lc = rasters.read(tiny.parent / "landcover.tif")
    v = lc.values.copy()
    v[16:22, 11:18] = 4  # urban under CN1 ...
    rasters.write(lc.with_values(v), tiny.parent / "urban.tif")
    table = tiny.parent / "urban-barrier.csv"
    table.write_text("code,resistance\n1,1\n3,10\n4,barrier\n6,3\n")  # ... and urban a barrier
    toml = tiny.parent / "barrier.toml"
    toml.write_text(tiny.read_text().replace('"landcover.tif"', '"urban.tif"\nresistance_table = "urban-barrier.csv"'))
    res = CliRunner().invoke(main, ["run", str(toml), "--out", str(tmp_path / "o")])
    # not fatal (a fence edit can do the same on purpose): the run goes on, the warning names the
    # reserve by pa_id, and its pairs are reported unlinked with the reason
    assert res.exit_code == 0, res.output
    warning = [ln for ln in res.output.splitlines() if "lie entirely on cells without a resistance" in ln]
    assert len(warning) == 1 and "CN1" in warning[0] and "core" not in warning[0]
    import pyogrio

    unlinked = pyogrio.read_dataframe(tmp_path / "o" / "corridors.gpkg", layer="unlinked_pairs")
    mine = unlinked[(unlinked["From_PA"] == "CN1") | (unlinked["To_PA"] == "CN1")]
    assert len(mine) >= 1 and mine["Reason"].str.startswith("every cell of a reserve is a barrier").all()


def test_edit_errors_name_the_edit_and_the_key(tiny, tmp_path):
    toml = tiny.parent / "edit.toml"
    toml.write_text(tiny.read_text() + '\n[[edits]]\ntype = "area"\nname = "restored"\nrule = "multiply"\n'
                    'value = -2\nwkt = "POLYGON ((50000 10000, 90000 10000, 90000 50000, 50000 10000))"\n')
    line = _one_line(["run", str(toml), "--out", str(tmp_path / "o")])
    assert "edits[0] (area 'restored')" in line and "value" in line


def test_finite_number_message_has_no_doubled_article(tmp_path):
    toml = tmp_path / "inf.toml"
    toml.write_text("[parameters]\nmax_gap = inf\n")
    line = _one_line(["run", str(toml), "--check"])
    assert "a finite a number" not in line and "expected a finite number" in line


def test_runtime_warnings_go_to_the_log_not_the_console(tiny, tmp_path, monkeypatch, capfd):
    import corridors.pipeline.outputs as outputs

    real = outputs.write_ranking

    def noisy(*a, **k):
        np.float64(0.0) / np.float64(0.0)  # numpy's "invalid value encountered" RuntimeWarning
        return real(*a, **k)

    monkeypatch.setattr(outputs, "write_ranking", noisy)
    out = tmp_path / "o"
    res = CliRunner().invoke(main, ["run", str(tiny), "--out", str(out)])
    assert res.exit_code == 0, res.output
    captured = capfd.readouterr()
    assert "RuntimeWarning" not in res.output + captured.err + captured.out
    assert "RuntimeWarning: invalid value encountered" in (out / "corridors.log").read_text()
