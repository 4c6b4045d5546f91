"""Vector layers on a grid: rasterising, burning lines (roads, railways, fences) and polygons
(towns, restoration areas) into a resistance surface.

Geometries are shapely objects (or a GeoSeries/GeoDataFrame) in the grid's CRS; a layer with a
different CRS is refused rather than reprojected behind the caller's back.

Cell rules (GDAL's): with ``all_touched=False`` a cell belongs to a polygon when its centre lies
inside; with ``all_touched=True`` every cell the geometry touches belongs to it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from rasterio.features import rasterize as _rio_rasterize
from shapely.geometry.base import BaseGeometry

from .errors import CRSError, InputError, ResistanceValueError
from .grid import Grid, as_crs, crs_equal

__all__ = ["rasterize", "burn_lines", "apply_polygons", "LINE_RULES", "POLYGON_RULES"]

#: Rules of :func:`burn_lines`.
LINE_RULES = ("max", "set", "add")
#: Rules of :func:`apply_polygons`.
POLYGON_RULES = ("set", "add", "multiply")

_BARRIER_WORDS = ("barrier", "nodata")


def _geometries(geometries: Any, grid: Grid, what: str) -> list:
    """A plain list of shapely geometries (None kept for alignment with values), CRS-checked."""
    crs = getattr(geometries, "crs", None)
    if crs is not None and grid.crs is not None and not crs_equal(as_crs(crs), grid.crs):
        raise CRSError(
            f"{what}: the layer is in {as_crs(crs).name!r} but grid {grid.name!r} is in "
            f"{grid.crs.name!r}; reproject the layer first, e.g. layer.to_crs(grid.crs)"
        )
    if hasattr(geometries, "geometry") and not isinstance(geometries, BaseGeometry):
        geometries = geometries.geometry  # GeoDataFrame -> GeoSeries
    if isinstance(geometries, BaseGeometry):
        geometries = [geometries]
    try:
        geoms = list(geometries)
    except TypeError as exc:
        raise InputError(f"{what}: expected shapely geometries, got {type(geometries).__name__}") from exc
    for i, g in enumerate(geoms):
        if g is not None and not isinstance(g, BaseGeometry):
            raise InputError(f"{what}: item {i} is {type(g).__name__}, not a shapely geometry")
    return geoms


def _usable(g) -> bool:
    return g is not None and not g.is_empty


def rasterize(
    geometries,
    template: Grid,
    *,
    values=1,
    all_touched: bool = False,
    fill=0,
    dtype=None,
    nodata=None,
    name: str | None = None,
) -> Grid:
    """Burn geometries into a new grid on ``template``'s georeference.

    Parameters
    ----------
    geometries : shapely geometry, sequence of them, GeoSeries or GeoDataFrame
        In the template's CRS. Empty and None geometries are skipped.
    template : Grid
        Gives shape, transform and CRS.
    values : scalar or sequence
        Value burnt for each geometry (one per geometry, or one for all). Where geometries
        overlap, the later one wins.
    all_touched : bool
        False: cells whose centre is inside (polygons) or on the line's rendered path (lines);
        True: every cell the geometry touches.
    fill : scalar
        Value of cells no geometry covers.
    dtype : numpy dtype, optional
        Default: int32 for whole-number values (int64 if they need it), float64 otherwise.
    nodata : scalar, optional
        Nodata recorded on the result (default None: ``fill`` is data, e.g. 0 = "no road").

    Returns
    -------
    Grid
    """
    geoms = _geometries(geometries, template, "rasterize")
    vals = np.asarray(values)
    if vals.ndim == 0:
        vals = np.full(len(geoms), vals)
    elif vals.shape != (len(geoms),):
        raise InputError(f"rasterize: {vals.size} values for {len(geoms)} geometries; give one per geometry or a scalar")
    if dtype is None:
        pool = np.append(vals, fill) if vals.size else np.asarray([fill])
        if pool.dtype.kind in "iub":
            fits = pool.size == 0 or (pool.min() >= np.iinfo(np.int32).min and pool.max() <= np.iinfo(np.int32).max)
            dtype = np.int32 if fits else np.int64
        else:
            dtype = np.float64
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        dtype = np.dtype(np.uint8)
    shapes = [(g, v.item() if hasattr(v, "item") else v) for g, v in zip(geoms, vals) if _usable(g)]
    if shapes:
        out = _rio_rasterize(
            shapes,
            out_shape=template.shape,
            transform=template.transform,
            fill=fill,
            all_touched=all_touched,
            dtype=dtype.name,
        )
    else:
        out = np.full(template.shape, fill, dtype=dtype)
    return Grid(out, template.transform, template.crs, nodata, name or f"rasterized on {template.name}")


def _cell_mask(geoms: list, template: Grid, all_touched: bool) -> np.ndarray:
    usable = [g for g in geoms if _usable(g)]
    if not usable:
        return np.zeros(template.shape, dtype=bool)
    return _rio_rasterize(
        [(g, 1) for g in usable],
        out_shape=template.shape,
        transform=template.transform,
        fill=0,
        all_touched=all_touched,
        dtype="uint8",
    ).astype(bool)


def _close_diagonal_gaps(mask: np.ndarray, lines, grid: Grid) -> np.ndarray:
    """Add a cell wherever two burnt cells meet only at a corner.

    An 8-neighbour step could slip between two cells that share only a corner; filling one of
    the two shared neighbours (the one whose centre is nearer the lines; the upper one on a tie)
    makes every burnt band 4-connected, so no diagonal move crosses it.
    """
    m = mask
    a, b, c, d = m[:-1, :-1], m[:-1, 1:], m[1:, :-1], m[1:, 1:]  # 2x2 blocks: a b / c d
    down_right = a & d & ~b & ~c  # corner pair a-d; fill b or c
    down_left = b & c & ~a & ~d  # corner pair b-c; fill a or d
    rows, cols, cand = [], [], []
    for block, options in ((down_right, ((0, 1), (1, 0))), (down_left, ((0, 0), (1, 1)))):
        r0, c0 = np.nonzero(block)
        for dr, dc in options:
            rows.append(r0 + dr)
            cols.append(c0 + dc)
        cand.append(len(r0))
    if not any(cand):
        return mask
    if not isinstance(lines, BaseGeometry):
        lines = shapely.GeometryCollection(list(lines))  # a collection: no costly noding (union)
    out = mask.copy()
    for k, n in enumerate(cand):
        if n == 0:
            continue
        r1, c1, r2, c2 = rows[2 * k], cols[2 * k], rows[2 * k + 1], cols[2 * k + 1]
        x1, y1 = grid.xy(r1, c1)
        x2, y2 = grid.xy(r2, c2)
        d1 = shapely.distance(shapely.points(x1, y1), lines)
        d2 = shapely.distance(shapely.points(x2, y2), lines)
        first = d1 <= d2
        out[r1[first], c1[first]] = True
        out[r2[~first], c2[~first]] = True
    return out


def _parse_value(value, rule: str, rules_allowing_barrier: tuple, what: str, key: str = "value") -> float:
    """The value as a float; NaN means barrier (nodata). ``key`` names it in messages."""
    if isinstance(value, str):
        if value.strip().lower() in _BARRIER_WORDS:
            value = float("nan")
        else:
            raise InputError(f"{what}: {key} {value!r} is not a number or 'barrier'")
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InputError(f"{what}: {key} must be a number (or 'barrier'), got {value!r}")
    value = float(value)
    if np.isnan(value):
        if rule not in rules_allowing_barrier:
            raise InputError(
                f"{what}: a barrier value only makes sense with rule {' or '.join(rules_allowing_barrier)}, not {rule!r}"
            )
        return value
    if not np.isfinite(value):
        raise InputError(f"{what}: {key} {value} is not finite; use 'barrier' to block cells")
    return value


def _resistance_float(resistance: Grid) -> np.ndarray:
    dtype = resistance.dtype if resistance.dtype in (np.float32, np.float64) else np.dtype(np.float32)
    return resistance.masked_float(dtype)


def _report_bad(out: np.ndarray, touched: np.ndarray, grid: Grid, what: str) -> None:
    bad = touched & ~(out > 0)
    n = int(np.count_nonzero(bad))
    if n:
        r, c = divmod(int(np.flatnonzero(bad.ravel())[0]), bad.shape[1])
        x, y = grid.xy(r, c)
        raise ResistanceValueError(
            f"{what}: {n} cells of {grid.name} would end <= 0; first at row {r}, col {c} "
            f"(x={x:.6g}, y={y:.6g}), value {out[r, c]}; resistance must be > 0 or nodata (barrier)"
        )


def burn_lines(
    resistance: Grid,
    geometries,
    *,
    width: float,
    value,
    rule: str = "max",
    name: str | None = None,
    label: str = "burn_lines",
    keys: dict[str, str] | None = None,
) -> Grid:
    """Burn lines (roads, railways, fences) into a resistance surface.

    Each line is buffered by ``width / 2`` on both sides (round ends, so lines that meet leave no
    gap), and every cell that buffer touches is burnt (``all_touched``). Cells that would meet
    only at a corner get one shared neighbour too, so the band is 4-connected: a line narrower
    than a cell still forms an unbroken band that no 8-neighbour (diagonal) step can slip
    through.

    Parameters
    ----------
    resistance : Grid
        Base resistance surface.
    geometries : shapely geometry, sequence, GeoSeries or GeoDataFrame
        Lines (any geometry works: it is buffered) in the grid's CRS.
    width : float
        Full width of the feature in map units (metres), > 0. Widths below a cell still burn
        one cell wide.
    value : float or "barrier"
        Resistance of the feature (> 0), or ``"barrier"`` (a fence nothing crosses: the cells
        become nodata; rules max and set only).
    rule : {"max", "set", "add"}
        ``max`` (default): the larger of the cell's resistance and ``value``; ``set``: replace
        by ``value``; ``add``: add ``value`` (which may be negative, but cells must stay > 0).
    name : str, optional
        Name of the result.
    label, keys : optional
        How error messages name the caller and the parameters (e.g. ``label="edits[0] (road
        'A1')"``, ``keys={"width": "width_m", "value": "resistance"}`` for a scenario edit).

    Returns
    -------
    Grid
        Float resistance (float32 unless the input is float64), NaN nodata. Nodata cells of the
        input stay nodata under every rule (a road does not create land).

    Raises
    ------
    CRSError
        The grid is in a geographic CRS (width in degrees is meaningless) or the layer's CRS
        differs.
    InputError
        ``width`` is not a positive number, or is wider than the whole grid (the buffer would
        overflow or cover everything: almost always a unit mistake).
    ResistanceValueError
        ``add`` would leave burnt cells <= 0, or ``value`` <= 0 for max/set.
    """
    what = label
    key = {"width": "width", "value": "value", "rule": "rule", **(keys or {})}
    if rule not in LINE_RULES:
        raise InputError(f"{what}: unknown {key['rule']} {rule!r}; use one of {', '.join(LINE_RULES)}")
    if resistance.crs is not None:
        resistance.require_projected("burning lines with a width in metres")
    if isinstance(width, bool) or not isinstance(width, (int, float, np.integer, np.floating)) or not (
        np.isfinite(width) and width > 0
    ):
        raise InputError(f"{what}: {key['width']} must be a positive number of map units, got {width!r}")
    left, bottom, right, top = resistance.bounds
    across = float(np.hypot(right - left, top - bottom))
    if width > 2 * across:
        raise InputError(
            f"{what}: {key['width']} {width:g} is wider than the whole grid ({across:.4g} map units "
            f"corner to corner); give the width in metres (e.g. 60 for a road)"
        )
    v = _parse_value(value, rule, ("max", "set"), what, key["value"])
    if rule in ("max", "set") and not np.isnan(v) and v <= 0:
        raise ResistanceValueError(f"{what}: {key['value']} {v} must be > 0 (or 'barrier')")
    geoms = [g for g in _geometries(geometries, resistance, what) if _usable(g)]
    out = _resistance_float(resistance)
    if geoms:
        buffered = shapely.buffer(np.array(geoms, dtype=object), width / 2.0)
        if shapely.is_empty(buffered).any():  # never drop a line silently
            raise InputError(f"{what}: buffering the lines by {key['width']} / 2 = {width / 2:g} gave an empty "
                             "shape; check the geometry and the width")
        mask = _cell_mask(list(buffered), resistance, all_touched=True)
        mask = _close_diagonal_gaps(mask, geoms, resistance)
        touched = mask & ~np.isnan(out)
        if rule == "max":
            out[touched] = np.nan if np.isnan(v) else np.maximum(out[touched], v)
        elif rule == "set":
            out[touched] = v
        else:
            out[touched] += v
            _report_bad(out, touched, resistance, what)
    return resistance.with_values(out, nodata=float("nan"), name=name or f"{resistance.name} + lines")


def apply_polygons(
    resistance: Grid,
    geometries,
    *,
    value,
    rule: str = "set",
    all_touched: bool = False,
    name: str | None = None,
    label: str = "apply_polygons",
    keys: dict[str, str] | None = None,
) -> Grid:
    """Apply polygons (towns, restoration areas) to a resistance surface.

    Parameters
    ----------
    resistance : Grid
        Base resistance surface.
    geometries : shapely geometry, sequence, GeoSeries or GeoDataFrame
        Polygons in the grid's CRS.
    value : float or "barrier"
        ``set``: the new resistance (> 0) or ``"barrier"`` (cells become nodata);
        ``add``: added to the resistance (negative lowers it, e.g. restoration; cells must stay
        > 0); ``multiply``: factor > 0 (e.g. 0.5 halves the resistance of a restored area).
    rule : {"set", "add", "multiply"}
    all_touched : bool
        False (default): cells whose centre is inside a polygon; True: every cell touched.
    name : str, optional
        Name of the result.
    label, keys : optional
        How error messages name the caller and the parameters (as in :func:`burn_lines`).

    Returns
    -------
    Grid
        Float resistance, NaN nodata; input nodata cells stay nodata.

    Raises
    ------
    ResistanceValueError
        The result would be <= 0 in some covered cell (count and first cell in the message), or
        ``value`` <= 0 for set/multiply.
    """
    what = label
    key = {"value": "value", "rule": "rule", **(keys or {})}
    if rule not in POLYGON_RULES:
        raise InputError(f"{what}: unknown {key['rule']} {rule!r}; use one of {', '.join(POLYGON_RULES)}")
    v = _parse_value(value, rule, ("set",), what, key["value"])
    if rule in ("set", "multiply") and not np.isnan(v) and v <= 0:
        raise ResistanceValueError(f"{what}: {key['value']} {v} must be > 0 for {key['rule']} {rule!r}")
    geoms = _geometries(geometries, resistance, what)
    out = _resistance_float(resistance)
    mask = _cell_mask(geoms, resistance, all_touched)
    touched = mask & ~np.isnan(out)
    if rule == "set":
        out[touched] = v
    elif rule == "add":
        out[touched] += v
        _report_bad(out, touched, resistance, what)
    else:
        out[touched] *= v
        _report_bad(out, touched, resistance, what)  # float underflow to 0
    return resistance.with_values(out, nodata=float("nan"), name=name or f"{resistance.name} + polygons")
