"""The look of every output layer, defined once and written for QGIS (``.qml``, SLD), the
GeoPackage's ``layer_styles`` table, the QGIS project and the report's maps.

A layer's look is one entry of :data:`LAYER_STYLES` (vector layers and rasters, in drawing order,
top first): a new output layer is one entry there, nothing else. Classes
that depend on the data (rank classes, colour-ramp stops) are computed from the layer being
written by :func:`rank_classes` and :func:`raster_classes`, so the style always matches it and
QGIS and the report draw the same colours.

The QML written here is read by QGIS 3.22 and later: symbol layers carry both the ``<Option>``
map (QGIS >= 3.18) and the older ``<prop>`` list; the version stamp is the oldest tested release
so that no QGIS warns that the file comes from a newer version.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from rasters.atomic import atomic_write_text
from ...errors import InputError

__all__ = [
    "QGIS_VERSION", "VectorStyle", "RasterStyle", "LAYER_STYLES", "FLYWAY_SITE_CLASSES", "RAMP_RANK", "draw_order",
    "RankClass", "RasterClasses", "rank_classes", "raster_classes", "vector_style", "raster_style",
    "vector_style_elements", "raster_style_elements", "to_qml", "write_qml", "to_sld", "colourise",
    "rgba",
]

#: version stamp of the QML and project files: the oldest QGIS the outputs are tested with
QGIS_VERSION = "3.22.16-Białowieża"

# ColorBrewer-derived ramps (colour-blind safe), first colour = first class / lowest value
RAMP_RANK = ("#006d2c", "#41ab5d", "#bdb000", "#fd8d3c", "#e31a1c", "#99000d")  # rank 1 = green
RAMP_RESIST = ("#fbf8f1", "#efe6d4", "#ddd0b5", "#c8b594", "#ad9675", "#8c7656", "#5c4a32")  # easy (light) -> hard
RAMP_CURRENT = ("#0d0887", "#6a00a8", "#b12a90", "#e16462", "#fca636", "#f0f921")  # plasma
RAMP_CORRIDOR = ("#08306b", "#2171b5", "#6baed6", "#c6dbef", "#f7fbff")  # least-cost path = dark
RAMP_FREQUENCY = ("#ffffff", "#c7e9b4", "#41b6c4", "#225ea8", "#081d58")  # 0 (never) -> 1 (every member)
RAMP_GAIN = ("#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704")  # small -> large drop of a link's cost


@dataclass(frozen=True)
class VectorStyle:
    """How one vector layer is drawn.

    title : name in legends and in the report's layer list; symbol : 'fill' | 'line' | 'marker';
    colour : fill, line or marker colour (hex); alpha : 0-255; outline : outline colour of fills
    and markers; width : line width or outline width (mm); dash : 'solid' | 'dash' | 'dot';
    size : marker diameter (mm); label : field to label features with (None: no labels);
    by_rank : graduated on the ``Rank`` field (:data:`RAMP_RANK`, rank 1 green); categories :
    ``(field, ((value, colour, label), ...))`` to colour features by the text value of ``field``
    (QGIS's categorised renderer: every value the layer holds must be listed), or None; visible :
    shown when the project or report opens; description : what the layer is (stored with the
    style); legend : listed in the print layout's legend (when visible).
    """

    title: str
    symbol: str
    colour: str
    alpha: int = 255
    outline: str = "#333333"
    width: float = 0.5
    dash: str = "solid"
    size: float = 2.6
    label: str | None = None
    by_rank: bool = False
    categories: tuple[str, tuple[tuple[str, str, str], ...]] | None = None
    visible: bool = True
    description: str = ""
    legend: bool = True

    def __post_init__(self) -> None:
        if self.by_rank and self.categories is not None:
            raise InputError(f"style {self.title!r}: by_rank and categories exclude each other; choose one")


@dataclass(frozen=True)
class RasterStyle:
    """How one raster is drawn.

    title : legend title; unit : the values' unit (legend); ramp : colours from low to high values;
    scale : 'log' (stops spaced evenly in log10 of the value) or 'linear'; opacity : 0-1;
    visible : shown when the project or report opens; description : what the values are;
    table_classes : the values come from the resistance table, so the legend names the land-cover
    classes of each value; legend : listed in the print layout's legend (when visible).
    """

    title: str
    unit: str
    ramp: tuple[str, ...]
    scale: str = "linear"
    opacity: float = 1.0
    visible: bool = True
    description: str = ""
    table_classes: bool = False
    legend: bool = True


#: classes of the flyway sites on the map (``map_class`` of the ``flyway_sites`` layer): value,
#: colour, legend label; a critical site is drawn as critical whatever its role
FLYWAY_SITE_CLASSES = (
    ("critical_unprotected", "#e31a1c", "critical, not protected"),
    ("critical", "#ff7f00", "critical (protected, partly or not verified)"),
    ("breeding", "#1b9e77", "breeding"),
    ("stopover", "#7570b3", "stopover"),
    ("wintering", "#08519c", "wintering"),
)

#: every output layer and raster, in drawing order (top first). A new output layer or raster is
#: one entry here; its position is where QGIS and the report draw it.
LAYER_STYLES: dict[str, VectorStyle | RasterStyle] = {
    "flyway_sites": VectorStyle("Flyway sites (critical sites red and orange)", "marker", "#7570b3",
                                outline="#000000", width=0.3, size=3.2, label="site_id",
                                categories=("map_class", FLYWAY_SITE_CLASSES),
                                description="wetland sites of the species' flyway with their role, removal impact "
                                            "(connections_lost, critical) and dPC (flyway_ranking.csv)"),
    "flyway_legs": VectorStyle("Flyway legs (within the flight range)", "line", "#6baed6", alpha=200, width=0.35,
                               description="great-circle legs between sites no farther apart than the species' "
                                           "maximum single-leg distance"),
    "pinch_points": VectorStyle("Pinch points", "marker", "#ff7f00", outline="#000000", width=0.2, size=2.0,
                                description="worst current-density peaks inside the top corridors"),
    "crossings": VectorStyle("Border crossings", "marker", "#6a3d9a", outline="#ffffff", width=0.2, size=2.4,
                             label="Link_ID",
                             description="where each ranked link's least-cost path crosses an international border"),
    "links": VectorStyle("Links (least-cost paths) by rank", "line", "#1a9850", by_rank=True, label="Rank",
                         description="least-cost paths between border reserves, coloured by rank (1 = best)"),
    "adjoining": VectorStyle("Adjoining reserves (shared border)", "line", "#d95f02", width=1.4,
                             description="stretches of border two reserves of two countries share: no corridor needed; "
                                         "their permeability is in adjoining.csv"),
    "domestic_links": VectorStyle("Domestic links (stepping stones)", "line", "#969696", dash="dash", width=0.4,
                                  description="least-cost links between reserves of one country (not ranked)"),
    "unlinked_pairs": VectorStyle("Pairs without a viable corridor", "line", "#7b3294", dash="dot", width=0.4,
                                  description="candidate reserve pairs whose corridor is too costly"),
    "edits": VectorStyle("Scenario edits", "line", "#000000", width=1.2,
                         description="roads, fences and areas the scenario burnt into the resistance"),
    "restoration_sites": VectorStyle("Restoration sites (barrier analysis)", "fill", "#00bcd4", alpha=90,
                                     outline="#006064", width=0.6, label="Site_ID",
                                     description="each top link's best windows to restore: the estimated drop of its "
                                                 "least-cost distance (Gain) if restored (McRae et al. 2012)"),
    "gaps": VectorStyle("Gaps (unprotected corridor stretches)", "fill", "#e41a1c", alpha=140, outline="#99000d",
                        width=0.3, description="parts of the top corridors outside every reserve"),
    "robust_corridors": VectorStyle("Robust corridors (uncertainty ensemble)", "fill", "#225ea8", alpha=80,
                                    outline="#081d58", width=0.5,
                                    description="cells in corridors in at least the robust share of the ensemble's members"),
    "corridors": VectorStyle("Corridors by rank", "fill", "#1a9850", alpha=110, width=0.2, by_rank=True,
                             description="least-cost corridors (cells within the corridor width of the path)"),
    "new_reserves": VectorStyle("New reserves (scenario)", "fill", "#984ea3", alpha=150, outline="#54278f",
                                width=0.6, description="reserves the scenario adds"),
    "nodes": VectorStyle("Network nodes (reserves, nested ones merged)", "fill", "#1b7837", alpha=0, outline="#00441b",
                         width=0.4, visible=False, label="pa_id",
                         description="the reserves of the network with their importance dPC (Saura & Rubio 2010)"),
    "border_reserves": VectorStyle("Border reserves", "fill", "#1b7837", alpha=150, outline="#00441b", label="name",
                                   description="protected areas near an international land border"),
    "protected_areas": VectorStyle("Protected areas", "fill", "#4daf4a", alpha=90, outline="#1b7837", width=0.3,
                                   description="every protected area of the run"),
    "borders": VectorStyle("International borders", "line", "#555555", dash="dash", width=0.6,
                           description="international land borders"),
    "country_summary": VectorStyle("Per country", "fill", "#ffffff", alpha=0, outline="#6a3d9a", width=0.3,
                                   visible=False, label="ISO3",
                                   description="per-country gaps, corridor shares, ProtConn and shared links (countries.csv)"),
    "countries": VectorStyle("Countries", "fill", "#ffffff", alpha=0, outline="#8c8c8c", width=0.25, label="iso3",
                             description="country polygons (context)", legend=False),
    "barrier_improvement": RasterStyle("Barrier improvement (restoration gain)", "cost units", RAMP_GAIN,
                                       opacity=0.85, visible=False,
                                       description="largest estimated drop of a top link's least-cost distance if "
                                                   "the window centred on the cell were restored (max over radii); "
                                                   "empty where no window gains"),
    "corridor_frequency": RasterStyle("Corridor frequency (uncertainty ensemble)", "share of members", RAMP_FREQUENCY,
                                      opacity=0.8, visible=False,
                                      description="share of the ensemble's members in which the cell lies in a corridor"),
    "current_density": RasterStyle("Current density (max over links)", "A per cell", RAMP_CURRENT, scale="log",
                                   opacity=0.85, description="circuit current density inside the corridors"),
    "corridor_mosaic": RasterStyle("Corridor mosaic (normalised cost distance)", "cost units", RAMP_CORRIDOR,
                                   opacity=0.8, visible=False,
                                   description="cost above the least-cost path; 0 = on the path"),
    "water": VectorStyle("Water (land-cover class)", "fill", "#cfe2f3", outline="#cfe2f3", width=0.0,
                         description="land-cover water cells (sea and large lakes), drawn over the resistance"),
    "resistance": RasterStyle("Resistance", "cost per metre", RAMP_RESIST, scale="log",
                              description="resistance surface; water is drawn by the water layer above",
                              table_classes=True),
}

_GEOMETRY_CODE = {"marker": 0, "line": 1, "fill": 2}  # QGIS <layerGeometryType>
_PEN = {"solid": "solid", "dash": "dash", "dot": "dot"}


def _style(name: str, kind: type):
    s = LAYER_STYLES.get(name)
    if not isinstance(s, kind):
        known = ", ".join(n for n, v in LAYER_STYLES.items() if isinstance(v, kind))
        raise InputError(f"no {kind.__name__} for {name!r}; add an entry to LAYER_STYLES in {__name__} "
                         f"(known: {known})")
    return s


def vector_style(name: str) -> VectorStyle:
    """The :class:`VectorStyle` of output layer ``name``."""
    return _style(name, VectorStyle)


def raster_style(name: str) -> RasterStyle:
    """The :class:`RasterStyle` of output raster ``name``."""
    return _style(name, RasterStyle)


def draw_order(names) -> list[str]:
    """``names`` in drawing order (top first): :data:`LAYER_STYLES`'s order, unstyled names last."""
    names = list(names)
    return [n for n in LAYER_STYLES if n in names] + [n for n in names if n not in LAYER_STYLES]


def rgba(hex_colour: str, alpha: int = 255) -> tuple[int, int, int, int]:
    """``'#rrggbb'`` -> (r, g, b, alpha)."""
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16), int(alpha)


