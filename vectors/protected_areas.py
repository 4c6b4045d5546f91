"""Protected areas: field mapping, geometry repair and dissolve by id."""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import pandas as pd

from rasters.errors import InputError

from ._common import ISO3_SEPARATOR, iso3_set, log, normalise_columns, repair_polygons
from .io import read_vector

__all__ = ["PA_FIELDS", "read_protected_areas", "prepare_protected_areas"]

#: Our field -> source columns tried in order (case-insensitive). WDPA, Natural Earth and our own
#: names are covered; anything else goes through ``fields=``.
PA_FIELDS: dict[str, tuple[str, ...]] = {
    "pa_id": ("pa_id", "WDPAID", "WDPA_PID", "SITE_ID", "id"),
    "name": ("name", "NAME", "ORIG_NAME", "name_en"),
    "iso3": ("iso3", "ISO3", "PARENT_ISO", "PARENT_ISO3", "iso_a3", "adm0_a3"),
}


def read_protected_areas(
    path,
    *,
    layer: str | None = None,
    fields: Mapping[str, str] | None = None,
    crs=None,
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
        A needed column is missing, ids are blank, geometries are missing or not polygons.
    CRSError
        The file has no CRS.
    """
    from .wdpa import is_wdpa, read_wdpa

    if fields is None and is_wdpa(path):
        return read_wdpa(path, extent=extent, extent_crs=extent_crs, crs=crs,
                         layers=None if layer is None else [layer], **wdpa_options)
    if wdpa_options or extent is not None:
        given = sorted([*wdpa_options, *(["extent"] if extent is not None else [])])
        raise InputError(f"{path}: options {given} apply to WDPA downloads only, and this is not one")
    gdf = read_vector(path, layer=layer)
    return prepare_protected_areas(gdf, fields=fields, crs=crs, source=str(path))


def prepare_protected_areas(
    gdf: gpd.GeoDataFrame,
    *,
    fields: Mapping[str, str] | None = None,
    crs=None,
    source: str = "protected areas",
) -> gpd.GeoDataFrame:
    """Normalise an in-memory protected-area layer as :func:`read_protected_areas` does."""
    df, _ = normalise_columns(gdf, PA_FIELDS, fields, source, reserved=("n_parts", "repaired"))
    df["pa_id"] = _ids(df["pa_id"], source)
    df["name"] = df["name"].fillna("").astype(str)
    df["iso3"] = [ISO3_SEPARATOR.join(sorted(iso3_set(v))) for v in df["iso3"]]
    no_country = df.loc[df["iso3"] == "", "pa_id"].tolist()
    if no_country:
        raise InputError(
            f"{source}: reserve(s) {no_country[:10]} have no country code; fill the iso3 column "
            "(ISO 3166-1 alpha-3, several joined by ';')"
        )
    geoms, reasons = repair_polygons(gdf.geometry, df["pa_id"].tolist(), source)
    out = gpd.GeoDataFrame(df, geometry=geoms.values, crs=gdf.crs)
    out["repaired"] = out["pa_id"].isin(list(reasons))
    out = _dissolve(out, source)
    if crs is not None:
        out = out.to_crs(crs)
    out.attrs["repaired"] = dict(reasons)
    return out


def _ids(series: pd.Series, source: str) -> pd.Series:
    blank = series.isna() | (series.astype(str).str.strip() == "")
    if blank.any():
        raise InputError(
            f"{source}: {int(blank.sum())} feature(s) have no pa_id (rows {list(series.index[blank][:10])}); "
            "every protected area needs an id"
        )
    # integral floats (WDPAID read as float) become "123", not "123.0"
    def fmt(v):
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v).strip()

    return series.map(fmt)


def _dissolve(gdf: gpd.GeoDataFrame, source: str) -> gpd.GeoDataFrame:
    """One row per pa_id: union of the parts, country codes merged, other fields from the first."""
    counts = gdf.groupby("pa_id", sort=False).size()
    gdf = gdf.assign(n_parts=gdf["pa_id"].map(counts).astype("int32"))
    if (counts == 1).all():
        return gdf.reset_index(drop=True)
    multi = counts[counts > 1]
    log.info("%s: dissolving %d ids with several features: %s", source, len(multi), dict(multi))
    geom = gdf.geometry.name
    agg = {c: _first for c in gdf.columns if c not in (geom, "pa_id")}
    agg.update(iso3=_merge_iso3, repaired="any")
    out = gdf.dissolve(by="pa_id", aggfunc=agg, sort=False).reset_index()[list(gdf.columns)]
    # aggregated columns may come back as object: keep the source dtypes
    return out.astype({c: gdf[c].dtype for c in gdf.columns if c != geom})


def _first(values: pd.Series):
    """The first part's value, even when missing (pandas' "first" would skip NaN)."""
    return values.iloc[0]


def _merge_iso3(values: pd.Series) -> str:
    """Every country of the parts, sorted and joined: ["KOR", "PRK"] -> "KOR;PRK"."""
    return ISO3_SEPARATOR.join(sorted(set().union(*map(iso3_set, values))))
