"""Run the flyway model for one species from the embedded site table and its profile."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..datasets import species_profile
from ..datasets.flyway import species_sites
from ..errors import ConfigError
from .importance import (RANGE_CHANGES, RANKING_COLUMNS, country_shares, range_sensitivity,
                         site_ranking)
from .network import FlywayNetwork

__all__ = ["species_network", "flyway_ranking", "FlywayResult", "run_species"]


def _flight_range(species: str):
    profile = species_profile(species)
    if profile.flyway is None:
        raise ConfigError(f"species profile {profile.name!r} has no [flyway] table (flight range); "
                          "the flyway model is for migratory birds with max_leg_km and "
                          "typical_leg_km in their profile")
    return profile, profile.flyway


def species_network(species: str, *, max_leg_km: float | None = None) -> FlywayNetwork:
    """The :class:`FlywayNetwork` of one species: its embedded sites, legs within its flight range.

    Parameters
    ----------
    species : str
        Profile name (``"white_naped_crane"``, ``"hooded_crane"``, ``"black_faced_spoonbill"``).
    max_leg_km : float, optional
        Override of the profile's ``flyway.max_leg_km`` (km), e.g. for a sensitivity run.
    """
    profile, fr = _flight_range(species)
    km = fr.max_leg_km if max_leg_km is None else max_leg_km
    return FlywayNetwork(species_sites(profile.name), max_leg_km=km)


def flyway_ranking(species: str) -> pd.DataFrame:
    """The per-site ranking table of one species (``flyway_ranking.csv`` of the main job).

    Exactly the columns ``site_id, name, iso3, role, connections_lost, critical, dPC,
    protected`` (:data:`corridors.flyway.RANKING_COLUMNS`), most important first; dPC with the
    profile's ``typical_leg_km`` as median leg. ``run_species(species).ranking`` has the same
    rows with ``dPCconnector, pairs_before, pairs_lost, breeding_cut_off`` added. See
    :func:`corridors.flyway.site_ranking`.
    """
    return run_species(species, sensitivity=False).ranking[list(RANKING_COLUMNS)]


@dataclass(frozen=True)
class FlywayResult:
    """Everything the flyway model says about one species.

    Attributes
    ----------
    species : str
    max_leg_km, typical_leg_km : float
        The flight range used (km) and the median leg of dPC.
    network : FlywayNetwork
    ranking : pandas.DataFrame
        :func:`corridors.flyway.site_ranking`.
    countries : pandas.DataFrame
        :func:`corridors.flyway.country_shares` of the ranking.
    sensitivity : pandas.DataFrame or None
        :func:`corridors.flyway.range_sensitivity` over :data:`RANGE_CHANGES`, or None.
    """

    species: str
    max_leg_km: float
    typical_leg_km: float
    network: FlywayNetwork
    ranking: pd.DataFrame
    countries: pd.DataFrame
    sensitivity: pd.DataFrame | None

    def legs(self):
        """The legs as a GeoDataFrame in EPSG:4326 (:meth:`FlywayNetwork.legs`)."""
        return self.network.legs()

    def critical_unprotected(self) -> pd.DataFrame:
        """Ranking rows of critical sites with ``protected == "no"``."""
        r = self.ranking
        return r[r["critical"] & (r["protected"] == "no")].reset_index(drop=True)


def run_species(species: str, *, sensitivity: bool = True, changes=RANGE_CHANGES) -> FlywayResult:
    """Run the flyway model for one species from the embedded table and its profile.

    Parameters
    ----------
    species : str
        Profile name of a bird with a ``[flyway]`` table.
    sensitivity : bool, default True
        Also compute :func:`range_sensitivity` over ``changes``.
    """
    profile, fr = _flight_range(species)
    sites = species_sites(profile.name)
    network = FlywayNetwork(sites, max_leg_km=fr.max_leg_km)
    ranking = site_ranking(network, median_leg_km=fr.typical_leg_km)
    sens = range_sensitivity(sites, fr.max_leg_km, changes=changes) if sensitivity else None
    return FlywayResult(profile.name, fr.max_leg_km, fr.typical_leg_km, network, ranking,
                        country_shares(ranking), sens)
