"""A QGIS project (``.qgs``) that opens the run's GeoPackage layers and COGs, styled, with a print
layout (title, map, legend, scale bar, north arrow, sources) ready to export as PDF.

Paths are relative to the project file, so the output folder can be moved or zipped as a whole.
Each layer's style (the same elements written to its ``.qml`` and to the GeoPackage's
``layer_styles``) is embedded in the project.

Layer ids are the layer name and a fixed suffix: QGIS (3.22 and earlier) keeps an id from the
file only when it is longer than 10 characters and gives shorter ones a new id, which detaches
the layer from the layer tree (``links`` and ``gaps`` used to vanish that way).
"""

from __future__ import annotations

import copy
import functools
import uuid
import warnings
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from rasters.atomic import atomic_write_text
from .styles import QGIS_VERSION

__all__ = ["ProjectLayer", "PrintLayout", "write_project", "layer_id", "project_xml"]

_UUID_NAMESPACE = uuid.UUID("6b1f4a52-3c2e-4d9a-9a55-0c0e7d1d7c11")  # corridors' project items


def layer_id(name: str) -> str:
    """The project id of layer ``name``: deterministic and longer than QGIS's 10-character minimum."""
    return f"{name}_{uuid.uuid5(_UUID_NAMESPACE, 'layer:' + name).hex}"


def _item_uuid(key: str) -> str:
    return "{" + str(uuid.uuid5(_UUID_NAMESPACE, "item:" + key)) + "}"


@dataclass(frozen=True)
class ProjectLayer:
    """One layer of the project.

    name : layer name shown in QGIS; source : path relative to the project (``corridors.gpkg`` or a
    ``.tif``); kind : 'vector' | 'raster'; style : list of style elements; gpkg_layer : layer name
    inside the GeoPackage (vector only); geometry : 'Point' | 'Line' | 'Polygon', or None for a
    table without geometry (vector only); visible : checked in the layer tree; labels : the style
    has labels to switch on; title : legend name (default: ``name``); in_legend : listed in the
    print layout's legend; legend_nodes : the legend entries QGIS shows, by index (None: all;
    rasters skip entry 0, the band name).
    """

    name: str
    source: str
    kind: str
    style: list
    gpkg_layer: str | None = None
    geometry: str | None = None
    visible: bool = True
    labels: bool = False
    title: str | None = None
    in_legend: bool = True
    legend_nodes: tuple[int, ...] | None = None


@dataclass(frozen=True)
class PrintLayout:
    """An A4 landscape print layout: ``title``, the map, legend, scale bar, north arrow and a
    ``sources`` line at the foot."""

    title: str
    sources: str
    name: str = "Corridors map"


def _srs(parent: ET.Element, crs) -> None:
    parent.append(copy.deepcopy(_srs_element(crs)))


@functools.lru_cache(maxsize=8)
def _srs_element(crs) -> ET.Element:
    """QGIS's <spatialrefsys> of ``crs`` (built once per CRS: WKT and PROJ strings are slow)."""
    srs = ET.Element("spatialrefsys", nativeFormat="Wkt")
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
    return srs


def _datasource(layer: ProjectLayer) -> str:
    if layer.kind == "vector":
        return f"./{layer.source}|layername={layer.gpkg_layer or layer.name}"
    return f"./{layer.source}"


def _extent(parent: ET.Element, tag: str, extent) -> ET.Element:
    ext = ET.SubElement(parent, tag)
    for k, v in zip(("xmin", "ymin", "xmax", "ymax"), extent):
        ET.SubElement(ext, k).text = repr(float(v))
    return ext


def _maplayer(parent: ET.Element, lyr: ProjectLayer, crs) -> None:
    attrib = {"type": lyr.kind, "autoRefreshEnabled": "0", "refreshOnNotifyEnabled": "0",
              "hasScaleBasedVisibilityFlag": "0", "styleCategories": "AllStyleCategories"}
    if lyr.kind == "vector":
        attrib["geometry"] = lyr.geometry or "No geometry"
        attrib["labelsEnabled"] = "1" if lyr.labels else "0"
    ml = ET.SubElement(parent, "maplayer", attrib=attrib)
    ET.SubElement(ml, "id").text = layer_id(lyr.name)
    ET.SubElement(ml, "datasource").text = _datasource(lyr)
    ET.SubElement(ml, "layername").text = lyr.title or lyr.name
    _srs(ET.SubElement(ml, "srs"), crs)
    ET.SubElement(ml, "provider", encoding="UTF-8").text = "ogr" if lyr.kind == "vector" else "gdal"
    for el in lyr.style:
        ml.append(el)
    ET.SubElement(ml, "blendMode").text = "0"


