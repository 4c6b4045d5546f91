"""``corridors circuitscape CONFIG.ini`` through click's CliRunner."""

import numpy as np
from click.testing import CliRunner

from corridors.cli import main

GRAPH = "0 1 1\n1 2 1\n2 3 2\n0 3 4\n"  # a ring of resistances: R(0,2) = (1+1) || (2+4) = 1.5


def _ini(tmp_path, **over):
    (tmp_path / "g.txt").write_text(GRAPH)
    (tmp_path / "f.txt").write_text("0\n2\n")
    opts = {"data_type": "network", "scenario": "pairwise", "habitat_file": "g.txt",
            "habitat_map_is_resistances": "True", "point_file": "f.txt", "output_file": "out/ring.out"}
    opts.update(over)
    p = tmp_path / "ring.ini"
    p.write_text("".join(f"{k} = {v}\n" for k, v in opts.items()))
    return p


def test_cli_runs_and_summarises(tmp_path):
    ini = _ini(tmp_path)
    r = CliRunner().invoke(main, ["circuitscape", str(ini), "--base-dir", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert "network pairwise" in r.output and "wrote 2 files" in r.output
    m = np.loadtxt(tmp_path / "out" / "ring_resistances.out")
    assert m[1, 2] == 1.5
    # a second run refuses to overwrite, one line, exit 1
    r = CliRunner().invoke(main, ["circuitscape", str(ini), "--base-dir", str(tmp_path)])
    assert r.exit_code == 1
    assert r.output.strip().startswith("error:") and "--overwrite" in r.output
    assert len(r.output.strip().splitlines()) == 1
    r = CliRunner().invoke(main, ["circuitscape", str(ini), "--base-dir", str(tmp_path), "--overwrite",
                                  "--solver", "cg+amg"])
    assert r.exit_code == 0, r.output
    assert "-> cg+amg" in r.output


def test_cli_bad_config_one_line_exit_1(tmp_path):
    ini = _ini(tmp_path, solver="wrong_solver_name")
    r = CliRunner().invoke(main, ["circuitscape", str(ini), "--base-dir", str(tmp_path)])
    assert r.exit_code == 1
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "wrong_solver_name" in lines[0]
    r = CliRunner().invoke(main, ["circuitscape", str(tmp_path / "missing.ini")])
    assert r.exit_code == 1 and "not found" in r.output


def test_cli_old_ini_runs_with_one_warning_line_and_strict(tmp_path):
    # keys from Circuitscape 3 / 4 INIs (BigTests 6m: inputdir, print_timings, placeholders)
    ini = _ini(tmp_path, inputdir="False", print_timings="True", compress_grids="False",
               point_file_contains_polygons="False",
               polygon_file="(Browse for a short-circuit region file)")
    r = CliRunner().invoke(main, ["circuitscape", str(ini), "--base-dir", str(tmp_path)])
    assert r.exit_code == 0, r.output + r.stderr
    warn = [ln for ln in r.stderr.splitlines() if ln.startswith("WARNING")]
    assert len(warn) == 1 and "compress_grids, inputdir, point_file_contains_polygons" in warn[0]
    assert "timings: total" in r.output  # print_timings = True is honoured
    # a typo: warned and ignored by default, refused under --strict
    ini = _ini(tmp_path, write_volt_map="True")
    r = CliRunner().invoke(main, ["circuitscape", str(ini), "--base-dir", str(tmp_path),
                                                  "--overwrite"])
    assert r.exit_code == 0 and "did you mean 'write_volt_maps'?" in r.stderr
    r = CliRunner().invoke(main, ["circuitscape", str(ini), "--base-dir", str(tmp_path),
                                                  "--overwrite", "--strict"])
    assert r.exit_code == 1 and "error:" in r.stderr and "write_volt_map" in r.stderr
