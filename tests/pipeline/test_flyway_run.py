"""Flyway runs of the main job (issue 13, part 3): a bird profile with a ``[flyway]`` table runs its
site network from ``corridors run`` instead of terrestrial corridors. The written results are
checked against independent computations on the written files (geodesics with pyproj, the
critical sites with networkx), not against the model's own code."""

import hashlib
import json
import re
import xml.etree.ElementTree as ET

import networkx as nx
import numpy as np
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner
from pyproj import Geod, Transformer

import vectors
from corridors.cli import main
from corridors.datasets import species_profile
from corridors.datasets.flyway import species_sites
from corridors.errors import ConfigError
from corridors.pipeline.outputs.gpkg_styles import read_layer_styles
from corridors.pipeline.outputs.styles import FLYWAY_SITE_CLASSES, LAYER_STYLES
from corridors.pipeline.stages import check_flyway_scenario
from corridors.scenario import Scenario

from .conftest import FLYWAY_SPECIES

RANKING_COLUMNS = ["site_id", "name", "iso3", "role", "connections_lost", "critical", "dPC", "protected"]

#: what a flyway run writes (besides the .qml styles); nothing of the terrestrial chain
FLYWAY_FILES = {"corridors.gpkg", "context.gpkg", "corridors.qgs", "flyway_ranking.csv", "flyway_countries.csv",
                "flyway_sensitivity.csv", "flyway_map.png", "report.html", "manifest.json", "scenario.resolved.toml",
                "corridors.log", ".corridors-output.json"}


@pytest.fixture(scope="module", params=FLYWAY_SPECIES)
def run(request, flyway_run):
    return flyway_run(request.param)


def _sites(run):
    return vectors.read_vector(run.out / "corridors.gpkg", layer="flyway_sites")


def _legs(run):
    return vectors.read_vector(run.out / "corridors.gpkg", layer="flyway_legs")


def test_a_bird_runs_its_flyway_and_no_terrestrial_stage(run):
    files = {p.name for p in run.out.iterdir()}
    assert files - {f for f in files if f.endswith(".qml")} == FLYWAY_FILES
    assert not {"ranking.csv", "resistance.tif", "corridor_mosaic.tif", "current_density.tif"} & files
    layers = {name for name, _ in pyogrio.list_layers(run.out / "corridors.gpkg")}
    assert layers == {"flyway_sites", "flyway_legs", "flyway_countries", "protected_areas", "borders", "layer_styles"}
    assert f"flyway of {run.species}" in run.output
    manifest = json.loads((run.out / "manifest.json").read_text())
    assert manifest["model"] == "flyway" and set(manifest["timings_s"]) == {"inputs", "flyway", "outputs", "report"}
    assert run.seconds < 60, f"{run.species}: {run.seconds:.1f} s"  # seconds on an idle machine


def test_ranking_csv_has_exactly_the_issue_columns(run):
    table = pd.read_csv(run.out / "flyway_ranking.csv", keep_default_na=False)
    assert list(table.columns) == RANKING_COLUMNS
    sites = species_sites(run.species)
    assert sorted(table["site_id"]) == sorted(sites["site_id"])
    by_id = sites.set_index("site_id")
    assert (table["role"].values == by_id.loc[table["site_id"], "role"].values).all()
    assert (table["protected"].values == by_id.loc[table["site_id"], "protected"].values).all()
    assert table["connections_lost"].between(0, 1).all() and table["dPC"].ge(0).all()
    # most important first: critical, then connections_lost, then dPC
    keys = list(zip(~table["critical"], -table["connections_lost"], -table["dPC"]))
    assert keys == sorted(keys)


def test_legs_are_every_pair_within_the_flight_range_by_an_independent_geodesic(run):
    table = species_sites(run.species)
    km = species_profile(run.species).flyway.max_leg_km
    geod = Geod(ellps="WGS84")
    expected = set()
    rows = list(table.itertuples(index=False))
    for i, a in enumerate(rows):
        for b in rows[i + 1:]:
            _, _, metres = geod.inv(a.lon, a.lat, b.lon, b.lat)
            if metres / 1000 <= km:
                expected.add(frozenset((a.site_id, b.site_id)))
    legs = _legs(run)
    assert {frozenset(p) for p in zip(legs["from_site"], legs["to_site"])} == expected
    assert (legs["dist_km"] <= km).all()
    # the lines run from site to site in the run's CRS
    sites = _sites(run).set_index("site_id")
    for rec in legs.head(20).itertuples():
        a, b = rec.geometry.coords[0], rec.geometry.coords[-1]
        assert np.allclose(a, sites.at[rec.from_site, "geometry"].coords[0], atol=1e-3)
        assert np.allclose(b, sites.at[rec.to_site, "geometry"].coords[0], atol=1e-3)


