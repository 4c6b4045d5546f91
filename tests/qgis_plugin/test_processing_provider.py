"""corridors inside QGIS: the plugin installs, its jobs give the engine's numbers (checked by hand),
and in a real headless QGIS every Processing algorithm runs and adds its outputs to the project."""

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from affine import Affine
from click.testing import CliRunner
from pyproj import CRS

import rasters
import vectors
from corridors.cli import main
from corridors.errors import OutputExistsError
from corridors.qgis_plugin import PLUGIN_NAME, PYTHON_FILE, SPECIES_FILE, install_plugin, plugin_source
from corridors.qgis_plugin.jobs import run_job

CELL = 1000.0
X0, Y0 = 500_000.0, 4_000_000.0  # top-left corner, UTM 52N metres


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """Uniform resistance 2 on 30 x 40 cells of 1 km; two square source regions; a 1 x 3 INI job."""
    d = tmp_path_factory.mktemp("qgis_inputs")
    grid = rasters.Grid(np.full((30, 40), 2.0, np.float32), Affine(CELL, 0, X0, 0, -CELL, Y0), CRS.from_epsg(32652))
    rasters.write(grid, d / "res.tif")
    # region a: cells rows 25-27, cols 2-4; region b: rows 15-19, cols 30-33 (centres inside the boxes)
    a = shapely.box(X0 + 2 * CELL, Y0 - 28 * CELL, X0 + 5 * CELL, Y0 - 25 * CELL)
    b = shapely.box(X0 + 30 * CELL, Y0 - 20 * CELL, X0 + 34 * CELL, Y0 - 15 * CELL)
    vectors.write_layers(d / "src.gpkg", {"src": gpd.GeoDataFrame({"name": ["a", "b"]}, geometry=[a, b], crs=32652)})
    cs = d / "cs"
    cs.mkdir()
    head = "ncols 3\nnrows 1\nxllcorner 0\nyllcorner 0\ncellsize 1\nNODATA_value -9999\n"
    (cs / "hab.asc").write_text(head + "1 1 1\n")
    (cs / "pts.asc").write_text(head + "1 0 2\n")
    (cs / "line.ini").write_text(
        "data_type = raster\nscenario = pairwise\nhabitat_file = hab.asc\nhabitat_map_is_resistances = True\n"
        "point_file = pts.asc\noutput_file = out/line.out\nwrite_cur_maps = True\n"
        "connect_four_neighbors_only = True\nconnect_using_avg_resistances = True\n")
    return d


# --- installation -------------------------------------------------------------------------------

def test_install_copies_the_plugin_and_records_python_and_species(tmp_path):
    r = CliRunner().invoke(main, ["qgis-plugin", "--install", "--plugins-dir", str(tmp_path)])
    assert r.exit_code == 0, r.output
    target = tmp_path / PLUGIN_NAME
    for name in ("__init__.py", "metadata.txt", "provider.py", "algorithms.py", "runner.py"):
        assert (target / name).read_bytes() == (plugin_source() / name).read_bytes(), name
    import sys

    assert (target / PYTHON_FILE).read_text().strip() == sys.executable
    assert "amur_tiger" in (target / SPECIES_FILE).read_text().split()
    assert "hasProcessingProvider=yes" in (target / "metadata.txt").read_text()
    # our own earlier installation is replaced, nothing else is left beside it
    other = str(tmp_path / "other" / "python")
    install_plugin(tmp_path, python=other)
    assert (target / PYTHON_FILE).read_text().strip() == other
    assert sorted(p.name for p in tmp_path.iterdir()) == [PLUGIN_NAME]


def test_install_refuses_a_folder_it_did_not_write(tmp_path):
    (tmp_path / PLUGIN_NAME).mkdir()
    (tmp_path / PLUGIN_NAME / "mine.py").write_text("# someone's")
    with pytest.raises(OutputExistsError, match="not installed by corridors"):
        install_plugin(tmp_path)
    assert (tmp_path / PLUGIN_NAME / "mine.py").read_text() == "# someone's"


def test_plugin_code_parses_with_the_oldest_qgis_python():
    """QGIS 3.22 on Windows ships Python 3.9: the plugin must not use newer syntax."""
    import ast

    for path in plugin_source().glob("*.py"):
        ast.parse(path.read_text(encoding="utf-8"), filename=str(path), feature_version=(3, 9))


# --- the jobs, in corridors' Python -------------------------------------------------------------

def _cost_by_hand(row, col):
    """4-neighbour cost from region a on uniform resistance 2: 2 x 1 km per step, Manhattan steps."""
    rows, cols = range(25, 28), range(2, 5)
    steps = min(abs(row - r) + abs(col - c) for r in rows for c in cols)
    return 2.0 * CELL * steps


def test_cost_distance_job_matches_the_hand_count(inputs, tmp_path):
    out = tmp_path / "cwd.tif"
    res = run_job({"job": "cost_distance", "params": {"resistance": str(inputs / "res.tif"),
                                                      "sources": f"{inputs / 'src.gpkg'}|layername=src",
                                                      "neighbours": 4, "output": str(out)}})
    assert res["sources"] == 9 + 20
    cwd = rasters.read(out)
    assert cwd.crs == CRS.from_epsg(32652) and cwd.shape == (30, 40)
    for row, col in ((0, 0), (27, 10), (10, 20)):
        by_hand = min(_cost_by_hand(row, col),
                      2.0 * CELL * min(abs(row - r) + abs(col - c) for r in range(15, 20) for c in range(30, 34)))
        assert cwd.values[row, col] == pytest.approx(by_hand, rel=1e-6)


