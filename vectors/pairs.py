"""Pairs of reserves a connectivity analysis links: :func:`node_pairs` (network nodes,
transboundary or domestic, adjoining or not) and :func:`candidate_pairs` (reserves of two
countries within a gap)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from rasters.errors import InputError

from ._common import ISO3_SEPARATOR, iso3_set, require_columns, require_projected, require_same_crs
from .borders import border_pairs
from .near_borders import _check_distance, _check_pas

__all__ = ["PAIR_KINDS", "DEFAULT_ADJOIN_TOLERANCE", "DEFAULT_MIN_SHARED_LENGTH", "node_pairs", "candidate_pairs"]

#: ``kind`` of a pair: nodes of two sovereign countries, or of one.
PAIR_KINDS = ("transboundary", "domestic")

#: Two nodes farther apart than this (metres) never adjoin. Pass the grid's cell size to accept
#: the gaps that rasterised or generalised outlines leave along a border.
DEFAULT_ADJOIN_TOLERANCE = 1000.0

#: Shortest stretch of shared boundary (metres) that makes two nodes adjoining; a pair that only
#: touches at a corner does not share a border segment.
DEFAULT_MIN_SHARED_LENGTH = 1000.0


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
    require_columns(nodes, "nodes", ("pa_id", "iso3"))
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


def candidate_pairs(
    pas: gpd.GeoDataFrame,
    *,
    max_gap: float,
    borders: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Pairs of reserves in different countries separated by at most ``max_gap`` metres.

    Two reserves are "in different countries" when their ``iso3`` sets differ (a reserve coded
    ``"KOR;PRK"`` pairs with reserves of KOR and of PRK). Pairs are found with an STRtree
    ``dwithin`` query, so the cost grows with the number of close pairs, not n².

    Parameters
    ----------
    pas : geopandas.GeoDataFrame
        Protected areas with ``pa_id`` and ``iso3`` (projected CRS).
    max_gap : float
        Largest edge-to-edge gap, metres. 0 keeps only reserves that touch or overlap.
    borders : geopandas.GeoDataFrame, optional
        Land borders (:func:`vectors.international_borders`). When given, only pairs whose
        countries share a land border are kept (this drops e.g. reserves facing each other
        across a sea strait) and a ``border_pair`` column names that border.

    Returns
    -------
    pandas.DataFrame
        ``pa_a``, ``pa_b`` (``pa_a`` < ``pa_b``), ``iso3_a``, ``iso3_b``, ``gap_m`` (metres),
        ``touching`` (gap is 0: the reserves touch or overlap across the border), and
        ``border_pair`` when ``borders`` is given. Sorted by ``gap_m``, then ``pa_a``, ``pa_b``.
    """
    _check_pas(pas)
    require_projected(pas, "protected areas", "gaps between reserves")
    max_gap = _check_distance(max_gap, "max_gap")
    land: dict[frozenset, str] = {}
    if borders is not None:
        require_same_crs(pas, borders, "protected areas", "borders")
        land = {p: "-".join(sorted(p)) for p in border_pairs(borders)}
    geoms = np.asarray(pas.geometry.values, dtype=object)
    ids = pas["pa_id"].astype(str).tolist()
    codes = pas["iso3"].astype(str).tolist()
    sets = [iso3_set(v) for v in codes]
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=max_gap)
    sel = (left < right)
    left, right = left[sel], right[sel]
    diff = np.array([sets[i] != sets[j] for i, j in zip(left, right)], dtype=bool)
    left, right = left[diff], right[diff]
    gaps = shapely.distance(geoms[left], geoms[right]) if len(left) else np.zeros(0)
    rows = []
    for i, j, g in zip(left.tolist(), right.tolist(), np.asarray(gaps).tolist()):
        if ids[j] < ids[i]:
            i, j = j, i
        row = {"pa_a": ids[i], "pa_b": ids[j], "iso3_a": codes[i], "iso3_b": codes[j],
               "gap_m": float(g), "touching": bool(g == 0.0)}
        if borders is not None:
            shared = sorted(land[frozenset((x, y))] for x in sets[i] for y in sets[j]
                            if x != y and frozenset((x, y)) in land)
            if not shared:
                continue
            row["border_pair"] = ";".join(dict.fromkeys(shared))
        rows.append(row)
    cols = ["pa_a", "pa_b", "iso3_a", "iso3_b", "gap_m", "touching"]
    if borders is not None:
        cols.append("border_pair")
    out = pd.DataFrame(rows, columns=cols)
    out = out.sort_values(["gap_m", "pa_a", "pa_b"], kind="mergesort").reset_index(drop=True)
    out["touching"] = out["touching"].astype(bool)
    out["gap_m"] = out["gap_m"].astype(float)
    return out