def _tree_layer(parent: ET.Element, lyr: ProjectLayer) -> None:
    el = ET.SubElement(parent, "layer-tree-layer", id=layer_id(lyr.name), name=lyr.title or lyr.name,
                       source=_datasource(lyr), providerKey="ogr" if lyr.kind == "vector" else "gdal",
                       checked="Qt::Checked" if lyr.visible else "Qt::Unchecked", expanded="0" if lyr.kind == "vector" else "1")
    props = ET.SubElement(ET.SubElement(el, "customproperties"), "Option", type="Map")
    if lyr.legend_nodes is not None:
        ET.SubElement(props, "Option", type="QString", name="legend/node-order",
                      value=",".join(str(i) for i in lyr.legend_nodes))


def _item(parent: ET.Element, kind: int, key: str, position: tuple[float, float], size: tuple[float, float],
          z: int, **attrib) -> ET.Element:
    base = {"type": str(kind), "uuid": _item_uuid(key), "templateUuid": _item_uuid(key), "id": key,
            "position": f"{position[0]:g},{position[1]:g},mm", "positionOnPage": f"{position[0]:g},{position[1]:g},mm",
            "size": f"{size[0]:g},{size[1]:g},mm", "zValue": str(z), "visibility": "1", "referencePoint": "0",
            "frame": "false", "background": "false", "opacity": "1", "blendMode": "0", "itemRotation": "0",
            "outlineWidthM": "0.3,mm", "frameJoinStyle": "miter", "excludeFromExports": "0", "groupUuid": "",
            "positionLock": "false"}
    base.update({k: str(v) for k, v in attrib.items()})
    el = ET.SubElement(parent, "LayoutItem", attrib=base)
    ET.SubElement(el, "FrameColor", red="0", green="0", blue="0", alpha="255")
    ET.SubElement(el, "BackgroundColor", red="255", green="255", blue="255", alpha="255")
    return el


def _font(size: int, bold: bool = False) -> str:
    return f"Sans Serif,{size},-1,5,{75 if bold else 50},0,0,0,0,0"


def _label(parent: ET.Element, key: str, text: str, position, size, *, font_size: int, bold: bool = False,
           z: int = 5) -> None:
    el = _item(parent, 65641, key, position, size, z, labelText=text, htmlState="0", marginX="0", marginY="0",
               halign="1", valign="32")
    ET.SubElement(el, "LabelFont", description=_font(font_size, bold), style="")
    ET.SubElement(el, "FontColor", red="0", green="0", blue="0", alpha="255")


def _fit(extent, width: float, height: float) -> tuple[float, float, float, float]:
    """``extent`` grown to the map frame's aspect ratio (width/height, mm), centred."""
    x0, y0, x1, y1 = (float(v) for v in extent)
    w, h = x1 - x0, y1 - y0
    aspect = width / height
    if w / h < aspect:
        grow = (h * aspect - w) / 2
        x0, x1 = x0 - grow, x1 + grow
    else:
        grow = (w / aspect - h) / 2
        y0, y1 = y0 - grow, y1 + grow
    return x0, y0, x1, y1


_LEGEND_FONTS = {"title": (10, True), "group": (8, True), "subgroup": (7, False), "symbol": (7, False),
                 "symbolLabel": (7, False)}


def _legend(parent: ET.Element, map_uuid: str, position, size, layers: list[ProjectLayer]) -> None:
    el = _item(parent, 65642, "legend", position, size, 3, title="Legend", map_uuid=map_uuid, resizeToContents="1",
               symbolWidth="6", symbolHeight="3.5", columnCount="1", splitLayer="0", equalColumnWidth="0",
               wrapChar="", legendFilterByAtlas="0", background="true", fontColor="#000000", boxSpace="2",
               columnSpace="2", lineSpacing="1")
    styles = ET.SubElement(el, "styles")
    for name, (pt, bold) in _LEGEND_FONTS.items():
        st = ET.SubElement(styles, "style", name=name, alignment="1", indent="0", marginTop="1.5")
        ET.SubElement(st, "styleFont", description=_font(pt, bold), style="")
    tree = ET.SubElement(el, "layer-tree-group")  # a fixed list: the layers worth printing
    ET.SubElement(tree, "customproperties")
    for lyr in layers:
        _tree_layer(tree, lyr)


