"""The [uncertainty] scenario section and a profile's [resistance_uncertainty], validated like the rest."""

import pickle
import tomllib

import pytest

from corridors.datasets import load_profile, species_profile
from corridors.datasets._uncertainty_toml import FactorRange
from corridors.errors import ConfigError
from corridors.pipeline.uncertainty.member import portable_inputs
from corridors.scenario import ClassFactors, Scenario, Uncertainty


def test_defaults_match_the_issue():
    u = Uncertainty()
    assert (u.members, u.distribution, u.factor_low, u.factor_high) == (100, "loguniform", 0.5, 2.0)
    assert (u.dispersal_low, u.dispersal_high, u.transforms, u.robust_share) == (1.0, 1.0, ("table",), 0.9)
    assert Scenario().uncertainty is None and "uncertainty" not in Scenario().to_dict()


def test_section_round_trips_through_toml(tmp_path):
    text = """
[uncertainty]
members = 12
seed = 4
transforms = ["table", "linear", "exp:0.25", "exp:32"]
dispersal_low = 0.5
dispersal_high = 2

[[uncertainty.classes]]
name = "urban"
low = 0.25
high = 4
distribution = "uniform"

[[uncertainty.classes]]
name = "12"
low = 1
high = 1
"""
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    sc = Scenario.from_toml(path)
    u = sc.uncertainty
    assert u.members == 12 and u.transforms == ("table", "linear", "exp:0.25", "exp:32")
    assert u.classes == (ClassFactors(name="urban", low=0.25, high=4.0, distribution="uniform"),
                         ClassFactors(name="12", low=1.0, high=1.0))
    assert [c.code for c in u.classes] == [4, 12]
    again = Scenario.from_dict(tomllib.loads(sc.to_toml()), check_files=False)
    assert again.uncertainty == u
    assert hash(sc) == hash(sc)  # still a hashable value


@pytest.mark.parametrize("section, key, reason", [
    ({"members": 0}, "uncertainty.members", "expected an integer >= 1"),
    ({"seed": -1}, "uncertainty.seed", "expected an integer >= 0"),
    ({"distribution": "normal"}, "uncertainty.distribution", "expected one of 'loguniform', 'uniform'"),
    ({"factor_low": 0}, "uncertainty.factor_low", "expected a number > 0"),
    ({"factor_low": 3.0}, "uncertainty.factor_high", "factor_low 3 > factor_high 2"),
    ({"dispersal_high": 0.5}, "uncertainty.dispersal_high", "dispersal_low 1 > dispersal_high 0.5"),
    ({"transforms": ["exp:0"]}, "uncertainty.transforms", "'exp:C' with a shape C > 0"),
    ({"transforms": ["log"]}, "uncertainty.transforms", "got 'log'"),
    ({"transforms": []}, "uncertainty.transforms", "a non-empty list of strings"),
    ({"robust_share": 1.5}, "uncertainty.robust_share", "<= 1"),
    ({"members": 5, "bogus": 1}, "", "unknown key 'uncertainty.bogus'"),
    ({"classes": [{"name": "urbn", "low": 1, "high": 2}]}, "uncertainty.classes[0].name", "got 'urbn'; give one of forest"),
    ({"classes": [{"name": "urban", "low": 2, "high": 1}]}, "uncertainty.classes[0].high", "low 2 > high 1"),
    ({"classes": [{"name": "urban", "high": 1}]}, "uncertainty.classes[0].low", "missing; it is required"),
    ({"classes": [{"name": "urban", "low": 1, "high": 2}, {"name": "4", "low": 1, "high": 2}]},
     "uncertainty.classes", "class '4' is given twice (also as 'urban')"),
    ({"classes": {"urban": [1, 2]}}, "uncertainty.classes", "expected an array of tables ([[uncertainty.classes]])"),
])
def test_bad_sections_name_the_key(section, key, reason):
    with pytest.raises(ConfigError) as info:
        Scenario.from_dict({"uncertainty": section}, source="s.toml")
    msg = str(info.value)
    assert msg.startswith("s.toml: "), msg
    if key:
        assert f"key '{key}'" in msg, msg
    assert reason in msg, msg


