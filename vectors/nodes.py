"""Network nodes from protected areas.

A node is a habitat unit of one sovereign country:

* a reserve coded with several countries (``"CHN;RUS"``) is split by the country polygons, one
  piece per country (the piece outside every listed country goes to the nearest listed one);
* one country's nested or overlapping reserves are merged into one node (members kept), so they
  cannot be linked to each other or give near-duplicate links;
* reserves of countries outside ``countries_of_interest`` (context countries) are left out.

Transboundary complexes (reserves of two countries managed together) stay labels: their members
are separate nodes, and where they share a border segment :func:`vectors.node_pairs` marks the
pair ``adjoining``.
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from rasters.errors import InputError

from ._common import ISO3_SEPARATOR, iso3_set, log, polygonal_part, require_columns, require_projected, require_same_crs
from .overlaps import DEFAULT_MIN_OVERLAP, MEMBER_SEPARATOR, dissolve_overlapping

__all__ = ["UNION_COLUMNS", "split_by_country", "network_nodes"]

#: Columns of ``;``-separated codes that a merged node takes as the union over its members.
UNION_COLUMNS = ("focus_species", "complex")


def _core_countries(countries: gpd.GeoDataFrame, countries_of_interest) -> frozenset[str]:
    if countries_of_interest is not None:
        wanted = frozenset(str(c).strip().upper() for c in countries_of_interest)
        unknown = sorted(wanted - set(countries["iso3"]))
        if unknown:
            raise InputError(
                f"countries_of_interest {unknown} are not in the countries layer (it has "
                f"{sorted(countries['iso3'])}); fix the codes (ISO 3166-1 alpha-3)"
            )
        return wanted
    if "role" in countries.columns:
        return frozenset(countries.loc[countries["role"].astype(str) == "core", "iso3"])
    return frozenset(countries["iso3"])


def split_by_country(pas: gpd.GeoDataFrame, countries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One row per reserve and sovereign country: multi-country reserves are cut by the polygons.

    A reserve coded with one country is kept as it is. A reserve coded ``"A;B"`` becomes the
    pieces ``pa_id + "_A"`` and ``pa_id + "_B"``: its intersection with each listed country's
    polygon, plus the parts that lie in no listed country (a border river, the sea, a gap between
    generalised outlines), each given to the nearest listed country, so the pieces add up to the
    reserve. A listed country whose piece is empty gets no row.

    Parameters
    ----------
    pas : geopandas.GeoDataFrame
        ``pa_id``, ``iso3`` and polygons, projected CRS.
    countries : geopandas.GeoDataFrame
        ``iso3`` and polygons, same CRS.

    Returns
    -------
    geopandas.GeoDataFrame
        The columns of ``pas`` plus ``source_pa_id`` (the reserve a row came from); ``iso3`` holds
        one code per row.
    """
    require_columns(pas, "protected areas", ("pa_id", "iso3"))
    require_columns(countries, "countries", ("iso3",))
    require_projected(pas, "protected areas", "splitting reserves by country")
    require_same_crs(pas, countries, "protected areas", "countries")
    poly = dict(zip(countries["iso3"].astype(str), countries.geometry.values))
    rows, geoms = [], []
    records = pas.drop(columns=pas.geometry.name).to_dict("records")
    for base, geom in zip(records, pas.geometry.values):
        pa_id, iso3 = str(base["pa_id"]), base["iso3"]
        codes = sorted(iso3_set(iso3))
        base["source_pa_id"] = pa_id
        if len(codes) <= 1:
            rows.append(base)
            geoms.append(geom)
            continue
        absent = [c for c in codes if c not in poly]
        if absent:
            raise InputError(
                f"protected areas: reserve {pa_id!r} is coded {iso3!r} but the countries "
                f"layer has no {absent}; add those countries or fix the code"
            )
        pieces = {c: polygonal_part(shapely.intersection(geom, poly[c])) for c in codes}
        rest = polygonal_part(shapely.difference(geom, shapely.union_all([poly[c] for c in codes])))
        extra: dict[str, list] = {c: [] for c in codes}
        for part in shapely.get_parts(rest):
            if shapely.area(part) <= 0:
                continue
            near = min(codes, key=lambda c: (shapely.distance(part, poly[c]), c))
            extra[near].append(part)
        for c in codes:
            g = shapely.union_all([pieces[c], *extra[c]]) if extra[c] else pieces[c]
            g = polygonal_part(g)
            if shapely.is_empty(g) or shapely.area(g) <= 0:
                continue
            row = dict(base, pa_id=f"{pa_id}_{c}", iso3=c)
            rows.append(row)
            geoms.append(g)
        log.info("split reserve %s (%s) by country into %s", pa_id, iso3,
                 [c for c in codes if not shapely.is_empty(pieces[c]) or extra[c]])
    cols = [c for c in pas.columns if c != pas.geometry.name] + ["source_pa_id"]
    out = gpd.GeoDataFrame(pd.DataFrame(rows, columns=cols), geometry=list(geoms), crs=pas.crs)
    return out


