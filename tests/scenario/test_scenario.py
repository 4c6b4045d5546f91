"""Scenario parsing: typed objects, unknown keys and bad values refused with the key's name."""

import tomllib

import pytest

from corridors.errors import ConfigError
from corridors.scenario import AreaEdit, LineEdit, ReserveEdit, Scenario
from corridors.scenario._toml import dumps


def test_default_roundtrips_through_toml():
    sc = Scenario.default()
    again = Scenario.from_dict(tomllib.loads(sc.to_toml()))
    assert again == sc


def test_full_scenario_parses_to_typed_objects(tmp_path):
    road = tmp_path / "road.toml"
    road.write_text(
        """
name = "road"
[parameters]
corridor_width = 80000
neighbours = 4
[ranking.weights]
importance = 1
centrality = 0
pressure = 0
unprotected = 0
[[edits]]
type = "road"
wkt = "LINESTRING (0 0, 1000 1000)"
width_m = 500
resistance = 300
[[edits]]
type = "area"
wkt = "POLYGON ((0 0, 1 0, 1 1, 0 0))"
rule = "multiply"
value = 0.5
[[edits]]
type = "reserve"
wkt = "POLYGON ((0 0, 1 0, 1 1, 0 0))"
pa_id = "NEW1"
name = "New reserve"
iso3 = "CHN"
"""
    )
    sc = Scenario.from_toml(road)
    assert sc.parameters.corridor_width == 80000.0 and isinstance(sc.parameters.corridor_width, float)
    assert sc.parameters.neighbours == 4
    assert sc.ranking.weights.importance == 1.0
    assert [type(e) for e in sc.edits] == [LineEdit, AreaEdit, ReserveEdit]
    assert sc.edits[0].width_m == 500.0 and sc.edits[1].rule == "multiply"
    # the resolved TOML reads back to the same scenario
    assert Scenario.from_dict(tomllib.loads(sc.to_toml()), base_dir=tmp_path) == sc


@pytest.mark.parametrize(
    "data, needle",
    [
        ({"parameters": {"corridor_widht": 3}}, "unknown key 'parameters.corridor_widht'; did you mean 'corridor_width'?"),
        ({"paramters": {}}, "unknown key 'paramters'; did you mean 'parameters'?"),
        ({"parameters": {"neighbours": 6}}, "key 'parameters.neighbours': got 6; expected one of 4, 8"),
        ({"parameters": {"corridor_width": -1}}, "key 'parameters.corridor_width': got -1.0; expected a number > 0"),
        ({"parameters": {"corridor_width": "wide"}}, "key 'parameters.corridor_width': got 'wide'"),
        ({"parameters": {"solver": "magic"}}, "key 'parameters.solver'"),
        ({"outputs": {"shapefiles": "yes"}}, "key 'outputs.shapefiles': got 'yes'; expected true or false"),
        ({"edits": [{"type": "bridge"}]}, "key 'edits[0].type': got 'bridge'"),
        ({"edits": [{"type": "road"}]}, "give exactly one of 'wkt'"),
        ({"edits": [{"type": "road", "wkt": "POINT (1 2)"}]}, "a road needs a LineString"),
        ({"edits": [{"type": "area", "wkt": "POLYGON ((0 0, 1 0, 1 1, 0 0))"}]}, "key 'edits[0].value': missing"),
        ({"edits": [{"type": "road", "wkt": "LINESTRING (0 0, 1 1)", "crs": "EPSG:nonsense"}]}, "key 'edits[0].crs'"),
        ({"ranking": {"weights": {"importance": 0, "centrality": 0, "pressure": 0, "unprotected": 0, "feasibility": 0}}}, "all weights are 0"),
        ({"inputs": {"landcover": "nowhere.tif"}}, "key 'inputs.landcover': file 'nowhere.tif' not found"),
        ({"ranking": {"pinch_window": 4}}, "key 'ranking.pinch_window': got 4; expected an odd integer >= 3 (e.g. 5)"),
        ({"ranking": {"pinch_window": 1}}, "key 'ranking.pinch_window': got 1; expected an odd integer >= 3"),
    ],
)
def test_bad_scenarios_name_the_key(data, needle, tmp_path):
    with pytest.raises(ConfigError) as err:
        Scenario.from_dict(data, base_dir=tmp_path, source="s.toml")
    assert needle in str(err.value)
    assert str(err.value).startswith("s.toml: ")


def test_paths_resolve_relative_to_the_toml(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "lc.tif").write_bytes(b"x")
    f = sub / "s.toml"
    f.write_text('[inputs]\nlandcover = "lc.tif"\n')
    sc = Scenario.from_toml(f)
    assert sc.inputs.landcover == (sub / "lc.tif").resolve()


def test_toml_syntax_error_names_file(tmp_path):
    f = tmp_path / "bad.toml"
    f.write_text("[parameters\n")
    with pytest.raises(ConfigError, match="bad.toml: not valid TOML"):
        Scenario.from_toml(f)


def test_toml_writer_escapes_and_nests():
    data = {"a": 'q"\\\n', "t": {"x": 1, "y": [1.5, float("inf")], "u": {"z": True}}, "arr": [{"k": "v"}, {"k": "w"}]}
    back = tomllib.loads(dumps(data))
    assert back["a"] == data["a"] and back["t"]["u"]["z"] is True and back["t"]["y"][1] == float("inf")
    assert back["arr"] == [{"k": "v"}, {"k": "w"}]
