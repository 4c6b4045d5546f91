"""accepted_names in the species profiles, and the public names of corridors.evidence."""

import pytest

import corridors
from corridors.datasets import load_profile, species_names, species_profile
from corridors.errors import ConfigError


def test_every_shipped_species_accepts_its_own_name():
    for name in species_names():
        p = species_profile(name)
        if p.scientific_name != "-":
            assert p.scientific_name in p.accepted_names
        else:
            assert p.accepted_names == ()


def test_accepted_names_optional_and_checked(tmp_path):
    from corridors.datasets._resources import resource

    text = resource("species", "hooded_crane.toml").read_text()
    assert "accepted_names" in text
    without = "\n".join(l for l in text.splitlines() if not l.startswith("accepted_names")) + "\n"
    (tmp_path / "hooded_crane.toml").write_text(without)
    assert load_profile(tmp_path / "hooded_crane.toml").accepted_names == ("Grus monacha",)  # default: its own name
    (tmp_path / "hooded_crane.toml").write_text(text.replace('accepted_names = ["Grus monacha"]',
                                                             'accepted_names = ["crane"]'))
    with pytest.raises(ConfigError, match="accepted_names entry 'crane' is not a scientific name"):
        load_profile(tmp_path / "hooded_crane.toml")


def test_public_names_resolve():
    import corridors.evidence as ev

    for name in ev.__all__:
        assert getattr(ev, name) is not None, name
    assert corridors.evidence.mantel is ev.mantel
