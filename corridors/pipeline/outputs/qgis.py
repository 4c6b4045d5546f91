"""QGIS styles and project of a run: one ``.qml`` per layer and raster (for Shapefile users), every
GeoPackage layer's style stored in its file's ``layer_styles`` table (default style per layer),
and ``corridors.qgs`` opening them all, styled, in :data:`~.styles.LAYER_STYLES`'s drawing order,
with a print layout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .gpkg_styles import LayerStyle, write_layer_styles
from .layers import CONTEXT_GPKG, GPKG_NAME, LAYER_GEOMETRY
from .qgis_project import PrintLayout, ProjectLayer, write_project
from .styles import (RasterClasses, RasterStyle, draw_order, raster_qml, raster_style, raster_style_elements, to_qml,
                     to_sld, vector_qml, vector_style, vector_style_elements, write_qml)

__all__ = ["write_styles_and_project", "TABLE_QML"]

#: style of an attribute table without geometry (nothing to draw; QGIS still finds a default)
TABLE_QML = to_qml([])


def _has_geometry(df) -> bool:
    import geopandas as gpd

    return isinstance(df, gpd.GeoDataFrame) and df._geometry_column_name in df.columns


def _vector(folder: Path, name: str, df, gpkg: str, n_links: int, written: list[str],
            styles: dict[str, list[LayerStyle]]) -> ProjectLayer:
    if not _has_geometry(df):  # an attribute table: in the project and the file, no symbology
        styles[gpkg].append(LayerStyle(name, TABLE_QML, "", f"corridors {name}", f"table {name}"))
        return ProjectLayer(name=name, source=gpkg, kind="vector", style=[], gpkg_layer=name)
    style = vector_style(name)
    qml = vector_qml(name, n_links=n_links)
    write_qml(folder / f"{name}.qml", qml)
    written.append(f"{name}.qml")
    styles[gpkg].append(LayerStyle(name, qml, to_sld(name, n_links=n_links), f"corridors {name}", style.description))
    return ProjectLayer(name=name, source=gpkg, kind="vector", style=vector_style_elements(name, n_links=n_links),
                        gpkg_layer=name, geometry=LAYER_GEOMETRY[name], visible=style.visible,
                        labels=style.label is not None, title=style.title, in_legend=style.legend)


def _raster(folder: Path, name: str, classes: RasterClasses, written: list[str]) -> ProjectLayer:
    style: RasterStyle = raster_style(name)
    write_qml(folder / f"{name}.qml", raster_qml(name, classes))
    written.append(f"{name}.qml")
    # legend entry 0 is the band name; then one entry per class, or one colour ramp
    nodes = tuple(range(1, len(classes.values) + 1)) if classes.mode == "discrete" else (1,)
    return ProjectLayer(name=name, source=f"{name}.tif", kind="raster", style=raster_style_elements(name, classes),
                        visible=style.visible, title=style.title, in_legend=style.legend, legend_nodes=nodes)


def write_styles_and_project(folder: Path, *, layers: dict[str, Any], context: dict[str, Any],
                             raster_classes: dict[str, RasterClasses], n_links: int, crs, extent, title: str,
                             sources: str) -> list[str]:
    """Styles and ``corridors.qgs`` of a run; the names written.

    Parameters
    ----------
    layers, context : ``{name: GeoDataFrame}`` written to ``corridors.gpkg`` and ``context.gpkg``.
    raster_classes : colour classes of the rasters written beside (``{name}.tif``).
    n_links : number of ranked links (rank classes).
    crs, extent : the project's CRS and initial extent (xmin, ymin, xmax, ymax).
    title, sources : the print layout's title and sources line.
    """
    written: list[str] = []
    gpkg_of = {**{n: CONTEXT_GPKG for n in context}, **{n: GPKG_NAME for n in layers}}
    frames = {**context, **layers}
    styles: dict[str, list[LayerStyle]] = {GPKG_NAME: [], CONTEXT_GPKG: []}
    project: list[ProjectLayer] = []
    for name in draw_order([*frames, *raster_classes]):
        if name in raster_classes:
            project.append(_raster(folder, name, raster_classes[name], written))
        else:
            project.append(_vector(folder, name, frames[name], gpkg_of[name], n_links, written, styles))
    for gpkg, rows in styles.items():
        if rows:
            write_layer_styles(folder / gpkg, rows)
    write_project(folder / "corridors.qgs", project, crs, title=title, extent=extent,
                  layout=PrintLayout(title=title, sources=sources))
    written.append("corridors.qgs")
    return written
