"""Vector file I/O: the only module that touches pyogrio.

Format quirks live in tables (driver by extension, Shapefile field-name limit), not in scattered
``if`` statements. Writers go through a temporary path and rename on success, so a failure never
leaves half a GeoPackage or half a set of Shapefiles behind.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from rasters.atomic import replacing, temporary_folder
from rasters.errors import DataFormatError, InputError, OutputExistsError

__all__ = [
    "DRIVERS",
    "GEOMETRY_TYPES",
    "SHAPEFILE_FIELD_LIMIT",
    "list_layers",
    "read_vector",
    "read_vector_table",
    "write_layers",
    "write_shapefiles",
    "shapefile_field_names",
]

#: Driver by file extension (lower case). ``.json`` is read as GeoJSON.
DRIVERS = {
    ".gpkg": "GPKG",
    ".shp": "ESRI Shapefile",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
}

#: dBase limits field names to 10 characters (bytes); names are also case-insensitive there.
SHAPEFILE_FIELD_LIMIT = 10

#: Shapefile sidecar extensions written by GDAL.
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


def _driver_for(path: Path) -> str:
    try:
        return DRIVERS[path.suffix.lower()]
    except KeyError:
        raise DataFormatError(
            f"{path}: unsupported vector format {path.suffix!r}; use one of {sorted(DRIVERS)}"
        ) from None


def list_layers(path: str | os.PathLike) -> list[str]:
    """Names of the layers in a vector file."""
    path = Path(path)
    if not path.exists():
        raise DataFormatError(f"{path}: no such file")
    try:
        return [str(name) for name, _ in pyogrio.list_layers(path)]
    except Exception as exc:
        raise DataFormatError(f"{path}: cannot read as a vector file ({exc})") from exc


def read_vector(path: str | os.PathLike, *, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read one layer of a GeoPackage, Shapefile or GeoJSON file.

    Parameters
    ----------
    path : path-like
        ``.gpkg``, ``.shp``, ``.geojson`` or ``.json``.
    layer : str, optional
        Layer name. Required when a GeoPackage holds more than one layer.

    Raises
    ------
    DataFormatError
        Missing or unreadable file, unknown extension, unknown layer.
    """
    path = Path(path)
    _driver_for(path)
    layers = list_layers(path)
    if layer is None:
        if len(layers) != 1:
            raise DataFormatError(f"{path}: holds layers {layers}; choose one with layer=...")
        layer = layers[0]
    elif layer not in layers:
        raise DataFormatError(f"{path}: no layer {layer!r}; layers are {layers}")
    try:
        gdf = pyogrio.read_dataframe(path, layer=layer)
    except Exception as exc:
        raise DataFormatError(f"{path}: cannot read layer {layer!r} ({exc})") from exc
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf.columns:
        raise DataFormatError(f"{path}: layer {layer!r} has no geometry column")
    return gdf


def read_vector_table(path: str | os.PathLike, *, layer: str) -> pd.DataFrame:
    """Read an attribute-only layer (e.g. a GeoPackage table written by :func:`write_layers`).

    Raises
    ------
    DataFormatError
        Missing or unreadable file, unknown layer.
    """
    path = Path(path)
    _driver_for(path)
    layers = list_layers(path)
    if layer not in layers:
        raise DataFormatError(f"{path}: no layer {layer!r}; layers are {layers}")
    try:
        return pyogrio.read_dataframe(path, layer=layer, read_geometry=False)
    except Exception as exc:
        raise DataFormatError(f"{path}: cannot read layer {layer!r} ({exc})") from exc


def _check_layers(layers: Mapping[str, pd.DataFrame]) -> None:
    if not layers:
        raise InputError("no layers to write: pass {name: GeoDataFrame, ...}")
    for name, df in layers.items():
        if not isinstance(name, str) or not name:
            raise InputError(f"layer name {name!r} must be a non-empty string")
        if not isinstance(df, pd.DataFrame):
            raise InputError(f"layer {name!r} is a {type(df).__name__}, not a (Geo)DataFrame")


