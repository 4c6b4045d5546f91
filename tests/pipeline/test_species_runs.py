"""Runs of several species (issue 11: ``species.profile`` a list or ``'all'``): one run per species
in a subfolder of its own, a summary and the combined rankings; the scenario's list parsed and
refused like any key."""

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from corridors.cli import main
from corridors.errors import ConfigError, NoViableLinkError
from corridors.flyway import RANKING_COLUMNS as FLYWAY_COLUMNS
from corridors.pipeline import SpeciesRuns, run_scenario
from corridors.pipeline.outputs.species import SUMMARY_COLUMNS, combined_rankings, species_summary
from corridors.pipeline.outputs.tables import RANKING_COLUMNS
from corridors.scenario import Scenario

#: two birds and a terrestrial profile that cannot link anything (max_cost_distance 1 cost unit):
#: a few seconds, and each outcome a species can have
SCENARIO = """name = "three"

[species]
profile = ["hooded_crane", "generalist", "black_faced_spoonbill"]

[parameters]
max_cost_distance = 1
"""


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    root = tmp_path_factory.mktemp("species")
    toml = root / "three.toml"
    toml.write_text(SCENARIO, encoding="utf-8")
    res = CliRunner().invoke(main, ["run", str(toml), "--out", str(root / "out")])
    assert res.exit_code == 0, f"{res.output}\n{res.exception!r}"
    return root / "out", res.output


def test_each_species_runs_into_its_own_folder(three):
    out, output = three
    assert {p.name for p in out.iterdir()} == {
        "hooded_crane", "black_faced_spoonbill", "species_summary.csv", "flyway_ranking_by_species.csv",
        "scenario.resolved.toml", "manifest.json", "corridors.log", ".corridors-output.json"}
    for bird in ("hooded_crane", "black_faced_spoonbill"):
        manifest = json.loads((out / bird / "manifest.json").read_text())
        assert manifest["model"] == "flyway" and manifest["species_profile"] == bird
        sc = Scenario.from_toml(out / bird / "scenario.resolved.toml")
        assert sc.species.profile == bird and sc.name == f"three-{bird}"
        assert (out / bird / "report.html").is_file() and (out / bird / "corridors.log").stat().st_size > 0
    assert "generalist" in output and "no viable link" in output


def test_summary_says_what_each_species_gave(three):
    out, _ = three
    summary = pd.read_csv(out / "species_summary.csv", keep_default_na=False)
    assert list(summary.columns) == SUMMARY_COLUMNS
    assert list(summary["Species"]) == ["hooded_crane", "generalist", "black_faced_spoonbill"]
    rows = summary.set_index("Species")
    assert rows.at["generalist", "Status"] == "no viable link" and "max_cost_distance 1" in rows.at["generalist", "Note"]
    assert rows.at["generalist", "Folder"] == "" and rows.at["generalist", "Model"] == "corridors"
    for bird in ("hooded_crane", "black_faced_spoonbill"):
        table = pd.read_csv(out / bird / "flyway_ranking.csv")
        assert rows.at[bird, "Status"] == "ok" and rows.at[bird, "Model"] == "flyway" and rows.at[bird, "Folder"] == bird
        assert int(rows.at[bird, "N_Ranked"]) == len(table) and int(rows.at[bird, "N_Critical"]) == table["critical"].sum()
        assert rows.at[bird, "Top"].startswith(table["site_id"].iloc[0])
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["model"] == "several species"
    assert manifest["species"]["generalist"]["Status"] == "no viable link"
    roles = {rec["role"] for rec in manifest["inputs"]}
    assert {"embedded:flyway_sites", "embedded:landcover"} <= roles
    assert len({rec["path"] for rec in manifest["inputs"]}) == len(manifest["inputs"])


def test_combined_flyway_table_is_the_species_tables_stacked(three):
    out, _ = three
    combined = pd.read_csv(out / "flyway_ranking_by_species.csv", keep_default_na=False)
    assert list(combined.columns) == ["Species", *FLYWAY_COLUMNS]
    parts = [pd.read_csv(out / b / "flyway_ranking.csv", keep_default_na=False).assign(Species=b)
             for b in ("hooded_crane", "black_faced_spoonbill")]
    expected = pd.concat(parts, ignore_index=True)[["Species", *FLYWAY_COLUMNS]]
    pd.testing.assert_frame_equal(combined, expected)


def test_resolved_scenario_lists_the_species_and_runs_again(three, tmp_path):
    out, _ = three
    sc = Scenario.from_toml(out / "scenario.resolved.toml")
    assert sc.species.profile == ("hooded_crane", "generalist", "black_faced_spoonbill") and sc.species.several
    assert [s.species.profile for s in sc.per_species()] == list(sc.species.profile)
    res = CliRunner().invoke(main, ["run", str(out / "scenario.resolved.toml"), "--check"])
    assert res.exit_code == 0 and res.output.count(": OK (") == 3


