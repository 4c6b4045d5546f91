"""Layer styles stored inside a GeoPackage, in the ``layer_styles`` table QGIS reads and writes,
so any QGIS applies a layer's style when the layer is added from the file (drag and drop, the
browser, Add Vector Layer), without the project or the ``.qml`` files.

The table is made as QGIS 3.22 makes it through GDAL: the same columns and declared types, and
registered in ``gpkg_contents`` as an attribute table. GDAL (and so pyogrio, geopandas, QGIS's
browser) therefore lists ``layer_styles`` beside the data layers, as for any file where QGIS
saved a style; it cannot be hidden, because QGIS finds the table only through GDAL's layer list
(a table GDAL does not list is one QGIS does not see).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from ...errors import DataFormatError

__all__ = ["LayerStyle", "write_layer_styles", "read_layer_styles", "LAYER_STYLES_DDL"]

#: the table as QGIS 3.22 (OGR provider) creates it
LAYER_STYLES_DDL = (
    'CREATE TABLE IF NOT EXISTS "layer_styles" ( "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, '
    '"f_table_catalog" TEXT(256), "f_table_schema" TEXT(256), "f_table_name" TEXT(256), '
    '"f_geometry_column" TEXT(256), "styleName" TEXT(30), "styleQML" TEXT, "styleSLD" TEXT, '
    '"useAsDefault" BOOLEAN, "description" TEXT, "owner" TEXT(30), "ui" TEXT(30), '
    "\"update_time\" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"
)


@dataclass(frozen=True)
class LayerStyle:
    """One style row: layer (table name), QML and SLD text, style name and description."""

    layer: str
    qml: str
    sld: str
    name: str
    description: str = ""


def _connect(gpkg: Path) -> sqlite3.Connection:
    """Open an existing file read-write (sqlite would create a missing one)."""
    if not gpkg.is_file():
        raise DataFormatError(f"{gpkg}: no such GeoPackage; write the layers first")
    return sqlite3.connect(gpkg.resolve().as_uri() + "?mode=rw", uri=True)


def _geometry_columns(con: sqlite3.Connection) -> dict[str, str]:
    rows = con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall()
    return {t: c for t, c in rows}


def write_layer_styles(gpkg: str | Path, styles: list[LayerStyle]) -> None:
    """Store ``styles`` in ``gpkg``'s ``layer_styles`` table, each the default of its layer.

    Other styles of the same layers stay in the table but stop being the default (as when a
    style is saved as default in QGIS). One transaction: on any error nothing is written.

    Raises
    ------
    DataFormatError
        ``gpkg`` is not a GeoPackage, or a style names a layer the file does not hold.
    """
    gpkg = Path(gpkg)
    try:
        with closing(_connect(gpkg)) as con, con:
            tables = {t for (t,) in con.execute("SELECT table_name FROM gpkg_contents")}
            geometry = _geometry_columns(con)
            missing = sorted({s.layer for s in styles} - (tables - {"layer_styles"}))
            if missing:
                raise DataFormatError(f"{gpkg}: no layer {missing[0]!r} to style (layers: {', '.join(sorted(tables))})")
            if "layer_styles" not in tables:
                con.execute(LAYER_STYLES_DDL)
                con.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, "
                            "srs_id) VALUES ('layer_styles', 'attributes', 'layer_styles', '', "
                            "strftime('%Y-%m-%dT%H:%M:%fZ','now'), 0)")
            for s in styles:
                con.execute("UPDATE layer_styles SET useAsDefault = 0 WHERE f_table_name = ?", (s.layer,))
                con.execute(
                    "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
                    "styleName, styleQML, styleSLD, useAsDefault, description, owner, ui) "
                    "VALUES ('', '', ?, ?, ?, ?, ?, 1, ?, '', NULL)",
                    (s.layer, geometry.get(s.layer, ""), s.name, s.qml, s.sld, s.description))
    except sqlite3.DatabaseError as exc:
        raise DataFormatError(f"{gpkg}: cannot store layer styles ({exc}); is it a GeoPackage?") from exc


def read_layer_styles(gpkg: str | Path) -> list[dict]:
    """Rows of ``gpkg``'s ``layer_styles`` table as dicts (empty when there is none)."""
    with closing(_connect(Path(gpkg))) as con:
        con.row_factory = sqlite3.Row
        have = con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'layer_styles'").fetchone()
        if not have:
            return []
        return [dict(row) for row in con.execute("SELECT * FROM layer_styles ORDER BY id")]