def _qcolour(hex_colour: str, alpha: int = 255) -> str:
    return ",".join(str(c) for c in rgba(hex_colour, alpha))


# --- data-dependent classes -------------------------------------------------------------------

@dataclass(frozen=True)
class RankClass:
    """Links or corridors ranked ``low`` .. ``high`` (inclusive), drawn in ``colour``."""

    low: int
    high: int
    colour: str
    width: float

    @property
    def label(self) -> str:
        return f"rank {self.low}" if self.low == self.high else f"rank {self.low}-{self.high}"


def rank_classes(n_links: int, classes: int = 5) -> list[RankClass]:
    """Up to ``classes`` contiguous rank classes covering ranks 1..``n_links`` (at least one).

    Class ``i`` gets colour ``RAMP_RANK`` spread over the classes (rank 1 green) and a line width
    from 1.6 mm (best) to 0.5 mm.
    """
    n = max(int(n_links), 1)
    k = min(classes, n)
    edges = sorted({round(1 + i * n / k) for i in range(k)} | {n + 1})
    out = []
    last = len(edges) - 2
    for i in range(len(edges) - 1):
        colour = RAMP_RANK[round(i * (len(RAMP_RANK) - 1) / max(last, 1))]
        out.append(RankClass(edges[i], edges[i + 1] - 1, colour, 1.6 - 1.1 * i / max(last, 1)))
    return out


