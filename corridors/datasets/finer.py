"""The embedded North-East Asia region on a finer grid, for trying (and benchmarking) larger runs.

No land cover finer than the embedded 5 km grid is available offline, so the finer grids are
the 5 km data upsampled: each fine cell takes the class of the 5 km cell under its centre
(nearest neighbour), the elevation is interpolated bilinearly. The result has more cells, not
more information: **upsampled data tests scaling, not ecology** (the note is written into the
folder's README and scenario). Reserves, countries, borders and cities stay the embedded vector
layers; a run rasterises them on the finer grid.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from rasters.grid import Grid

from ..errors import InputError
from .north_east_asia import nea

__all__ = ["finer_grid", "finer_nea", "write_finer_nea", "UPSAMPLED_NOTE", "FINER_FILES"]

#: The caveat that goes wherever an upsampled grid is used.
UPSAMPLED_NOTE = ("upsampled from the embedded 5 km grid (nearest neighbour for land cover, bilinear "
                  "for elevation): it tests scaling, not ecology - no finer land cover is available offline")

#: Files :func:`write_finer_nea` writes into its folder.
FINER_FILES = ("landcover.tif", "elevation.tif", "scenario.toml", "README.md")


def finer_grid(cellsize: float, like: Grid) -> Grid:
    """An empty template with ``like``'s top-left corner and CRS and square cells of ``cellsize``
    (metres), covering ``like``'s extent (the last row and column may reach past it).

    Its values are a read-only broadcast zero (no memory per cell).
    """
    cellsize = float(cellsize)
    if not (math.isfinite(cellsize) and cellsize > 0):
        raise InputError(f"cell size must be a positive number of metres, got {cellsize!r}")
    left, bottom, right, top = like.bounds
    # a hair below the ratio first, so that 5000 / 2500 gives 2 cells, not 3
    ncols = max(1, math.ceil((right - left) / cellsize - 1e-9))
    nrows = max(1, math.ceil((top - bottom) / cellsize - 1e-9))
    from affine import Affine

    return Grid(np.broadcast_to(np.uint8(0), (nrows, ncols)), Affine(cellsize, 0.0, left, 0.0, -cellsize, top),
                crs=like.crs, nodata=None, name=f"{cellsize:g} m grid")


def finer_nea(cellsize: float) -> tuple[Grid, Grid]:
    """The embedded land cover (nearest neighbour, uint8, nodata 255) and elevation (bilinear,
    float32 metres, NaN over the sea) on a grid of ``cellsize`` metres. See :data:`UPSAMPLED_NOTE`.

    Notes
    -----
    Memory: 5 bytes per fine cell for the two results (100 M cells: 0.5 GB) plus GDAL's warp buffers.
    """
    import rasters

    data = nea()
    template = finer_grid(cellsize, data.landcover)
    tag = f"{float(cellsize):g} m"
    lc = rasters.resample_to(data.landcover, template, resampling="nearest", name=f"nea landcover {tag}")
    elev = rasters.resample_to(data.elevation, template, resampling="bilinear", name=f"nea elevation {tag}")
    return lc, elev


def write_finer_nea(out, cellsize: float, *, overwrite: bool = False) -> Path:
    """Write the embedded region at ``cellsize`` metres into the folder ``out``.

    The folder gets ``landcover.tif`` and ``elevation.tif`` (Cloud-Optimised GeoTIFFs),
    ``scenario.toml`` (the default scenario on this land cover: ``corridors run scenario.toml
    --out RUN``) and ``README.md`` (the grid, its size and :data:`UPSAMPLED_NOTE`). It is written
    as every corridors output folder is (:func:`rasters.atomic.output_folder`): into a temporary
    sibling renamed on success; an existing folder is replaced only with ``overwrite`` and only
    when corridors wrote it.

    Returns
    -------
    Path
        The folder written.
    """
    import rasters
    from rasters.atomic import output_folder

    lc, elev = finer_nea(cellsize)
    rows, cols = lc.shape
    with output_folder(out, overwrite=overwrite, command="datasets") as tmp:
        rasters.write(lc, tmp / "landcover.tif")
        rasters.write(elev, tmp / "elevation.tif", dtype="float32")
        name = f"nea-{float(cellsize):g}m"
        (tmp / "scenario.toml").write_text(
            f"# The default scenario on the embedded region at {float(cellsize):g} m ({rows} x {cols} = "
            f"{rows * cols:,} cells).\n# NOTE: {UPSAMPLED_NOTE}.\n"
            f'name = "{name}"\n\n[inputs]\nlandcover = "landcover.tif"\n', encoding="utf-8")
        (tmp / "README.md").write_text(
            f"# North-East Asia at {float(cellsize):g} m\n\n"
            f"`landcover.tif`: {rows} x {cols} = {rows * cols:,} cells of {float(cellsize):g} m, the embedded "
            "7-class land cover (uint8, nodata 255); `elevation.tif`: metres (float32, NaN over the sea), "
            "same grid. Same CRS and top-left corner as the embedded 5 km grid.\n\n"
            f"**Note:** {UPSAMPLED_NOTE}. Reserves, countries, borders and cities are the embedded layers "
            "(reserve shapes are APPROXIMATE, see `corridors datasets --readme`).\n\n"
            "Run the default scenario on it:\n\n    corridors run scenario.toml --out RUN_FOLDER\n",
            encoding="utf-8")
    return Path(out)