def test_terrestrial_rankings_are_stacked_with_their_species(default_run, tmp_path):
    """The combined terrestrial table from the default run beside a bird's (no second long run)."""
    bird = run_scenario(Scenario.from_dict({"species": {"profile": "hooded_crane"}}), tmp_path / "hc", progress=False)
    runs = {"generalist": default_run, "hooded_crane": bird}
    links, sites = combined_rankings(runs)
    assert list(links.columns) == ["Species", *RANKING_COLUMNS] and (links["Species"] == "generalist").all()
    pd.testing.assert_frame_equal(links[RANKING_COLUMNS].reset_index(drop=True),
                                  default_run.ranking[RANKING_COLUMNS].reset_index(drop=True))
    assert list(sites["Species"].unique()) == ["hooded_crane"] and len(sites) == len(bird.flyway)
    scenarios = Scenario.from_dict({"species": {"profile": ["generalist", "hooded_crane"]}}).per_species()
    summary = species_summary(scenarios, runs, {}).set_index("Species")
    first = default_run.ranking.sort_values("Rank").iloc[0]
    assert summary.at["generalist", "Top"].startswith(f"{first['From_PA']}-{first['To_PA']} ")
    assert summary.at["generalist", "N_Ranked"] == len(default_run.ranking)


# --- the scenario key ----------------------------------------------------------------------------

def test_profile_takes_a_name_a_list_or_all():
    assert Scenario.from_dict({"species": {"profile": "hooded_crane"}}).species.several is False
    listed = Scenario.from_dict({"species": {"profile": ["hooded_crane", "amur_tiger"]}})
    assert listed.species.profile == ("hooded_crane", "amur_tiger") and listed.species.several
    assert [s.name for s in listed.per_species()] == ["nea-default-hooded_crane", "nea-default-amur_tiger"]
    everything = Scenario.from_dict({"species": {"profile": "all"}}).species_names()
    assert everything == ("amur_leopard", "amur_tiger", "black_faced_spoonbill", "hooded_crane", "snow_leopard",
                          "white_naped_crane")  # every profile but the generic one
    with pytest.raises(ConfigError, match="listed more than once"):
        Scenario.from_dict({"species": {"profile": ["hooded_crane", "hooded_crane"]}})
    with pytest.raises(ConfigError, match="named twice"):
        Scenario.from_dict({"species": {"profile": ["hooded_crane", "Hooded-Crane"]}}).species_names()
    with pytest.raises(ConfigError, match="species.profile"):
        Scenario.from_dict({"species": {"profile": []}})
    with pytest.raises(ConfigError, match="unknown species profile 'dodo'"):
        Scenario.from_dict({"species": {"profile": ["hooded_crane", "dodo"]}}).per_species()
    with pytest.raises(ConfigError, match="per_species"):
        listed.resolved()


def test_nothing_is_written_when_a_species_is_refused_or_none_has_a_result(tmp_path):
    road = ('\n[[edits]]\ntype = "road"\ncrs = "EPSG:4326"\nwkt = "LINESTRING (127.5 37.8, 127.6 38.7)"\n'
            'width_m = 60\nresistance = 500\n')
    toml = tmp_path / "road.toml"
    toml.write_text('[species]\nprofile = ["generalist", "hooded_crane"]\n' + road)
    res = CliRunner().invoke(main, ["run", str(toml), "--out", str(tmp_path / "a")])
    assert res.exit_code != 0 and "'hooded_crane' is a migratory bird" in res.output
    with pytest.raises(NoViableLinkError, match="no species has a result"):
        run_scenario(Scenario.from_dict({"species": {"profile": ["generalist"]}, "parameters": {"max_cost_distance": 1}}),
                     tmp_path / "b", progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["road.toml"]


def test_a_species_run_returns_each_run(tmp_path):
    result = run_scenario(Scenario.from_dict({"species": {"profile": ["hooded_crane"]}}), tmp_path / "one",
                          progress=False)
    assert isinstance(result, SpeciesRuns) and list(result.runs) == ["hooded_crane"] and not result.failed
    assert result.runs["hooded_crane"].out == tmp_path / "one" / "hooded_crane"
    assert (result.runs["hooded_crane"].out / "flyway_ranking.csv").is_file()


def test_compare_points_to_a_species_folder(three, tmp_path):
    from corridors.errors import DataFormatError
    from corridors.pipeline import compare_runs

    out, _ = three
    with pytest.raises(DataFormatError, match="several species"):
        compare_runs(out, out / "hooded_crane", tmp_path / "cmp")