@dataclass(frozen=True)
class RasterClasses:
    """Colour stops of one raster, as QGIS's colour-ramp shader and the report use them.

    values : stop values (ascending); colours : hex colour per stop; labels : legend text per
    stop; mode : 'interpolated' (linear between neighbouring stops, clamped outside) or
    'discrete' (a value takes the colour of the first stop >= it; the last stop is +inf).
    NaN, inf and nodata are transparent.
    """

    values: tuple[float, ...]
    colours: tuple[str, ...]
    labels: tuple[str, ...]
    mode: str


#: At most this many distinct values make a class legend (one stop each); more are interpolated.
MAX_EXACT = 12


def finite_values(values: np.ndarray, nodata) -> np.ndarray:
    """The finite values of ``values`` (flat), ``nodata`` left out."""
    v = np.asarray(values).ravel()
    ok = np.isfinite(v)
    if nodata is not None and np.isfinite(nodata):
        ok &= v != nodata
    return v[ok]


def _spread(ramp: Sequence[str], n: int) -> list[str]:
    """``n`` colours picked evenly along ``ramp`` (first and last included)."""
    if n == 1:
        return [ramp[0]]
    return [ramp[round(i * (len(ramp) - 1) / (n - 1))] for i in range(n)]


def raster_classes(values: np.ndarray, style: RasterStyle, *, nodata=None, names: dict[float, str] | None = None,
                   max_exact: int = MAX_EXACT, stops: int = 6) -> RasterClasses:
    """Colour stops for ``values`` drawn with ``style``.

    Parameters
    ----------
    values : the raster's values (any shape); NaN, inf and ``nodata`` are left out.
    names : value -> legend name (e.g. the land-cover classes that give a resistance value).
    max_exact : at most this many distinct values get one discrete stop each (a class legend);
        more values get ``stops`` interpolated stops from the 2nd to the 98th percentile, spaced
        in log10 of the value when ``style.scale == 'log'`` (non-positive values left out).
    """
    import pandas as pd

    v = finite_values(values, nodata)
    shown = np.sort(pd.unique(v)).astype(np.float64) if v.size else np.array([])
    names = names or {}
    if 0 < shown.size <= max_exact:
        colours = _spread(style.ramp, shown.size)  # by class order, so neighbouring classes differ
        labels = [f"{d:g}" + (f" ({names[float(d)]})" if float(d) in names else "") for d in shown]
        return RasterClasses(tuple(float(x) for x in shown), tuple(colours), tuple(labels), "discrete")
    w = np.asarray(v, dtype=np.float64)
    if style.scale == "log":
        w = w[w > 0]
    if w.size == 0:
        return RasterClasses((0.0, 1.0), (style.ramp[0], style.ramp[-1]), ("0", "1"), "interpolated")
    lo, hi = (float(x) for x in np.percentile(w, [2, 98]))
    return interpolated_classes(lo, hi, style, stops)


