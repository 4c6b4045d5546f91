"""Stage 9: gaps - where the top corridors leave protected land, and the pairs with no viable
corridor.

* **Unprotected stretches**: the top-ranked corridors dissolved, minus every protected area, split
  at the country borders into non-overlapping parts, each with its country, area (km2) and the
  links whose corridors it belongs to.
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
    from .nodes import legal_reserves

    gaps = unprotected_stretches(top, legal_reserves(inputs.pas), inputs.countries, min_area_km2=cfg.min_gap_area)
    return Gaps(corridors=corr, gaps=gaps, unlinked=unlinked_layer(links.unlinked, links.nodes))


def unprotected_stretches(corridors, protected, countries, *, min_area_km2: float = 0.0):
    """The unprotected parts of the corridors as non-overlapping polygons, one country each.

    The corridors are dissolved first, so land that two corridors share is counted once; what no
    reserve covers is split at the country borders (countries taken in ``countries`` order, each
    part assigned to the first that contains it, so parts never overlap even where country
    polygons do) and into its connected parts. Land outside every country polygon (sea, lakes
    left out of the polygons) is not a gap of any country and is dropped.

    Parameters
    ----------
    corridors : GeoDataFrame
        Corridor polygons with ``Link_ID`` and ``Rank``.
    protected : GeoDataFrame
        Protected areas (all reserves, including new ones) in the same CRS.
    countries : GeoDataFrame
        Country polygons with ``iso3``, same CRS.
    min_area_km2 : float
        Parts smaller than this are dropped (km2).

    Returns
    -------
    GeoDataFrame
        ``Gap_ID`` (1.. by best rank, then larger area, then country), ``ISO3``, ``Area_km2``,
        ``Best_Rank`` (the best-ranked corridor the part belongs to), ``N_Links`` and ``Links``
        (the Link_IDs of every corridor that contains part of it, ';'-joined, by rank), polygon
        geometry. The areas add up to the area of their union.
    """
    import geopandas as gpd
    import shapely

    columns = ["Gap_ID", "ISO3", "Area_km2", "Best_Rank", "N_Links", "Links", "geometry"]
    corr = corridors[~corridors.geometry.is_empty & corridors.geometry.notna()].sort_values("Rank", kind="mergesort")
    pa_union = shapely.union_all(protected.geometry.values) if len(protected) else shapely.Polygon()
    remaining = shapely.difference(shapely.union_all(corr.geometry.values), pa_union)
    tree = shapely.STRtree(corr.geometry.values)
    rows = []
    for iso3, country in zip(countries["iso3"].astype(str), countries.geometry.values):
        inside = shapely.intersection(remaining, country)
        remaining = shapely.difference(remaining, country)
        for part in shapely.get_parts(inside):
            area_km2 = part.area / 1e6 if part.geom_type == "Polygon" else 0.0
            if area_km2 <= 0 or area_km2 < min_area_km2:
                continue
            hits = [k for k in tree.query(part, predicate="intersects")
                    if shapely.intersection(corr.geometry.values[k], part).area > 0]
            ranks = corr["Rank"].to_numpy()[hits]
            order = np.argsort(ranks, kind="stable")
            ids = corr["Link_ID"].to_numpy()[hits][order]
            rows.append({"ISO3": iso3, "Area_km2": float(area_km2), "Best_Rank": int(ranks.min()),
                         "N_Links": len(ids), "Links": ";".join(str(int(i)) for i in ids), "geometry": part})
    df = gpd.GeoDataFrame(rows, columns=columns[1:], geometry="geometry", crs=corridors.crs)
    if len(df):
        df = df.sort_values(["Best_Rank", "Area_km2", "ISO3"], ascending=[True, False, True], kind="mergesort")
        df = df.reset_index(drop=True)
    df.insert(0, "Gap_ID", np.arange(1, len(df) + 1, dtype=np.int64))
    return df


def unlinked_layer(unlinked, pas):
    """Candidate pairs without a viable link as lines between their two nodes (shortest line)."""
    import geopandas as gpd
    import shapely

    geom_of = dict(zip(pas["pa_id"].astype(str), pas.geometry))
    lines = [shapely.shortest_line(geom_of[a], geom_of[b]) for a, b in zip(unlinked["pa_a"], unlinked["pa_b"])]
    df = unlinked.rename(columns={"pa_a": "From_PA", "pa_b": "To_PA", "iso3_a": "From_ISO3", "iso3_b": "To_ISO3",
                                  "gap_m": "Gap_m", "kind": "Link_Info", "border_pair": "Border"})
    df = df.drop(columns=[c for c in ("shared_m", "adjoining") if c in df.columns])
    return gpd.GeoDataFrame(df, geometry=lines, crs=pas.crs)
