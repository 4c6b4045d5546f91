"""Crossing structures: open a gap in the burnt band of a road or fence at a point.

A crossing (wildlife overpass, underpass, a gate in a fence) is a point on a line feature and a
width along it. The gap is a strip across the line through the point: a rectangle ``width`` long
along the line's local direction and long enough across it to span the whole burnt band
(``line_width / 2 + 2 cells`` on each side). Every cell the strip touches gets back the
resistance it had without any line (``underlying``): the land-cover resistance, with extra layers
and area edits but no roads or fences.

Why this shape: the band a line is burnt into (:func:`rasters.burn_lines`) is 4-connected and up
to a few cells thick, so opening cells near the point only (a disk) may leave the band closed. The
cells a straight strip across the band touches form a 4-connected chain from one side to the
other, so the gap is passable with 4 or 8 neighbours whatever the angle of the line, and a gap
narrower than a cell still opens one cell-wide passage.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from .errors import InputError
from .grid import Grid
from .layers import _cell_mask, _geometries, _resistance_float, _usable

__all__ = ["open_crossings", "Crossing", "CrossingResult", "crossing_strip"]


@dataclass(frozen=True)
class Crossing:
    """One opened gap.

    point: the crossing as given; snapped: its nearest point on the nearest line; distance: from
    point to that line (map units); line: index of that line in ``lines``; strip: the gap polygon;
    cells: number of cells whose resistance changed.
    """

    point: BaseGeometry
    snapped: BaseGeometry
    distance: float
    line: int
    strip: BaseGeometry
    cells: int


@dataclass(frozen=True)
class CrossingResult:
    """Result of :func:`open_crossings`: the new resistance Grid and one :class:`Crossing` per point."""

    resistance: Grid
    crossings: tuple


def _direction(part, at: float, step: float) -> np.ndarray:
    """Unit tangent of LineString ``part`` at distance ``at`` along it."""
    length = part.length
    lo, hi = max(at - step, 0.0), min(at + step, length)
    p0 = np.asarray(part.interpolate(lo).coords[0][:2])
    p1 = np.asarray(part.interpolate(hi).coords[0][:2])
    d = p1 - p0
    n = float(np.hypot(*d))
    if n == 0.0:
        raise InputError("crossing: the nearest line has zero length at the crossing point")
    return d / n


def crossing_strip(line, point, *, width: float, half_length: float, step: float):
    """The gap polygon of a crossing at ``point`` on ``line`` (any lineal geometry).

    Returns
    -------
    (Polygon, Point, float)
        The strip (``width`` along the line, ``2 * half_length`` across it, centred on the
        point's nearest point on the line), that nearest point, and the point's distance to the
        line.
    """
    parts = [p for p in shapely.get_parts(line) if shapely.get_type_id(p) in (1, 2) and not p.is_empty]
    if not parts:
        raise InputError(f"crossing: the line nearest the point is not a line ({line.geom_type})")
    dists = [p.distance(point) for p in parts]
    part = parts[int(np.argmin(dists))]
    at = part.project(point)
    q = part.interpolate(at)
    t = _direction(part, at, step)
    nrm = np.array([-t[1], t[0]])
    qx, qy = q.coords[0][:2]
    a = (qx - nrm[0] * half_length, qy - nrm[1] * half_length)
    b = (qx + nrm[0] * half_length, qy + nrm[1] * half_length)
    strip = shapely.buffer(shapely.LineString([a, b]), width / 2.0, cap_style="flat")
    return strip, q, float(min(dists))


def open_crossings(resistance: Grid, underlying: Grid, points, lines, *, width: float,
                   line_widths, max_snap: float | None = None, name: str | None = None) -> CrossingResult:
    """Open a gap in the roads or fences at each point.

    Parameters
    ----------
    resistance : Grid
        Surface with the lines burnt in.
    underlying : Grid
        The same surface without any line (aligned with ``resistance``): what a gap gets back.
    points : shapely Point/MultiPoint, sequence, GeoSeries or GeoDataFrame
        Crossing locations in the grid's CRS (each part of a MultiPoint is one crossing).
    lines : sequence of lineal geometries (or GeoSeries)
        Every road and fence burnt into ``resistance``, in the grid's CRS.
    width : float
        Width of each gap along the line (map units), > 0. Narrower than a cell still opens the
        cells the strip's centre line touches (one cell-wide passage).
    line_widths : float or sequence of float
        Width each line was burnt with (map units): sets how far across the line the gap
        reaches.
    max_snap : float, optional
        Largest distance from a point to its line (map units). Default: the line's half width
        plus one cell diagonal (a point within a cell of the line's edge).
    name : str, optional
        Name of the result.

    Returns
    -------
    CrossingResult

    Raises
    ------
    InputError
        No line at all, a point farther than ``max_snap`` from every line (distance and the
        nearest line given: usually a CRS mistake or a point on the wrong road), a bad width.

    Notes
    -----
    Cells touched by the strip (GDAL ``all_touched``) take the value of ``underlying``; cells no
    line changed keep their value anyway. A strip also opens any other line it crosses within its
    reach (a crossing under a road and the fence beside it).
    """
    what = "open_crossings"
    if isinstance(width, bool) or not isinstance(width, (int, float, np.integer, np.floating)) or not (
        np.isfinite(width) and width > 0
    ):
        raise InputError(f"{what}: width must be a positive number of map units, got {width!r}")
    resistance.check_aligned(underlying)
    line_list = [g for g in _geometries(lines, resistance, f"{what} lines")]
    if not any(_usable(g) for g in line_list):
        raise InputError(f"{what}: no road or fence to put a crossing on; add a road or fence edit first")
    lw = np.asarray(line_widths, dtype=np.float64)
    if lw.ndim == 0:
        lw = np.full(len(line_list), float(lw))
    if lw.shape != (len(line_list),) or not np.all(np.isfinite(lw) & (lw > 0)):
        raise InputError(f"{what}: give one positive line width per line ({len(line_list)} lines)")
    pts = []
    for g in _geometries(points, resistance, f"{what} points"):
        if not _usable(g):
            continue
        if shapely.get_type_id(g) not in (0, 4):
            raise InputError(f"{what}: a crossing is a Point (or MultiPoint), got {g.geom_type}")
        pts.extend(shapely.get_parts(g))
    cs = resistance.cellsize
    usable_idx = [i for i, g in enumerate(line_list) if _usable(g)]
    tree = shapely.STRtree(np.asarray([line_list[i] for i in usable_idx], dtype=object))
    out = _resistance_float(resistance)
    under = _resistance_float(underlying)
    done = []
    for p in pts:
        j = int(tree.nearest(p))
        li = usable_idx[j]
        line = line_list[li]
        limit = (lw[li] / 2.0 + cs * np.sqrt(2.0)) if max_snap is None else float(max_snap)
        d = float(line.distance(p))
        if d > limit:
            x, y = p.coords[0][:2]
            raise InputError(
                f"{what}: the crossing at ({x:.6g}, {y:.6g}) is {d:.6g} map units from the nearest "
                f"road or fence (line {li}); it must lie within {limit:.6g} of one. Move it onto the "
                "line, or check its CRS (longitude/latitude read as metres land near the origin)"
            )
        strip, q, dist = crossing_strip(line, p, width=float(width), half_length=lw[li] / 2.0 + 2.0 * cs,
                                        step=cs / 2.0)
        mask = _cell_mask([strip], resistance, all_touched=True)
        changed = mask & ~((out == under) | (np.isnan(out) & np.isnan(under)))
        out[mask] = under[mask]
        done.append(Crossing(p, q, dist, li, strip, int(changed.sum())))
    return CrossingResult(resistance.with_values(out, nodata=float("nan"), name=name or f"{resistance.name} + crossings"),
                          tuple(done))