def test_sites_lie_where_the_table_puts_them(run):
    sites = _sites(run)
    to_lonlat = Transformer.from_crs(sites.crs, "EPSG:4326", always_xy=True)
    lon, lat = to_lonlat.transform(sites.geometry.x.values, sites.geometry.y.values)
    table = species_sites(run.species).set_index("site_id").loc[sites["site_id"]]
    assert np.allclose(lon, table["lon"], atol=1e-7) and np.allclose(lat, table["lat"], atol=1e-7)
    assert sites.crs == vectors.read_vector(run.out / "corridors.gpkg", layer="borders").crs
    expected = np.where(sites["critical"], np.where(sites["protected"] == "no", "critical_unprotected", "critical"),
                        sites["role"])
    assert (sites["map_class"].values == expected).all()


def _independent_impact(sites: pd.DataFrame, legs: pd.DataFrame) -> pd.DataFrame:
    """connections_lost and critical by networkx on the written sites and legs (issue 13's definitions)."""
    g = nx.Graph()
    g.add_nodes_from(sites["site_id"])
    g.add_edges_from(zip(legs["from_site"], legs["to_site"]))
    role = dict(zip(sites["site_id"], sites["role"]))
    breeding = [s for s in g if role[s] == "breeding"]
    wintering = [s for s in g if role[s] == "wintering"]

    def connected(graph):
        comp = {n: i for i, c in enumerate(nx.connected_components(graph)) for n in c}
        return {(b, w) for b in breeding for w in wintering if b in comp and w in comp and comp[b] == comp[w]}

    base = connected(g)
    reach = {b for b, _ in base}
    out = {}
    for s in g:
        h = g.copy()
        h.remove_node(s)
        after = connected(h)
        pairs = {(b, w) for b, w in base if s not in (b, w)}
        lost = len(pairs - after) / len(pairs) if pairs else 0.0
        critical = any(b != s and not any(p[0] == b for p in after) for b in reach)
        out[s] = (lost, critical)
    return pd.DataFrame.from_dict(out, orient="index", columns=["connections_lost", "critical"])


def test_critical_sites_agree_with_networkx_on_the_written_layers(run):
    sites, legs = _sites(run), _legs(run)
    mine = pd.read_csv(run.out / "flyway_ranking.csv").set_index("site_id")
    theirs = _independent_impact(sites, legs).loc[mine.index]
    assert np.allclose(mine["connections_lost"], theirs["connections_lost"], atol=1e-12)
    assert (mine["critical"].values == theirs["critical"].values).all()
    manifest = json.loads((run.out / "manifest.json").read_text())["flyway"]
    assert manifest["critical_sites"] == sorted(manifest["critical_sites"], key=list(mine.index).index)
    assert set(manifest["critical_sites"]) == set(mine.index[mine["critical"]])
    unprotected = set(mine.index[mine["critical"] & (mine["protected"] == "no")])
    assert set(manifest["critical_unprotected_sites"]) == unprotected


def test_the_spoonbill_needs_the_chongchon_estuary(flyway_run):
    """At its 600 km range the spoonbill's Russian breeding site (FW07, Furugelm) reaches the
    wintering grounds only through Mundok on the Chongchon estuary (FW09): FW09 is critical."""
    run = flyway_run("black_faced_spoonbill")
    table = pd.read_csv(run.out / "flyway_ranking.csv").set_index("site_id")
    assert table.at["FW09", "critical"] and table.loc[table.index != "FW09", "critical"].eq(False).all()
    legs = _legs(run)
    g = nx.Graph(list(zip(legs["from_site"], legs["to_site"])))
    g.remove_node("FW09")
    winter = set(table.index[table["role"] == "wintering"])
    assert not (nx.node_connected_component(g, "FW07") & winter)


