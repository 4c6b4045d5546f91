"""Flyway site networks of migratory birds (cranes, spoonbills): sites, legs, critical sites.

Sites are nodes with a seasonal role (breeding, stopover, wintering); legs join sites within the
species' maximum single-leg distance (geodesic, WGS 84). Usable from Python without the pipeline:

>>> from corridors import flyway
>>> net = flyway.FlywayNetwork(sites, max_leg_km=700)
>>> net.removal_impact(), net.legs()
>>> result = flyway.run_species("white_naped_crane")
>>> result.ranking, result.countries, result.sensitivity
"""

from .importance import (COUNTRY_COLUMNS, RANGE_CHANGES, RANKING_COLUMNS, SENSITIVITY_COLUMNS,
                         country_shares, range_sensitivity, site_dpc, site_ranking)
from .network import (GEOD, IMPACT_COLUMNS, LEG_COLUMNS, ROLES, SITE_COLUMNS, FlywayNetwork,
                      geodesic_km)
from .species import FlywayResult, flyway_ranking, run_species, species_network

__all__ = [
    "FlywayNetwork",
    "ROLES",
    "SITE_COLUMNS",
    "LEG_COLUMNS",
    "IMPACT_COLUMNS",
    "GEOD",
    "geodesic_km",
    "site_dpc",
    "site_ranking",
    "RANKING_COLUMNS",
    "country_shares",
    "COUNTRY_COLUMNS",
    "range_sensitivity",
    "SENSITIVITY_COLUMNS",
    "RANGE_CHANGES",
    "species_network",
    "flyway_ranking",
    "run_species",
    "FlywayResult",
]
