"""The [flyway] table of bird profiles: parsed, cited, and refused when incomplete or inconsistent."""

import pytest

from corridors.datasets import load_profile, species_profile
from corridors.datasets._resources import resource
from corridors.errors import ConfigError

BIRDS = ["white_naped_crane", "hooded_crane", "black_faced_spoonbill"]


@pytest.mark.parametrize("name", BIRDS)
def test_bird_profiles_carry_a_cited_flight_range(name):
    fr = species_profile(name).flyway
    assert fr is not None
    assert 0 < fr.typical_leg_km <= fr.max_leg_km
    assert set(fr.sources) == {"max_leg_km", "typical_leg_km"}
    for text in fr.sources.values():
        # every value says where it comes from: a paper and year, derived or assumed
        assert text.split(":")[0] in {"derived", "assumption"} and any(c.isdigit() for c in text)


def test_values_as_written_in_the_profiles():
    got = {n: (species_profile(n).flyway.max_leg_km, species_profile(n).flyway.typical_leg_km) for n in BIRDS}
    assert got == {"white_naped_crane": (750.0, 285.0), "hooded_crane": (1100.0, 285.0),
                   "black_faced_spoonbill": (600.0, 270.0)}
    assert species_profile("hooded_crane").flyway.assumed == ["flyway.typical_leg_km"]


def test_mammal_profiles_have_no_flyway():
    assert species_profile("amur_tiger").flyway is None
    assert species_profile("generalist").flyway is None


def crane_text():
    return resource("species", "white_naped_crane.toml").read_text()


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda t: t.replace("max_leg_km = 750\n", ""), r"\[flyway\] lacks key\(s\) \['max_leg_km'\]"),
        (lambda t: t.replace("max_leg_km = 750", "max_leg_km = -1"), "flyway.max_leg_km = -1"),
        (lambda t: t.replace("max_leg_km = 750", "max_leg_km = 200"), "typical_leg_km = 285 exceeds"),
        (lambda t: t.replace("typical_leg_km = 285", "typical_leg_km = 285\nspeed_kmh = 60"),
         r"unknown key\(s\) \['speed_kmh'\] in \[flyway\]"),
        (lambda t: t.split("[sources.flyway]")[0], r"needs a \[sources.flyway\]"),
        (lambda t: t.replace("[flyway]\nmax_leg_km = 750\ntypical_leg_km = 285\n", ""),
         r"\[flyway\] is missing"),
    ],
)
def test_bad_flyway_tables_are_refused(tmp_path, edit, match):
    path = tmp_path / "white_naped_crane.toml"
    path.write_text(edit(crane_text()))
    with pytest.raises(ConfigError, match=match):
        load_profile(path)


def test_blank_flyway_source_is_refused(tmp_path):
    text = crane_text()
    head, tail = text.split("[sources.flyway]")
    tail = tail.replace(tail.split("typical_leg_km = ")[1].split("\n")[0], '"  "')
    path = tmp_path / "white_naped_crane.toml"
    path.write_text(head + "[sources.flyway]" + tail)
    with pytest.raises(ConfigError, match="sources.flyway.typical_leg_km must be a non-empty string"):
        load_profile(path)
