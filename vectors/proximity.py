"""Reserves near borders and candidate transboundary pairs of reserves."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from rasters.errors import InputError

from ._common import iso3_set, require_projected, require_same_crs
from .borders import border_pairs

__all__ = ["border_reserves", "candidate_pairs"]


def _check_pas(pas: gpd.GeoDataFrame) -> None:
    missing = {"pa_id", "iso3"} - set(pas.columns)
    if missing:
        raise InputError(
            f"protected areas: missing column(s) {sorted(missing)}; read them with "
            "vectors.read_protected_areas"
        )
    dup = pas["pa_id"][pas["pa_id"].duplicated()].tolist()
    if dup:
        raise InputError(f"protected areas: duplicated pa_id {dup[:10]}; dissolve them first")


def _check_distance(value: float, name: str) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number of metres, got {value!r}") from None
    if not (value >= 0 and np.isfinite(value)):
        raise InputError(f"{name} must be a finite distance >= 0 metres, got {value!r}")
    return value


def border_reserves(
    pas: gpd.GeoDataFrame, borders: gpd.GeoDataFrame, max_distance: float
) -> gpd.GeoDataFrame:
    """Reserves whose edge lies within ``max_distance`` of a land border of their own country.

    Parameters
    ----------
    pas : geopandas.GeoDataFrame
        Protected areas with ``pa_id`` and ``iso3`` (projected CRS).
    borders : geopandas.GeoDataFrame
        Land borders with ``iso3_a``/``iso3_b`` (or ``pair``), e.g. from
        :func:`vectors.international_borders`, same CRS.
    max_distance : float
        Largest edge-to-border distance, metres (0 = the reserve touches or crosses a border).

    Returns
    -------
    geopandas.GeoDataFrame
        The selected rows of ``pas`` in their original order, plus ``border_dist_m`` (shortest
        distance from the reserve polygon to a border of one of its countries, metres) and
        ``border_pair`` (that border; ties go to the alphabetically first pair).
    """
    _check_pas(pas)
    require_projected(pas, "protected areas", "distances to borders")
    require_same_crs(pas, borders, "protected areas", "borders")
    max_distance = _check_distance(max_distance, "max_distance")
    pairs = border_pairs(borders)
    names = ["-".join(sorted(p)) for p in pairs]
    pa_geoms = np.asarray(pas.geometry.values, dtype=object)
    b_geoms = np.asarray(borders.geometry.values, dtype=object)
    tree = shapely.STRtree(b_geoms)
    ip, ib = tree.query(pa_geoms, predicate="dwithin", distance=max_distance)
    best: dict[int, tuple[float, str]] = {}
    countries = [iso3_set(v) for v in pas["iso3"]]
    if len(ip):
        dist = shapely.distance(pa_geoms[ip], b_geoms[ib])
        for p, b, d in zip(ip.tolist(), ib.tolist(), dist.tolist()):
            if not (countries[p] & pairs[b]):
                continue  # a border of two other countries does not make this a border reserve
            cand = (d, names[b])
            if p not in best or cand < best[p]:
                best[p] = cand
    keep = sorted(best)
    out = pas.iloc[keep].copy()
    out["border_dist_m"] = [best[p][0] for p in keep]
    out["border_pair"] = [best[p][1] for p in keep]
    return out


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
