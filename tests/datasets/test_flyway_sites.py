"""The embedded flyway site table: complete, consistent with the reserve table, refused when broken."""

import numpy as np
import pandas as pd
import pytest

from corridors.datasets import nea
from corridors.datasets._resources import resource
from corridors.datasets.flyway import (FLYWAY_SITE_COLUMNS, FLYWAY_SPECIES, check_flyway_sites,
                                       flyway_sites, species_sites)
from corridors.errors import DataFormatError, InputError
from corridors.flyway import geodesic_km


def test_at_least_40_real_sites_with_a_source_each():
    t = flyway_sites()
    assert len(t) >= 40 and t["site_id"].is_unique
    assert list(t.columns) == list(FLYWAY_SITE_COLUMNS)
    assert (t["source"].str.len() > 20).all()


@pytest.mark.parametrize("species", list(FLYWAY_SPECIES))
def test_each_species_has_breeding_and_wintering_sites(species):
    s = species_sites(species)
    assert {"breeding", "stopover", "wintering"} <= set(s["role"])
    assert s["site_id"].is_monotonic_increasing
    assert {"site_id", "lon", "lat", "role", "area_km2"} <= set(s.columns)


def test_the_issue_named_sites_are_in_the_table():
    names = " | ".join(flyway_sites()["name"])
    for key in ("Torey", "Khanka", "Zhalong", "Momoge", "Xianghai", "Muraviovka", "Sanjiang",
                "Cheorwon", "Han River", "Ganghwa", "DMZ", "Suncheon", "Yalu", "Izumi", "Poyang",
                "Deep Bay", "Zengwen", "Yancheng", "Khingansky", "Bolon"):
        assert key in names, key


def test_a_site_can_have_different_roles_for_different_species():
    t = flyway_sites().set_index("site_id")
    # Muraviovka: white-naped crane breeding, hooded crane stopover
    assert (t.loc["FW03", "role_wnc"], t.loc["FW03", "role_hdc"]) == ("breeding", "stopover")


def test_linked_reserves_exist_and_lie_near_the_site():
    t = flyway_sites()
    pas = nea().reserves(include_not_legal=True).set_index("pa_id")  # the DMZ too
    linked = [(r.site_id, r.lon, r.lat, p) for r in t.itertuples() for p in r.pa_id.split(";") if p]
    assert len(linked) >= 15
    for site, lon, lat, pa in linked:
        d = float(geodesic_km(lon, lat, pas.at[pa, "lon"], pas.at[pa, "lat"]))
        assert d < 130, (site, pa, d)  # the DMZ strip is 248 km long: its point is central


def test_protected_status_agrees_with_linked_reserves():
    t = flyway_sites()
    # a site linked to a legal reserve is at least partly protected, except the DMZ (not legal)
    linked = t[(t["pa_id"] != "") & (t["pa_id"] != "KX01")]
    assert linked["protected"].isin(["yes", "partial"]).all()
    assert t.set_index("site_id").at["FW11", "protected"] == "no"


def raw():
    with resource("flyway", "sites.csv").open("rb") as fh:
        return pd.read_csv(fh, keep_default_na=False, dtype=str)


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda t: t.drop(columns="source"), r"lacks column\(s\) \['source'\]"),
        (lambda t: t.assign(site_id=["FW01"] * len(t)), "duplicate site_id"),
        (lambda t: t.assign(lon=t["lat"], lat=t["lon"]), "outside East Asia"),
        (lambda t: t.assign(area_km2="-3"), "area_km2 = -3.0 must be > 0"),
        (lambda t: t.assign(role_wnc=t["role_wnc"].replace("breeding", "nesting")), "role_wnc = 'nesting'"),
        (lambda t: t.assign(protected="maybe"), "protected = 'maybe'"),
        (lambda t: t.assign(pa_id=t["pa_id"].replace("RU09", "RU99")), "pa_id = 'RU99'"),
        (lambda t: t.assign(iso3=t["iso3"].replace("RUS", "Russia")), "iso3 = 'Russia'"),
        (lambda t: t.assign(source=""), "blank source"),
        (lambda t: t.assign(role_bfs="", role_wnc="", role_hdc=""), "no role for any species"),
        (lambda t: t.assign(note=""), "does not state the assumption"),
    ],
)
def test_bad_tables_are_refused(edit, match):
    with pytest.raises(DataFormatError, match=match):
        check_flyway_sites(edit(raw()), where="test.csv")


def test_unknown_species_is_refused():
    with pytest.raises(InputError, match="amur_tiger"):
        species_sites("amur_tiger")


def test_copies_do_not_touch_the_cache():
    a = flyway_sites()
    a.loc[0, "lon"] = np.nan
    assert np.isfinite(flyway_sites()["lon"]).all()


def test_readme_counts_match_the_table():
    import re

    text = resource("flyway", "README.md").read_text(encoding="utf-8")
    t = flyway_sites()
    assert f"`sites.csv`: {len(t)} wetland sites" in text
    assert re.search(rf"{(t['coord_conf'] == 'low').sum()} rows are `low`", text)
    assert re.search(rf"{(t['area_conf'] == 'assumed').sum()} rows carry an `assumed` area", text)
