"""Normalised least-cost corridors (NLCC) and corridor mosaics."""

from __future__ import annotations

import numpy as np

from rasters.errors import InputError
from rasters.grid import Grid

__all__ = ["least_cost_corridor", "corridor_mosaic"]


def _values(a, what):
    if isinstance(a, Grid):
        return a.values, a
    arr = np.asarray(a)
    if arr.ndim != 2:
        raise InputError(f"{what} must be 2-D, got shape {arr.shape}")
    return arr, None


def _check_width(width):
    if width is None:
        return None
    w = float(width)
    if not (w >= 0):
        raise InputError(f"width must be >= 0 (cost units) or None, got {width!r}")
    return w


def least_cost_corridor(cwd_a, cwd_b, *, width=None, lcd=None):
    """Normalised least-cost corridor between two sources: ``cwd_a + cwd_b - LCD``.

    Parameters
    ----------
    cwd_a, cwd_b : ndarray or Grid
        Cost distances from core A and from core B on the same grid (inf = unreachable).
    width : float, optional
        Truncation width in cost units: cells whose normalised value exceeds it are set to inf
        (Linkage Mapper's corridor "cutoff").
    lcd : float, optional
        The least-cost distance between A and B; by default the minimum of ``cwd_a + cwd_b``
        (equal to it because the cost rule is symmetric).

    Returns
    -------
    ndarray or Grid
        0 along the least-cost path, growing away from it; inf where unreachable or beyond
        ``width``. Dtype follows the inputs (float32 inputs give float32).
    """
    a, ga = _values(cwd_a, "cwd_a")
    b, gb = _values(cwd_b, "cwd_b")
    if ga is not None and gb is not None:
        ga.check_aligned(gb)
    if a.shape != b.shape:
        raise InputError(f"cwd_a has shape {a.shape} but cwd_b has {b.shape}; use the same grid")
    w = _check_width(width)
    dtype = np.result_type(a.dtype, b.dtype, np.float32)
    total = np.add(a, b, dtype=dtype)
    total[np.isnan(total)] = np.inf
    if lcd is None:
        lcd = float(total.min()) if total.size else np.inf
        if not np.isfinite(lcd):
            raise InputError(
                "cwd_a and cwd_b reach no common cell: the two sources are not connected")
    total -= dtype.type(lcd)
    if w is not None:
        total[total > w] = np.inf
    g = ga or gb
    if g is None:
        return total
    return g.with_values(total, nodata=None, name=f"corridor ({g.name})")


def corridor_mosaic(corridors, *, width=None, return_link=False):
    """Cell-wise minimum over several normalised corridors.

    Parameters
    ----------
    corridors : sequence or dict of ndarray/Grid
        NLCC rasters (:func:`least_cost_corridor`), all on one grid. A dict's keys are reported by
        ``return_link``; a sequence's positions are.
    width : float, optional
        Truncate the mosaic at this width (cost units): cells above are inf.
    return_link : bool
        Also return an int32 raster of the key (or position) of the corridor giving the minimum,
        -1 where every corridor is inf. Ties go to the first corridor.

    Returns
    -------
    mosaic : ndarray or Grid, or (mosaic, link) with ``return_link``
    """
    if isinstance(corridors, dict):
        keys = list(corridors)
        items = [corridors[k] for k in keys]
    else:
        items = list(corridors)
        keys = list(range(len(items)))
    if not items:
        raise InputError("corridor_mosaic needs at least one corridor")
    if return_link and not all(isinstance(k, (int, np.integer)) for k in keys):
        raise InputError("return_link needs integer keys (e.g. Link_ID) for the int32 link raster")
    w = _check_width(width)
    first, g0 = _values(items[0], "corridors[0]")
    out = np.array(first, dtype=np.result_type(first.dtype, np.float32), copy=True)
    out[np.isnan(out)] = np.inf
    link = np.full(out.shape, -1, np.int32) if return_link else None
    if return_link:
        link[np.isfinite(out)] = keys[0]
    for k, item in zip(keys[1:], items[1:]):
        v, g = _values(item, f"corridor {k!r}")
        if g0 is not None and g is not None:
            g0.check_aligned(g)
        if v.shape != out.shape:
            raise InputError(f"corridor {k!r} has shape {v.shape}, the first has {out.shape}")
        better = v < out
        out[better] = v[better]
        if return_link:
            link[better] = k
    if w is not None:
        cut = out > w
        out[cut] = np.inf
        if return_link:
            link[cut] = -1
    if g0 is not None:
        out = g0.with_values(out, nodata=None, name="corridor mosaic")
        if return_link:
            link = g0.with_values(link, nodata=-1, name="corridor mosaic link")
    return (out, link) if return_link else out
