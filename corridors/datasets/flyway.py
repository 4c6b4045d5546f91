"""The embedded flyway site table: key wetlands of three migratory birds (see ``flyway/README.md``).

One row per site with its position, country (from the table, never from country polygons), a
role per species (breeding, stopover, wintering or none), protection status, the embedded border
reserve it belongs to (``pa_id`` of ``nea/nea_border_pas.csv``, where one applies), an approximate
area and a source. Coordinates and areas are approximate: ``coord_conf`` and ``area_conf`` say how
much (``assumed`` areas are assumptions, stated in ``note``).
"""

from __future__ import annotations

import functools
import re
from types import MappingProxyType

import numpy as np
import pandas as pd

from ..errors import DataFormatError, InputError
from ._resources import resource

__all__ = [
    "FLYWAY_SPECIES",
    "FLYWAY_SITE_COLUMNS",
    "PROTECTION_STATES",
    "flyway_sites",
    "species_sites",
    "check_flyway_sites",
]

#: Species of the table: profile name -> role column.
FLYWAY_SPECIES = MappingProxyType({
    "black_faced_spoonbill": "role_bfs",
    "white_naped_crane": "role_wnc",
    "hooded_crane": "role_hdc",
})

#: Columns of ``flyway/sites.csv``, in order.
FLYWAY_SITE_COLUMNS = (
    "site_id", "name", "iso3", "lon", "lat", "coord_conf", "area_km2", "area_conf",
    "role_bfs", "role_wnc", "role_hdc", "role_conf", "protection", "protected", "pa_id",
    "source", "note",
)

#: ``protected`` values: a legal reserve covers the site (yes), part of it or only locally
#: (partial), none (no), or not verified (unknown).
PROTECTION_STATES = ("yes", "partial", "no", "unknown")

_CONF = {"high", "medium", "low"}
_AREA_CONF = _CONF | {"assumed"}
_ROLES = {"", "breeding", "stopover", "wintering"}
_ISO3 = re.compile(r"^[A-Z]{3}$")
#: A loose box around East Asia (lon, lat degrees): catches swapped or mistyped coordinates.
_BOX = (100.0, 150.0, 15.0, 60.0)


@functools.lru_cache(maxsize=1)
def _table() -> pd.DataFrame:
    with resource("flyway", "sites.csv").open("rb") as fh:
        table = pd.read_csv(fh, keep_default_na=False, dtype=str)
    return check_flyway_sites(table, where="flyway/sites.csv")


def flyway_sites() -> pd.DataFrame:
    """The embedded site table (a fresh copy), checked.

    Returns
    -------
    pandas.DataFrame
        :data:`FLYWAY_SITE_COLUMNS`; ``lon``, ``lat`` (WGS 84 degrees) and ``area_km2`` as float,
        the rest as text (empty where not applicable).
    """
    return _table().copy()


def species_sites(species: str) -> pd.DataFrame:
    """The sites one species uses, with its role, as :class:`corridors.flyway.FlywayNetwork` takes them.

    Parameters
    ----------
    species : str
        A profile name of :data:`FLYWAY_SPECIES` (``"white_naped_crane"`` ...).

    Returns
    -------
    pandas.DataFrame
        ``site_id, name, iso3, lon, lat, role, area_km2, protected, pa_id, coord_conf,
        area_conf, role_conf, protection, source, note``, sorted by ``site_id``; only the rows
        with a role for that species.
    """
    key = str(species).strip().lower().replace(" ", "_").replace("-", "_")
    if key not in FLYWAY_SPECIES:
        raise InputError(f"no flyway sites for species {species!r}; the table covers "
                         f"{list(FLYWAY_SPECIES)}")
    table = _table()
    col = FLYWAY_SPECIES[key]
    rows = table[table[col] != ""].rename(columns={col: "role"})
    keep = ["site_id", "name", "iso3", "lon", "lat", "role", "area_km2", "protected", "pa_id",
            "coord_conf", "area_conf", "role_conf", "protection", "source", "note"]
    return rows[keep].sort_values("site_id").reset_index(drop=True)


