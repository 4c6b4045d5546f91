"""``corridors validate`` and ``corridors calibrate`` through click's runner."""

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import rasters
import vectors
from corridors.cli import main
from corridors.datasets import load_profile
from corridors.scenario import Scenario

from .conftest import DATA, simulated, small_world


@pytest.fixture
def run_dir(tmp_path):
    """A minimal `corridors run` folder: corridors.gpkg, resistance.tif, scenario.resolved.toml."""
    countries, corridors, grid = small_world()
    run = tmp_path / "run"
    run.mkdir()
    vectors.write_layers(tmp_path / "countries.gpkg", {"countries": countries})
    borders = vectors.international_borders(countries)
    vectors.write_layers(run / "corridors.gpkg", {"corridors": corridors, "borders": borders})
    rasters.write(grid, run / "resistance.tif")
    (run / "scenario.resolved.toml").write_text(
        f'name = "test"\n[inputs]\ncountries = "{(tmp_path / "countries.gpkg").as_posix()}"\n')
    return run


def test_validate_writes_the_folder(run_dir, tmp_path):
    out = tmp_path / "val"
    r = CliRunner().invoke(main, ["-q", "validate", str(run_dir), "--detections", str(DATA / "camtrap_dp"),
                                  "--out", str(out), "--null", "99", "--seed", "1"])
    assert r.exit_code == 0, r.output
    for name in ["validation.gpkg", "movements.csv", "crossings.csv", "validation.csv", "summary.json", "report.md",
                 "corridors.log"]:
        assert (out / name).is_file(), name
    assert not list(tmp_path.glob(".val.tmp-*"))
    layers = vectors.list_layers(out / "validation.gpkg")
    assert {"transborder_movements", "crossings", "crossing_lcps", "detections"} <= set(layers)
    mov = vectors.read_vector(out / "validation.gpkg", layer="transborder_movements")
    assert sorted(mov["Indiv_ID"]) == ["T1", "T2"]
    v = pd.read_csv(out / "validation.csv")
    assert list(v["N_In_SL"]) == [2, 0, 2] and list(v["N_In_LCP"]) == [3, 0, 3] and list(v["N_Cross_SL"]) == [3, 3, 3]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["transborder_individuals"] == 2 and summary["crossings"] == 3
    assert "How to read" in (out / "report.md").read_text()
    # a second run into the same folder is refused; --overwrite replaces it
    r2 = CliRunner().invoke(main, ["validate", str(run_dir), "--detections", str(DATA / "camtrap_dp"), "--out", str(out)])
    assert r2.exit_code == 1 and "pass overwrite=True to replace it" in r2.output and "--overwrite" in r2.output
    r3 = CliRunner().invoke(main, ["-q", "validate", str(run_dir), "--detections", str(DATA / "camtrap_dp"),
                                   "--out", str(out), "--null", "9", "--overwrite"])
    assert r3.exit_code == 0, r3.output


def test_validate_bad_detections_leave_nothing(run_dir, tmp_path):
    bad = tmp_path / "det.csv"
    bad.write_text("station,lon,lat,datetime,species,individual\nA,129,42.9,2021-03-01T01:00:00+08:00,Felis catus,C1\n")
    out = tmp_path / "val"
    r = CliRunner().invoke(main, ["validate", str(run_dir), "--detections", str(bad), "--out", str(out)])
    assert r.exit_code == 1
    assert f"error: {bad}: line 2: individual 'C1': unknown species 'Felis catus'" in r.output
    assert not out.exists() and not list(tmp_path.glob(".val.tmp-*"))


def test_validate_refuses_a_folder_that_is_no_run(tmp_path):
    r = CliRunner().invoke(main, ["validate", str(tmp_path), "--detections", str(DATA / "camtrap_dp"),
                                  "--out", str(tmp_path / "o")])
    assert r.exit_code == 1 and "give the output folder of `corridors run`" in r.output


def test_calibrate_writes_a_usable_profile_and_scenario(tmp_path):
    grid, xy, gen = simulated(0, size=24, nsamples=18)
    rasters.write(grid, tmp_path / "lc.tif")
    (tmp_path / "sc.toml").write_text('name = "sim"\n[inputs]\nlandcover = "lc.tif"\n[species]\nprofile = "amur_tiger"\n')
    ids = [f"T{i:02d}" for i in range(len(xy))]
    pd.DataFrame({"sample": ids, "x": xy[:, 0], "y": xy[:, 1]}).to_csv(tmp_path / "samples.csv", index=False)
    pd.DataFrame(gen, index=ids, columns=ids).rename_axis("sample").to_csv(tmp_path / "gen.csv")
    out = tmp_path / "cal"
    r = CliRunner().invoke(main, ["-q", "calibrate", str(tmp_path / "sc.toml"), "--samples", str(tmp_path / "samples.csv"),
                                  "--crs", "EPSG:32652", "--genetic-distance", str(tmp_path / "gen.csv"), "--out", str(out),
                                  "--distance", "cost", "--maxiter", "2"])
    assert r.exit_code == 0, r.output
    for name in ["amur_tiger_calibrated.toml", "resistance_table.csv", "scenario.calibrated.toml", "fit_table.csv",
                 "evaluations.csv", "landscape_distance.csv", "summary.json", "report.md", "corridors.log"]:
        assert (out / name).is_file(), name
    prof = load_profile(out / "amur_tiger_calibrated.toml")
    summary = json.loads((out / "summary.json").read_text())
    assert prof.resistance[1] == 1.0  # forest: the reference keeps the tiger profile's value
    assert prof.resistance[2] == pytest.approx(summary["resistance"]["wetland"])
    sc = Scenario.from_toml(out / "scenario.calibrated.toml")
    table, _ = rasters.load_reclass_table(sc.inputs.resistance_table)
    assert set(table) == {1, 2, 3} and table[3] == pytest.approx(prof.resistance[3])
    fit = pd.read_csv(out / "fit_table.csv")
    assert "calibrated" in set(fit["surface"]) and "distance only" in set(fit["surface"])


def test_calibrate_needs_one_genetic_input(tmp_path):
    (tmp_path / "sc.toml").write_text('name = "x"\n')
    (tmp_path / "s.csv").write_text("sample,lon,lat\n")
    r = CliRunner().invoke(main, ["calibrate", str(tmp_path / "sc.toml"), "--samples", str(tmp_path / "s.csv"),
                                  "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and "exactly one of --genetic-distance and --genotypes" in r.output
