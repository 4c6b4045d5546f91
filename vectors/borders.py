"""Countries and the land borders they share."""

from __future__ import annotations

import os
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from rasters.errors import InputError

from ._common import check_iso3, normalise_columns, polygonal_part, repair_polygons, require_projected
from .io import read_vector

__all__ = [
    "COUNTRY_FIELDS",
    "DEFAULT_BORDER_TOLERANCE",
    "read_countries",
    "prepare_countries",
    "international_borders",
    "border_pairs",
    "border_lines",
    "lonlat_box",
]

#: Our field -> source columns tried in order. Natural Earth's ``ISO_A3`` is ``-99`` for a few
#: countries, so ``ADM0_A3`` is preferred; GADM uses ``GID_0``.
COUNTRY_FIELDS: dict[str, tuple[str, ...]] = {
    "iso3": ("iso3", "ADM0_A3", "ISO_A3", "GID_0", "SOV_A3"),
    "name": ("name", "NAME", "ADMIN", "NAME_LONG", "COUNTRY", "NAME_0"),
}

#: Default snapping tolerance of :func:`international_borders`, metres. Natural Earth polygons
#: share their border vertices, but after the 250 m simplification of the embedded layer the two
#: sides of a border drift apart by up to about 2 x 250 m; 1 km closes that with margin and is far
#: below the narrowest sea strait between two countries of the study area (about 15 km).
DEFAULT_BORDER_TOLERANCE = 1000.0


def read_countries(
    path: str | os.PathLike,
    layer: str | None = None,
    *,
    fields: Mapping[str, str] | None = None,
) -> gpd.GeoDataFrame:
    """Read country polygons with an ``iso3`` field.

    Parameters
    ----------
    path : path-like
        GeoPackage, Shapefile or GeoJSON.
    layer : str, optional
        Layer name (required when the file holds several).
    fields : mapping, optional
        ``{"iso3": COLUMN, "name": COLUMN}``; otherwise :data:`COUNTRY_FIELDS` are tried.

    Returns
    -------
    geopandas.GeoDataFrame
        ``iso3``, ``name``, other source columns (first value), ``geometry``; one row per
        country (features with the same code are dissolved), sorted by ``iso3``.
    """
    return prepare_countries(read_vector(path, layer=layer), fields=fields, source=str(path))


def prepare_countries(
    gdf: gpd.GeoDataFrame, *, fields: Mapping[str, str] | None = None, source: str = "countries"
) -> gpd.GeoDataFrame:
    """Normalise an in-memory country layer as :func:`read_countries` does."""
    df, mapping = normalise_columns(gdf, COUNTRY_FIELDS, fields, source)
    codes = df["iso3"].astype(str).str.strip().str.upper()
    try:
        check_iso3({f"row {i}": c for i, c in enumerate(df["iso3"].astype(str).str.strip())}, source,
                   f"column {mapping['iso3']!r}")
    except InputError as exc:
        raise InputError(f"{exc}; or choose another column with fields={{'iso3': ...}} "
                         "(Natural Earth: ADM0_A3)") from None
    df["iso3"] = codes
    geoms, _ = repair_polygons(gdf.geometry, codes.tolist(), source)
    out = gpd.GeoDataFrame(df, geometry=geoms.values, crs=gdf.crs)
    if out["iso3"].duplicated().any():
        out = out.dissolve(by="iso3", aggfunc="first", sort=True).reset_index()
    return out.sort_values("iso3").reset_index(drop=True)


