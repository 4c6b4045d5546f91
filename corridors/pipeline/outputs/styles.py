"""QGIS layer styles (``.qml``) generated from code.

Classes that depend on the data (rank classes, colour-ramp limits) are computed from the layer
being written, so the style always matches it. The same XML elements are embedded into the QGIS
project by :mod:`.qgis_project`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Sequence

from rasters.atomic import atomic_write_text
from ...errors import InputError

__all__ = [
    "QGIS_VERSION",
    "single_symbol",
    "graduated",
    "raster_pseudocolor",
    "to_qml",
    "write_qml",
    "LAYER_STYLES",
    "style_for_layer",
]

QGIS_VERSION = "3.28.0-Firenze"

# ColorBrewer-derived ramps (colour-blind safe), low -> high
RAMP_RANK = ["#1a9850", "#91cf60", "#d9ef8b", "#fee08b", "#fc8d59", "#d73027"]  # rank 1 = green
RAMP_RESIST = ["#ffffcc", "#c2e699", "#78c679", "#31a354", "#006837"][::-1] + ["#fdae61", "#d7191c"]
RAMP_CURRENT = ["#0d0887", "#6a00a8", "#b12a90", "#e16462", "#fca636", "#f0f921"]  # plasma
RAMP_CORRIDOR = ["#08306b", "#2171b5", "#6baed6", "#c6dbef", "#f7fbff"]
RAMP_FREQUENCY = ["#ffffff", "#c7e9b4", "#41b6c4", "#225ea8", "#081d58"]  # 0 (never) -> 1 (every member)


def _rgba(hex_colour: str, alpha: int = 255) -> str:
    h = hex_colour.lstrip("#")
    return f"{int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)},{alpha}"


def _opt(parent: ET.Element, name: str, value) -> None:
    ET.SubElement(parent, "Option", name=name, value=str(value), type="QString")


def _symbol(geom: str, colour: str, *, name: str = "0", alpha: int = 255, width: float = 0.5,
            outline: str = "#333333", style: str = "solid", size: float = 2.6) -> ET.Element:
    """A one-layer QGIS symbol: geom 'fill' | 'line' | 'marker'."""
    sym = ET.Element("symbol", type=geom, name=name, alpha="1", clip_to_extent="1", force_rhr="0")
    cls = {"fill": "SimpleFill", "line": "SimpleLine", "marker": "SimpleMarker"}[geom]
    layer = ET.SubElement(sym, "layer", attrib={"class": cls, "enabled": "1", "pass": "0", "locked": "0"})
    opts = ET.SubElement(layer, "Option", type="Map")
    if geom == "fill":
        _opt(opts, "color", _rgba(colour, alpha))
        _opt(opts, "style", style)
        _opt(opts, "outline_color", _rgba(outline))
        _opt(opts, "outline_style", "solid")
        _opt(opts, "outline_width", width)
        _opt(opts, "outline_width_unit", "MM")
    elif geom == "line":
        _opt(opts, "line_color", _rgba(colour, alpha))
        _opt(opts, "line_style", style)
        _opt(opts, "line_width", width)
        _opt(opts, "line_width_unit", "MM")
        _opt(opts, "capstyle", "round")
        _opt(opts, "joinstyle", "round")
    else:
        _opt(opts, "name", "circle")
        _opt(opts, "color", _rgba(colour, alpha))
        _opt(opts, "outline_color", _rgba(outline))
        _opt(opts, "outline_width", 0.2)
        _opt(opts, "size", size)
        _opt(opts, "size_unit", "MM")
    return sym


def _renderer_tail(r: ET.Element) -> None:
    ET.SubElement(r, "rotation")
    ET.SubElement(r, "sizescale")


def single_symbol(geom: str, colour: str, **kw) -> list[ET.Element]:
    """Elements of a single-symbol style (renderer only)."""
    r = ET.Element("renderer-v2", type="singleSymbol", symbollevels="0", enableorderby="0", forceraster="0")
    syms = ET.SubElement(r, "symbols")
    syms.append(_symbol(geom, colour, **kw))
    _renderer_tail(r)
    return [r]


def graduated(geom: str, attr: str, breaks: Sequence[float], colours: Sequence[str], *,
              labels: Sequence[str] | None = None, widths: Sequence[float] | None = None,
              alpha: int = 255, **kw) -> list[ET.Element]:
    """Graduated style on ``attr``: class ``i`` covers ``breaks[i]..breaks[i+1]``."""
    n = len(breaks) - 1
    if n < 1:
        raise InputError(f"graduated style on {attr!r} needs at least two breaks, got {list(breaks)}")
    r = ET.Element("renderer-v2", type="graduatedSymbol", attr=attr, graduatedMethod="GraduatedColor",
                   symbollevels="0", enableorderby="0", forceraster="0")
    ranges = ET.SubElement(r, "ranges")
    syms = ET.SubElement(r, "symbols")
    for i in range(n):
        lo, hi = breaks[i], breaks[i + 1]
        label = labels[i] if labels else f"{lo:g} - {hi:g}"
        ET.SubElement(ranges, "range", lower=repr(float(lo)), upper=repr(float(hi)), symbol=str(i),
                      label=label, render="true")
        colour = colours[min(len(colours) - 1, round(i * (len(colours) - 1) / max(n - 1, 1)))]
        skw = dict(kw)
        if widths is not None:
            skw["width"] = widths[i]
        syms.append(_symbol(geom, colour, name=str(i), alpha=alpha, **skw))
    ET.SubElement(r, "mode", name="manual")
    _renderer_tail(r)
    return [r]


def labeling(field: str, *, size: float = 8.0, colour: str = "#000000") -> ET.Element:
    """Simple labels from ``field`` with a white buffer."""
    lab = ET.Element("labeling", type="simple")
    settings = ET.SubElement(lab, "settings", calloutType="simple")
    ET.SubElement(settings, "text-style", fieldName=field, fontSize=str(size), textColor=_rgba(colour),
                  fontFamily="Sans Serif", isExpression="0")
    fmt = ET.SubElement(settings, "text-buffer", bufferDraw="1", bufferSize="0.8", bufferColor="255,255,255,255")
    del fmt
    ET.SubElement(settings, "placement", placement="0", dist="1")
    ET.SubElement(settings, "rendering", scaleVisibility="0", obstacle="1")
    return lab


def raster_pseudocolor(vmin: float, vmax: float, colours: Sequence[str], *, opacity: float = 1.0,
                       label: str = "") -> list[ET.Element]:
    """Single-band pseudocolour style (interpolated ramp from ``vmin`` to ``vmax``)."""
    pipe = ET.Element("pipe")
    rr = ET.SubElement(pipe, "rasterrenderer", type="singlebandpseudocolor", band="1", opacity=f"{opacity:g}",
                       alphaBand="-1", classificationMin=repr(float(vmin)), classificationMax=repr(float(vmax)),
                       nodataColor="")
    ET.SubElement(rr, "rasterTransparency")
    shader = ET.SubElement(rr, "rastershader")
    crs = ET.SubElement(shader, "colorrampshader", colorRampType="INTERPOLATED", classificationMode="1",
                        clip="0", minimumValue=repr(float(vmin)), maximumValue=repr(float(vmax)),
                        labelPrecision="4")
    n = len(colours)
    for i, c in enumerate(colours):
        v = vmin + (vmax - vmin) * i / max(n - 1, 1)
        ET.SubElement(crs, "item", value=repr(float(v)), label=f"{v:.4g}", color=c, alpha="255")
    ET.SubElement(pipe, "brightnesscontrast", brightness="0", contrast="0", gamma="1")
    ET.SubElement(pipe, "huesaturation", saturation="0", grayscaleMode="0", colorizeOn="0")
    ET.SubElement(pipe, "rasterresampler", maxOversampling="2")
    return [pipe]


def to_qml(elements: list[ET.Element], *, layer_type: str = "vector", geometry: int | None = None) -> str:
    """Wrap style elements in a ``<qgis>`` QML document and return it as text."""
    root = ET.Element("qgis", version=QGIS_VERSION, styleCategories="AllStyleCategories")
    for el in elements:
        root.append(el)
    if layer_type == "vector" and geometry is not None:
        ET.SubElement(root, "layerGeometryType").text = str(geometry)
    if layer_type == "raster":
        ET.SubElement(root, "blendMode").text = "0"
    ET.indent(root)
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(root, encoding="unicode") + "\n"


def write_qml(path: str | Path, elements: list[ET.Element], **kw) -> Path:
    """Write :func:`to_qml` text atomically."""
    return atomic_write_text(path, to_qml(elements, **kw))


# QGIS geometry type codes used in <layerGeometryType>
GEOM_CODE = {"point": 0, "line": 1, "polygon": 2}


def _rank_breaks(n_links: int, classes: int = 5) -> tuple[list[float], list[str]]:
    n = max(int(n_links), 1)
    k = min(classes, n)
    edges = sorted({round(1 + i * n / k) for i in range(k)} | {n + 1})
    breaks = [e - 0.5 for e in edges]
    labels = [f"rank {int(breaks[i] + 0.5)}-{int(breaks[i + 1] - 0.5)}" for i in range(len(breaks) - 1)]
    return breaks, labels


def style_for_layer(name: str, *, n_links: int = 1, value_range: tuple[float, float] | None = None):
    """(elements, kwargs for :func:`to_qml`) of the default style of an output layer."""
    if name == "protected_areas":
        return single_symbol("fill", "#4daf4a", alpha=90, outline="#1b7837", width=0.3) + [labeling("pa_id")], dict(geometry=2)
    if name == "border_reserves":
        return single_symbol("fill", "#1b7837", alpha=150, outline="#00441b", width=0.5) + [labeling("name")], dict(geometry=2)
    if name == "new_reserves":
        return single_symbol("fill", "#984ea3", alpha=150, outline="#54278f", width=0.6), dict(geometry=2)
    if name == "borders":
        return single_symbol("line", "#555555", style="dash", width=0.6), dict(geometry=1)
    if name in ("links", "corridors"):
        breaks, labels = _rank_breaks(n_links)
        geom = "line" if name == "links" else "fill"
        colours = RAMP_RANK
        if geom == "line":
            widths = [1.6 - 1.1 * i / max(len(breaks) - 2, 1) for i in range(len(breaks) - 1)]
            els = graduated("line", "Rank", breaks, colours, labels=labels, widths=widths)
            return els + [labeling("Rank")], dict(geometry=1)
        return graduated("fill", "Rank", breaks, colours, labels=labels, alpha=110, width=0.2), dict(geometry=2)
    if name == "gaps":
        return single_symbol("fill", "#e41a1c", alpha=170, outline="#99000d", width=0.3), dict(geometry=2)
    if name == "pinch_points":
        return single_symbol("marker", "#ff7f00", outline="#000000", size=3.0) + [labeling("PP_Rank")], dict(geometry=0)
    if name == "crossings":
        return single_symbol("marker", "#6a3d9a", outline="#ffffff", size=3.6) + [labeling("Link_ID")], dict(geometry=0)
    if name == "unlinked_pairs":
        return single_symbol("line", "#e41a1c", style="dot", width=0.5), dict(geometry=1)
    if name == "edits":
        return single_symbol("line", "#000000", width=1.2), dict(geometry=1)
    if name == "robust_corridors":  # cells in corridors in >= 90 % of ensemble members
        return single_symbol("fill", "#d7301f", alpha=60, outline="#99000d", width=0.6), dict(geometry=2)
    if name == "corridor_frequency":  # share of ensemble members, always 0..1
        return raster_pseudocolor(0.0, 1.0, RAMP_FREQUENCY, opacity=0.8), dict(layer_type="raster")
    if name in ("resistance", "corridor_mosaic", "current_density"):
        lo, hi = value_range if value_range is not None else (0.0, 1.0)
        ramp = {"resistance": RAMP_RESIST, "corridor_mosaic": RAMP_CORRIDOR, "current_density": RAMP_CURRENT}[name]
        return raster_pseudocolor(lo, hi, ramp, opacity=1.0 if name == "resistance" else 0.8), dict(layer_type="raster")
    raise InputError(f"no default style for layer {name!r}; known layers: {', '.join(LAYER_STYLES)}")


LAYER_STYLES = ("protected_areas", "border_reserves", "new_reserves", "borders", "links", "corridors",
                "gaps", "pinch_points", "crossings", "unlinked_pairs", "edits", "resistance", "corridor_mosaic",
                "current_density", "robust_corridors", "corridor_frequency")
