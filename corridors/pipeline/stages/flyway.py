"""Stage of a flyway run: the site network of a migratory bird, in place of terrestrial corridors.

A species profile with a ``[flyway]`` table (the cranes, the spoonbill) is a bird that flies
between wetlands in legs of hundreds of kilometres; a least-cost corridor over the land cover,
let alone across the sea, means nothing for it. For such a profile the run skips the resistance
chain and every stage after it and runs this one: :func:`corridors.flyway.run_species` on the
embedded site table (sites, legs within the flight range, removal impact, dPC, country shares and
the sensitivity to the flight range), with the sites and legs brought onto the run's CRS so that
they draw over the same context layers as a terrestrial run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["Flyway", "build_flyway", "is_flyway_profile", "check_flyway_scenario", "SITE_LAYER_COLUMNS"]

log = logging.getLogger(__name__)

#: columns of the ``flyway_sites`` layer after the ranking's: where the site is, how sure, and why
SITE_LAYER_COLUMNS = ("lon", "lat", "area_km2", "pa_id", "protection", "coord_conf", "area_conf", "role_conf",
                      "source", "note")


@dataclass
class Flyway:
    """Result of :func:`build_flyway`: the flyway model of one species.

    species : profile name; max_leg_km, typical_leg_km : the flight range (km) and the median leg
    of dPC, from the profile; range_sources : their sources (``max_leg_km`` / ``typical_leg_km`` ->
    text); ranking : :func:`corridors.flyway.site_ranking` (``flyway_ranking.csv``'s columns
    first, most important site first); sites : GeoDataFrame of the ranking's rows with the site
    table's position, area, reserve and sources (:data:`SITE_LAYER_COLUMNS`), points in the run's
    CRS; legs : GeoDataFrame of the legs (great-circle lines) in the run's CRS; countries : per
    country shares of the critical sites (:func:`corridors.flyway.country_shares`, ``iso3`` a
    column); sensitivity : :func:`corridors.flyway.range_sensitivity` over -25 % .. +25 % of the
    flight range; connected_pairs : breeding -> wintering pairs joined by a chain of legs;
    files : the input files it read [(role, path)]; sources : [{layer, source, licence}] of the
    site table and the flight range, for the report and the map's footer.
    """

    species: str
    max_leg_km: float
    typical_leg_km: float
    range_sources: dict[str, str]
    ranking: pd.DataFrame
    sites: Any
    legs: Any
    countries: pd.DataFrame
    sensitivity: pd.DataFrame
    connected_pairs: int
    files: list[tuple[str, Path]] = field(default_factory=list)
    sources: list[dict[str, str]] = field(default_factory=list)

    def critical_unprotected(self) -> pd.DataFrame:
        """Ranking rows of the critical sites with ``protected == "no"``."""
        r = self.ranking
        return r[r["critical"] & (r["protected"] == "no")].reset_index(drop=True)


def is_flyway_profile(profile) -> bool:
    """Whether a run with ``profile`` (a :class:`~corridors.datasets.SpeciesProfile`) is a flyway run."""
    return getattr(profile, "flyway", None) is not None


def check_flyway_scenario(scenario, profile) -> None:
    """Refuse what a flyway run cannot honour: parts of ``scenario`` that only act on the
    resistance surface (edits, ``[uncertainty]``, ``inputs.resistance_table``, ``inputs.layers``).

    Parameters
    ----------
    scenario : Scenario (resolved)
    profile : SpeciesProfile of ``scenario.species.profile``; nothing is checked unless it has a
        ``[flyway]`` table.

    Raises
    ------
    ConfigError
        Naming what has no effect and the fix. (``[parameters]`` and ``[ranking]`` always carry
        their defaults, so they are not refused; the log says they do not apply.)
    """
    from ...errors import ConfigError

    if not is_flyway_profile(profile):
        return
    given = [what for what, present in (
        (f"{len(scenario.edits)} edit(s)", bool(scenario.edits)),
        ("[uncertainty]", scenario.uncertainty is not None),
        ("inputs.resistance_table", scenario.inputs.resistance_table is not None),
        ("inputs.layers", bool(scenario.inputs.layers))) if present]
    if given:
        raise ConfigError(
            f"species.profile = {profile.name!r} is a migratory bird (its profile has a [flyway] table): the run "
            f"models its flyway as a network of wetland sites and builds no resistance surface, so "
            f"{', '.join(given)} would have no effect; remove them, or choose a terrestrial species profile")


def build_flyway(inputs) -> Flyway:
    """The flyway model of the run's species (``inputs.profile`` has a ``[flyway]`` table).

    Parameters
    ----------
    inputs : RunInputs
        From :func:`~.inputs.load_inputs`; its profile names the species and its land cover's CRS
        is the CRS of the layers returned.

    Raises
    ------
    ConfigError
        The profile has no ``[flyway]`` table.
    InputError
        The embedded site table has no site of that species.
    """
    import geopandas as gpd

    from ... import flyway
    from ...datasets._resources import data_path

    profile = inputs.profile
    log.info("flyway run for %s: no resistance surface or corridor; [parameters] and [ranking] do not apply",
             profile.name)
    result = flyway.run_species(profile.name)
    crs = inputs.landcover.crs
    table = result.network.sites  # indexed by site_id, every column of the site table
    ranking = result.ranking
    extra = table.loc[ranking["site_id"], list(SITE_LAYER_COLUMNS)].reset_index(drop=True)
    attrs = pd.concat([ranking.reset_index(drop=True), extra], axis=1)
    points = gpd.points_from_xy(attrs["lon"], attrs["lat"], crs="EPSG:4326")
    sites = gpd.GeoDataFrame(attrs, geometry=points).to_crs(crs)
    legs = result.legs().to_crs(crs)
    countries = result.countries.rename_axis("iso3").reset_index()
    with data_path("flyway", "sites.csv") as path:
        files = [("embedded:flyway_sites", Path(path))]
    sources = [
        {"layer": "flyway sites", "source": f"corridors/datasets/flyway/sites.csv ({len(ranking)} sites of "
                                            f"{profile.name}; a citable source per row, coordinates and areas "
                                            "approximate: see coord_conf, area_conf and note)",
         "licence": "compiled for corridors from the public sources named in each row (MIT, as the package)"},
        {"layer": "flight range", "source": "; ".join(f"{k} = {getattr(profile.flyway, k):g} km: {v}"
                                                      for k, v in profile.flyway.sources.items()),
         "licence": f"species profile {profile.name}"},
    ]
    return Flyway(species=profile.name, max_leg_km=result.max_leg_km, typical_leg_km=result.typical_leg_km,
                  range_sources=dict(profile.flyway.sources), ranking=ranking, sites=sites, legs=legs,
                  countries=countries, sensitivity=result.sensitivity,
                  connected_pairs=result.network.n_connected_pairs, files=files, sources=sources)
