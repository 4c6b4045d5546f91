"""Observed transborder movements of identified individuals, and corridors tested against them.

An individual moved across a border when its detections fall in two or more countries. Each
pair of consecutive detections (in time) in different countries is a *crossing*. A crossing
is *contained* by a corridor when its path (the straight line between the two stations, or the
least-cost path on the run's resistance) crosses an international land border inside the
corridor polygon. Corridors include their end reserves, so testing only whether a path touches
a corridor would be met by any camera inside a reserve; the border crossing point is the test.

Validation score of a corridor: the share of all observed crossings it contains. Null model:
the same corridor polygon rotated by a uniform random angle about its centroid and shifted by a
uniform random offset within ``max_shift`` metres, redrawn until it still crosses an
international border (elsewhere along it), ``n_null`` times with a seeded generator. The
one-sided p = (1 + #{null share >= observed}) / (n_null + 1) says how often a corridor of the
same shape placed at random along the border does at least as well.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from ._tables import join_problems

__all__ = ["transborder_movements", "MovementResult", "validate_corridors", "assign_countries"]

log = logging.getLogger("corridors.evidence")

#: Tries to place a null corridor across a border before accepting a placement that misses it.
MAX_PLACEMENT_TRIES = 200

#: columns of the ``transborder_movements`` layer
_MOVEMENT_COLUMNS = ["Species", "Indiv_ID", "N_Det", "N_Ctry", "Countries", "N_Cross", "Min_Hours", "First_UTC",
                     "Last_UTC", "SL_In_Cor", "LCP_In_Cor", "Link_IDs", "geometry"]
#: columns of the ``crossings`` layer
_CROSSING_COLUMNS = ["Cross_ID", "Species", "Indiv_ID", "From_ISO3", "To_ISO3", "From_Stn", "To_Stn", "From_UTC",
                     "To_UTC", "Hours", "SL_Links", "LCP_Links", "LCP_Cost", "LCP_Note", "geometry"]


@dataclass
class MovementResult:
    """What :func:`transborder_movements` found.

    Attributes
    ----------
    detections : GeoDataFrame
        The detections in the work CRS with ``iso3`` (and ``Ctry_m``, distance to the country
        polygon when the station lies just outside every one, 0 inside).
    movements : GeoDataFrame
        Layer ``transborder_movements``: one line per individual detected in >= 2 countries,
        through its detections in time order. ``Species``, ``Indiv_ID``, ``N_Det``, ``N_Ctry``,
        ``Countries`` (the sequence, ``"CHN>RUS>CHN"``), ``N_Cross``, ``Min_Hours`` (shortest time
        between detections on the two sides), ``First_UTC``, ``Last_UTC``, ``SL_In_Cor`` and
        ``LCP_In_Cor`` (crossings whose straight line / least-cost path crosses the border in a
        corridor), ``Link_IDs``.
    crossings : GeoDataFrame
        One straight line per crossing: ``Cross_ID``, ``Species``, ``Indiv_ID``, ``From_ISO3``,
        ``To_ISO3``, ``From_Stn``, ``To_Stn``, ``From_UTC``, ``To_UTC``, ``Hours``, ``SL_Links``,
        ``LCP_Links`` (Link_IDs containing it, ``;``-separated), ``LCP_Cost``, ``LCP_Note``.
    lcp_paths : GeoDataFrame
        The least-cost path of each crossing (``Cross_ID``), when a resistance was given.
    validation : pandas.DataFrame or None
        Table ``validation.csv`` (see :func:`validate_corridors`) when corridors were given.
    skipped : dict
    """

    detections: object
    movements: object
    crossings: object
    lcp_paths: object
    validation: object = None
    skipped: dict = field(default_factory=dict)


def assign_countries(points, countries, *, tolerance: float = 1000.0):
    """ISO3 code of the country polygon holding each point (nearest within ``tolerance`` m).

    Returns
    -------
    (iso3 array of str, distance array of float metres)

    Raises
    ------
    InputError
        One line per station farther than ``tolerance`` from every country polygon.
    """
    import shapely

    geoms = np.asarray(points.geometry.values, dtype=object)
    polys = np.asarray(countries.geometry.values, dtype=object)
    codes = countries["iso3"].astype(str).to_numpy()
    order = np.argsort(codes, kind="stable")  # deterministic when polygons overlap
    iso = np.empty(len(geoms), dtype=object)
    dist = np.zeros(len(geoms))
    problems = []
    tree = shapely.STRtree(polys[order])
    for i, g in enumerate(geoms):
        hits = tree.query(g, predicate="intersects")
        if hits.size:
            iso[i] = codes[order][np.min(hits)]
            continue
        near = tree.query_nearest(g, return_distance=True)
        k, dd = near[0][0], float(near[1][0])
        if dd <= tolerance:
            iso[i], dist[i] = codes[order][k], dd
        else:
            row = points.iloc[i]
            where = f"{row.get('source', 'detections')}: line {row.get('line', '?')}: station {row.get('station', i)!r}"
            problems.append(f"{where} lies {dd / 1000:.1f} km "
                            f"outside every country polygon (tolerance {tolerance:g} m); check its coordinates")
    if problems:
        raise InputError(join_problems(problems))
    return iso.astype(str), dist


def _border_points(line, borders):
    """Where ``line`` crosses an international border (empty geometry if it does not)."""
    import shapely

    return shapely.intersection(line, borders)


def _links_containing(cross_geom, corridors) -> list[int]:
    import shapely

    if cross_geom is None or shapely.is_empty(cross_geom):
        return []
    hit = shapely.intersects(np.asarray(corridors.geometry.values, dtype=object), cross_geom)
    return sorted(int(v) for v in corridors["Link_ID"].to_numpy()[hit])


def transborder_movements(detections, countries, *, corridors=None, resistance=None, borders=None,
                          country_tolerance: float = 1000.0, n_null: int = 999, seed: int = 0,
                          max_shift: float = 100_000.0, species=None) -> MovementResult:
    """Individuals detected in two or more countries, their crossings, and the corridors' score.

    Parameters
    ----------
    detections : Detections or GeoDataFrame
        From :func:`read_detections`.
    countries : GeoDataFrame
        Country polygons with ``iso3`` (projected CRS, or the resistance grid's CRS is used).
    corridors : GeoDataFrame, optional
        Modelled corridor polygons with ``Link_ID`` (the run's ``corridors`` layer).
    resistance : rasters.Grid, optional
        The run's resistance surface, for least-cost paths between stations.
    borders : GeoDataFrame, optional
        International land borders (default: :func:`vectors.international_borders`).
    country_tolerance : float
        Metres a station may lie outside every country polygon (coasts, simplified outlines).
    n_null, seed, max_shift
        Null model of :func:`validate_corridors`.
    species : iterable of str, optional
        Profile names to keep (default: all).

    Returns
    -------
    MovementResult
    """
    import geopandas as gpd
    import pandas as pd

    table = detections.table if hasattr(detections, "table") else detections
    skipped = dict(getattr(detections, "skipped", {}) or {})
    if species is not None:
        keep = set(species)
        table = table[table["species"].isin(keep)]
    crs = resistance.crs if resistance is not None else countries.crs
    if crs is None or not crs.is_projected:
        raise InputError("countries must be in a projected CRS (metres), or give the run's resistance grid")
    det = table.to_crs(crs).copy()
    ctry = countries.to_crs(crs)
    iso, dist = assign_countries(det, ctry, tolerance=country_tolerance)
    det["iso3"] = iso
    det["Ctry_m"] = dist
    border_union = _border_union(borders, ctry, crs)
    if corridors is not None:
        corridors = corridors.to_crs(crs)
        if "Link_ID" not in corridors.columns:
            raise InputError("corridors: the layer needs a Link_ID column (the run's 'corridors' layer)")

    det = det.sort_values(["species", "individual", "time", "det_id"], kind="mergesort").reset_index(drop=True)
    mov_rows, cross_rows, lcp_rows = [], [], []
    for (sp, ind), grp in det.groupby(["species", "individual"], sort=True):
        if len(set(grp["iso3"])) < 2:
            continue
        crossed = _individual_crossings(sp, ind, grp, len(cross_rows) + 1, border_union, corridors, resistance)
        cross_rows += crossed
        lcp_rows += [r.pop("_lcp_row") for r in crossed if "_lcp_row" in r]
        mov_rows.append(_movement_row(sp, ind, grp, crossed))
    movements = gpd.GeoDataFrame(mov_rows, columns=_MOVEMENT_COLUMNS, geometry="geometry", crs=crs)
    crossings = gpd.GeoDataFrame(pd.DataFrame(cross_rows).reindex(columns=_CROSSING_COLUMNS), geometry="geometry", crs=crs)
    lcp_paths = gpd.GeoDataFrame(lcp_rows, columns=["Cross_ID", "LCP_Cost", "geometry"], geometry="geometry", crs=crs)
    validation = None
    if corridors is not None:
        sl_geoms = [_border_points(g, border_union) for g in crossings.geometry]
        lcp_geoms = None
        if resistance is not None:
            by_id = dict(zip(lcp_paths["Cross_ID"], lcp_paths.geometry))
            lcp_geoms = [_border_points(by_id[c], border_union) if c in by_id else None for c in crossings["Cross_ID"]]
        validation = validate_corridors(sl_geoms, lcp_geoms, corridors, border_union, n_null=n_null, seed=seed,
                                        max_shift=max_shift)
    keep_cols = [c for c in ["det_id", "station", "species", "sci_name", "individual", "time", "iso3", "Ctry_m",
                             "source", "line", "geometry"] if c in det.columns]
    return MovementResult(det[keep_cols], movements, crossings, lcp_paths, validation, skipped)


def _border_union(borders, countries, crs):
    """One geometry of the international land borders (default: derived from ``countries``)."""
    import shapely

    import vectors

    if borders is None:
        borders = vectors.international_borders(countries)
    else:
        borders = borders.to_crs(crs)
    return shapely.union_all(np.asarray(borders.geometry.values, dtype=object))


def _individual_crossings(sp, ind, grp, first_id: int, border_union, corridors, resistance) -> list[dict]:
    """Rows of the ``crossings`` layer for one individual's detections (time order), numbered from ``first_id``.

    Besides the layer's columns a row holds ``_sl`` and ``_lcp`` (corridor ids containing the
    straight line's and the least-cost path's border crossing), ``_has_lcp`` and, where a
    least-cost line was found, ``_lcp_row`` (a row of the ``crossing_lcps`` layer).
    """
    import shapely

    seq = grp["iso3"].tolist()
    pts = list(grp.geometry)
    times = grp["time"].tolist()
    stations = grp["station"].tolist()
    rows = []
    for k in range(len(seq) - 1):
        if seq[k] == seq[k + 1]:
            continue
        cross_id = first_id + len(rows)
        line = shapely.LineString([pts[k], pts[k + 1]])
        h = (times[k + 1] - times[k]).total_seconds() / 3600.0
        sl_links = _links_containing(_border_points(line, border_union), corridors) if corridors is not None else []
        lcp_links, lcp_cost, note, lcp_row = [], float("nan"), "", None
        if resistance is not None:
            lcp_cost, note, lcp_line = _least_cost_line(resistance, pts[k], pts[k + 1])
            if lcp_line is not None:
                lcp_row = {"Cross_ID": cross_id, "LCP_Cost": lcp_cost, "geometry": lcp_line}
                if corridors is not None:
                    lcp_links = _links_containing(_border_points(lcp_line, border_union), corridors)
            if note:
                log.warning("crossing %d (%s %s): %s", cross_id, sp, ind, note)
        row = {"Cross_ID": cross_id, "Species": sp, "Indiv_ID": ind, "From_ISO3": seq[k],
               "To_ISO3": seq[k + 1], "From_Stn": stations[k], "To_Stn": stations[k + 1],
               "From_UTC": times[k].isoformat(), "To_UTC": times[k + 1].isoformat(), "Hours": h,
               "SL_Links": ";".join(map(str, sl_links)), "LCP_Links": ";".join(map(str, lcp_links)),
               "LCP_Cost": lcp_cost, "LCP_Note": note, "_sl": sl_links, "_lcp": lcp_links,
               "_has_lcp": resistance is not None and not note, "geometry": line}
        if lcp_row is not None:
            row["_lcp_row"] = lcp_row
        rows.append(row)
    return rows


def _least_cost_line(resistance, a, b):
    """Least-cost path between stations ``a`` and ``b``: (cost, note, LineString or None).

    The note says why there is no line (barriers between, a station off the grid, both in one cell).
    """
    from ..leastcost import NoPathError, least_cost_path

    try:
        lcp = least_cost_path(resistance, (a.x, a.y), (b.x, b.y), xy=True)
    except NoPathError:
        return float("nan"), "no least-cost path (barriers separate the stations)", None
    except InputError as exc:
        return float("nan"), f"no least-cost path: {exc}", None
    if lcp.line is not None and lcp.line.geom_type == "LineString":
        return lcp.cost, "", lcp.line
    return lcp.cost, "stations in one cell: the least-cost path is a point", None


def _movement_row(sp, ind, grp, crossed: list[dict]) -> dict:
    """The ``transborder_movements`` row of one individual from its detections and crossings."""
    import shapely

    seq = grp["iso3"].tolist()
    pts = list(grp.geometry)
    times = grp["time"].tolist()
    links = sorted({x for r in crossed for x in r["_sl"] + r["_lcp"]})
    changes = [seq[0]] + [b for a, b in zip(seq, seq[1:]) if a != b]
    return {"Species": sp, "Indiv_ID": ind, "N_Det": len(seq), "N_Ctry": len(set(seq)),
            "Countries": ">".join(changes), "N_Cross": len(crossed), "Min_Hours": min(r["Hours"] for r in crossed),
            "First_UTC": times[0].isoformat(), "Last_UTC": times[-1].isoformat(),
            "SL_In_Cor": sum(bool(r["_sl"]) for r in crossed), "LCP_In_Cor": sum(bool(r["_lcp"]) for r in crossed),
            "Link_IDs": ";".join(map(str, links)),
            "geometry": shapely.LineString(pts) if len(set((p.x, p.y) for p in pts)) > 1 else pts[0]}


def _moved(poly, rng, max_shift: float):
    from shapely import affinity

    theta = rng.uniform(0.0, 360.0)
    r = max_shift * math.sqrt(rng.uniform())
    phi = rng.uniform(0.0, 2 * math.pi)
    c = poly.centroid
    out = affinity.rotate(poly, theta, origin=c)
    return affinity.translate(out, r * math.cos(phi), r * math.sin(phi))


def _place(poly, rng, max_shift, border) -> object:
    import shapely

    g = None
    for _ in range(MAX_PLACEMENT_TRIES):
        g = _moved(poly, rng, max_shift)
        if shapely.intersects(g, border):
            return g
    return g


def validate_corridors(sl_points, lcp_points, corridors, border, *, n_null: int = 999, seed: int = 0,
                       max_shift: float = 100_000.0):
    """Share of observed crossings each corridor contains, against randomly placed corridors.

    Parameters
    ----------
    sl_points, lcp_points : list of geometries (or None)
        Border-crossing points of each crossing's straight line and least-cost path (None:
        no least-cost path for that crossing, or no resistance at all).
    corridors : GeoDataFrame
        Polygons with ``Link_ID`` (and ``From_PA``, ``To_PA`` if present).
    border : shapely geometry
        International land borders (null placements must cross them).
    n_null : int
        Random placements per corridor.
    seed : int
    max_shift : float
        Largest shift of a placement, metres.

    Returns
    -------
    pandas.DataFrame
        Table ``validation.csv``: one row per corridor and a last row ``Link_ID = "all"`` (the
        union of the corridors, each moved independently in the null model). Columns: ``N_Cross``
        (crossings with that kind of path), ``N_In_SL``, ``Share_SL`` (= N_In / N_Cross),
        ``Null_SL`` (mean null share), ``Null95_SL`` (95th percentile), ``P_SL``, and the same
        for ``LCP``; ``N_Null``, ``Max_Shift_m``.

    Notes
    -----
    The null model keeps each corridor's size and shape and moves it along the border; it asks
    whether the model put corridors where animals cross more often than corridors of the same
    size anywhere near. It does not account for where cameras were (detection effort): if all
    cameras sit inside corridors, any corridor placed over the cameras wins. Time: n_null x
    corridors polygon moves and intersection tests.
    """
    import pandas as pd
    import shapely

    if isinstance(n_null, bool) or not isinstance(n_null, (int, np.integer)) or n_null < 1:
        raise InputError(f"n_null = {n_null!r}; give a whole number of random placements >= 1 (999 is usual)")
    rng = np.random.default_rng(seed)
    polys = list(corridors.geometry)
    link_ids = [int(v) for v in corridors["Link_ID"]]

    def prepared(points):
        if points is None:
            return None
        return np.array([p if p is not None and not shapely.is_empty(p) else None for p in points], dtype=object)

    kinds = {"SL": prepared(sl_points), "LCP": prepared(lcp_points)}
    valid = {k: (None if v is None else np.array([g is not None for g in v], bool)) for k, v in kinds.items()}
    usable = {k: (None if v is None else np.array([lp is not None for lp in (lcp_points if k == "LCP" else sl_points)]))
              for k, v in kinds.items()}

    def contained(poly, k):
        pts, ok = kinds[k], valid[k]
        out = np.zeros(len(pts), bool)
        if ok.any():
            out[ok] = shapely.intersects(poly, pts[ok].tolist())
        return out

    n_corr = len(polys)
    obs = {k: np.zeros((n_corr, 0 if kinds[k] is None else len(kinds[k])), bool) for k in kinds}
    for k in kinds:
        if kinds[k] is not None:
            for i, p in enumerate(polys):
                obs[k][i] = contained(p, k)
    null = {k: np.zeros((n_null, n_corr)) for k in kinds}
    null_all = {k: np.zeros(n_null) for k in kinds}
    for r in range(n_null):
        moved = [_place(p, rng, max_shift, border) for p in polys]
        for k in kinds:
            if kinds[k] is None:
                continue
            hits = np.array([contained(g, k) for g in moved])  # corridors x crossings
            null[k][r] = hits.sum(axis=1)
            null_all[k][r] = hits.any(axis=0).sum()
    rows = []
    for i in range(n_corr + 1):
        rec = {"Link_ID": link_ids[i] if i < n_corr else "all"}
        for col in ("From_PA", "To_PA"):
            if col in corridors.columns:
                rec[col] = corridors[col].iloc[i] if i < n_corr else ""
        for k in ("SL", "LCP"):
            if kinds[k] is None:
                rec.update({f"N_Cross_{k}": 0, f"N_In_{k}": 0, f"Share_{k}": np.nan, f"Null_{k}": np.nan,
                            f"Null95_{k}": np.nan, f"P_{k}": np.nan})
                continue
            n_cross = int(usable[k].sum())
            n_in = int(obs[k][i].sum()) if i < n_corr else int(obs[k].any(axis=0).sum())
            nl = null[k][:, i] if i < n_corr else null_all[k]
            share = n_in / n_cross if n_cross else np.nan
            rec.update({
                f"N_Cross_{k}": n_cross, f"N_In_{k}": n_in, f"Share_{k}": share,
                f"Null_{k}": float(nl.mean() / n_cross) if n_cross else np.nan,
                f"Null95_{k}": float(np.quantile(nl, 0.95) / n_cross) if n_cross else np.nan,
                f"P_{k}": float((1 + np.count_nonzero(nl >= n_in)) / (n_null + 1)) if n_cross else np.nan,
            })
        rec["N_Null"] = int(n_null)
        rec["Max_Shift_m"] = float(max_shift)
        rows.append(rec)
    return pd.DataFrame(rows)
