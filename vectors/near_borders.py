"""Reserves near international land borders: the border reserves of a country."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from rasters.errors import InputError

from ._common import iso3_set, require_projected, require_same_crs
from .borders import border_pairs

__all__ = ["border_reserves"]


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
