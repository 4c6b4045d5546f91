"""Gaps: where the top corridors leave protected land, pairs with no viable corridor, and the
worst pinch points.

* **Unprotected stretches**: the corridor polygon of each top-ranked link minus every protected area,
  split into parts, each with its area (km2), the countries it lies in and the link it belongs to.
* **Unlinked pairs**: candidate border-reserve pairs without a viable link, with the reason.
* **Pinch points**: local maxima of the link's current density inside its corridor and outside
  every reserve (where all routes squeeze through).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rasters.grid import require_north_up

__all__ = ["mask_to_geometry", "unprotected_stretches", "pinch_points", "unlinked_pairs"]


def mask_to_geometry(mask: np.ndarray, transform, *, offset: tuple[int, int] = (0, 0)):
    """Union of the cells where ``mask`` is True, as a shapely (Multi)Polygon in map units.

    Cells are merged per row into runs (rectangles) before the union, so the cost grows with the
    number of runs, not of cells. ``offset`` = (row0, col0) of ``mask`` inside the grid that
    ``transform`` describes. Returns an empty Polygon for an empty mask.
    """
    import shapely

    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return shapely.Polygon()
    r0, c0 = offset
    padded = np.zeros((mask.shape[0], mask.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    d = np.diff(padded, axis=1)
    rows_s, cols_s = np.nonzero(d == 1)
    rows_e, cols_e = np.nonzero(d == -1)  # same order: row-major, starts and ends alternate
    t = transform
    require_north_up(t, "mask_to_geometry")
    x0 = t.c + (cols_s + c0) * t.a
    x1 = t.c + (cols_e + c0) * t.a
    ya = t.f + (rows_s + r0) * t.e
    yb = t.f + (rows_s + r0 + 1) * t.e
    boxes = shapely.box(np.minimum(x0, x1), np.minimum(ya, yb), np.maximum(x0, x1), np.maximum(ya, yb))
    return shapely.union_all(boxes)


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


def pinch_points(current: np.ndarray, corridor: np.ndarray, protected: np.ndarray, *,
                 window: int = 5, top: int = 3) -> list[tuple[int, int, float]]:
    """Worst pinch points of one link: local maxima of current outside reserves.

    Parameters
    ----------
    current : 2-D float array
        Current density of the link's corridor circuit (A per cell); NaN or 0 outside.
    corridor : 2-D bool array
        Cells of the corridor.
    protected : 2-D bool array
        Cells inside any protected area.
    window : int
        Side of the square neighbourhood (cells) in which a pinch point must be the maximum.
    top : int
        How many to return.

    Returns
    -------
    list of (row, col, current)
        Highest current first; ties broken by row then column (deterministic).
    """
    from scipy import ndimage

    if top <= 0:
        return []
    cur = np.where(np.isfinite(current) & corridor, current, 0.0).astype(np.float64)
    local_max = ndimage.maximum_filter(cur, size=window, mode="constant", cval=0.0)
    cand = (cur > 0) & (cur >= local_max) & corridor & ~protected
    rr, cc = np.nonzero(cand)
    vals = cur[rr, cc]
    order = np.lexsort((cc, rr, -vals))[:top]
    return [(int(rr[i]), int(cc[i]), float(vals[i])) for i in order]


def unlinked_pairs(pairs: pd.DataFrame, linked: set[frozenset], reasons: dict[frozenset, str]) -> pd.DataFrame:
    """Candidate pairs (``pa_a``, ``pa_b``, ...) without a viable link, with ``Reason``."""
    keep = [frozenset((a, b)) not in linked for a, b in zip(pairs["pa_a"], pairs["pa_b"])]
    out = pairs.loc[keep].copy()
    out["Reason"] = [reasons.get(frozenset((a, b)), "no least-cost path")
                     for a, b in zip(out["pa_a"], out["pa_b"])]
    return out.reset_index(drop=True)