def interpolated_classes(lo: float, hi: float, style: RasterStyle, stops: int = 6) -> RasterClasses:
    """``stops`` colour stops from ``lo`` to ``hi`` (the 2nd and 98th percentiles of the values),
    spaced in log10 of the value when ``style.scale == 'log'``; a flat range is widened (x10 on
    a log scale, +1 otherwise)."""
    if not hi > lo:
        hi = lo * 10 if style.scale == "log" else lo + 1.0
    if style.scale == "log":
        points = np.logspace(math.log10(lo), math.log10(hi), stops)
    else:
        points = np.linspace(lo, hi, stops)
    labels = [f"{p:.3g}" for p in points]
    return RasterClasses(tuple(float(p) for p in points), tuple(_spread(style.ramp, stops)), tuple(labels),
                         "interpolated")


def colourise(values: np.ndarray, classes: RasterClasses, *, nodata=None, opacity: float = 1.0) -> np.ndarray:
    """RGBA image (uint8, ``values.shape + (4,)``) drawn by the same rule as QGIS's shader.

    NaN, inf and ``nodata`` are fully transparent.
    """
    v = np.asarray(values, dtype=np.float64)
    stops = np.asarray(classes.values, dtype=np.float64)
    cols = np.array([rgba(c)[:3] for c in classes.colours], dtype=np.float64)
    out = np.zeros(v.shape + (4,), dtype=np.uint8)
    ok = np.isfinite(v)
    if nodata is not None and np.isfinite(nodata):
        ok &= v != nodata
    x = v[ok]
    if classes.mode == "discrete":
        idx = np.minimum(np.searchsorted(stops, x, side="left"), len(stops) - 1)
        rgb = cols[idx]
    else:
        rgb = np.stack([np.interp(x, stops, cols[:, k]) for k in range(3)], axis=-1)
    out[ok, :3] = np.round(rgb).astype(np.uint8)
    out[ok, 3] = int(round(255 * opacity))
    return out


