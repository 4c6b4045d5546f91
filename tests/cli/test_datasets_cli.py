"""``corridors datasets`` through click's runner."""

from click.testing import CliRunner

from corridors.cli import main


def test_lists_datasets_and_species_with_sources():
    r = CliRunner().invoke(main, ["datasets"])
    assert r.exit_code == 0, r.output
    for text in ("nea", "Natural Earth", "CC BY 4.0", "MCD12C1", "APPROXIMATE", "amur_tiger",
                 "black_faced_spoonbill", "snow_leopard", "generalist"):
        assert text in r.output, text


def test_species_detail_and_unknown():
    r = CliRunner().invoke(main, ["datasets", "--species", "hooded_crane"])
    assert r.exit_code == 0, r.output
    assert "Grus monacha" in r.output and "max_cost_distance: 800,000" in r.output
    assert "2 wetland" in r.output and "assumption" in r.output
    r = CliRunner().invoke(main, ["datasets", "--species", "dodo"])
    assert r.exit_code == 1 and "error: unknown species profile 'dodo'" in r.output


def test_readme():
    r = CliRunner().invoke(main, ["datasets", "--readme"])
    assert r.exit_code == 0, r.output
    for text in ("claimed by Japan", "not a legal protected area", "context only", "CC BY 4.0"):
        assert text in r.output, text
