"""Species profiles: every shipped profile loads and is complete; the loader refuses bad files."""

import pytest

from corridors.datasets import LANDCOVER_CLASSES, load_profile, species_names, species_profile
from corridors.errors import ConfigError

SIX = ["amur_tiger", "amur_leopard", "snow_leopard", "white_naped_crane", "hooded_crane", "black_faced_spoonbill"]


def test_six_flagship_species_and_generalist():
    assert set(SIX) | {"generalist"} == set(species_names())


@pytest.mark.parametrize("name", SIX + ["generalist"])
def test_profile_complete(name):
    p = species_profile(name)
    assert set(p.resistance) == set(LANDCOVER_CLASSES)
    assert all(v > 0 for v in p.resistance.values())
    assert p.max_cost_distance > 0
    assert set(p.habitat_classes) <= set(LANDCOVER_CLASSES)
    assert set(p.sources["resistance"]) == set(LANDCOVER_CLASSES.values())
    for text in [*p.sources["resistance"].values(), p.sources["max_cost_distance"], p.sources["habitat_classes"]]:
        assert text.strip()
    assert p.resistance_table() == dict(p.resistance)


def test_profile_values_and_ordering():
    tiger = species_profile("Amur tiger")  # common-name spelling accepted
    assert tiger.resistance[1] == 1.0 and tiger.resistance[4] == 1000.0
    assert tiger.max_cost_distance == 500_000 and tiger.habitat_classes == (1,)
    for bird in ("white_naped_crane", "hooded_crane", "black_faced_spoonbill"):
        p = species_profile(bird)
        assert p.group == "bird" and 2 in p.habitat_classes  # wetland is habitat
        assert p.resistance[2] == min(p.resistance.values())
    snow = species_profile("snow_leopard")
    assert snow.resistance[7] == 1.0 and set(snow.habitat_classes) == {6, 7}
    assert {species_profile(n).code for n in SIX} == {"TIG", "LEO", "SNL", "WNC", "HDC", "BFS"}


def good_text():
    from corridors.datasets._resources import resource

    return resource("species", "generalist.toml").read_text()


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda t: t + '\ncolour = "red"\n', "unknown key.*colour"),
        (lambda t: t.replace("urban = 200", "urban = -1"), "resistance.urban = -1"),
        (lambda t: t.replace("urban = 200\n", ""), "lacks class.*urban"),
        (lambda t: t.replace("forest = 1\n", "forest = 1\nswamp = 3\n", 1), "unknown class.*swamp"),
        (lambda t: t.replace('name = "generalist"', 'name = "other"'), "must match the file name"),
        (lambda t: t.replace("max_cost_distance = 300_000", 'max_cost_distance = "far"'), "max_cost_distance"),
        (lambda t: t.replace('habitat_classes = ["forest", "grassland"]', 'habitat_classes = ["moon"]'), "habitat_classes"),
        (lambda t: t.replace('max_cost_distance = "assumption: about 300 km through forest"\n', ""), r"\[sources\] lacks"),
        (lambda t: t.replace('habitat_classes = ["forest", "grassland"]\n', ""),
         r"the profile lacks key\(s\) \['habitat_classes'\]"),
        (lambda t: t + "\n[[[", "not valid TOML"),
    ],
)
def test_loader_refuses_bad_profiles(tmp_path, edit, match):
    path = tmp_path / "generalist.toml"
    path.write_text(edit(good_text()))
    with pytest.raises(ConfigError, match=match) as err:
        load_profile(path)
    assert str(path) in str(err.value)


def test_unknown_species():
    with pytest.raises(ConfigError, match="amur_tiger"):
        species_profile("lion")