# --- QML --------------------------------------------------------------------------------------

def _option_map(parent: ET.Element, props: dict[str, object]) -> None:
    """Symbol-layer properties as QGIS writes them: an ``<Option type="Map">`` and ``<prop>`` list."""
    opts = ET.SubElement(parent, "Option", type="Map")
    for k, v in props.items():
        ET.SubElement(opts, "Option", name=k, value=str(v), type="QString")
    for k, v in props.items():
        ET.SubElement(parent, "prop", k=k, v=str(v))


def _symbol_props(s: VectorStyle, colour: str, width: float) -> tuple[str, dict[str, object]]:
    if s.symbol == "fill":
        return "SimpleFill", {"color": _qcolour(colour, s.alpha), "style": "solid",
                              "outline_color": _qcolour(s.outline), "outline_style": "solid",
                              "outline_width": width, "outline_width_unit": "MM", "joinstyle": "bevel"}
    if s.symbol == "line":
        return "SimpleLine", {"line_color": _qcolour(colour, s.alpha), "line_style": _PEN[s.dash],
                              "line_width": width, "line_width_unit": "MM", "capstyle": "round",
                              "joinstyle": "round"}
    return "SimpleMarker", {"name": "circle", "color": _qcolour(colour, s.alpha), "outline_color": _qcolour(s.outline),
                            "outline_style": "solid", "outline_width": width, "outline_width_unit": "MM",
                            "size": s.size, "size_unit": "MM"}