def test_sensitivity_spans_a_quarter_of_the_range_each_way(run):
    sens = pd.read_csv(run.out / "flyway_sensitivity.csv", keep_default_na=False)
    km = species_profile(run.species).flyway.max_leg_km
    assert np.allclose(sens["change"], [-0.25, -0.125, 0.0, 0.125, 0.25])
    assert np.allclose(sens["max_leg_km"], km * (1 + sens["change"]))
    assert sens["n_legs"].is_monotonic_increasing and sens["connected_pairs"].is_monotonic_increasing
    nominal = sens[sens["change"] == 0].iloc[0]
    table = pd.read_csv(run.out / "flyway_ranking.csv")
    assert nominal["n_legs"] == len(_legs(run))
    assert nominal["n_critical"] == table["critical"].sum()
    report = (run.out / "report.html").read_text(encoding="utf-8")
    assert "How the result depends on the flight range" in report
    for value in sens["max_leg_km"]:
        assert f"<td class='n'>{value:g}</td>" in report


def test_countries_table_counts_the_sites(run):
    countries = pd.read_csv(run.out / "flyway_countries.csv")
    table = pd.read_csv(run.out / "flyway_ranking.csv")
    codes = pd.Series([c for v in table["iso3"] for c in v.split(";")]).value_counts()
    assert dict(zip(countries["iso3"], countries["n_sites"])) == codes.to_dict()
    gpkg = pyogrio.read_dataframe(run.out / "corridors.gpkg", layer="flyway_countries")
    assert list(gpkg["iso3"]) == list(countries["iso3"])


def test_project_and_geopackage_style_the_flyway_layers(run):
    root = ET.parse(run.out / "corridors.qgs").getroot()
    layers = {ml.findtext("datasource").split("layername=")[-1]: ml for ml in root.iter("maplayer")}
    assert {"flyway_sites", "flyway_legs", "protected_areas", "borders", "countries", "water"} <= set(layers)
    sites = layers["flyway_sites"]
    assert sites.get("geometry") == "Point" and layers["flyway_legs"].get("geometry") == "Line"
    renderer = sites.find("renderer-v2")
    assert renderer.get("type") == "categorizedSymbol" and renderer.get("attr") == "map_class"
    assert [c.get("value") for c in renderer.iter("category")] == [c[0] for c in FLYWAY_SITE_CLASSES]
    # the layers are drawn over the others, and the view is the flyway's, not the land-cover grid's
    order = [el.get("id").split("_")[0] for el in root.find("layerorder")]
    assert order[:2] == ["flyway", "flyway"]
    extent = [float(root.find(f"mapcanvas/extent/{k}").text) for k in ("xmin", "ymin", "xmax", "ymax")]
    pts = _sites(run).geometry
    assert extent[0] < pts.x.min() and extent[2] > pts.x.max() and extent[1] < pts.y.min() and extent[3] > pts.y.max()
    styles = {row["f_table_name"]: row for row in read_layer_styles(run.out / "corridors.gpkg")}
    assert {"flyway_sites", "flyway_legs"} <= set(styles)
    assert "categorizedSymbol" in styles["flyway_sites"]["styleQML"]
    assert LAYER_STYLES["flyway_legs"].colour.lower() in styles["flyway_legs"]["styleSLD"].lower()


def test_resolved_scenario_and_manifest_record_the_flyway_inputs(run):
    sc = Scenario.from_toml(run.out / "scenario.resolved.toml")
    assert sc.species.profile == run.species and sc.edits == () and sc.uncertainty is None
    text = (run.out / "scenario.resolved.toml").read_text()
    assert "Flyway run: profile" in text and "embedded:flyway_sites" in text
    manifest = json.loads((run.out / "manifest.json").read_text())
    rec = next(i for i in manifest["inputs"] if i["role"] == "embedded:flyway_sites")
    assert rec["sha256"] == hashlib.sha256(open(rec["path"], "rb").read()).hexdigest()
    assert manifest["flyway"]["max_leg_km"] == species_profile(run.species).flyway.max_leg_km
    assert manifest["flyway"]["counts"]["sites"] == len(species_sites(run.species))
    assert sorted(manifest["outputs"]) == manifest["outputs"] and "flyway_ranking.csv" in manifest["outputs"]


