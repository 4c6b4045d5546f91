"""Alignment checks, resampling onto a template grid, and reprojection.

Use ``nearest`` for classes (land cover, ids) and ``bilinear`` for continuous values (elevation,
resistance). Warping is GDAL's (:func:`rasterio.warp.reproject`), single-threaded so results do not
depend on the thread count. Between different CRSs GDAL uses its approximate transformer (error
at most 0.125 source cell), so a cell centre that falls within that distance of a source cell
edge may take either neighbour.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from pyproj import CRS
from rasterio.enums import Resampling
from rasterio.warp import calculate_default_transform
from rasterio.warp import reproject as _rio_reproject

from ._rio import to_rio_crs
from .errors import CRSError, InputError
from .grid import Grid, as_crs

__all__ = ["resample_to", "reproject", "require_aligned", "RESAMPLING"]

#: Resampling names accepted by :func:`resample_to` and :func:`reproject`.
RESAMPLING = {
    "nearest": Resampling.nearest,
    "bilinear": Resampling.bilinear,
    "cubic": Resampling.cubic,
    "average": Resampling.average,
    "mode": Resampling.mode,
    "min": Resampling.min,
    "max": Resampling.max,
}
# methods that return a value of some source cell (dtype kept); the others interpolate
_PICKING = {"nearest", "mode", "min", "max"}

# GDAL needs a CRS to warp; two grids without one are taken to share this stand-in frame
_LOCAL_FRAME = CRS.from_epsg(3857)


def require_aligned(grids: Sequence[Grid]) -> None:
    """Raise :class:`~rasters.errors.AlignmentError` naming both grids unless all share shape, transform and CRS."""
    grids = list(grids)
    for g in grids:
        if not isinstance(g, Grid):
            raise InputError(f"expected rasters.Grid objects, got {type(g).__name__}")
    for other in grids[1:]:
        grids[0].check_aligned(other)


def _method(resampling: str) -> str:
    if resampling not in RESAMPLING:
        raise InputError(
            f"unknown resampling {resampling!r}; use one of {', '.join(RESAMPLING)} "
            "(nearest for classes, bilinear for continuous values)"
        )
    return resampling


def _default_int_nodata(dtype: np.dtype) -> int:
    info = np.iinfo(dtype)
    return int(info.max) if dtype.kind == "u" else int(info.min)


def _warp(grid: Grid, dst_transform, dst_shape, dst_crs: CRS | None, resampling: str, name: str) -> Grid:
    method = _method(resampling)
    src_crs = grid.crs
    if (src_crs is None) != (dst_crs is None):
        which = grid.name if src_crs is None else "the template"
        raise CRSError(
            f"{which} has no CRS, so {grid.name} cannot be warped; give both grids a CRS "
            "(rasters.Grid(..., crs=...))"
        )
    if src_crs is None:
        src_crs = dst_crs = _LOCAL_FRAME

    src = grid.values
    mask = grid.nodata_mask
    if src.dtype == np.bool_:
        src = src.astype(np.uint8)
    if src.dtype.kind == "f":
        # one sentinel for GDAL: NaN cells and nodata cells alike
        src_nodata = grid.nodata if grid.nodata is not None else float("nan")
        if mask.any():
            src = np.where(mask, src_nodata, src).astype(src.dtype)
    else:
        src_nodata = grid.nodata

    if method in _PICKING:
        out_dtype = src.dtype
    else:
        out_dtype = src.dtype if src.dtype.kind == "f" and src.dtype.itemsize >= 4 else np.dtype(np.float32)

    if out_dtype.kind == "f":
        dst_nodata = src_nodata if (out_dtype == src.dtype and src_nodata is not None) else float("nan")
    elif grid.nodata is not None:
        dst_nodata = grid.nodata
    else:
        dst_nodata = _default_int_nodata(out_dtype)
        if np.any(src == dst_nodata):
            raise InputError(
                f"{grid.name} has no nodata and uses {dst_nodata}, the value that would mark cells "
                "outside its extent; give the grid a nodata value first"
            )

    dst = np.full(dst_shape, dst_nodata, dtype=out_dtype)
    _rio_reproject(
        source=src,
        destination=dst,
        src_transform=grid.transform,
        src_crs=to_rio_crs(src_crs),
        src_nodata=src_nodata,
        dst_transform=dst_transform,
        dst_crs=to_rio_crs(dst_crs),
        dst_nodata=dst_nodata,
        resampling=RESAMPLING[method],
        num_threads=1,
    )
    return Grid(dst, dst_transform, None if grid.crs is None else dst_crs, dst_nodata, name)


def resample_to(grid: Grid, template: Grid, *, resampling: str = "nearest", name: str | None = None) -> Grid:
    """Warp ``grid`` onto the cells of ``template`` (its shape, transform and CRS).

    Parameters
    ----------
    grid : Grid
        Source grid, in any CRS.
    template : Grid
        Grid whose georeference the result takes (its values are not used).
    resampling : str
        One of :data:`RESAMPLING`: ``"nearest"`` for classes (value of the source cell under each
        template cell centre), ``"bilinear"`` for continuous values (interpolated between the
        four nearest source cell centres), or ``cubic``/``average``/``mode``/``min``/``max``.
    name : str, optional
        Name of the result (default ``"<grid> on <template>"``).

    Returns
    -------
    Grid
        On the template's georeference. Nearest/mode/min/max keep the dtype; interpolating
        methods give float32 (float64 stays float64). Template cells outside the source or over
        its nodata are nodata: the source's nodata where the dtype is kept, NaN for new float
        grids, and for an integer grid without nodata the dtype's extreme (255 for uint8,
        -2147483648 for int32), set on the result.

    Raises
    ------
    CRSError
        Only one of the two grids has a CRS.
    InputError
        Unknown resampling name.
    """
    if not isinstance(template, Grid):
        raise InputError(f"template must be a rasters.Grid, got {type(template).__name__}")
    label = name or f"{grid.name} on {template.name}"
    if _method(resampling) in _PICKING and grid.same_georeference(template):
        return grid.with_values(grid.values, name=label)  # already aligned: nothing to warp
    return _warp(
        grid,
        template.transform,
        template.shape,
        template.crs,
        resampling,
        label,
    )


def reproject(grid: Grid, crs, *, resolution=None, resampling: str = "nearest", name: str | None = None) -> Grid:
    """Reproject ``grid`` to another CRS, on a north-up grid covering the same area.

    Parameters
    ----------
    grid : Grid
        Source grid; must have a CRS.
    crs : pyproj.CRS, str or int
        Target CRS (anything :func:`rasters.as_crs` accepts: EPSG code, PROJ string, WKT).
    resolution : float or (float, float), optional
        Target cell size in target CRS units (x, y). Default: GDAL's estimate that keeps about
        the same number of cells.
    resampling : str
        As in :func:`resample_to`.

    Returns
    -------
    Grid
        Extent from :func:`rasterio.warp.calculate_default_transform` (the source bounds
        projected, densified along the edges).
    """
    dst_crs = as_crs(crs)
    if dst_crs is None:
        raise CRSError(f"reproject {grid.name}: give a target CRS")
    if grid.crs is None:
        raise CRSError(f"{grid.name} has no CRS, so it cannot be reprojected; set its CRS first")
    _method(resampling)
    if resolution is not None:
        res = tuple(np.broadcast_to(np.asarray(resolution, dtype=float), (2,)))
        if not all(np.isfinite(r) and r > 0 for r in res):
            raise InputError(f"resolution must be positive, got {resolution!r}")
        resolution = res
    transform, width, height = calculate_default_transform(
        to_rio_crs(grid.crs),
        to_rio_crs(dst_crs),
        grid.width,
        grid.height,
        *grid.bounds,
        resolution=resolution,
    )
    return _warp(grid, transform, (height, width), dst_crs, resampling, name or f"{grid.name} in {dst_crs.name}")

