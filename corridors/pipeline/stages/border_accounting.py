"""Stage: border accounting per link - what each country holds of a corridor, and where its
least-cost path crosses the border.

Bilateral working groups negotiate over these numbers: for every ranked link its cost-weighted
distance, path length, current and pinch points split by country, and the crossing point(s) of
its least-cost path on the international border with the local resistance and the corridor's
width there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["BorderAccount", "account_borders", "path_cost_by_label", "country_cells"]

_CROSSING_COLUMNS = ["Cross_ID", "Link_ID", "Rank", "Border", "Side_A", "Side_B", "Resist", "Width_km",
                     "Method", "geometry"]
_SPLIT_COLUMNS = ["Link_ID", "Rank", "ISO3", "CW_Dist", "Cost_Shr", "Length_km", "Corr_km2", "Unprot_km2",
                  "Unprot_Shr", "Cur_Shr", "Pinch_Pts"]


@dataclass
class BorderAccount:
    """Result of :func:`account_borders`.

    crossings : GeoDataFrame, one point per crossing of a ranked link's least-cost path from one
    country into another: ``Cross_ID``, ``Link_ID``, ``Rank``, ``Border`` (the pair, e.g.
    ``CHN-RUS``), ``Side_A``/``Side_B`` (country before and after the crossing, along the path
    from ``From_PA`` to ``To_PA``), ``Resist`` (mean resistance of the two cells the path steps
    between), ``Width_km`` (length of the border inside the corridor at the crossing; NaN where
    the path crosses through sea), ``Method`` ("border": on the border line; "cells": between the
    two cells, no land border nearby; "nearest": the path's cells never change country because a
    reserve's cells reach over the border, so the point of that border nearest to the path).
    by_country : DataFrame, one row per ranked link and country it touches: ``CW_Dist`` (the part
    of the link's cost-weighted distance in that country; the rows of a link add up to its
    CW_Dist), ``Cost_Shr``, ``Length_km`` (path length), ``Corr_km2``, ``Unprot_km2``,
    ``Unprot_Shr`` (corridor area, its unprotected part and share), ``Cur_Shr`` (share of the
    link's current outside its two reserves), ``Pinch_Pts``. Country "" = outside every country
    polygon (sea).
    """

    crossings: Any
    by_country: pd.DataFrame


def country_cells(countries, grid) -> tuple[np.ndarray, list[str]]:
    """Country label per cell (cell centre inside the polygon; 0 = none) and the ISO3 of each label.

    Where country polygons overlap, the first in ``countries`` order wins (as in the gaps).
    """
    import rasters

    iso = [str(i) for i in countries["iso3"]]
    labels = np.arange(1, len(iso) + 1)
    # rasterize burns later geometries over earlier ones: reverse so the first wins
    lab = rasters.rasterize(list(countries.geometry.values)[::-1], grid, values=labels[::-1], fill=0,
                            dtype=np.int16).values
    return lab, iso


def path_cost_by_label(path_cells: np.ndarray, resistance: np.ndarray, labels: np.ndarray, cellsize: float,
                       nlabels: int) -> tuple[np.ndarray, np.ndarray]:
    """Cost and length of a least-cost path split by the label of the cells it passes.

    A step from ``u`` to ``v`` costs ``(r_u + r_v) / 2 * L`` (``L`` the step length, cellsize or
    cellsize * sqrt 2): the half ``r_u L / 2`` is booked to ``u``'s label and ``r_v L / 2`` to
    ``v``'s, likewise ``L / 2`` of the length, so the parts add up exactly to the path's cost and
    length.

    Returns
    -------
    cost, length : float64 arrays (nlabels + 1,), indexed by label (0 = no label)
    """
    rc = np.asarray(path_cells)
    cost = np.zeros(nlabels + 1)
    length = np.zeros(nlabels + 1)
    if len(rc) < 2:
        return cost, length
    r = resistance[rc[:, 0], rc[:, 1]].astype(np.float64)
    lab = labels[rc[:, 0], rc[:, 1]]
    step = np.where(np.abs(np.diff(rc, axis=0)).sum(axis=1) == 2, np.sqrt(2.0), 1.0) * cellsize
    np.add.at(cost, lab[:-1], r[:-1] * step / 2)
    np.add.at(cost, lab[1:], r[1:] * step / 2)
    np.add.at(length, lab[:-1], step / 2)
    np.add.at(length, lab[1:], step / 2)
    return cost, length


def account_borders(links, corridors, circuits, pinch_points, ranking, resistance, inputs) -> BorderAccount:
    """Split every ranked link by country and find its border crossings (see :class:`BorderAccount`)."""
    import geopandas as gpd

    grid = resistance
    lab, iso = country_cells(inputs.countries, grid)
    names = [""] + iso
    res = _Float64Cells(grid)
    protected = corridors.protected
    windows = {w.link_id: w for w in corridors.windows}
    current = {r.link_id: r.current for r in circuits.results}
    pins = pinch_points.points
    borders = inputs.borders
    rows, crossings = [], []
    for rec in ranking.itertuples(index=False):
        lid, w = int(rec.Link_ID), windows[int(rec.Link_ID)]
        cells = links.linkage.paths[lid]
        cost, length = path_cost_by_label(cells, res, lab, grid.cellsize, len(iso))
        sub = lab[w.rows, w.cols]
        corr = w.corridor
        inner = corr & ~(w.core_a | w.core_b)
        cur = np.where(inner & np.isfinite(current[lid]), current[lid], 0.0)
        cur_total = cur.sum()
        pin_lab = lab[pins.loc[pins["Link_ID"] == lid, "Row"].to_numpy(int),
                      pins.loc[pins["Link_ID"] == lid, "Col"].to_numpy(int)]
        cell_km2 = grid.cellsize ** 2 / 1e6
        for k in np.unique(np.concatenate([sub[corr], lab[cells[:, 0], cells[:, 1]]])):
            in_k = corr & (sub == k)
            n = int(in_k.sum())
            unprot = int((in_k & ~protected[w.rows, w.cols]).sum())
            rows.append({"Link_ID": lid, "Rank": int(rec.Rank), "ISO3": names[k], "CW_Dist": float(cost[k]),
                         "Cost_Shr": float(cost[k] / rec.CW_Dist) if rec.CW_Dist > 0 else 0.0,
                         "Length_km": float(length[k] / 1000.0), "Corr_km2": n * cell_km2,
                         "Unprot_km2": unprot * cell_km2, "Unprot_Shr": unprot / n if n else 0.0,
                         "Cur_Shr": float(cur[sub == k].sum() / cur_total) if cur_total > 0 else 0.0,
                         "Pinch_Pts": int((pin_lab == k).sum())})
        crossings += _crossings(rec, cells, lab, names, res, grid, borders, corridors.polygons)
    by_country = pd.DataFrame(rows, columns=_SPLIT_COLUMNS)
    cross = gpd.GeoDataFrame(crossings, columns=_CROSSING_COLUMNS[1:], geometry="geometry", crs=grid.crs)
    cross.insert(0, "Cross_ID", np.arange(1, len(cross) + 1, dtype=np.int64))
    return BorderAccount(crossings=cross, by_country=by_country)


class _Float64Cells:
    """Cells of a Grid read as float64 with nodata NaN, one index at a time: what
    ``grid.masked_float(np.float64)[key]`` gives, without converting the whole grid."""

    def __init__(self, grid):
        self._values = grid.values
        nd = grid.nodata
        self._nodata = None if nd is None or (isinstance(nd, float) and np.isnan(nd)) else nd

    def __getitem__(self, key):
        v = self._values[key]
        out = np.array(v, dtype=np.float64)
        if self._nodata is not None:
            out[np.asarray(v) == self._nodata] = np.nan
        return out if out.ndim else np.float64(out)


def _crossings(rec, cells, lab, names, res, grid, borders, polygons) -> list[dict]:
    """The points where the path passes from one country's cells into another's (sea cells in
    between are skipped: a path that leaves Russia over the sea and lands in Korea crosses once)."""
    import shapely
    import shapely.ops

    path_lab = lab[cells[:, 0], cells[:, 1]]
    land = np.flatnonzero(path_lab > 0)
    out = []
    corridor = polygons.loc[polygons["Link_ID"] == rec.Link_ID, "geometry"]
    corridor = corridor.iloc[0] if len(corridor) else shapely.Polygon()
    for i, j in zip(land[:-1], land[1:]):
        a, b = names[path_lab[i]], names[path_lab[j]]
        if a == b:
            continue
        pair = "-".join(sorted((a, b)))
        xa, ya = grid.xy(*cells[i])
        xb, yb = grid.xy(*cells[j])
        step = shapely.LineString([(xa, ya), (xb, yb)])
        line = borders.loc[borders["pair"] == pair, "geometry"]
        line = shapely.union_all(line.values) if len(line) else shapely.LineString()
        mid = step.interpolate(0.5, normalized=True)
        hit = shapely.intersection(step, line)
        if hit.is_empty and j == i + 1 and not line.is_empty and line.distance(mid) <= grid.cellsize:
            # country polygons are simplified, the border line is not: snap within one cell
            hit = shapely.ops.nearest_points(line, mid)[0]
        if not hit.is_empty:
            point, method = shapely.centroid(hit), "border"
            width = _width_at(point, line, corridor)
        else:  # through the sea or a third country's polygon gap: no land border between
            point, method, width = mid, "cells", np.nan
        out.append({"Link_ID": int(rec.Link_ID), "Rank": int(rec.Rank), "Border": pair, "Side_A": a,
                    "Side_B": b, "Resist": float((res[tuple(cells[i])] + res[tuple(cells[j])]) / 2),
                    "Width_km": width, "Method": method, "geometry": point})
    if not out:
        out = _nearest_crossing(rec, cells, res, grid, borders, corridor)
    return out


def _nearest_crossing(rec, cells, res, grid, borders, corridor) -> list[dict]:
    """A path whose cells never change country (its reserves' cells reach over the border) gets
    the point of the reserves' border nearest to the path (``Method`` "nearest")."""
    import shapely
    import shapely.ops

    pair = "-".join(sorted((str(rec.From_ISO3), str(rec.To_ISO3))))
    line = borders.loc[borders["pair"] == pair, "geometry"]
    if not len(line):
        return []
    line = shapely.union_all(line.values)
    xs, ys = grid.xy(cells[:, 0], cells[:, 1])
    path = shapely.LineString(np.column_stack([xs, ys])) if len(cells) > 1 else shapely.Point(xs[0], ys[0])
    on_border, on_path = shapely.ops.nearest_points(line, path)
    k = int(np.argmin(np.hypot(np.asarray(xs) - on_path.x, np.asarray(ys) - on_path.y)))
    return [{"Link_ID": int(rec.Link_ID), "Rank": int(rec.Rank), "Border": pair, "Side_A": str(rec.From_ISO3),
             "Side_B": str(rec.To_ISO3), "Resist": float(res[tuple(cells[k])]),
             "Width_km": _width_at(on_border, line, corridor), "Method": "nearest", "geometry": on_border}]


def _width_at(point, border, corridor) -> float:
    """Length (km) of the piece of ``border`` inside ``corridor`` that holds (or is nearest to) ``point``."""
    import shapely

    pieces = [p for p in shapely.get_parts(shapely.line_merge(shapely.intersection(border, corridor)))
              if p.length > 0]
    if not pieces:
        return np.nan
    nearest = min(pieces, key=lambda p: p.distance(point))
    return float(nearest.length / 1000.0)