def network_nodes(
    pas: gpd.GeoDataFrame,
    countries: gpd.GeoDataFrame,
    *,
    countries_of_interest: Iterable[str] | None = None,
    include_not_legal: bool = False,
    min_overlap: float = DEFAULT_MIN_OVERLAP,
) -> gpd.GeoDataFrame:
    """The nodes of the reserve network: one country's overlapping reserves merged, one country each.

    Steps: drop reserves flagged ``legal = False`` (the Korean DMZ) unless
    ``include_not_legal``; split multi-country reserves (:func:`split_by_country`); drop pieces
    of countries outside ``countries_of_interest``; merge each country's overlapping or nested
    reserves (:func:`vectors.dissolve_overlapping`, overlap above ``min_overlap`` of the smaller).

    Parameters
    ----------
    pas : geopandas.GeoDataFrame
        Reserves: ``pa_id``, ``name``, ``iso3``, polygons (projected CRS); optional ``legal``
        (bool) and ``;``-separated code columns :data:`UNION_COLUMNS`.
    countries : geopandas.GeoDataFrame
        Country polygons, ``iso3`` and optionally ``role`` (``core``/``context``), same CRS.
    countries_of_interest : iterable of str, optional
        ISO alpha-3 codes whose reserves become nodes. Default: the countries whose ``role`` is
        ``core`` (all countries when there is no ``role`` column). Context countries take part
        only when listed here.
    include_not_legal : bool
        Keep rows whose ``legal`` column is False. Default False.
    min_overlap : float
        Share of the smaller reserve two reserves must overlap by to merge.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per node: ``pa_id`` (the node id: the id of its largest member), ``name``,
        ``iso3`` (one code), the other columns of the largest member, ``members`` (member ids,
        largest first, ``;``-joined), ``n_members``, ``member_names``, ``source_pa_ids`` (the
        reserves before any country split), ``area_km2`` (node polygon, km²) and the polygon.
        Columns in :data:`UNION_COLUMNS` hold the union of the members' codes. Sorted by
        ``pa_id``.
    """
    require_columns(pas, "protected areas", ("pa_id", "name", "iso3"))
    require_columns(countries, "countries", ("iso3",))
    wanted = _core_countries(countries, countries_of_interest)
    work = pas
    if "legal" in work.columns and not include_not_legal:
        legal = work["legal"].astype(bool)
        if (~legal).any():
            log.info("nodes: leaving out %d reserve(s) that are not legal protected areas: %s",
                     int((~legal).sum()), work.loc[~legal, "pa_id"].tolist())
        work = work[legal]
    parts = split_by_country(work, countries)
    keep = parts["iso3"].isin(wanted)
    if (~keep).any():
        log.info("nodes: leaving out %d reserve piece(s) outside countries_of_interest %s: %s",
                 int((~keep).sum()), sorted(wanted), parts.loc[~keep, "pa_id"].tolist())
    parts = parts[keep].reset_index(drop=True)
    if parts.empty:
        raise InputError(
            f"no reserve lies in countries_of_interest {sorted(wanted)}; check the codes or the "
            "reserves' iso3 column"
        )
    names = dict(zip(parts["pa_id"].astype(str), parts["name"].astype(str)))
    union = {c: dict(zip(parts["pa_id"].astype(str), parts[c])) for c in UNION_COLUMNS if c in parts.columns}
    sources = dict(zip(parts["pa_id"].astype(str), parts["source_pa_id"].astype(str)))
    nodes = dissolve_overlapping(parts, id_col="pa_id", group_col="iso3", min_overlap=min_overlap)
    member_ids = [m.split(MEMBER_SEPARATOR) for m in nodes["members"]]
    nodes["member_names"] = [MEMBER_SEPARATOR.join(names[m] for m in ms) for ms in member_ids]
    nodes["source_pa_ids"] = [MEMBER_SEPARATOR.join(dict.fromkeys(sources[m] for m in ms)) for ms in member_ids]
    for col, values in union.items():
        nodes[col] = [_union_codes(values[m] for m in ms) for ms in member_ids]
    nodes["area_km2"] = nodes.geometry.area.to_numpy() / 1e6
    nodes = nodes.drop(columns=["source_pa_id"])
    merged = nodes[nodes["n_members"] > 1]
    if len(merged):
        log.info("nodes: merged overlapping reserves of one country: %s",
                 dict(zip(merged["pa_id"], merged["members"])))
    return nodes.sort_values("pa_id", kind="mergesort").reset_index(drop=True)


def _union_codes(values) -> str:
    codes: set[str] = set()
    for v in values:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            continue
        codes |= {p.strip() for p in str(v).split(ISO3_SEPARATOR) if p.strip() and p.strip() != "-"}
    return ISO3_SEPARATOR.join(sorted(codes))