def _symbol(s: VectorStyle, *, name: str, colour: str, width: float) -> ET.Element:
    sym = ET.Element("symbol", type=s.symbol, name=name, alpha="1", clip_to_extent="1", force_rhr="0")
    cls, props = _symbol_props(s, colour, width)
    layer = ET.SubElement(sym, "layer", attrib={"class": cls, "enabled": "1", "pass": "0", "locked": "0"})
    _option_map(layer, props)
    return sym


def _renderer(s: VectorStyle, n_links: int) -> ET.Element:
    if s.categories is not None:
        attr, cats = s.categories
        r = ET.Element("renderer-v2", type="categorizedSymbol", attr=attr, symbollevels="0", enableorderby="0",
                       forceraster="0")
        items = ET.SubElement(r, "categories")
        syms = ET.SubElement(r, "symbols")
        for i, (value, colour, label) in enumerate(cats):
            ET.SubElement(items, "category", render="true", symbol=str(i), value=value, label=label)
            syms.append(_symbol(s, name=str(i), colour=colour, width=s.width))
        ET.SubElement(r, "source-symbol").append(_symbol(s, name="0", colour=s.colour, width=s.width))
    elif not s.by_rank:
        r = ET.Element("renderer-v2", type="singleSymbol", symbollevels="0", enableorderby="0", forceraster="0")
        ET.SubElement(r, "symbols").append(_symbol(s, name="0", colour=s.colour, width=s.width))
    else:
        r = ET.Element("renderer-v2", type="graduatedSymbol", attr="Rank", graduatedMethod="GraduatedColor",
                       symbollevels="0", enableorderby="1", forceraster="0")
        ranges = ET.SubElement(r, "ranges")
        syms = ET.SubElement(r, "symbols")
        for i, c in enumerate(rank_classes(n_links)):
            ET.SubElement(ranges, "range", lower=repr(c.low - 0.5), upper=repr(c.high + 0.5), symbol=str(i),
                          label=c.label, render="true")
            syms.append(_symbol(s, name=str(i), colour=c.colour, width=c.width if s.symbol == "line" else s.width))
        ET.SubElement(r, "mode", name="manual")
        # best rank drawn last, on top
        order = ET.SubElement(r, "orderby")
        ET.SubElement(order, "orderByClause", asc="0", nullsFirst="0").text = '"Rank"'
    ET.SubElement(r, "rotation")
    ET.SubElement(r, "sizescale")
    return r


def _labeling(field_name: str) -> ET.Element:
    lab = ET.Element("labeling", type="simple")
    settings = ET.SubElement(lab, "settings", calloutType="simple")
    ts = ET.SubElement(settings, "text-style", fieldName=field_name, isExpression="0", fontSize="7",
                       fontSizeUnit="Point", textColor="0,0,0,255", fontFamily="Sans Serif", textOpacity="1",
                       namedStyle="Regular", fontWeight="50")
    ET.SubElement(ts, "text-buffer", bufferDraw="1", bufferSize="0.8", bufferSizeUnits="MM",
                  bufferColor="255,255,255,255", bufferOpacity="1", bufferNoFill="1", bufferJoinStyle="128")
    ET.SubElement(settings, "text-format", wrapChar="", formatNumbers="0", decimals="3", plussign="0")
    ET.SubElement(settings, "placement", placement="0", dist="1", distUnits="MM", priority="5")
    ET.SubElement(settings, "rendering", scaleVisibility="0", obstacle="1", drawLabels="1", displayAll="0",
                  limitNumLabels="0", maxNumLabels="2000", upsidedownLabels="0", labelPerPart="0")
    return lab


def vector_style_elements(name: str, *, n_links: int = 1) -> list[ET.Element]:
    """The style elements of vector layer ``name`` (renderer, labels), as a QML or project holds them."""
    s = vector_style(name)
    els = [_renderer(s, n_links)]
    if s.label:
        els.append(_labeling(s.label))
    return els