def test_report_page_is_self_contained_with_the_flyway_section(run):
    text = (run.out / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"<(script|img|iframe|link)[^>]+(src|href)\s*=\s*['\"](?!data:)", text, re.I)
    assert "the sites that hold it together" in text and "<img src='data:image/png;base64," in text
    data = json.loads(re.search(r"<script type='application/json' id='report-data'>(.*?)</script>", text, re.S)
                      .group(1))
    assert data["pick"] == {"layer": "flyway_sites", "key": "site_id", "label": "site"}
    assert data["tables"][0]["columns"][:8] == RANKING_COLUMNS
    assert data["rasters"].keys() <= {"water"} and not data["top"]
    assert len(data["layers"]["flyway_sites"]["geojson"]["features"]) == len(species_sites(run.species))


# --- what a flyway run refuses ----------------------------------------------------------------------

def test_a_bird_with_edits_is_refused_before_anything_is_written(tmp_path):
    toml = tmp_path / "crane_road.toml"
    toml.write_text('[species]\nprofile = "hooded_crane"\n\n[[edits]]\ntype = "road"\ncrs = "EPSG:4326"\n'
                    'wkt = "LINESTRING (127.5 37.8, 127.6 38.7)"\nwidth_m = 60\nresistance = 500\n')
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["run", str(toml), "--out", str(out)])
    assert res.exit_code != 0 and "migratory bird" in res.output and "1 edit(s)" in res.output
    assert not out.exists() and list(tmp_path.iterdir()) == [toml]
    res = CliRunner().invoke(main, ["run", str(toml), "--check"])
    assert res.exit_code != 0 and "would have no effect" in res.output


def test_check_flyway_scenario_names_each_part_without_effect(tmp_path):
    import dataclasses

    from corridors.scenario import LineEdit, Uncertainty

    crane = species_profile("white_naped_crane")
    base = Scenario.from_dict({"species": {"profile": "white_naped_crane"}}).resolved()
    check_flyway_scenario(base, crane)  # nothing to refuse
    road = LineEdit(name="r", wkt="LINESTRING (0 0, 1 1)", width_m=60, resistance=500)
    table = tmp_path / "table.csv"
    table.write_text("code,resistance\n1,1\n")
    for sc, named in ((base.with_edits(road), "1 edit(s)"),
                      (dataclasses.replace(base, uncertainty=Uncertainty()), "[uncertainty]"),
                      (dataclasses.replace(base, inputs=dataclasses.replace(base.inputs, resistance_table=table)),
                       "inputs.resistance_table")):
        with pytest.raises(ConfigError, match=re.escape(named)):
            check_flyway_scenario(sc, crane)
        check_flyway_scenario(sc, species_profile("generalist"))  # a terrestrial profile: all of it applies


def test_check_flag_says_a_bird_runs_its_flyway(tmp_path):
    toml = tmp_path / "wnc.toml"
    toml.write_text('[species]\nprofile = "white_naped_crane"\n')
    res = CliRunner().invoke(main, ["run", str(toml), "--check"])
    assert res.exit_code == 0 and "flyway site network" in res.output
    assert list(tmp_path.iterdir()) == [toml]


def test_qgis_job_runs_a_bird_and_refuses_a_list(tmp_path, capsys):
    from corridors.errors import InputError
    from corridors.qgis_plugin.jobs import run_job

    result = run_job({"job": "run", "params": {"species": "hooded_crane", "output": str(tmp_path / "hc")}})
    assert result["links"] == 0 and result["flyway_sites"] == len(species_sites("hooded_crane"))
    assert result["rasters"] == [] and (tmp_path / "hc" / "corridors.qgs").is_file()
    listed = tmp_path / "two.toml"
    listed.write_text('[species]\nprofile = ["hooded_crane", "generalist"]\n')
    with pytest.raises(InputError, match="runs one species"):
        run_job({"job": "run", "params": {"scenario": str(listed), "output": str(tmp_path / "two")}})
    assert not (tmp_path / "two").exists()


def test_compare_says_a_flyway_folder_has_no_links(flyway_run, tmp_path):
    from corridors.errors import DataFormatError
    from corridors.pipeline import compare_runs

    run = flyway_run("hooded_crane")
    with pytest.raises(DataFormatError, match="a flyway run"):
        compare_runs(run.out, run.out, tmp_path / "cmp")


@pytest.mark.parametrize("example", ["white_naped_crane.toml", "restoration_and_reserve.toml"])
def test_the_examples_check(example):
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "examples" / example
    res = CliRunner().invoke(main, ["run", str(path), "--check"])
    assert res.exit_code == 0 and ": OK (" in res.output, res.output
