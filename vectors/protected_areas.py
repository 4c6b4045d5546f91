"""Protected areas from any vector file or a WDPA download, as one table (see :mod:`.pa_table`)."""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd

from rasters.errors import InputError

from .io import read_vector
from .pa_table import PA_FIELDS, prepare_protected_areas
from .wdpa import is_wdpa, read_wdpa

__all__ = ["PA_FIELDS", "read_protected_areas", "prepare_protected_areas"]


def read_protected_areas(
    path,
    *,
    layer: str | None = None,
    fields: Mapping[str, str] | None = None,
    crs=None,
    dissolve_duplicates: bool = False,
    extent=None,
    extent_crs="EPSG:4326",
    **wdpa_options,
) -> gpd.GeoDataFrame:
    """Read protected-area polygons from a GeoPackage, Shapefile or GeoJSON file, or a WDPA download.

    A WDPA release (a layer with the fields of :data:`vectors.WDPA_RELEASE_FIELDS`, a ``.gdb``
    folder, a folder or zip of the Shapefile parts, or a list of them) goes to
    :func:`vectors.read_wdpa`, which filters it as the WDPA statistics do and dissolves
    overlapping sites; any other file is read as it is.

    Parameters
    ----------
    path : path-like or list of path-like
        ``.gpkg``, ``.shp``, ``.geojson`` or ``.json``; for the WDPA also a ``.gdb``, a folder,
        a zip or a list.
    layer : str, optional
        Layer to read (required when a plain file holds several).
    fields : mapping, optional
        Our field -> source column, for ``pa_id``, ``name`` and ``iso3``. Unmapped fields are
        looked up in :data:`PA_FIELDS` (``WDPAID``/``NAME``/``ISO3`` work as they are). Giving
        ``fields`` reads even a WDPA file as a plain layer.
    crs : optional
        Reproject to this CRS (anything pyproj accepts). Distances need a projected CRS.
    dissolve_duplicates : bool
        Features sharing a ``pa_id`` are parts of one reserve (WDPA parcels): dissolve them into
        one row. False (default): shared ids are an error, since two reserves given one id by
        mistake would silently become one.
    extent, extent_crs : optional
        WDPA only: read only records intersecting this extent (see :func:`vectors.read_wdpa`);
        pass the analysis grid's bounds and CRS.
    **wdpa_options
        WDPA only: ``countries``, ``keep_marine``, ``keep_mab``, ``keep_oecm``, ``statuses``,
        ``dissolve``, ``min_overlap`` of :func:`vectors.read_wdpa`.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``pa_id`` (str), ``name``, ``iso3`` (``"KOR;PRK"`` for a reserve spanning two
        countries), ``n_parts`` (source features dissolved into the row), ``repaired``
        (geometry was invalid and was repaired), any other source columns (first value per
        id), and ``geometry``. One row per ``pa_id`` in order of first appearance.
        ``attrs["repaired"]`` maps each repaired id to the GEOS reason it was invalid.

    Raises
    ------
    DataFormatError
        The file cannot be read.
    InputError
        A needed column is missing, ids are blank or (unless ``dissolve_duplicates``) repeated,
        a country code is not ISO 3166-1 alpha-3, geometries are missing or not polygons.
    CRSError
        The file has no CRS.
    """
    if fields is None and is_wdpa(path):
        return read_wdpa(path, extent=extent, extent_crs=extent_crs, crs=crs,
                         layers=None if layer is None else [layer], **wdpa_options)
    if wdpa_options or extent is not None:
        given = sorted([*wdpa_options, *(["extent"] if extent is not None else [])])
        raise InputError(f"{path}: options {given} apply to WDPA downloads only, and this is not one")
    gdf = read_vector(path, layer=layer)
    return prepare_protected_areas(gdf, fields=fields, crs=crs, source=str(path),
                                   dissolve_duplicates=dissolve_duplicates)
