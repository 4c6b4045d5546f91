"""Network nodes from protected areas, and the pairs of nodes a connectivity analysis links.

A node is a habitat unit of one sovereign country:

* a reserve coded with several countries (``"CHN;RUS"``) is split by the country polygons, one
  piece per country (the piece outside every listed country goes to the nearest listed one);
* one country's nested or overlapping reserves are merged into one node (members kept), so they
  cannot be linked to each other or give near-duplicate links;
* reserves of countries outside ``countries_of_interest`` (context countries) are left out.

Transboundary complexes (reserves of two countries managed together) stay labels: their members
are separate nodes, and where they share a border segment :func:`node_pairs` marks the pair
``adjoining``.
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from rasters.errors import InputError

from ._common import ISO3_SEPARATOR, iso3_set, log, polygonal_part, require_projected, require_same_crs
from .borders import border_pairs
from .overlaps import DEFAULT_MIN_OVERLAP, MEMBER_SEPARATOR, dissolve_overlapping

__all__ = [
    "PAIR_KINDS",
    "DEFAULT_ADJOIN_TOLERANCE",
    "DEFAULT_MIN_SHARED_LENGTH",
    "UNION_COLUMNS",
    "split_by_country",
    "network_nodes",
    "node_pairs",
]

#: ``kind`` of a pair: nodes of two sovereign countries, or of one.
PAIR_KINDS = ("transboundary", "domestic")

#: Two nodes farther apart than this (metres) never adjoin. Pass the grid's cell size to accept
#: the gaps that rasterised or generalised outlines leave along a border.
DEFAULT_ADJOIN_TOLERANCE = 1000.0

#: Shortest stretch of shared boundary (metres) that makes two nodes adjoining; a pair that only
#: touches at a corner does not share a border segment.
DEFAULT_MIN_SHARED_LENGTH = 1000.0

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
    _check(pas, "protected areas", ("pa_id", "iso3"))
    _check(countries, "countries", ("iso3",))
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
    _check(pas, "protected areas", ("pa_id", "name", "iso3"))
    _check(countries, "countries", ("iso3",))
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


def node_pairs(
    nodes: gpd.GeoDataFrame,
    *,
    max_gap: float,
    borders: gpd.GeoDataFrame | None = None,
    adjoin_tolerance: float = DEFAULT_ADJOIN_TOLERANCE,
    min_shared_length: float = DEFAULT_MIN_SHARED_LENGTH,
) -> pd.DataFrame:
    """Pairs of nodes at most ``max_gap`` apart, classified transboundary or domestic, adjoining or not.

    A pair is ``transboundary`` when its two nodes belong to two sovereign countries and
    ``domestic`` when they belong to one. It is ``adjoining`` when the nodes share a border
    segment: they are at most ``adjoin_tolerance`` apart and share at least
    ``min_shared_length`` of outline. The shared length is

    ``shared_m = max(0, min(L_ab, L_ba) - 2 t)``

    where ``L_ab`` is the length of node a's outline within ``t = adjoin_tolerance`` of node b
    (and ``L_ba`` the reverse). The stretch within ``t`` overshoots a common segment by ``t`` at
    each end where the outlines turn away from each other, hence ``- 2 t``: exact for outlines
    that meet along a segment, an underestimate when a gap separates them, and 0 for nodes that
    meet only at a corner.

    Parameters
    ----------
    nodes : geopandas.GeoDataFrame
        From :func:`network_nodes` (one country code per row; projected CRS).
    max_gap : float
        Largest edge-to-edge gap, metres.
    borders : geopandas.GeoDataFrame, optional
        Land borders (:func:`vectors.international_borders`). When given, transboundary pairs of
        countries without a common land border (across a sea) are dropped, and ``border_pair``
        names the border of the others.
    adjoin_tolerance, min_shared_length : float
        Metres; see above. Pass the analysis grid's cell size as ``adjoin_tolerance`` when the
        outlines come from a raster or a generalised source.

    Returns
    -------
    pandas.DataFrame
        ``pa_a`` < ``pa_b``, ``iso3_a``, ``iso3_b``, ``kind``, ``gap_m``, ``shared_m``,
        ``adjoining``, ``border_pair`` (empty for domestic pairs, and when ``borders`` is None).
        Sorted by ``kind`` (transboundary first), ``gap_m``, ``pa_a``, ``pa_b``.
    """
    _check(nodes, "nodes", ("pa_id", "iso3"))
    require_projected(nodes, "nodes", "gaps between nodes")
    multi = nodes.loc[nodes["iso3"].astype(str).str.contains(ISO3_SEPARATOR, regex=False), "pa_id"].tolist()
    if multi:
        raise InputError(f"nodes {multi[:10]} have several countries; build nodes with vectors.network_nodes")
    ids = nodes["pa_id"].astype(str).tolist()
    if len(set(ids)) != len(ids):
        raise InputError("nodes: duplicated pa_id; build nodes with vectors.network_nodes")
    for name, value in (("max_gap", max_gap), ("adjoin_tolerance", adjoin_tolerance),
                        ("min_shared_length", min_shared_length)):
        if not (np.isfinite(float(value)) and float(value) >= 0):
            raise InputError(f"{name} must be a finite distance >= 0 metres, got {value!r}")
    land: dict[frozenset, str] = {}
    if borders is not None:
        require_same_crs(nodes, borders, "nodes", "borders")
        land = {p: "-".join(sorted(p)) for p in border_pairs(borders)}
    geoms = np.asarray(nodes.geometry.values, dtype=object)
    codes = nodes["iso3"].astype(str).tolist()
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=float(max_gap))
    sel = left < right
    left, right = left[sel], right[sel]
    gaps = shapely.distance(geoms[left], geoms[right]) if len(left) else np.zeros(0)
    rows = []
    for i, j, g in zip(left.tolist(), right.tolist(), np.asarray(gaps, dtype=float).tolist()):
        if ids[j] < ids[i]:
            i, j = j, i
        kind = "domestic" if codes[i] == codes[j] else "transboundary"
        border = ""
        if kind == "transboundary" and borders is not None:
            border = land.get(frozenset((codes[i], codes[j])), "")
            if not border:
                continue
        shared = _shared_length(geoms[i], geoms[j], adjoin_tolerance) if g <= adjoin_tolerance else 0.0
        rows.append({"pa_a": ids[i], "pa_b": ids[j], "iso3_a": codes[i], "iso3_b": codes[j], "kind": kind,
                     "gap_m": g, "shared_m": shared,
                     "adjoining": bool(g <= adjoin_tolerance and shared >= min_shared_length),
                     "border_pair": border})
    cols = ["pa_a", "pa_b", "iso3_a", "iso3_b", "kind", "gap_m", "shared_m", "adjoining", "border_pair"]
    out = pd.DataFrame(rows, columns=cols)
    out["_k"] = out["kind"].map({"transboundary": 0, "domestic": 1})
    out = out.sort_values(["_k", "gap_m", "pa_a", "pa_b"], kind="mergesort").drop(columns="_k")
    out = out.reset_index(drop=True)
    out["adjoining"] = out["adjoining"].astype(bool)
    out["gap_m"] = out["gap_m"].astype(float)
    out["shared_m"] = out["shared_m"].astype(float)
    return out


def _shared_length(a, b, tolerance: float) -> float:
    """Shared outline of a and b, metres (see :func:`node_pairs`)."""
    zone_b = shapely.buffer(b, tolerance, quad_segs=4) if tolerance > 0 else b
    zone_a = shapely.buffer(a, tolerance, quad_segs=4) if tolerance > 0 else a
    la = shapely.length(shapely.intersection(shapely.boundary(a), zone_b))
    lb = shapely.length(shapely.intersection(shapely.boundary(b), zone_a))
    return float(max(0.0, min(la, lb) - 2 * tolerance))


def _check(gdf, what: str, cols) -> None:
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise InputError(f"{what}: expected a GeoDataFrame, got {type(gdf).__name__}")
    missing = sorted(set(cols) - set(gdf.columns))
    if missing:
        raise InputError(f"{what}: missing column(s) {missing}; columns are {list(gdf.columns)}")
