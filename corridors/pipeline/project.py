"""A QGIS project (``.qgs``) that opens the run's GeoPackage layers and COGs, styled.

Paths are relative to the project file, so the output folder can be moved or zipped as a whole.
Each layer's style (the same elements written to its ``.qml``) is embedded in the project.
"""

from __future__ import annotations

import warnings
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from rasters.atomic import atomic_write_text
from ..styles import QGIS_VERSION

__all__ = ["ProjectLayer", "write_project"]


@dataclass(frozen=True)
class ProjectLayer:
    """One layer of the project.

    name : layer name shown in QGIS; source : path relative to the project (``corridors.gpkg`` or a
    ``.tif``); gpkg_layer : layer name inside the GeoPackage (vector only); kind : 'vector' | 'raster';
    geometry : 'Point' | 'Line' | 'Polygon' (vector only); style : list of style elements;
    visible : checked in the layer tree.
    """

    name: str
    source: str
    kind: str
    style: list
    gpkg_layer: str | None = None
    geometry: str | None = None
    visible: bool = True


def _srs(parent: ET.Element, crs) -> None:
    srs = ET.SubElement(parent, "spatialrefsys", nativeFormat="Wkt")
    ET.SubElement(srs, "wkt").text = crs.to_wkt()
    with warnings.catch_warnings():  # PROJ strings are lossy; QGIS reads the WKT first
        warnings.simplefilter("ignore", UserWarning)
        ET.SubElement(srs, "proj4").text = crs.to_proj4() or ""
    auth = crs.to_authority()
    ET.SubElement(srs, "srsid").text = "0"
    ET.SubElement(srs, "srid").text = auth[1] if auth else "0"
    ET.SubElement(srs, "authid").text = f"{auth[0]}:{auth[1]}" if auth else ""
    ET.SubElement(srs, "description").text = crs.name
    ET.SubElement(srs, "projectionacronym").text = ""
    ET.SubElement(srs, "ellipsoidacronym").text = ""
    ET.SubElement(srs, "geographicflag").text = "true" if crs.is_geographic else "false"


def _datasource(layer: ProjectLayer) -> str:
    if layer.kind == "vector":
        return f"./{layer.source}|layername={layer.gpkg_layer or layer.name}"
    return f"./{layer.source}"


def write_project(path: str | Path, layers: list[ProjectLayer], crs, *, title: str,
                  extent: tuple[float, float, float, float]) -> Path:
    """Write a QGIS 3 project file atomically.

    Parameters
    ----------
    path : path of the ``.qgs`` file (layer sources are relative to its folder).
    layers : drawn in order, first on top.
    crs : pyproj.CRS of the project (the run's grid CRS).
    extent : (xmin, ymin, xmax, ymax) initial map extent in ``crs`` units.
    """
    path = Path(path)
    root = ET.Element("qgis", projectname=title, version=QGIS_VERSION)
    ET.SubElement(root, "homePath", path="")
    ET.SubElement(root, "title").text = title
    pcrs = ET.SubElement(root, "projectCrs")
    _srs(pcrs, crs)
    ids = {lyr.name: f"{lyr.name}_{i:03d}" for i, lyr in enumerate(layers)}

    tree = ET.SubElement(root, "layer-tree-group")
    ET.SubElement(tree, "customproperties")
    for lyr in layers:
        ET.SubElement(tree, "layer-tree-layer", id=ids[lyr.name], name=lyr.name, source=_datasource(lyr),
                      providerKey="ogr" if lyr.kind == "vector" else "gdal",
                      checked="Qt::Checked" if lyr.visible else "Qt::Unchecked", expanded="0")

    canvas = ET.SubElement(root, "mapcanvas", name="theMapCanvas", annotationsVisible="1")
    ET.SubElement(canvas, "units").text = "meters"
    ext = ET.SubElement(canvas, "extent")
    for tag, v in zip(("xmin", "ymin", "xmax", "ymax"), extent):
        ET.SubElement(ext, tag).text = repr(float(v))
    ET.SubElement(canvas, "rotation").text = "0"
    dest = ET.SubElement(canvas, "destinationsrs")
    _srs(dest, crs)

    order = ET.SubElement(root, "layerorder")
    for lyr in layers:
        ET.SubElement(order, "layer", id=ids[lyr.name])

    project_layers = ET.SubElement(root, "projectlayers")
    for lyr in layers:
        attrib = {"type": lyr.kind, "autoRefreshEnabled": "0", "refreshOnNotifyEnabled": "0"}
        if lyr.kind == "vector":
            attrib["geometry"] = lyr.geometry or "Unknown"
        ml = ET.SubElement(project_layers, "maplayer", attrib=attrib)
        ET.SubElement(ml, "id").text = ids[lyr.name]
        ET.SubElement(ml, "datasource").text = _datasource(lyr)
        ET.SubElement(ml, "layername").text = lyr.name
        srs = ET.SubElement(ml, "srs")
        _srs(srs, crs)
        prov = ET.SubElement(ml, "provider", encoding="UTF-8")
        prov.text = "ogr" if lyr.kind == "vector" else "gdal"
        for el in lyr.style:
            ml.append(el)
        ET.SubElement(ml, "blendMode").text = "0"

    props = ET.SubElement(root, "properties")
    paths = ET.SubElement(props, "Paths")
    ET.SubElement(paths, "Absolute", type="bool").text = "false"
    ET.indent(root)
    text = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(root, encoding="unicode") + "\n"
    return atomic_write_text(path, text)