def international_borders(
    countries: gpd.GeoDataFrame, *, tolerance: float = DEFAULT_BORDER_TOLERANCE
) -> gpd.GeoDataFrame:
    """Shared land borders of every pair of countries that touch.

    A's boundary is cut into pieces of at most ``tolerance / 10``. A piece belongs to the border
    of A and C when, among all the other countries, C's outline is the nearest to the piece's
    midpoint, no farther than ``tolerance``, and either touching (distance 0) or facing it: the
    line to the nearest point of C makes more than 60 degrees with the piece. Facing keeps a gap
    between two generalised outlines of one border and drops coasts and third-country borders
    that run *towards* C near a tripoint or a river mouth. Where the two outlines share their
    edges exactly the result is exactly that shared edge.

    Parameters
    ----------
    countries : geopandas.GeoDataFrame
        Polygons with an ``iso3`` column, projected CRS (metres).
    tolerance : float
        Largest gap between the two sides of a border, metres (see
        :data:`DEFAULT_BORDER_TOLERANCE`). Must be > 0.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per touching pair, sorted by pair: ``iso3_a`` < ``iso3_b``, ``pair``
        (``"CHN-RUS"``), ``length_m`` (metres), ``geometry`` (MultiLineString on A's side).

    Notes
    -----
    Only the zone where two outlines come within ``tolerance`` is cut into pieces, so the cost
    grows with the length of the borders, not of the coasts; the seven countries of the embedded
    dataset (about 15,000 km of borders) take about one to two seconds. Lengths are exact for shared
    edges; where outlines part, each border end may be off by up to one piece (``tolerance/10``).
    """
    require_projected(countries, "countries", "measuring borders")
    if "iso3" not in countries.columns:
        raise InputError("countries: no 'iso3' column; read them with vectors.read_countries")
    if not tolerance > 0:
        raise InputError(f"tolerance must be > 0 metres, got {tolerance!r}")
    dup = countries["iso3"][countries["iso3"].duplicated()].tolist()
    if dup:
        raise InputError(f"countries: iso3 {dup} appear more than once; dissolve them (read_countries does)")
    geoms = np.asarray(countries.geometry.values, dtype=object)
    codes = countries["iso3"].astype(str).tolist()
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=tolerance)
    close = sorted({(min(a, b), max(a, b)) for a, b in zip(left.tolist(), right.tolist()) if a != b})
    pieces: dict[tuple[str, str], list] = {}
    for i, j in close:
        a, c = (i, j) if codes[i] < codes[j] else (j, i)
        zone = shapely.intersection(
            shapely.buffer(geoms[a], tolerance, quad_segs=2), shapely.buffer(geoms[c], tolerance, quad_segs=2)
        )
        if zone.is_empty:
            continue
        lines = _lines_only(shapely.intersection(shapely.boundary(geoms[a]), zone))
        if lines is None:
            continue
        # the other countries near the zone, clipped to it (a country's far coasts never matter)
        reach = shapely.buffer(zone, 2 * tolerance, quad_segs=1)
        others = [k for k in range(len(geoms)) if k != a and shapely.intersects(geoms[k], reach)]
        clipped = [polygonal_part(shapely.intersection(geoms[k], reach)) for k in others]
        segs, owner = _assign_pieces(lines, clipped, tolerance)
        mine = segs[[others[k] == c for k in owner.tolist()]] if len(segs) else segs
        if len(mine):
            pieces.setdefault((codes[a], codes[c]), []).append(mine)
    rows = []
    for (ca, cc), segs in sorted(pieces.items()):
        # merge the pieces and drop the vertices segmentize added on straight runs
        line = shapely.simplify(shapely.line_merge(shapely.multilinestrings(np.concatenate(segs))), 0.0)
        if shapely.get_type_id(line) == 1:
            line = shapely.MultiLineString([line])
        rows.append({"iso3_a": ca, "iso3_b": cc, "pair": f"{ca}-{cc}",
                     "length_m": float(shapely.length(line)), "geometry": line})
    out = gpd.GeoDataFrame(rows, columns=["iso3_a", "iso3_b", "pair", "length_m", "geometry"],
                           geometry="geometry", crs=countries.crs)
    return out.sort_values("pair").reset_index(drop=True)


#: A piece "faces" a country when the line to its nearest point makes more than this angle
#: with the piece (cosine of 60 degrees).
_FACING_COS = 0.5


def _segments(geom) -> np.ndarray:
    """All straight segments of a (multi)line or polygon outline, shape (n, 2, 2)."""
    out = []
    for part in shapely.get_parts(geom):
        if shapely.get_type_id(part) in (3,):  # polygon: rings
            rings = [part.exterior, *part.interiors]
        else:
            rings = [part]
        for ring in rings:
            xy = shapely.get_coordinates(ring)
            if len(xy) >= 2:
                out.append(np.stack([xy[:-1], xy[1:]], axis=1))
    return np.concatenate(out) if out else np.zeros((0, 2, 2))