def check_flyway_sites(table: pd.DataFrame, *, where: str = "site table") -> pd.DataFrame:
    """Check a site table in the layout of ``flyway/sites.csv`` and convert its numbers.

    Raises :class:`corridors.DataFormatError` naming the file, the row and the fix at the first
    problem: a missing column, a duplicate or blank id, coordinates outside East Asia, an area
    <= 0, an unknown role, confidence or protection value, a row with no role, an unknown
    ``pa_id`` (it must be a reserve of the embedded ``nea/nea_border_pas.csv``), a blank source,
    or an ``assumed`` area whose note does not say so.
    """
    missing = [c for c in FLYWAY_SITE_COLUMNS if c not in table.columns]
    if missing:
        raise DataFormatError(f"{where}: lacks column(s) {missing}; the columns are "
                              f"{list(FLYWAY_SITE_COLUMNS)}")
    t = table[list(FLYWAY_SITE_COLUMNS)].copy()
    for col in t.columns:
        t[col] = t[col].astype(str).str.strip()

    def bad(mask, message):
        if mask.any():
            first = t.index[np.flatnonzero(np.asarray(mask))[0]]
            raise DataFormatError(f"{where}: site {t.at[first, 'site_id']!r}: {message(first)}")

    bad(t["site_id"] == "", lambda i: "blank site_id; give every row an id")
    bad(t["site_id"].duplicated(), lambda i: "duplicate site_id; ids must be unique")
    for col in ("lon", "lat", "area_km2"):
        num = pd.to_numeric(t[col], errors="coerce")
        bad(num.isna(), lambda i, c=col: f"{c} = {t.at[i, c]!r} is not a number")
        t[col] = num.astype(float)
    lo, hi, la, ha = _BOX
    bad(~t["lon"].between(lo, hi) | ~t["lat"].between(la, ha),
        lambda i: f"lon, lat = {t.at[i, 'lon']}, {t.at[i, 'lat']} is outside East Asia "
                  f"(lon {lo}-{hi}, lat {la}-{ha}); check for swapped or mistyped degrees")
    bad(t["area_km2"] <= 0, lambda i: f"area_km2 = {t.at[i, 'area_km2']} must be > 0 (km2)")
    bad(~t["iso3"].map(lambda v: bool(v) and all(_ISO3.match(p) for p in v.split(";"))),
        lambda i: f"iso3 = {t.at[i, 'iso3']!r}; give ISO 3166-1 alpha-3 codes, ';'-separated")
    for col, allowed in (("coord_conf", _CONF), ("area_conf", _AREA_CONF), ("role_conf", _CONF),
                         ("protected", set(PROTECTION_STATES))):
        bad(~t[col].isin(allowed),
            lambda i, c=col, a=allowed: f"{c} = {t.at[i, c]!r}; choose one of {sorted(a)}")
    roles = list(FLYWAY_SPECIES.values())
    for col in roles:
        bad(~t[col].isin(_ROLES),
            lambda i, c=col: f"{c} = {t.at[i, c]!r}; choose breeding, stopover, wintering or blank")
    bad((t[roles] == "").all(axis=1), lambda i: f"no role for any species in {roles}")
    bad(t["source"] == "", lambda i: "blank source; every row needs a citable source")
    bad((t["area_conf"] == "assumed") & ~t["note"].str.contains("assumption"),
        lambda i: "area_conf = 'assumed' but the note does not state the assumption")
    known = _known_pa_ids()
    bad(~t["pa_id"].map(lambda v: all(p in known for p in v.split(";") if p)),
        lambda i: f"pa_id = {t.at[i, 'pa_id']!r} is not a reserve of nea/nea_border_pas.csv; "
                  "give its pa_id (';'-separated) or leave it blank")
    return t.reset_index(drop=True)


@functools.lru_cache(maxsize=1)
def _known_pa_ids() -> frozenset[str]:
    with resource("nea", "nea_border_pas.csv").open("rb") as fh:
        ids = pd.read_csv(fh, usecols=["pa_id"], dtype=str, keep_default_na=False)["pa_id"]
    return frozenset(ids.str.strip())