def test_least_cost_path_job_cost_is_resistance_times_length(inputs, tmp_path):
    out = tmp_path / "lcp.gpkg"
    res = run_job({"job": "least_cost_path", "params": {
        "resistance": str(inputs / "res.tif"), "start": [X0 + 3.5 * CELL, Y0 - 26.5 * CELL],
        "end": [X0 + 13.5 * CELL, Y0 - 26.5 * CELL], "neighbours": 8, "output": str(out)}})
    assert res["length_m"] == pytest.approx(10 * CELL) and res["cost"] == pytest.approx(2 * 10 * CELL)
    line = vectors.read_vector(out, layer="least_cost_path")
    assert line.geometry.iloc[0].length == pytest.approx(10 * CELL)


def test_effective_resistance_job_matches_the_api(inputs, tmp_path):
    from corridors.circuit import effective_resistance

    out = tmp_path / "er.csv"
    res = run_job({"job": "effective_resistance", "params": {
        "resistance": str(inputs / "res.tif"), "focal": f"{inputs / 'src.gpkg'}|layername=src",
        "id_field": "name", "neighbours": 4, "output": str(out)}})
    table = pd.read_csv(out)
    assert res["pairs"] == 1 and table[["from_id", "to_id"]].values.tolist() == [["a", "b"]]
    grid = rasters.read(inputs / "res.tif")
    focal = np.zeros(grid.shape, np.int32)
    focal[25:28, 2:5] = 1
    focal[15:20, 30:34] = 2
    _, direct = effective_resistance(grid, focal, neighbours=4)
    assert table["eff_resist"].iloc[0] == pytest.approx(direct[0, 1], rel=1e-9)


def test_circuitscape_job_series_resistors_by_hand(inputs, tmp_path):
    import shutil

    cs = tmp_path / "cs"
    shutil.copytree(inputs / "cs", cs)
    res = run_job({"job": "circuitscape", "params": {"ini": str(cs / "line.ini")}})
    matrix = np.loadtxt(cs / "out" / "line_resistances.out")
    assert matrix[1, 2] == pytest.approx(2.0)  # two 1-ohm steps in series
    assert any(f.endswith("line_cum_curmap.asc") for f in res["rasters"])


# --- in QGIS ------------------------------------------------------------------------------------

@pytest.mark.slow
def test_every_algorithm_runs_in_headless_qgis(system_qgis, inputs, tmp_path):
    import shutil

    plugins = tmp_path / "plugins"
    install_plugin(plugins)
    shutil.copytree(inputs / "cs", tmp_path / "cs")
    src = f"{inputs / 'src.gpkg'}|layername=src"
    res = str(inputs / "res.tif")
    calls = [
        {"algorithm": "corridors:cost_distance", "params": {"RESISTANCE": res, "SOURCES": src, "NEIGHBOURS": 1,
                                                            "OUTPUT": str(tmp_path / "cwd.tif")}},
        {"algorithm": "corridors:least_cost_path", "params": {
            "RESISTANCE": res, "START": f"{X0 + 3.5 * CELL},{Y0 - 26.5 * CELL} [EPSG:32652]",
            "END": f"{X0 + 13.5 * CELL},{Y0 - 26.5 * CELL} [EPSG:32652]", "OUTPUT": str(tmp_path / "lcp.gpkg")}},
        {"algorithm": "corridors:effective_resistance", "params": {"RESISTANCE": res, "FOCAL": src, "ID_FIELD": "name",
                                                                   "NEIGHBOURS": 1, "OUTPUT": str(tmp_path / "er.csv")}},
        {"algorithm": "corridors:circuitscape", "params": {"INI": str(tmp_path / "cs" / "line.ini")}},
        # the main job on the embedded dataset, with parameters from the dialog
        {"algorithm": "corridors:run", "params": {"BORDER_DISTANCE": 20000, "MAX_GAP": 30000,
                                                  "OUTPUT": str(tmp_path / "run")}},
    ]
    (tmp_path / "calls.json").write_text(json.dumps(calls))
    report = system_qgis.run("run_algorithms.py", plugins, tmp_path / "calls.json", timeout=600)
    assert report["algorithms"] == ["corridors:circuitscape", "corridors:cost_distance",
                                    "corridors:effective_resistance", "corridors:least_cost_path", "corridors:run"]
    calls = {c["algorithm"].split(":")[1]: c for c in report["calls"]}
    for name, call in calls.items():
        assert "error" not in call, (name, call.get("error"))
    cwd = rasters.read(tmp_path / "cwd.tif")
    assert cwd.values[0, 0] == pytest.approx(_cost_by_hand(0, 0), rel=1e-6)
    assert calls["least_cost_path"]["result"]["COST"] == pytest.approx(2 * 10 * CELL)
    assert calls["effective_resistance"]["result"]["PAIRS"] == 1
    assert np.loadtxt(tmp_path / "cs" / "out" / "line_resistances.out")[1, 2] == pytest.approx(2.0)
    assert calls["circuitscape"]["added_layers"] == 2  # the current maps
    run = calls["run"]
    assert run["result"]["LINKS"] > 0 and (tmp_path / "run" / "corridors.qgs").is_file()
    group = next(g for g in run["tree"] if g["group"] == "corridors: run")
    assert len(group["layers"]) == run["added_layers"] >= 12
    styled = {name: renderer for name, valid, renderer in group["layers"] if valid}
    assert len(styled) == len(group["layers"])  # every layer valid
    assert styled["Links (least-cost paths) by rank"] == "graduatedSymbol"
    assert styled["Resistance"] == "singlebandpseudocolor"
