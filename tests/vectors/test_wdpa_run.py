"""A WDPA-schema download runs end to end through `corridors run` as inputs.protected_areas."""

import pyogrio
from click.testing import CliRunner

import vectors
from corridors.cli import main

from . import wdpa_files as wf


def test_wdpa_geopackage_runs_end_to_end(tmp_path):
    wdpa = tmp_path / "WDPA_Mar2025_Public.gpkg"
    pyogrio.write_dataframe(wf.polygons(gdb=True), wdpa, layer="WDPA_poly_Mar2025", driver="GPKG", promote_to_multi=True)
    pyogrio.write_dataframe(wf.points(gdb=True), wdpa, layer="WDPA_point_Mar2025", driver="GPKG", append=True)
    scenario = tmp_path / "wdpa.toml"
    scenario.write_text(f'name = "wdpa"\n[inputs]\nprotected_areas = "{wdpa.name}"\n')
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["run", str(scenario), "--out", str(out)])
    assert res.exit_code == 0, res.output
    pas = vectors.read_vector(out / "corridors.gpkg", layer="protected_areas").set_index("pa_id")
    # status, OECM, marine, MAB and area-less points dropped; nested 1002 dissolved into 1001;
    # parcels of 1007 united; points became circles
    assert {"1001", "1007", "1008", "1011", "2001", "2003"} <= set(pas.index)
    assert not {"1002", "1003", "1004", "1005", "1006", "1009", "2002"} & set(pas.index)
    assert pas.loc["1001", "wdpa_ids"] == "1001;1002"
    assert (out / "ranking.csv").exists()
