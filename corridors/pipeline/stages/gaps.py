"""Stage 9: gaps - where the top corridors leave protected land, and the pairs with no viable
corridor.

* **Unprotected stretches**: the corridor polygon of each top-ranked link minus every protected area,
  split into parts, each with its area (km2), the countries it lies in and the link it belongs to.
* **Unlinked pairs**: candidate border-reserve pairs without a viable link, with the reason, as
  lines between the two reserves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Gaps", "find_gaps", "unprotected_stretches", "unlinked_layer"]


@dataclass
class Gaps:
    """Result of :func:`find_gaps`.

    corridors : the corridor polygons with each link's rank, reserves and countries, by rank;
    gaps : GeoDataFrame of unprotected stretches of the top corridors; unlinked : GeoDataFrame of
    candidate pairs without a viable link.
    """

    corridors: Any
    gaps: Any
    unlinked: Any


def find_gaps(corridors, ranking, links, inputs, cfg) -> Gaps:
    """Unprotected stretches of the corridors ranked ``1..cfg.gap_top`` and the unlinked pairs.

    ``corridors``: :class:`~.corridors.CorridorSet`; ``ranking``: the ranked link table;
    ``links``: :class:`~.links.LinkSet`; ``inputs``: :class:`~.inputs.RunInputs`;
    ``cfg``: the scenario's ``[ranking]``.
    """
    corr = corridors.polygons.merge(ranking[["Link_ID", "Rank", "From_PA", "To_PA", "From_ISO3", "To_ISO3"]],
                                    on="Link_ID")
    corr = corr.sort_values("Rank").reset_index(drop=True)
    top = corr[corr["Rank"] <= cfg.gap_top]
    gaps = unprotected_stretches(top, inputs.pas, inputs.countries, min_area_km2=cfg.min_gap_area)
    return Gaps(corridors=corr, gaps=gaps, unlinked=unlinked_layer(links.unlinked, inputs.pas))


def unprotected_stretches(corridors, protected, countries, *, min_area_km2: float = 0.0):
    """Parts of corridor polygons outside every protected area.

    Parameters
    ----------
    corridors : GeoDataFrame
        Corridor polygons with ``Link_ID``, ``Rank`` (and any extra columns kept as is).
    protected : GeoDataFrame
        Protected areas (all reserves, including new ones) in the same CRS.
    countries : GeoDataFrame
        Country polygons with ``iso3``, same CRS.
    min_area_km2 : float
        Parts smaller than this are dropped (km2).

    Returns
    -------
    GeoDataFrame
        ``Gap_ID`` (1.. by link rank then area), ``Link_ID``, ``Rank``, ``Area_km2``,
        ``Countries`` (ISO3 codes joined with ';', sorted), ``Share`` (part area / corridor area)
        and polygon geometry.
    """
    import geopandas as gpd
    import shapely

    crs = corridors.crs
    pa_union = shapely.union_all(protected.geometry.values) if len(protected) else shapely.Polygon()
    rows = []
    for rec in corridors.itertuples(index=False):
        geom = rec.geometry
        if geom is None or geom.is_empty:
            continue
        outside = shapely.difference(geom, pa_union)
        parts = shapely.get_parts(outside)
        for part in parts:
            if part.geom_type != "Polygon" or part.is_empty:
                continue
            area_km2 = part.area / 1e6
            if area_km2 < min_area_km2 or area_km2 <= 0:
                continue
            hits = countries[countries.intersects(part)]
            isos = sorted({str(i) for i in hits["iso3"]})
            rows.append({
                "Link_ID": int(rec.Link_ID), "Rank": int(rec.Rank), "Area_km2": float(area_km2),
                "Countries": ";".join(isos), "Share": float(part.area / geom.area), "geometry": part,
            })
    df = gpd.GeoDataFrame(rows, columns=["Link_ID", "Rank", "Area_km2", "Countries", "Share", "geometry"],
                          geometry="geometry", crs=crs)
    if len(df):
        df = df.sort_values(["Rank", "Area_km2", "Link_ID"], ascending=[True, False, True], kind="mergesort")
        df = df.reset_index(drop=True)
    df.insert(0, "Gap_ID", np.arange(1, len(df) + 1, dtype=np.int64))
    return df


def unlinked_layer(unlinked, pas):
    """Candidate pairs without a viable link as lines between the two reserves (shortest line)."""
    import geopandas as gpd
    import shapely

    geom_of = dict(zip(pas["pa_id"].astype(str), pas.geometry))
    lines = [shapely.shortest_line(geom_of[a], geom_of[b]) for a, b in zip(unlinked["pa_a"], unlinked["pa_b"])]
    df = unlinked.rename(columns={"pa_a": "From_PA", "pa_b": "To_PA", "iso3_a": "From_ISO3", "iso3_b": "To_ISO3",
                                  "gap_m": "Gap_m", "touching": "Touching", "border_pair": "Border"})
    return gpd.GeoDataFrame(df, geometry=lines, crs=pas.crs)