def raster_style_elements(name: str, classes: RasterClasses) -> list[ET.Element]:
    """The style elements (the ``<pipe>``) of raster ``name`` drawn with ``classes``."""
    s = raster_style(name)
    vmin, vmax = classes.values[0], classes.values[-1]
    pipe = ET.Element("pipe")
    prov = ET.SubElement(pipe, "provider")
    ET.SubElement(prov, "resampling", enabled="false", maxOversampling="2",
                  zoomedInResamplingMethod="nearestNeighbour", zoomedOutResamplingMethod="nearestNeighbour")
    rr = ET.SubElement(pipe, "rasterrenderer", type="singlebandpseudocolor", band="1", opacity=f"{s.opacity:g}",
                       alphaBand="-1", classificationMin=repr(vmin), classificationMax=repr(vmax), nodataColor="")
    ET.SubElement(rr, "rasterTransparency")
    mmo = ET.SubElement(rr, "minMaxOrigin")
    ET.SubElement(mmo, "limits").text = "None"
    ET.SubElement(mmo, "extent").text = "WholeRaster"
    shader = ET.SubElement(rr, "rastershader")
    discrete = classes.mode == "discrete"
    crs = ET.SubElement(shader, "colorrampshader", colorRampType="DISCRETE" if discrete else "INTERPOLATED",
                        classificationMode="1", clip="0", minimumValue=repr(vmin),
                        maximumValue=repr(vmax), labelPrecision="4")
    for i, (v, c, label) in enumerate(zip(classes.values, classes.colours, classes.labels)):
        last = discrete and i == len(classes.values) - 1
        ET.SubElement(crs, "item", value="inf" if last else repr(float(v)), label=label, color=c, alpha="255")
    ET.SubElement(crs, "rampLegendSettings", useContinuousLegend="0" if discrete else "1", prefix="",
                  suffix=f" {s.unit}" if not discrete else "", minimumLabel="", maximumLabel="", direction="0",
                  orientation="2")
    ET.SubElement(pipe, "brightnesscontrast", brightness="0", contrast="0", gamma="1")
    ET.SubElement(pipe, "huesaturation", saturation="0", grayscaleMode="0", colorizeOn="0", invertColors="0")
    ET.SubElement(pipe, "rasterresampler", maxOversampling="2")
    ET.SubElement(pipe, "resamplingStage").text = "resamplingFilter"
    return [pipe]


def to_qml(elements: list[ET.Element], *, layer_type: str = "vector", geometry: str | None = None,
           labels: bool = False) -> str:
    """Wrap style elements in a ``<qgis>`` QML document and return it as text.

    layer_type : 'vector' | 'raster'; geometry : the vector symbol kind ('fill', 'line', 'marker');
    labels : the elements include labels to switch on.
    """
    attrib = {"version": QGIS_VERSION, "styleCategories": "AllStyleCategories"}
    if layer_type == "vector":
        attrib["labelsEnabled"] = "1" if labels else "0"
    root = ET.Element("qgis", attrib=attrib)
    for el in elements:
        root.append(el)
    if layer_type == "raster":
        ET.SubElement(root, "blendMode").text = "0"
    elif geometry is not None:
        ET.SubElement(root, "layerGeometryType").text = str(_GEOMETRY_CODE[geometry])
    ET.indent(root)
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(root, encoding="unicode") + "\n"


def vector_qml(name: str, *, n_links: int = 1) -> str:
    """QML text of vector layer ``name``."""
    s = vector_style(name)
    return to_qml(vector_style_elements(name, n_links=n_links), geometry=s.symbol, labels=s.label is not None)


def raster_qml(name: str, classes: RasterClasses) -> str:
    """QML text of raster ``name``."""
    return to_qml(raster_style_elements(name, classes), layer_type="raster")


def write_qml(path: str | Path, text: str) -> Path:
    """Write QML text atomically."""
    return atomic_write_text(path, text)


# --- SLD (OGC Symbology Encoding 1.1, as QGIS exports it) ---------------------------------------

_SLD = "http://www.opengis.net/sld"
_SE = "http://www.opengis.net/se"
_OGC = "http://www.opengis.net/ogc"


def _se(parent: ET.Element, tag: str, text: str | None = None, **attrib) -> ET.Element:
    el = ET.SubElement(parent, f"{{{_SE}}}{tag}", attrib)
    if text is not None:
        el.text = text
    return el