def _assign_pieces(lines, others: list, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Pieces of ``lines`` that border one of ``others``, and which one.

    Returns
    -------
    (ndarray, ndarray)
        Accepted pieces as segments, shape (n, 2, 2), and the index into ``others`` of the
        country each one borders.
    """
    empty = (np.zeros((0, 2, 2)), np.zeros(0, dtype=int))
    segs = _segments(shapely.segmentize(lines, tol / 10.0))
    segs = segs[np.hypot(*(segs[:, 1] - segs[:, 0]).T) > 0]
    if len(segs) == 0 or not others:
        return empty
    # the outlines of the other countries as individual segments, labelled by country
    osegs, labels = [], []
    for k, g in enumerate(others):
        s = _segments(shapely.boundary(g) if shapely.get_type_id(g) in (3, 6) else g)
        osegs.append(s)
        labels.append(np.full(len(s), k))
    osegs = np.concatenate(osegs)
    labels = np.concatenate(labels)
    otree = shapely.STRtree(shapely.linestrings(osegs))
    mid = 0.5 * (segs[:, 0] + segs[:, 1])
    pts = shapely.points(mid)
    (ip, io), dist = otree.query_nearest(pts, max_distance=tol, return_distance=True, all_matches=False)
    # a piece inside another country (outlines overlapping after generalisation) is at 0 from it
    inside = np.zeros(len(segs), dtype=int) - 1
    for k, g in enumerate(others):
        shapely.prepare(g)
        hit = shapely.contains_properly(g, pts[ip])
        inside[ip[hit]] = np.where(inside[ip[hit]] < 0, k, inside[ip[hit]])
    p0, p1 = osegs[io, 0], osegs[io, 1]
    # nearest point on the matched segment
    d = p1 - p0
    t = np.clip(np.einsum("ij,ij->i", mid[ip] - p0, d) / np.maximum(np.einsum("ij,ij->i", d, d), 1e-300), 0, 1)
    near = p0 + t[:, None] * d
    v = near - mid[ip]
    u = segs[ip, 1] - segs[ip, 0]
    cos = np.abs(np.einsum("ij,ij->i", v, u)) / np.maximum(np.hypot(*v.T) * np.hypot(*u.T), 1e-300)
    ok = (dist <= tol * 1e-9) | (cos <= _FACING_COS) | (inside[ip] >= 0)
    owner = np.where(inside[ip] >= 0, inside[ip], labels[io])
    return segs[ip[ok]], owner[ok]


def _lines_only(geom):
    parts = [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) in (1, 2, 5)]
    lines = []
    for p in parts:
        lines.extend(shapely.get_parts(p))
    if not lines:
        return None
    merged = shapely.line_merge(shapely.MultiLineString(lines))
    if shapely.get_type_id(merged) == 1:
        merged = shapely.MultiLineString([merged])
    return merged


def border_pairs(borders: pd.DataFrame) -> list[frozenset[str]]:
    """The two countries of each border row (from ``iso3_a``/``iso3_b`` or ``pair``)."""
    if {"iso3_a", "iso3_b"} <= set(borders.columns):
        return [frozenset((str(a), str(b))) for a, b in zip(borders["iso3_a"], borders["iso3_b"])]
    if "pair" in borders.columns:
        out = []
        for p in borders["pair"]:
            codes = str(p).split("-")
            if len(codes) != 2:
                raise InputError(f"borders: pair {p!r} is not 'AAA-BBB'")
            out.append(frozenset(codes))
        return out
    raise InputError("borders: need columns iso3_a and iso3_b (or pair); use vectors.international_borders")


def _pair_key(pair) -> tuple[str, str]:
    """("CHN", "RUS") from "CHN-RUS" or "RUS-CHN" (sorted, upper case)."""
    if not isinstance(pair, str):
        raise InputError(f"border pair must be a string such as 'CHN-RUS', got {pair!r}")
    codes = [c.strip().upper() for c in pair.split("-")]
    if len(codes) != 2 or not all(codes) or codes[0] == codes[1]:
        raise InputError(f"border pair {pair!r} is not 'AAA-BBB' (two different ISO3 codes)")
    return tuple(sorted(codes))  # type: ignore[return-value]


def lonlat_box(bbox, crs, *, step_deg: float = 0.05):
    """Polygon of a longitude/latitude box ``(west, south, east, north)`` in ``crs``.

    The edges are densified every ``step_deg`` degrees before projecting, so the box's meridians
    and parallels stay meridians and parallels (curved in most projections).
    """
    from pyproj import Transformer

    try:
        w, s, e, n = (float(v) for v in bbox)
    except (TypeError, ValueError):
        raise InputError(f"bbox must be [west, south, east, north] in degrees, got {bbox!r}") from None
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise InputError(
            f"bbox {list(bbox)!r}: expected [west, south, east, north] in degrees with "
            "-180 <= west < east <= 180 and -90 <= south < north <= 90"
        )
    ring = shapely.segmentize(shapely.box(w, s, e, n), step_deg)
    xy = shapely.get_coordinates(ring)
    tr = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x, y = tr.transform(xy[:, 0], xy[:, 1])
    return shapely.make_valid(shapely.Polygon(np.column_stack([x, y])))


def border_lines(borders: gpd.GeoDataFrame, pairs, *, bbox=None, within=None):
    """The land border of one or more country pairs, optionally cut to a box or polygon.

    For fences along a border (Linnell et al. 2016, PLoS Biology 14:e1002483, on the security
    fences along the Eurasian borders): ``border_lines(borders, "CHN-RUS")`` is the whole
    China-Russia border; ``bbox=(130, 42, 135, 48)`` keeps the part between 130-135 E and
    42-48 N; ``within`` keeps the part inside a polygon (a planning region). Both together keep
    the part inside both.

    Parameters
    ----------
    borders : geopandas.GeoDataFrame
        As :func:`international_borders` returns (``pair`` and/or ``iso3_a``/``iso3_b``), in a
        projected CRS.
    pairs : str or sequence of str
        Country pairs, ``"CHN-RUS"`` (either order).
    bbox : (west, south, east, north), optional
        Longitude/latitude box in degrees (EPSG:4326), whatever the layer's CRS.
    within : shapely Polygon or MultiPolygon, optional
        Clip polygon in the borders' CRS.

    Returns
    -------
    shapely.MultiLineString
        In the borders' CRS.

    Raises
    ------
    InputError
        A pair that is not in the layer (the available pairs are listed), or a clip that leaves
        no part of the border.
    """
    if isinstance(pairs, str):
        pairs = [pairs]
    pairs = list(pairs)
    if not pairs:
        raise InputError("border_lines: no border pair given; e.g. 'CHN-RUS'")
    if borders.crs is None:
        raise InputError("borders: the layer has no CRS")
    keys = [tuple(sorted(p)) for p in border_pairs(borders)]
    available = sorted({f"{a}-{b}" for a, b in keys})
    geoms = []
    for p in pairs:
        k = _pair_key(p)
        hit = [i for i, kk in enumerate(keys) if kk == k]
        if not hit:
            raise InputError(
                f"border pair {p!r} is not in the borders layer (pairs that share a land border: "
                f"{', '.join(available)})"
            )
        geoms.extend(borders.geometry.iloc[i] for i in hit)
    line = shapely.line_merge(shapely.union_all(np.asarray(geoms, dtype=object)))
    what = "+".join(pairs)
    clip = None
    if bbox is not None:
        clip = lonlat_box(bbox, borders.crs)
    if within is not None:
        if shapely.get_type_id(within) not in (3, 6) or within.is_empty:
            raise InputError(f"border_lines: within must be a Polygon or MultiPolygon, got {within.geom_type}")
        clip = within if clip is None else shapely.intersection(clip, within)
    if clip is not None:
        line = shapely.intersection(line, clip)
        parts = [q for g in shapely.get_parts(line) if shapely.get_type_id(g) in (1, 5)
                 for q in shapely.get_parts(g) if not q.is_empty]
        line = shapely.line_merge(shapely.MultiLineString(parts)) if parts else shapely.MultiLineString()
        if line.is_empty:
            raise InputError(
                f"border {what}: no part of it lies inside the given bbox/within "
                f"(border bounds {tuple(round(v) for v in shapely.union_all(geoms).bounds)} in the "
                "layer's CRS); check the box's order [west, south, east, north] and its degrees"
            )
    if shapely.get_type_id(line) == 1:
        line = shapely.MultiLineString([line])
    return line