def test_python_built_section_is_checked():
    with pytest.raises(ConfigError, match="key 'uncertainty.members'"):
        Uncertainty(members=0)
    with pytest.raises(ConfigError, match="key 'uncertainty'"):
        Scenario(uncertainty={"members": 3})


_PROFILE = """name = "{stem}"
code = ""
common_name = "Test"
scientific_name = "-"
group = "generic"
max_cost_distance = 100_000
habitat_classes = ["forest"]
[resistance]
forest = 1
wetland = 5
cropland = 10
urban = 200
water = 20
grassland = 3
bare = 20
[sources.resistance]
forest = "a"
wetland = "a"
cropland = "a"
urban = "a"
water = "a"
grassland = "a"
bare = "a"
[sources]
max_cost_distance = "a"
habitat_classes = "a"
{extra}
"""


def _profile(tmp_path, extra, source='resistance_uncertainty = "assumption: test"'):
    path = tmp_path / "p.toml"
    path.write_text(_PROFILE.format(stem="p", extra="") + source + "\n" + extra, encoding="utf-8")
    return path


def test_profile_ranges_are_read(tmp_path):
    prof = load_profile(_profile(tmp_path, '[resistance_uncertainty]\nurban = { low = 0.25, high = 4 }\n'
                                           'water = { low = 0.5, high = 2, distribution = "uniform" }\n'))
    assert dict(prof.resistance_uncertainty) == {4: FactorRange(0.25, 4.0), 5: FactorRange(0.5, 2.0, "uniform")}
    assert prof.sources["resistance_uncertainty"] == "assumption: test"
    assert dict(species_profile("generalist").resistance_uncertainty) == {}


@pytest.mark.parametrize("extra, source, reason", [
    ("[resistance_uncertainty]\ntown = { low = 1, high = 2 }\n", None, "unknown class 'town'"),
    ("[resistance_uncertainty]\nurban = { low = 0, high = 2 }\n", None, "give factors > 0 with low <= high"),
    ("[resistance_uncertainty]\nurban = { low = 3, high = 2 }\n", None, "give factors > 0 with low <= high"),
    ("[resistance_uncertainty]\nurban = { low = 1 }\n", None, "give { low = ..., high = ... }"),
    ("[resistance_uncertainty]\nurban = { low = 1, high = 2, distribution = \"beta\" }\n", None, "choose one of"),
    ("[resistance_uncertainty]\nurban = { low = 1, high = 2 }\n", "", "sources.resistance_uncertainty must be"),
])
def test_bad_profile_ranges_are_refused(tmp_path, extra, source, reason):
    path = _profile(tmp_path, extra, source="" if source == "" else 'resistance_uncertainty = "assumption: test"')
    with pytest.raises(ConfigError, match="p.toml") as info:
        load_profile(path)
    assert reason in str(info.value)


def test_inputs_with_a_profile_pickle_for_a_cluster():
    from corridors.pipeline.stages.inputs import RunInputs

    prof = species_profile("amur_tiger")
    with pytest.raises(TypeError):
        pickle.dumps(prof)  # read-only mappings do not pickle ...
    inputs = RunInputs(landcover=None, table={1: 1.0}, table_source="", profile=prof, pas=None, countries=None,
                       borders=None)
    back = pickle.loads(pickle.dumps(portable_inputs(inputs)))  # ... so the ensemble sends plain dicts
    assert back.profile.resistance == dict(prof.resistance)
    assert back.profile.sources["resistance"] == dict(prof.sources["resistance"])
    assert back.profile.scope == prof.scope and back.profile.max_cost_distance == prof.max_cost_distance
