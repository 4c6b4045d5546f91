"""Species scope: dispersal distances, countries, range, focus codes, habitat share, node selection."""

import geopandas as gpd
import numpy as np
import pytest
from affine import Affine
from shapely.geometry import box

import vectors
from corridors.datasets import habitat_share, load_profile, nea, species_nodes, species_profile
from corridors.errors import ConfigError, InputError
from rasters import Grid

MAMMALS = ["amur_tiger", "amur_leopard", "snow_leopard", "generalist"]


@pytest.fixture(scope="module")
def nodes():
    d = nea()
    return vectors.network_nodes(d.protected_areas, d.countries)


@pytest.mark.parametrize("name", MAMMALS)
def test_mammal_profiles_have_a_cited_dispersal_distance(name):
    p = species_profile(name)
    assert p.median_dispersal_m is not None and 1_000 <= p.median_dispersal_m <= 500_000
    text = p.sources["median_dispersal_m"]
    assert "Bowman" in text and ("derived" in text or text.startswith("assumption"))
    if name != "generalist":
        assert p.scope is not None and p.sources["scope"].strip()


def test_tiger_dispersal_follows_the_cited_rule():
    # 7 x sqrt(401 km2) (Bowman et al. 2002 rule, Hernandez-Blanco et al. 2015 female home range)
    assert species_profile("amur_tiger").median_dispersal_m == pytest.approx(7 * np.sqrt(401) * 1000, rel=0.01)
    assert species_profile("snow_leopard").median_dispersal_m == pytest.approx(
        7 * np.sqrt(np.sqrt(26.1 * 395.3)) * 1000, rel=0.01)


def test_tiger_and_leopard_have_no_node_in_korea(nodes):
    d = nea()
    for name in ("amur_tiger", "amur_leopard"):
        mine = species_nodes(nodes, species_profile(name), d.landcover)
        assert len(mine) >= 3
        assert set(mine.iso3) <= {"RUS", "CHN"}
        assert {"RU01", "CN01"} <= set(mine.pa_id)
    tiger = species_nodes(nodes, species_profile("amur_tiger"), d.landcover)
    assert {"RU25", "RU06", "RU22"} <= set(tiger.pa_id)  # Sikhote-Alin, Bikin, Ussuriysky
    assert not {"MN10", "CN11", "KR06"} & set(tiger.pa_id)  # Altai and Seoraksan are out of range
    assert set(tiger.scope_reason) <= {"focus"} | {r for r in tiger.scope_reason if r.startswith("habitat ")}


def test_snow_leopard_and_generalist_scopes(nodes):
    d = nea()
    snow = species_nodes(nodes, species_profile("snow_leopard"), d.landcover)
    assert {"MN10", "RU15", "CN11", "MN14"} <= set(snow.pa_id)
    assert not {"RU01", "CN05", "KR06"} & set(snow.pa_id)
    assert (snow.scope_reason == "focus").all()
    every = species_nodes(nodes, species_profile("generalist"), d.landcover)
    assert list(every.pa_id) == list(nodes.pa_id) and (every.scope_reason == "no scope").all()
    with pytest.raises(InputError, match="needs the land-cover grid"):
        species_nodes(nodes, species_profile("amur_tiger"))


def test_habitat_share_hand_case():
    # 4 x 4 cells of 10 m; forest (1) in the left half, cropland (3) in the right half
    lc = np.array([[1, 1, 3, 3]] * 4, dtype=np.uint8)
    crs = "+proj=laea +lat_0=45 +lon_0=115 +units=m"
    g = Grid(lc, Affine(10, 0, 0, 0, -10, 40), crs)
    pas = gpd.GeoDataFrame({"pa_id": ["a", "b"]}, geometry=[box(0, 0, 30, 40), box(20, 0, 40, 20)], crs=crs)
    share = habitat_share(pas, g, [1])
    # a covers columns 0-2 (12 cells) but b, smaller, takes the 2 cells they share: a keeps 8
    # forest + 2 cropland cells; b holds 4 cropland cells
    np.testing.assert_allclose(share, [8 / 10, 0.0])


@pytest.mark.parametrize("edit, match", [
    (lambda t: t.replace('countries = ["RUS", "CHN"]', 'countries = ["Russia"]'), "scope.countries"),
    (lambda t: t.replace("min_habitat_share = 0.5", "min_habitat_share = 2"), "min_habitat_share"),
    (lambda t: t.replace("focus_codes = [\"TIG\"]", "focus_codes = [\"TIG\"]\ncolour = 1"), r"unknown key\(s\) \['colour'\] in \[scope\]"),
    (lambda t: t.replace("median_dispersal_m = 140_000", "median_dispersal_m = -5"), "median_dispersal_m = -5"),
    (lambda t: t[: t.index("median_dispersal_m = \"derived")], "sources.median_dispersal_m"),
])
def test_bad_scope_values_are_refused(tmp_path, edit, match):
    from corridors.datasets._resources import resource

    text = resource("species", "amur_tiger.toml").read_text()
    path = tmp_path / "amur_tiger.toml"
    path.write_text(edit(text))
    with pytest.raises(ConfigError, match=match):
        load_profile(path)