def _layout(root: ET.Element, layout: PrintLayout, extent, legend_layers: list[ProjectLayer]) -> None:
    """An A4 landscape layout (mm): title, map fitted to the extent's shape, legend, scale bar,
    north arrow, sources."""
    layouts = ET.SubElement(root, "Layouts")
    lay = ET.SubElement(layouts, "Layout", name=layout.name, units="mm", printResolution="300", worldFileMap="")
    pages = ET.SubElement(lay, "PageCollection")
    page = _item(pages, 65638, "page", (0, 0), (297, 210), 0, background="true")
    page.set("id", "")
    ET.SubElement(pages, "GuideCollection", visible="1")
    x0, y0, x1, y1 = (float(v) for v in extent)
    aspect = (x1 - x0) / (y1 - y0)
    width, height = (205.0, 205.0 / aspect) if 205.0 / aspect <= 158.0 else (158.0 * aspect, 158.0)
    left, top = 10.0, 20.0
    map_uuid = _item_uuid("main map")
    _label(lay, "title", layout.title, (10, 6), (277, 11), font_size=16, bold=True)
    m = _item(lay, 65639, "main map", (left, top), (width, height), 1, frame="true", background="true",
              mapRotation="0", keepLayerSet="false", followPreset="false", followPresetName="",
              drawCanvasItems="true", isTemporal="0", mapFlags="0", labelMargin="0,mm")
    ex0, ey0, ex1, ey1 = _fit(extent, width, height)
    ET.SubElement(m, "Extent", xmin=repr(ex0), ymin=repr(ey0), xmax=repr(ex1), ymax=repr(ey1))
    ET.SubElement(m, "LayerSet")
    ET.SubElement(m, "AtlasMap", atlasDriven="0", scalingMode="2", margin="0.1")
    _legend(lay, map_uuid, (left + width + 5, top), (287 - left - width - 5, 170), legend_layers)
    bar = _item(lay, 65646, "scale bar", (left + 2, top + height + 3), (80, 12), 4, mapUuid=map_uuid,
                style="Single Box", unitType="km", unitLabel="km", numSegments="2", numSegmentsLeft="0",
                numSubdivisions="1", subdivisionsHeight="1.5", segmentSizeMode="1", minBarWidth="25",
                maxBarWidth="60", numUnitsPerSegment="100", numMapUnitsPerScaleBarUnit="1000", height="2.5",
                labelBarSpace="2", boxContentSpace="1", alignment="0", outlineWidth="0.3", lineJoinStyle="miter",
                lineCapStyle="square")
    ET.SubElement(bar, "text-style", fontFamily="Sans Serif", fontSize="8", fontSizeUnit="Point",
                  textColor="0,0,0,255", textOpacity="1", namedStyle="Regular", fontWeight="50")
    _item(lay, 65640, "north arrow", (left + width - 13, top + 3), (9, 13), 5, mapUuid=map_uuid,
          file=":/images/north_arrows/layout_default_north_arrow.svg", mode="2", resizeMode="0", northMode="0",
          northOffset="0", pictureRotation="0", anchorPoint="0", svgFillColor="255,255,255,255",
          svgBorderColor="0,0,0,255", svgBorderWidth="0.2", pictureWidth="9", pictureHeight="13")
    foot = max(top + height + 17, 180.0)
    _label(lay, "sources", layout.sources, (10, foot), (277, 205 - foot), font_size=6)


def project_xml(layers: list[ProjectLayer], crs, *, title: str, extent: tuple[float, float, float, float],
                layout: PrintLayout | None = None) -> str:
    """The text of a QGIS 3 project; see :func:`write_project`."""
    root = ET.Element("qgis", projectname=title, version=QGIS_VERSION)
    ET.SubElement(root, "homePath", path="")
    ET.SubElement(root, "title").text = title
    _srs(ET.SubElement(root, "projectCrs"), crs)

    tree = ET.SubElement(root, "layer-tree-group")
    ET.SubElement(tree, "customproperties")
    for lyr in layers:
        _tree_layer(tree, lyr)

    canvas = ET.SubElement(root, "mapcanvas", name="theMapCanvas", annotationsVisible="1")
    ET.SubElement(canvas, "units").text = "meters"
    _extent(canvas, "extent", extent)
    ET.SubElement(canvas, "rotation").text = "0"
    _srs(ET.SubElement(canvas, "destinationsrs"), crs)

    project_layers = ET.SubElement(root, "projectlayers")
    for lyr in layers:
        _maplayer(project_layers, lyr, crs)
    order = ET.SubElement(root, "layerorder")
    for lyr in layers:
        ET.SubElement(order, "layer", id=layer_id(lyr.name))

    props = ET.SubElement(root, "properties")
    paths = ET.SubElement(props, "Paths")
    ET.SubElement(paths, "Absolute", type="bool").text = "false"
    view = ET.SubElement(root, "ProjectViewSettings", UseProjectScales="0")
    x0, y0, x1, y1 = (float(v) for v in extent)
    ET.SubElement(view, "DefaultViewExtent", xmin=repr(x0), ymin=repr(y0), xmax=repr(x1), ymax=repr(y1))
    if layout is not None:
        _layout(root, layout, extent, [lyr for lyr in layers if lyr.visible and lyr.in_legend])
    ET.indent(root)
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(root, encoding="unicode") + "\n"


def write_project(path: str | Path, layers: list[ProjectLayer], crs, *, title: str,
                  extent: tuple[float, float, float, float], layout: PrintLayout | None = None) -> Path:
    """Write a QGIS 3 project file atomically.

    Parameters
    ----------
    path : path of the ``.qgs`` file (layer sources are relative to its folder).
    layers : drawn in order, first on top.
    crs : pyproj.CRS of the project (the run's grid CRS).
    extent : (xmin, ymin, xmax, ymax) initial map extent in ``crs`` units.
    layout : a print layout to include (None: none).
    """
    return atomic_write_text(Path(path), project_xml(layers, crs, title=title, extent=extent, layout=layout))
