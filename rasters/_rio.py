"""Small bridges between our types and rasterio's (private; rasterio stays inside ``rasters``)."""

from __future__ import annotations

from pyproj import CRS
from rasterio.crs import CRS as RioCRS

__all__ = ["to_rio_crs"]


def to_rio_crs(crs: CRS | None) -> RioCRS | None:
    """A rasterio CRS from a :class:`pyproj.CRS` (through WKT2, which keeps every parameter)."""
    if crs is None:
        return None
    return RioCRS.from_wkt(crs.to_wkt())
