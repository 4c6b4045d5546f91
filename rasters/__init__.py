"""rasters: the georeferenced grid model, raster I/O, alignment and resistance surfaces.

rasterio is imported only inside this package.
"""

from .align import RESAMPLING, reproject, require_aligned, resample_to
from . import errors as _errors
from .errors import *  # noqa: F403 - the whole error tree, listed once in errors.__all__
from .grid import Grid, as_crs, crs_equal
from .io import read, write
from .blocks import GridBands, WindowMosaic, raster_info, read_window, write_bands
from .crossings import open_crossings
from .layers import apply_polygons, burn_lines, rasterize
from .resistance import check_resistance, combine, load_reclass_table, reclassify
from .terrain import slope_degrees, slope_resistance

__all__ = [
    "Grid",
    "as_crs",
    "crs_equal",
    # I/O
    "read",
    "write",
    "read_window",
    "raster_info",
    "write_bands",
    "GridBands",
    "WindowMosaic",
    # alignment
    "resample_to",
    "reproject",
    "require_aligned",
    "RESAMPLING",
    # resistance surfaces
    "reclassify",
    "load_reclass_table",
    "check_resistance",
    "combine",
    "rasterize",
    "burn_lines",
    "apply_polygons",
    "open_crossings",
    "slope_degrees",
    "slope_resistance",
    # errors
    *_errors.__all__,
]

# Marker checked by tests: PyPI has an unrelated package called ``rasters``.
__corridors_package__ = True
