"""The flyway model run for each bird from the embedded site table and its profile."""

import pandas as pd
import pytest

from corridors import flyway
from corridors.datasets import species_profile
from corridors.datasets.flyway import species_sites
from corridors.errors import ConfigError

BIRDS = ["black_faced_spoonbill", "white_naped_crane", "hooded_crane"]


@pytest.fixture(scope="module", params=BIRDS)
def result(request):
    return flyway.run_species(request.param)


def test_ranking_table(result):
    r = result.ranking
    assert list(r.columns[:8]) == list(flyway.RANKING_COLUMNS)
    sites = species_sites(result.species)
    assert sorted(r["site_id"]) == sorted(sites["site_id"])
    assert r["connections_lost"].between(0, 1).all()
    assert r["dPC"].ge(0).all() and r["dPC"].sum() > 0
    # the role column is the species' own role
    roles = dict(zip(sites["site_id"], sites["role"]))
    assert all(roles[s] == x for s, x in zip(r["site_id"], r["role"]))
    table = flyway.flyway_ranking(result.species)
    assert list(table.columns) == list(flyway.RANKING_COLUMNS)
    pd.testing.assert_frame_equal(r[list(flyway.RANKING_COLUMNS)], table)


def test_flight_range_from_the_profile(result):
    fr = species_profile(result.species).flyway
    assert (result.max_leg_km, result.typical_leg_km) == (fr.max_leg_km, fr.typical_leg_km)
    legs = result.legs()
    assert legs.crs.to_epsg() == 4326 and (legs["dist_km"] <= fr.max_leg_km).all()
    assert result.network.n_connected_pairs > 0


def test_sensitivity_and_countries(result):
    s = result.sensitivity
    assert s["change"].tolist() == list(flyway.RANGE_CHANGES)
    nominal = s.loc[s["change"] == 0].iloc[0]
    assert nominal["connected_pairs"] == result.network.n_connected_pairs
    assert nominal["n_critical"] == int(result.ranking["critical"].sum())
    # a longer range never removes a leg
    assert s["n_legs"].is_monotonic_increasing
    c = result.countries
    codes = {p for v in result.ranking["iso3"] for p in v.split(";")}
    assert set(c.index) == codes
    assert c["n_critical"].sum() >= result.ranking["critical"].sum()


def test_override_range_and_refuse_mammals():
    net = flyway.species_network("white_naped_crane", max_leg_km=300)
    assert net.max_leg_km == 300 and net.n_legs < flyway.species_network("white_naped_crane").n_legs
    with pytest.raises(ConfigError, match="no \\[flyway\\] table"):
        flyway.run_species("amur_tiger")
