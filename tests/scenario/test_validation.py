"""Scenario parts validate themselves when built from Python, exactly as from a TOML file."""

import dataclasses
from pathlib import Path

import pytest

from corridors.errors import ConfigError
from corridors.graph_options import GraphOptions
from corridors.scenario import (
    AreaEdit,
    ExtraLayer,
    Inputs,
    LineEdit,
    Parameters,
    Ranking,
    RankingWeights,
    ReserveEdit,
    Restoration,
    Scenario,
)

SQUARE = "POLYGON ((0 0, 1 0, 1 1, 0 1, 0 0))"


@pytest.mark.parametrize("build, key, reason", [
    (lambda: Parameters(neighbours=6), "parameters.neighbours", "got 6; expected one of 4, 8"),
    (lambda: Parameters(corridor_width=0.0), "parameters.corridor_width", "got 0.0; expected a number > 0"),
    (lambda: Parameters(max_gap=float("inf")), "parameters.max_gap", "expected a finite number"),
    (lambda: Parameters(solver="umfpack"), "parameters.solver", "got 'umfpack'"),
    (lambda: Parameters(drop_through_cores="yes"), "parameters.drop_through_cores", "expected true or false"),
    (lambda: Ranking(pinch_window=4), "ranking.pinch_window", "expected an odd integer >= 3 (e.g. 5)"),
    (lambda: Ranking(gap_top=2.5), "ranking.gap_top", "expected an integer >= 1"),
    (lambda: RankingWeights(0, 0, 0, 0, 0), "ranking.weights", "all weights are 0"),
    (lambda: Restoration(radii=()), "restoration.radii", "is empty"),
    (lambda: Restoration(radii=(0, 2)), "restoration.radii", "every radius is a whole number of cells >= 1"),
    (lambda: Restoration(radii=(2, 2)), "restoration.radii", "give each radius once"),
    (lambda: Restoration(radii=(1.5,)), "restoration.radii", "expected a list of whole numbers"),
    (lambda: Restoration(sites_per_link=0), "restoration.sites_per_link", "expected an integer >= 1"),
    (lambda: Restoration(restored_resistance=0.0), "restoration.restored_resistance", "expected a number > 0"),
    (lambda: Restoration(rank_by="best"), "restoration.rank_by", "got 'best'"),
    (lambda: Restoration(combine="mean"), "restoration.combine", "got 'mean'"),
    (lambda: Inputs(dataset="europe"), "inputs.dataset", "got 'europe'"),
    (lambda: Inputs(layers=("slope.tif",)), "inputs.layers[0]", "expected an ExtraLayer"),
    (lambda: ExtraLayer(), "inputs.layers.path", "missing; it is required"),
    (lambda: LineEdit(), "edit", "give exactly one of 'wkt'"),
    (lambda: LineEdit(wkt="LINESTRING EMPTY"), "edit.wkt", "got an empty LineString"),
    (lambda: LineEdit(wkt=SQUARE), "edit.wkt", "a road needs a LineString or MultiLineString with coordinates, got Polygon"),
    (lambda: LineEdit(wkt="LINESTRING (0 0, 1 1)", crs="EPSG:99999999"), "edit.crs", "cannot interpret CRS"),
    (lambda: AreaEdit(wkt=SQUARE), "edit.value", "missing; it is required"),
    (lambda: ReserveEdit(wkt=SQUARE, name="N", iso3="CHN"), "edit.pa_id", "missing; it is required"),
    (lambda: Scenario(edits=("road",)), "edits[0]", "expected a LineEdit, AreaEdit, ReserveEdit"),
    (lambda: Scenario(parameters={"neighbours": 4}), "parameters", "expected a Parameters"),
])
def test_python_built_parts_are_checked(build, key, reason):
    with pytest.raises(ConfigError) as info:
        build()
    assert str(info.value).startswith(f"key '{key}': "), str(info.value)
    assert reason in str(info.value)


def test_values_are_normalised_when_built():
    p = Parameters(border_distance=1, max_cost_distance=7)
    assert type(p.border_distance) is float and type(p.max_cost_distance) is float
    assert Inputs(layers=[ExtraLayer(path="a.tif")]).layers == (ExtraLayer(path="a.tif"),)
    assert ExtraLayer(path="a.tif").path == Path("a.tif")
    assert Restoration(radii=[3, 1]).radii == (1, 3)  # sorted: ties over radii go to the smallest
    sc = Scenario(edits=[LineEdit(wkt="LINESTRING (0 0, 1 1)")])
    assert isinstance(sc.edits, tuple)


def test_duplicate_new_reserve_ids_are_refused():
    a = ReserveEdit(wkt=SQUARE, name="A", pa_id="N1", iso3="CHN")
    with pytest.raises(ConfigError, match="reserve pa_id 'N1' is used by more than one new reserve"):
        Scenario(edits=(a, dataclasses.replace(a, name="B")))


def test_replace_validates_too():
    with pytest.raises(ConfigError, match="parameters.neighbours"):
        dataclasses.replace(Parameters(), neighbours=5)


def test_graph_options_are_one_validated_value():
    assert Parameters(neighbours=4, solver="splu").graph == GraphOptions(neighbours=4, solver="splu")
    with pytest.raises(ConfigError, match="average: got 'median'"):
        GraphOptions(average="median")


def test_file_errors_name_the_file_and_the_exact_key(tmp_path):
    toml = tmp_path / "s.toml"
    toml.write_text('[[edits]]\ntype = "road"\nwkt = "LINESTRING (0 0, 1 1)"\n\n'
                    '[[edits]]\ntype = "road"\nwkt = "LINESTRING (0 0, 1 1)"\nwidth_m = -3\n')
    with pytest.raises(ConfigError) as info:
        Scenario.from_toml(toml)
    assert str(info.value) == f"{toml}: key 'edits[1].width_m': got -3.0; expected a number > 0"


def test_resolved_fills_the_profile_and_its_dispersal_limit():
    sc = Scenario.default().resolved()
    assert sc.species.profile == "generalist"
    assert sc.parameters.max_cost_distance == 300000.0
    mine = dataclasses.replace(Scenario.default(), parameters=Parameters(max_cost_distance=1234.0)).resolved()
    assert mine.parameters.max_cost_distance == 1234.0
