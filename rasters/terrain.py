"""Terrain layers from an elevation grid: slope (Horn's method) and a slope resistance factor."""

from __future__ import annotations

import numpy as np

from .errors import InputError
from .grid import Grid

__all__ = ["slope_degrees", "slope_resistance"]

# (row offset, col offset) -> Horn weight for dz/dx (east minus west) and dz/dy (north minus south)
_WX = {(-1, -1): -1, (0, -1): -2, (1, -1): -1, (-1, 1): 1, (0, 1): 2, (1, 1): 1}
_WY = {(-1, -1): 1, (-1, 0): 2, (-1, 1): 1, (1, -1): -1, (1, 0): -2, (1, 1): -1}


def _check_grid(elevation: Grid, what: str) -> tuple[float, float]:
    if not isinstance(elevation, Grid):
        raise InputError(f"{what} needs a rasters.Grid, got {type(elevation).__name__}")
    if elevation.crs is not None:
        elevation.require_projected(what)
    t = elevation.transform
    if t.b != 0 or t.d != 0:
        raise InputError(f"{elevation.name}: rotated grids are not supported; warp it north-up first")
    if elevation.dtype.kind not in "iuf":
        raise InputError(f"{elevation.name}: elevation must be numeric, got dtype {elevation.dtype}")
    return elevation.res


def slope_degrees(elevation: Grid, *, z_factor: float = 1.0, name: str | None = None) -> Grid:
    """Slope in degrees by Horn's (1981) method, nodata-aware.

    With the 3 x 3 window ``a b c / d e f / g h i`` (row 0 north) and cell sizes ``dx``, ``dy``
    taken from the grid::

        dz/dx = ((c + 2f + i) - (a + 2d + g)) / (8 dx)
        dz/dy = ((a + 2b + c) - (g + 2h + i)) / (8 dy)
        slope = degrees(atan(z_factor * hypot(dz/dx, dz/dy)))

    A neighbour outside the grid or on nodata is extrapolated on the local plane through ``e``,
    whose steps per row and per column come from the centred difference of the two cardinal
    neighbours, or the one-sided difference when one is missing (0 when both are): slopes of a
    plane are therefore exact at edges, corners and next to holes, and every valid cell gets a
    slope.

    Parameters
    ----------
    elevation : Grid
        Elevation, in the same units as the CRS (metres), on a projected, north-up grid. A grid
        without a CRS is taken to be in consistent units.
    z_factor : float
        Multiplies elevations first (e.g. 0.3048 for feet over a metre grid).
    name : str, optional
        Name of the result.

    Returns
    -------
    Grid
        float32 slope in degrees (0-90), NaN where the elevation is nodata.

    Raises
    ------
    CRSError
        The grid is in a geographic CRS (cell sizes in degrees cannot be mixed with metres).
    """
    dx, dy = _check_grid(elevation, "slope")
    z = elevation.masked_float(np.float64) * float(z_factor)
    p = np.pad(z, 1, constant_values=np.nan)
    rows, cols = z.shape

    def window(dr: int, dc: int) -> np.ndarray:
        return p[1 + dr : 1 + dr + rows, 1 + dc : 1 + dc + cols]

    e = z

    def axis_step(back: np.ndarray, ahead: np.ndarray) -> np.ndarray:
        # change in z per cell along one axis, from whichever neighbours exist (0 if none)
        both = (ahead - back) / 2.0
        only_ahead = ahead - e
        only_back = e - back
        step = np.where(np.isnan(ahead), only_back, np.where(np.isnan(back), only_ahead, both))
        return np.where(np.isnan(step), 0.0, step)

    step_row = axis_step(window(-1, 0), window(1, 0))  # per row, southwards
    step_col = axis_step(window(0, -1), window(0, 1))  # per column, eastwards
    gx = np.zeros_like(z)
    gy = np.zeros_like(z)
    for (dr, dc) in {**_WX, **_WY}:
        n = window(dr, dc)
        # a missing neighbour (edge or nodata) lies on the local plane through e
        filled = np.where(np.isnan(n), e + dr * step_row + dc * step_col, n)
        gx += _WX.get((dr, dc), 0) * filled
        gy += _WY.get((dr, dc), 0) * filled
    gx /= 8.0 * dx
    gy /= 8.0 * dy
    slope = np.degrees(np.arctan(np.hypot(gx, gy)))
    slope[np.isnan(z)] = np.nan
    return elevation.with_values(slope.astype(np.float32), nodata=float("nan"), name=name or f"{elevation.name} slope")


def slope_resistance(
    elevation: Grid,
    *,
    reference_slope: float = 10.0,
    power: float = 2.0,
    max_resistance: float | None = None,
    z_factor: float = 1.0,
    name: str | None = None,
) -> Grid:
    """A resistance factor that grows with slope.

    ::

        r = 1 + (slope_degrees / reference_slope) ** power      (then min(r, max_resistance))

    With the defaults (10 degrees, power 2): flat ground 1, 10 degrees 2, 20 degrees 5,
    30 degrees 10. The factor is >= 1, so it can multiply a land-cover resistance
    (``rasters.combine([landcover_r, slope_r], "product")``) or be added to it.

    Parameters
    ----------
    elevation : Grid
        Elevation (see :func:`slope_degrees`).
    reference_slope : float
        Slope in degrees at which the factor reaches 2 (> 0).
    power : float
        Exponent (> 0); 1 linear, 2 penalises steep ground more.
    max_resistance : float, optional
        Cap on the factor (>= 1).
    z_factor : float
        Passed to :func:`slope_degrees`.

    Returns
    -------
    Grid
        float32 factor >= 1, NaN where the elevation is nodata.
    """
    if not (np.isfinite(reference_slope) and reference_slope > 0):
        raise InputError(f"slope_resistance: reference_slope must be > 0 degrees, got {reference_slope!r}")
    if not (np.isfinite(power) and power > 0):
        raise InputError(f"slope_resistance: power must be > 0, got {power!r}")
    if max_resistance is not None and not (np.isfinite(max_resistance) and max_resistance >= 1):
        raise InputError(f"slope_resistance: max_resistance must be >= 1, got {max_resistance!r}")
    slope = slope_degrees(elevation, z_factor=z_factor).values.astype(np.float64)
    r = 1.0 + (slope / reference_slope) ** power
    if max_resistance is not None:
        r = np.minimum(r, max_resistance)  # NaN (nodata) stays NaN
    return elevation.with_values(r.astype(np.float32), nodata=float("nan"), name=name or f"{elevation.name} slope resistance")