def _param(parent: ET.Element, tag: str, name: str, value) -> None:
    _se(parent, tag, str(value), name=name)


def _sld_symbolizer(rule: ET.Element, s: VectorStyle, colour: str, width: float) -> None:
    px = f"{width * 3.78:.2f}"  # mm -> pixels at 96 dpi, as QGIS exports
    if s.symbol == "fill":
        sym = _se(rule, "PolygonSymbolizer")
        fill = _se(sym, "Fill")
        _param(fill, "SvgParameter", "fill", colour)
        _param(fill, "SvgParameter", "fill-opacity", f"{s.alpha / 255:.2f}")
        stroke = _se(sym, "Stroke")
        _param(stroke, "SvgParameter", "stroke", s.outline)
        _param(stroke, "SvgParameter", "stroke-width", px)
    elif s.symbol == "line":
        sym = _se(rule, "LineSymbolizer")
        stroke = _se(sym, "Stroke")
        _param(stroke, "SvgParameter", "stroke", colour)
        _param(stroke, "SvgParameter", "stroke-width", px)
        if s.dash != "solid":
            _param(stroke, "SvgParameter", "stroke-dasharray", "4 2" if s.dash == "dash" else "1 2")
    else:
        sym = _se(rule, "PointSymbolizer")
        graphic = _se(sym, "Graphic")
        mark = _se(graphic, "Mark")
        _se(mark, "WellKnownName", "circle")
        fill = _se(mark, "Fill")
        _param(fill, "SvgParameter", "fill", colour)
        stroke = _se(mark, "Stroke")
        _param(stroke, "SvgParameter", "stroke", s.outline)
        _se(graphic, "Size", f"{s.size * 3.78:.1f}")


def to_sld(name: str, *, n_links: int = 1) -> str:
    """SLD 1.1 text of vector layer ``name`` (single symbol, one rule per rank class or per category)."""
    s = vector_style(name)
    root = ET.Element(f"{{{_SLD}}}StyledLayerDescriptor", {"version": "1.1.0"})
    layer = ET.SubElement(root, f"{{{_SLD}}}NamedLayer")
    _se(layer, "Name", name)
    style = ET.SubElement(layer, f"{{{_SLD}}}UserStyle")
    _se(style, "Name", name)
    fts = _se(style, "FeatureTypeStyle")
    if s.categories is not None:
        attr, cats = s.categories
        for value, colour, label in cats:
            rule = _se(fts, "Rule")
            _se(rule, "Name", label)
            flt = ET.SubElement(rule, f"{{{_OGC}}}Filter")
            equal = ET.SubElement(flt, f"{{{_OGC}}}PropertyIsEqualTo")
            ET.SubElement(equal, f"{{{_OGC}}}PropertyName").text = attr
            ET.SubElement(equal, f"{{{_OGC}}}Literal").text = value
            _sld_symbolizer(rule, s, colour, s.width)
    elif not s.by_rank:
        rule = _se(fts, "Rule")
        _se(rule, "Name", s.title)
        _sld_symbolizer(rule, s, s.colour, s.width)
    else:
        for c in rank_classes(n_links):
            rule = _se(fts, "Rule")
            _se(rule, "Name", c.label)
            flt = ET.SubElement(rule, f"{{{_OGC}}}Filter")
            between = ET.SubElement(flt, f"{{{_OGC}}}PropertyIsBetween")
            ET.SubElement(between, f"{{{_OGC}}}PropertyName").text = "Rank"
            ET.SubElement(ET.SubElement(between, f"{{{_OGC}}}LowerBoundary"), f"{{{_OGC}}}Literal").text = str(c.low)
            ET.SubElement(ET.SubElement(between, f"{{{_OGC}}}UpperBoundary"), f"{{{_OGC}}}Literal").text = str(c.high)
            _sld_symbolizer(rule, s, c.colour, c.width if s.symbol == "line" else s.width)
    ET.register_namespace("sld", _SLD)
    ET.register_namespace("se", _SE)
    ET.register_namespace("ogc", _OGC)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=False) + "\n"