def write_layers(
    path: str | os.PathLike,
    layers: Mapping[str, pd.DataFrame],
    *,
    overwrite: bool = False,
    geometry_types: Mapping[str, str] | None = None,
) -> Path:
    """Write several layers to one GeoPackage, atomically.

    The file is written next to ``path`` under a temporary name and renamed when every layer is
    in; on any failure the temporary file is removed and ``path`` is untouched.

    Parameters
    ----------
    path : path-like
        Target ``.gpkg`` file.
    layers : mapping of str to GeoDataFrame or DataFrame
        Layer name -> data, written in the mapping's order. A plain DataFrame becomes an
        attribute-only table (e.g. a link table).
    overwrite : bool
        Replace an existing file. Default False.
    geometry_types : mapping of str to str, optional
        Layer -> OGR geometry type (``"MultiPolygon"``, ``"LineString"``, ``"Point"`` ...) to
        declare; useful for empty layers, whose type cannot be inferred (GDAL then writes
        ``Unknown``). See :data:`GEOMETRY_TYPES`.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    path = Path(path)
    if path.suffix.lower() != ".gpkg":
        raise InputError(f"{path}: write_layers writes GeoPackage; give a path ending in .gpkg")
    if path.exists() and not overwrite:
        raise OutputExistsError(f"{path} exists; pass overwrite=True to replace it")
    _check_layers(layers)
    path.parent.mkdir(parents=True, exist_ok=True)
    options = {name: _write_options(name, df, geometry_types) for name, df in layers.items()}
    with replacing(path) as tmp:
        for name, df in layers.items():
            try:
                pyogrio.write_dataframe(df, tmp, layer=name, driver="GPKG", **options[name])
            except Exception as exc:
                raise DataFormatError(f"{path}: cannot write layer {name!r} ({exc})") from exc
    return path


#: Geometry types accepted in ``geometry_types=`` (OGR names).
GEOMETRY_TYPES = (
    "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "Unknown",
)


def _write_options(name: str, df: pd.DataFrame, types: Mapping[str, str] | None) -> dict:
    """pyogrio options for one layer: declared geometry type, promotion to Multi* if needed."""
    if not types or name not in types:
        return {"promote_to_multi": _promote(df)}
    gtype = types[name]
    if gtype not in GEOMETRY_TYPES:
        raise InputError(f"layer {name!r}: geometry type {gtype!r}; choose one of {GEOMETRY_TYPES}")
    if not isinstance(df, gpd.GeoDataFrame):
        raise InputError(f"layer {name!r} has no geometry; drop it from geometry_types")
    return {"geometry_type": gtype, "promote_to_multi": gtype.startswith("Multi") or None}


def _promote(df: pd.DataFrame) -> bool | None:
    """Promote to Multi* when a layer mixes single and multi parts (one geometry type per layer)."""
    if not isinstance(df, gpd.GeoDataFrame) or len(df) == 0:
        return None
    types = set(df.geom_type.dropna())
    return bool(len(types) > 1)


def shapefile_field_names(columns, *, limit: int = SHAPEFILE_FIELD_LIMIT) -> dict[str, str]:
    """Map column names to unique dBase field names of at most ``limit`` characters.

    Names that fit are kept. Longer ones are cut to ``limit``; a clash (compared without case, as
    dBase does) is resolved by replacing the tail with ``_1``, ``_2``, ... in column order, so the
    mapping is deterministic.

    Examples
    --------
    >>> shapefile_field_names(["border_dist_m", "border_pair", "pa_id"])
    {'border_dist_m': 'border_dis', 'border_pair': 'border_pai', 'pa_id': 'pa_id'}
    """
    out: dict[str, str] = {}
    taken: set[str] = set()
    # names that already fit keep priority, so that cutting a long name never steals them
    for col in columns:
        if len(str(col)) <= limit:
            if str(col).lower() in taken:
                raise InputError(f"columns {col!r} clash in a case-insensitive dBase table; rename one")
            out[col] = str(col)
            taken.add(str(col).lower())
    for col in columns:
        if col in out:
            continue
        base = str(col)[:limit]
        name, k = base, 0
        while name.lower() in taken:
            k += 1
            suffix = f"_{k}"
            name = base[: limit - len(suffix)] + suffix
        out[col] = name
        taken.add(name.lower())
    return {col: out[col] for col in columns}


def write_shapefiles(
    directory: str | os.PathLike,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    overwrite: bool = False,
    geometry_types: Mapping[str, str] | None = None,
) -> dict[str, dict[str, str]]:
    """Write each layer as ``<directory>/<layer>.shp`` with field names cut to 10 characters.

    The mapping from column to Shapefile field name is returned and also written to
    ``<directory>/field_names.csv`` (columns ``layer, column, shapefile_field``). All files are
    written to a temporary folder inside ``directory`` and moved into place only when every
    layer succeeded.

    Parameters
    ----------
    directory : path-like
        Output folder (created if needed).
    layers : mapping of str to GeoDataFrame
        Layer name -> data.
    overwrite : bool
        Replace existing files of the same names. Default False.
    geometry_types : mapping of str to str, optional
        As in :func:`write_layers` (an empty Shapefile otherwise gets an arbitrary type).

    Returns
    -------
    dict
        ``{layer: {column: shapefile_field}}`` (geometry column excluded).
    """
    directory = Path(directory)
    _check_layers(layers)
    targets = [directory / f"{name}{ext}" for name in layers for ext in _SHAPEFILE_PARTS]
    targets.append(directory / "field_names.csv")
    existing = [str(p) for p in targets if p.exists()]
    if existing and not overwrite:
        raise OutputExistsError(f"{existing[0]} exists; pass overwrite=True to replace it")
    directory.mkdir(parents=True, exist_ok=True)
    mapping: dict[str, dict[str, str]] = {}
    with temporary_folder(directory / ".shp") as tmpdir:
        for name, df in layers.items():
            if not isinstance(df, gpd.GeoDataFrame):
                raise InputError(f"layer {name!r}: Shapefiles need a GeoDataFrame")
            cols = [c for c in df.columns if c != df.geometry.name]
            names = shapefile_field_names(cols)
            mapping[name] = names
            out = df.rename(columns=names)
            opts = _write_options(name, out, geometry_types)
            for col in out.columns:  # dBase has no boolean type: write 0/1
                if out[col].dtype == bool:
                    out[col] = out[col].astype("int16")
            try:
                pyogrio.write_dataframe(
                    out, tmpdir / f"{name}.shp", driver="ESRI Shapefile",
                    encoding="UTF-8", **opts,
                )
            except Exception as exc:
                raise DataFormatError(f"{directory / name}.shp: cannot write ({exc})") from exc
        with open(tmpdir / "field_names.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["layer", "column", "shapefile_field"])
            for name, names in mapping.items():
                for col, short in names.items():
                    w.writerow([name, col, short])
        for f in sorted(tmpdir.iterdir()):
            os.replace(f, directory / f.name)
    return mapping
