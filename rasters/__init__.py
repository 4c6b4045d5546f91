"""rasters: the georeferenced grid model, raster I/O, alignment and resistance surfaces.

rasterio is imported only inside this package.
"""

from .errors import (
    AlignmentError,
    CorridorsError,
    CRSError,
    InputError,
    MissingClassesError,
    ResistanceValueError,
)
from .grid import Grid, as_crs

__all__ = [
    "Grid",
    "as_crs",
    "CorridorsError",
    "InputError",
    "MissingClassesError",
    "ResistanceValueError",
    "CRSError",
    "AlignmentError",
]

# Marker checked by tests: PyPI has an unrelated package called ``rasters``.
__corridors_package__ = True
