"""Flyway site networks of migratory birds (cranes, spoonbills): sites, legs, critical sites.

Usable from Python without the pipeline:

>>> from corridors import flyway
>>> net = flyway.FlywayNetwork(sites, max_leg_km=700)
>>> net.removal_impact(), net.legs()
"""

from .network import (GEOD, IMPACT_COLUMNS, LEG_COLUMNS, ROLES, SITE_COLUMNS, FlywayNetwork,
                      geodesic_km)

__all__ = [
    "FlywayNetwork",
    "ROLES",
    "SITE_COLUMNS",
    "LEG_COLUMNS",
    "IMPACT_COLUMNS",
    "GEOD",
    "geodesic_km",
]
