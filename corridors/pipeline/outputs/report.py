"""``report.html``: one self-contained, offline page (Leaflet and every map layer inline, no
request leaves the page) with a map that pans and zooms, layer toggles, a legend, attributes on
click, the sortable ranking table linked to the map, a zoomed map per top corridor and every
table of the run; plus PNG maps for print.

What is drawn, and how, comes from :data:`~.styles.LAYER_STYLES` (the QGIS styles' table) and
:data:`REPORT_TABLES`; an attribute table without geometry among the run's layers (a per-country
table, say) is rendered too, without a new code path.

Speed: rasters are drawn from copies downsampled to at most :data:`DISPLAY_CELLS` cells on the
longer side (block maximum for current density, so thin corridors stay visible; every k-th cell
for classes), and vector geometry is simplified to half a display cell, so the report step costs
about the same on a 1 km grid as on a 5 km one.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rasters.atomic import atomic_write_text
from ..stages.ranking import SCORE_FORMULA, score_closeness
from .raster_classes import run_raster_classes
from .styles import (LAYER_STYLES, RasterClasses, RasterStyle, VectorStyle, colourise, draw_order, rank_classes,
                     rgba)

__all__ = ["write_run_report", "report_data", "map_data", "report_html", "render_maps", "display_raster",
           "display_images", "water_image", "inline_images", "page_table", "PageText", "CORRIDOR_PAGE", "REPORT_TABLES",
           "DISPLAY_CELLS"]

#: longest side, in cells, of the rasters drawn in the report
DISPLAY_CELLS = 1200

#: raster name -> how a block of cells becomes one display cell
DISPLAY_REDUCE = {"current_density": "max", "barrier_improvement": "max", "corridor_mosaic": "min", "resistance": "pick", "water": "pick"}

#: tables of the report after the ranking: (layer or table, heading, columns shown (None: all))
REPORT_TABLES = (
    ("gaps", "Gaps: unprotected stretches of the top corridors (the corridors dissolved, minus every reserve, "
             "split at the borders: each gap belongs to one country, the areas add up)",
     ("Gap_ID", "ISO3", "Area_km2", "Best_Rank", "N_Links", "Links")),
    ("crossings", "Border crossings of the ranked links (local resistance, corridor width along the border)", None),
    ("unlinked_pairs", "Border-reserve pairs with no viable corridor", None),
    ("pinch_points", "Worst pinch points", None),
    ("restoration_sites", "Restoration sites: each top link's best windows to restore (Barrier Mapper's improvement "
                          "score, McRae et al. 2012: Gain = estimated drop of the link's least-cost distance, cost "
                          "units; In_Gap: the window meets an unprotected stretch of that link's corridor)",
     ("Site_ID", "Rank", "Link_ID", "Site_Rank", "From_PA", "To_PA", "Radius_m", "Gain", "Gain_Pct", "CW_Dist",
      "CW_After", "ISO3", "Countries", "LC_Main", "LC_Share", "LC_Mix", "In_Gap", "Gap_Share", "Gap_IDs")),
)

#: ranking columns shown in the report (all are in ranking.csv)
RANKING_SHOWN = ("Rank", "Link_ID", "From_PA", "From_Name", "From_ISO3", "To_PA", "To_Name", "To_ISO3", "CW_Dist",
                 "Euc_Dist", "Eff_Resist", "dPCnum", "CF_Area", "Pop_Expo", "Land_Press", "Unprot_Shr", "N_Import",
                 "N_Central", "N_Press", "N_Unprot", "N_Feas", "Score")

_ASSETS = "report_assets"


def _asset(*parts: str) -> bytes:
    return resources.files(__package__).joinpath(_ASSETS, *parts).read_bytes()


def _leaflet_css() -> str:
    """Leaflet's CSS with its images inline (data URIs), so the page loads no file."""
    css = _asset("leaflet", "leaflet.css").decode("utf-8")
    for image in ("layers-2x.png", "layers.png", "marker-icon.png"):
        uri = "data:image/png;base64," + base64.b64encode(_asset("leaflet", "images", image)).decode("ascii")
        css = css.replace(f"url(images/{image})", f"url({uri})")
    return css


# --- rasters for display ------------------------------------------------------------------------

def display_raster(values: np.ndarray, reduce: str, limit: int = DISPLAY_CELLS) -> tuple[np.ndarray, int]:
    """(values downsampled so the longer side is at most ``limit``, the factor k).

    reduce : 'pick' (the first cell of each k x k block), 'max' or 'min' (of the block's finite
    values, float32; NaN where a block has none). Blocks at the right and bottom edges may be
    partial. One pass in Numba (:mod:`corridors._kernels.blocks`).
    """
    v = np.asarray(values)
    k = max(1, math.ceil(max(v.shape) / limit))
    if k == 1:
        return v, 1
    return _blocks(v, reduce, k), k


def _blocks(v: np.ndarray, reduce: str, k: int) -> np.ndarray:
    if reduce == "pick":
        return v[::k, ::k]
    from ..._kernels.blocks import block_extreme

    return block_extreme(np.asarray(v, dtype=np.float32), k, reduce == "max")


def display_bands(source, reduce: str, limit: int = DISPLAY_CELLS) -> tuple[np.ndarray, int]:
    """:func:`display_raster` of a band source (:mod:`rasters.blocks`), read strip by strip.

    Each strip starts on a multiple of k rows, so every k x k block falls in one strip and the
    result equals :func:`display_raster` on the whole array; only one strip is in memory.
    """
    from rasters.blocks import strips

    k = max(1, math.ceil(max(source.shape) / limit))
    if k == 1:
        return np.asarray(source.read_rows(0, source.shape[0])), 1
    return np.concatenate([_blocks(rows, reduce, k) for _, _, rows in strips(source, multiple=k)], axis=0), k


#: zlib level of the PNGs written (1: fast; the images are mostly flat colour or transparent)
PNG_COMPRESSION = 1


def _png(image: np.ndarray) -> str:
    """RGBA uint8 image -> PNG data URI."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image), mode="RGBA").save(buf, format="PNG", compress_level=PNG_COMPRESSION)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _display_images(r, grids: dict[str, Any], classes: dict[str, RasterClasses]) -> dict[str, dict]:
    """``{raster: {image (RGBA), bounds, legend}}`` at display resolution, water included."""
    from .rasters import band_source

    out = {}
    for name, grid in grids.items():
        style: RasterStyle = LAYER_STYLES[name]
        grid = band_source(grid)
        values, k = display_bands(grid, DISPLAY_REDUCE.get(name, "pick"))
        image = colourise(values, classes[name], nodata=grid.nodata)
        out[name] = {"image": image, "bounds": _display_bounds(grid, values.shape, k),
                     "legend": list(zip(classes[name].colours, classes[name].labels)), "unit": style.unit}
    if "resistance" in grids:
        water = water_image(r, band_source(grids["resistance"]))
        if water is not None:
            out["water"] = water
    return out


def water_image(r, grid) -> dict | None:
    """The land cover's water cells as a display image on ``grid`` (the land cover's grid):
    ``{image, bounds, legend, unit}``, or None when the run's land-cover legend is unknown or
    has no water."""
    mask = _water_mask(r)
    if mask is None:
        return None
    values, k = mask
    s: VectorStyle = LAYER_STYLES["water"]
    image = np.zeros(values.shape + (4,), dtype=np.uint8)
    image[values] = rgba(s.colour, s.alpha)
    return {"image": image, "bounds": _display_bounds(grid, values.shape, k),
            "legend": [(s.colour, "water cells of the land cover")], "unit": "land cover"}


def _display_bounds(grid, shape: tuple[int, int], k: int) -> tuple[float, float, float, float]:
    """Bounds of a display raster of ``shape`` whose cells are k x k cells of ``grid`` (a Grid or
    a band source)."""
    t = grid.transform
    left, top = t.c, t.f
    return left, top + shape[0] * k * t.e, left + shape[1] * k * t.a, top


def _water_mask(r) -> tuple[np.ndarray, int] | None:
    """The land cover's water cells at display resolution and the factor k (None without water)."""
    from rasters.blocks import GridBands, strips

    from .layers import CONTEXT_CLASSES
    from .raster_classes import landcover_legend

    legend = landcover_legend(r)
    if legend is None:
        return None
    codes = [c for c, n in legend.items() if n in CONTEXT_CLASSES["water"]]
    lc = r.inputs.landcover
    k = max(1, math.ceil(max(lc.shape) / DISPLAY_CELLS))
    parts, found = [], False
    for _, _, rows in strips(GridBands(lc), multiple=k):
        mask = np.isin(np.asarray(rows), codes)
        found = found or bool(mask.any())
        parts.append(mask[::k, ::k])
    return (np.concatenate(parts, axis=0), k) if found else None


# --- vectors and tables for the page ------------------------------------------------------------

def _json_value(v):
    if v is None:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return float(v) if math.isfinite(v) else None
    if isinstance(v, str):
        return v
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):  # list-like values
        pass
    return str(v)


def _geojson(gdf, tolerance: float) -> dict:
    """FeatureCollection of ``gdf``: geometry simplified to ``tolerance`` and rounded to 1 map unit."""
    import shapely

    geoms = shapely.simplify(np.asarray(gdf.geometry.values, dtype=object), tolerance, preserve_topology=True)
    geoms = shapely.set_precision(geoms, 1.0)
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    records = gdf[cols].to_dict("records")
    features = []
    for g, props in zip(geoms, records):
        if g is None or g.is_empty:
            continue
        features.append({"type": "Feature", "geometry": shapely.geometry.mapping(g),
                         "properties": {k: _json_value(v) for k, v in props.items()}})
    return {"type": "FeatureCollection", "features": features}


def page_table(key: str, df: pd.DataFrame, title: str, columns=None) -> dict:
    """A table of the page, JSON-ready: ``{key, title, columns, rows}`` (``columns``: those shown,
    None: all; geometry dropped); the page renders it into ``holder-KEY`` (the first table of a
    page, the ranking, into ``ranking-holder``)."""
    df = pd.DataFrame(df.drop(columns=[c for c in ("geometry",) if c in df.columns]))
    cols = [c for c in (columns or df.columns) if c in df.columns]
    rows = [[_json_value(v) for v in row] for row in df[cols].itertuples(index=False)]
    return {"key": key, "title": title, "columns": [str(c) for c in cols], "rows": rows}


def _has_geometry(df) -> bool:
    import geopandas as gpd

    return isinstance(df, gpd.GeoDataFrame) and df._geometry_column_name in df.columns


def display_images(r) -> dict[str, dict]:
    """The run's rasters (and the land cover's water) coloured for display:
    ``{name: {image (RGBA uint8), bounds, legend, unit}}``."""
    from .rasters import output_rasters

    grids = output_rasters(r)
    return _display_images(r, grids, run_raster_classes(r, grids))


def map_data(vector_layers: dict[str, Any], images: dict[str, dict], extent, cellsize: float) -> dict[str, Any]:
    """What the page's maps draw, JSON-ready: ``{extent, layers, rasters, order}``.

    vector_layers : ``{name: GeoDataFrame or DataFrame}`` (the styled ones with geometry are
    drawn, each by its :data:`~.styles.LAYER_STYLES` entry); images : :func:`display_images`;
    extent : (xmin, ymin, xmax, ymax) of the map in the layers' CRS; cellsize : the land cover's
    cell size, which with the extent sets how far geometry is simplified (half a display cell).
    """
    x0, y0, x1, y1 = (float(v) for v in extent)
    tolerance = 0.5 * max(abs(cellsize), max(x1 - x0, y1 - y0) / 4000)
    data: dict[str, Any] = {"extent": [x0, y0, x1, y1], "layers": {}, "rasters": {}}
    for name, df in vector_layers.items():
        if not _has_geometry(df) or name not in LAYER_STYLES:
            continue
        s: VectorStyle = LAYER_STYLES[name]
        style = {"symbol": s.symbol, "colour": s.colour, "alpha": s.alpha, "outline": s.outline, "width": s.width,
                 "dash": s.dash, "size": s.size, "by_rank": s.by_rank}
        if s.categories is not None:
            style["categories"] = {"field": s.categories[0], "classes": [list(c) for c in s.categories[1]]}
        data["layers"][name] = {"name": name, "title": s.title, "visible": s.visible, "style": style,
                                "geojson": _geojson(df, tolerance)}
    for name, item in images.items():
        s = LAYER_STYLES[name]
        opacity = s.opacity if isinstance(s, RasterStyle) else 1.0
        data["rasters"][name] = {"title": s.title, "unit": item["unit"], "png": _png(item["image"]),
                                 "bounds": list(item["bounds"]), "visible": s.visible, "opacity": opacity,
                                 "legend": [list(x) for x in item["legend"]]}
    data["order"] = draw_order([*data["layers"], *data["rasters"]])
    return data


def report_data(r, images: dict[str, dict]) -> dict[str, Any]:
    """Everything the page draws, as JSON-ready data (StageResults ``r``, :func:`display_images`)."""
    from .layers import build_layers

    layers = build_layers(r)
    cols = [c for c in ("iso3", "name") if c in r.inputs.countries.columns]
    vector_layers = {**layers, "countries": r.inputs.countries[cols + [r.inputs.countries.geometry.name]]}
    grid = r.resistance.grid
    data = map_data(vector_layers, images, grid.bounds, grid.transform.a)
    data["pick"] = {"layer": "links", "key": "Link_ID", "label": "link"}  # a ranking row selects its link
    data["rank_classes"] = [{"low": c.low, "high": c.high, "colour": c.colour, "width": c.width, "label": c.label}
                            for c in rank_classes(len(r.ranking))]
    ranking = r.ranking
    data["tables"] = [page_table("ranking", ranking, "Ranking", [c for c in RANKING_SHOWN if c in ranking.columns])]
    for key, title, columns in REPORT_TABLES:
        if key in layers:
            data["tables"].append(page_table(key, layers[key], title, columns))
    for key, df in layers.items():  # tables without geometry (e.g. per-country tables)
        if not _has_geometry(df):
            data["tables"].append(page_table(key, df, key.replace("_", " ").capitalize()))
    data["top"] = _top_corridors(r, layers)
    return data


def _top_corridors(r, layers) -> list[dict]:
    """The top corridors' ids, bounds (corridor and link together) and a few numbers."""
    top = min(r.scenario.ranking.gap_top, len(r.ranking))
    corridors, links = layers["corridors"], layers["links"]
    gaps = layers["gaps"]
    out = []
    for rec in r.ranking.sort_values("Rank").head(top).itertuples():
        lid = int(rec.Link_ID)
        parts = [g for g in (*corridors.loc[corridors["Link_ID"] == lid].geometry,
                             *links.loc[links["Link_ID"] == lid].geometry) if g is not None and not g.is_empty]
        if not parts:
            continue
        b = np.array([p.bounds for p in parts])
        mine = [str(lid) in links_of.split(";") for links_of in gaps["Links"]] if len(gaps) else []
        gap_area = float(gaps.loc[mine, "Area_km2"].sum()) if len(gaps) else 0.0
        out.append({"Link_ID": lid, "Rank": int(rec.Rank), "bounds": [float(b[:, 0].min()), float(b[:, 1].min()),
                                                                       float(b[:, 2].max()), float(b[:, 3].max())],
                    "From": f"{rec.From_Name} ({rec.From_ISO3})", "To": f"{rec.To_Name} ({rec.To_ISO3})",
                    "numbers": {k: _json_value(v) for k, v in (
                        ("Score", rec.Score), ("CW_Dist", rec.CW_Dist), ("Eff_Resist", rec.Eff_Resist),
                        ("dPCnum", rec.dPCnum), ("CF_Area", rec.CF_Area), ("Unprot_Shr", rec.Unprot_Shr),
                        ("gap area, km2", gap_area))}})
    return out


# --- the page -----------------------------------------------------------------------------------

def _script_json(data: dict) -> str:
    """JSON safe inside a <script> element."""
    return json.dumps(data, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")


@dataclass(frozen=True)
class PageText:
    """The fixed texts of a report page (ready HTML): ``map_help`` under the map's heading,
    ``ranking_title`` and ``ranking_intro`` before the ranking table, ``files`` at the foot."""

    map_help: str
    ranking_title: str
    ranking_intro: str
    files: str


#: the texts of a terrestrial run's page
CORRIDOR_PAGE = PageText(
    map_help="Drag to pan, scroll or +/- to zoom, tick layers on the right; click a link, corridor or reserve for "
             "its attributes, or a row of the ranking to zoom to its link.",
    ranking_title="Ranking",
    ranking_intro=f"<p>{html.escape(SCORE_FORMULA)}.</p>"
    "<p class='small'>Why these components: importance (dPCnum, the connectivity the reserve network "
    "loses without the link: areas of the reserves it joins and the dispersal probability along it, Saura & "
    "Rubio 2010) says which link matters most for the network; area-weighted centrality (CF_Area) says how "
    "much of the current between large reserves passes through it; pressure (towns and farmland along the "
    "corridor) says where acting is urgent; the unprotected share says where protection adds most; "
    "feasibility (cost against the species' limit) says whether the journey is realistic. Each is on a fixed "
    "scale, so a link's score does not move when unrelated links are added. Reserves that touch across a "
    "border are not ranked: see the adjoining table (their border permeability). Domestic links are "
    "stepping stones of the network, in domestic_links.csv. Every component and weight is a column of "
    "<code>ranking.csv</code>. Click a column to sort, a row to show its link on the map.</p>",
    files="Files: corridors.gpkg (styles inside, and .qml files), context.gpkg, corridors.qgs "
          "(with a print layout), ranking.csv, domestic_links.csv, adjoining.csv, countries.csv, "
          "link_countries.csv, resistance.tif, corridor_mosaic.tif, current_density.tif, barrier_improvement.tif, "
          "manifest.json, scenario.resolved.toml, corridors.log.",
)


def report_html(data: dict, *, title: str, description: str, summary: dict[str, Any], sources: list[dict],
                timings: dict[str, float], maps: dict[str, str], sections: tuple[str, ...] = (),
                page: PageText = CORRIDOR_PAGE) -> str:
    """The text of the self-contained report page; ``sections``: extra sections as ready HTML
    (their images inline), placed before the sources; ``page``: the page's fixed texts."""
    e = html.escape
    p = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
         f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{e(title)}</title>",
         f"<style>{_leaflet_css()}</style><style>{_asset('report.css').decode('utf-8')}</style></head><body>",
         f"<h1>{e(title)}</h1>"]
    if description:
        p.append(f"<p>{e(description)}</p>")
    p.append("<ul class='summary'>" + "".join(f"<li>{e(str(k))}: <b>{e(str(v))}</b></li>" for k, v in summary.items())
             + "</ul>")
    p.append(f"<h2>Map</h2><p class='small'>{page.map_help}</p>"
             "<div class='mapwrap'><div id='map'></div><div id='side'><div id='layers'></div>"
             "<div id='selected' class='small'></div><div id='legend'></div></div></div>")
    p.append(f"<h2>{e(page.ranking_title)}</h2>")
    p.append(page.ranking_intro)
    p.append("<div id='ranking-holder' class='scroll'></div>")
    if data["top"]:
        p.append(f"<h2>Top {len(data['top'])} corridors</h2><div class='corridors'>")
        for item in data["top"]:
            nums = "".join(f"<tr><th>{e(k)}</th><td>{'' if v is None else f'{v:.4g}'}</td></tr>"
                           for k, v in item["numbers"].items())
            p.append(f"<div class='corridor'><h3>Rank {item['Rank']}: link {item['Link_ID']}</h3>"
                     f"<p class='small'>{e(item['From'])} - {e(item['To'])}</p>"
                     f"<div class='cmap' id='corridor-map-{item['Link_ID']}'></div><table>{nums}</table></div>")
        p.append("</div>")
    for table in data["tables"][1:]:
        body = "" if table["rows"] else "<p>None.</p>"
        p.append(f"<h2>{e(table['title'])}</h2>{body}<div id='holder-{e(table['key'])}' class='scroll'></div>")
    if maps:
        p.append("<h2>Maps for print</h2><ul>" + "".join(
            f"<li><a href='{e(f)}'>{e(f)}</a></li>" for f in maps.values()) + "</ul>")
    p.extend(sections)
    p.append("<h2>Data sources and licences</h2><ul>")
    for s in sources:
        p.append("<li>" + "; ".join(f"{e(str(k))}: {e(str(v))}" for k, v in s.items()) + "</li>")
    p.append("</ul><h2>Timings</h2><table class='data'><tr><th>step</th><th>seconds</th></tr>" + "".join(
        f"<tr><td class='l'>{e(k)}</td><td class='n'>{v:.2f}</td></tr>" for k, v in timings.items()) + "</table>")
    p.append(f"<p class='small'>{page.files} Map drawn with Leaflet (BSD-2-Clause), embedded in this page.</p>")
    p.append(f"<script>{_asset('leaflet', 'leaflet.js').decode('utf-8')}</script>")
    p.append(f"<script type='application/json' id='report-data'>{_script_json(data)}</script>")
    p.append(f"<script>{_asset('report.js').decode('utf-8')}</script></body></html>")
    return "\n".join(p)


# --- PNG maps for print -------------------------------------------------------------------------

def _paths(geoms):
    """matplotlib Paths of (multi)polygons (holes kept) and (multi)lines; empty and None skipped."""
    import shapely
    from matplotlib.path import Path as MplPath

    polys, lines = [], []
    for g in geoms:
        if g is None or g.is_empty:
            continue
        for part in getattr(g, "geoms", [g]):
            if isinstance(part, shapely.Polygon):
                verts, codes = [], []
                for ring in (part.exterior, *part.interiors):
                    xy = np.asarray(ring.coords)
                    verts.append(xy)
                    codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(xy) - 2) + [MplPath.CLOSEPOLY]
                polys.append(MplPath(np.concatenate(verts), codes))
            elif isinstance(part, shapely.LineString):
                lines.append(np.asarray(part.coords))
    return polys, lines


def _blend(layers: list[np.ndarray]) -> np.ndarray:
    """RGBA uint8 images of one shape (bottom first) composited with "over"; RGBA uint8."""
    if len(layers) == 1:
        return layers[0]
    rgb = np.zeros(layers[0].shape[:2] + (3,), dtype=np.float32)
    alpha = np.zeros(layers[0].shape[:2], dtype=np.float32)
    for img in layers:
        a = img[..., 3].astype(np.float32) / 255.0
        rgb = img[..., :3].astype(np.float32) * a[..., None] + rgb * (1.0 - a[..., None])
        alpha = a + alpha * (1.0 - a)
    out = np.empty(layers[0].shape, dtype=np.uint8)
    seen = alpha > 0
    out[..., :3] = 0
    out[seen, :3] = np.clip(np.round(rgb[seen] / alpha[seen, None]), 0, 255)  # back from premultiplied
    out[..., 3] = np.round(alpha * 255.0)
    return out


def _draw(ax, gdf, *, face="none", edge="#333333", width=0.5, alpha=1.0, dash="solid", colours=None):
    """Polygons and lines of ``gdf`` as two collections (drawn once, at save time)."""
    from matplotlib.collections import LineCollection, PathCollection
    from matplotlib.transforms import IdentityTransform

    if gdf is None or len(gdf) == 0:
        return
    polys, lines = _paths(gdf.geometry.values)
    if polys:
        pc = PathCollection(polys, facecolors=face, edgecolors=edge, linewidths=width, alpha=alpha,
                            offset_transform=IdentityTransform())
        pc.set_transform(ax.transData)
        ax.add_collection(pc, autolim=False)
    if lines:
        ls = {"solid": "solid", "dash": "--", "dot": ":"}[dash]
        ax.add_collection(LineCollection(lines, colors=colours if colours is not None else edge, linewidths=width,
                                         linestyles=ls, alpha=alpha), autolim=False)


def render_maps(folder: Path, images: dict[str, dict], *, pas, borders, links, corridors, gaps, pinch,
                extent, top: int = 10) -> dict[str, str]:
    """``map_overview.png``, ``map_current.png`` and ``map_gaps.png`` (matplotlib, Agg) from the
    display images and the layers' styles; returns {key: file name}.

    Layers are added as collections and each figure is drawn once, when it is saved (GeoPandas'
    ``plot`` redraws the whole figure on every call, images included).
    """
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    x0, y0, x1, y1 = extent
    size = (11, max(4.0, 11 * (y1 - y0) / (x1 - x0) + 0.6))
    classes = rank_classes(max(len(links), 1))
    st = LAYER_STYLES

    def rank_colour(v):
        return next((c.colour for c in classes if c.low <= v <= c.high), "#777777")

    def show(ax, *names):
        """The rasters ``names`` (bottom first) blended into one image and drawn once."""
        names = [n for n in names if n in images]
        if not names:
            return
        b = images[names[0]]["bounds"]
        ax.imshow(_blend([images[n]["image"] for n in names]), extent=(b[0], b[2], b[1], b[3]), origin="upper",
                  interpolation="nearest", resample=False)

    def figure(title, box=(x0, y0, x1, y1)):
        fig = plt.figure(figsize=size, dpi=100)
        ax = fig.add_axes((0.01, 0.01, 0.98, 0.94))
        ax.set_xlim(box[0], box[2])
        ax.set_ylim(box[1], box[3])
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(title, fontsize=10)
        return fig, ax

    def save(fig, name):
        fig.savefig(folder / name, pil_kwargs={"compress_level": PNG_COMPRESSION})
        plt.close(fig)
        return name

    out = {}
    fig, ax = figure(f"Resistance (light = easy), corridors and links by rank (labels: rank 1-{top})")
    show(ax, "resistance", "water", "corridor_mosaic")
    _draw(ax, pas, edge=st["protected_areas"].outline, width=0.6)
    _draw(ax, borders, edge=st["borders"].colour, width=0.7, dash="dash")
    if len(links):
        lk = links.sort_values("Rank", ascending=False)
        _draw(ax, lk, width=1.6, colours=[rank_colour(v) for v in lk["Rank"]])
        for rec in links[links["Rank"] <= top].itertuples():
            if rec.geometry is None or rec.geometry.is_empty:
                continue
            pt = rec.geometry.interpolate(0.5, normalized=True)
            ax.annotate(str(rec.Rank), (pt.x, pt.y), fontsize=7, ha="center", va="center",
                        bbox=dict(boxstyle="circle,pad=0.15", fc="white", ec="#333", lw=0.5))
    out["overview"] = save(fig, "map_overview.png")

    if "current_density" in images:
        fig, ax = figure("Current density inside corridors (pinch points: cyan)")
        show(ax, "water", "current_density")
        _draw(ax, pas, edge=st["protected_areas"].outline, width=0.6)
        _draw(ax, borders, edge="#555555", width=0.7, dash="dash")
        if len(pinch):
            xy = np.array([(p.x, p.y) for p in pinch.geometry if p is not None and not p.is_empty]).reshape(-1, 2)
            ax.scatter(xy[:, 0], xy[:, 1], s=12, c="#00e5ff", edgecolors="black", linewidths=0.4, zorder=5)
        out["current"] = save(fig, "map_current.png")

    topc = corridors[corridors["Rank"] <= top] if len(corridors) else corridors
    if len(topc):
        bx0, by0, bx1, by1 = topc.total_bounds
        pad = 0.08 * max(bx1 - bx0, by1 - by0, 1.0)
        fig, ax = figure(f"Top {top} corridors (blue) and their unprotected stretches (red)",
                         (bx0 - pad, by0 - pad, bx1 + pad, by1 + pad))
    else:
        fig, ax = figure("No corridors")
    show(ax, "water")
    _draw(ax, pas, face="#a6dba0", edge="#1b7837", width=0.5)
    _draw(ax, borders, edge="#555555", width=0.7, dash="dash")
    _draw(ax, topc, face="#6baed6", edge="#2171b5", width=0.4, alpha=0.6)
    _draw(ax, gaps, face=st["gaps"].colour, edge=st["gaps"].outline, width=0.3, alpha=0.8)
    out["gaps"] = save(fig, "map_gaps.png")
    return out


def write_run_report(folder: Path, r, timings: dict[str, float]) -> list[str]:
    """``report.html`` and its PNG maps for a run (:class:`~..results.StageResults` ``r``); the
    names written."""
    from .layers import links_layer

    images = display_images(r)
    data = report_data(r, images)
    maps = render_maps(folder, images, pas=r.inputs.pas, borders=r.inputs.borders, links=links_layer(r),
                       corridors=r.gaps.corridors, gaps=r.gaps.gaps, pinch=r.pinch_points.points,
                       extent=r.resistance.grid.bounds, top=min(r.scenario.ranking.gap_top, len(r.ranking)))
    p = r.scenario.parameters
    gaps, unlinked = r.gaps.gaps, r.gaps.unlinked
    summary = {
        "scenario": r.scenario.name, "species profile": r.inputs.profile.name,
        "network nodes (reserves, nested merged)": len(r.links.nodes),
        "border reserves": len(r.links.border_reserves), "candidate pairs": len(r.links.pairs),
        "ranked transboundary links": len(r.ranking), "domestic links (stepping stones)": len(r.domestic),
        "adjoining pairs (share a border, no corridor)": len(r.adjoining.table),
        "pairs without a viable corridor": len(unlinked),
        "network PC / ECA (km2)": f"{r.connectivity.pc:.3g} / {r.connectivity.eca:.0f}",
        "median dispersal (cost units)": f"{r.connectivity.median_dispersal:g}",
        "Spearman rho of the score with -Euclidean distance": _closeness(r.ranking),
        "gap polygons (top corridors)": len(gaps),
        "gap area, km2": f"{gaps['Area_km2'].sum():.0f}" if len(gaps) else "0",
        "restoration sites (top links)": len(r.restoration.sites),
        "max cost distance (cost units)": f"{p.max_cost_distance:g}",
        "corridor width (cost units)": f"{p.corridor_width:g}",
    }
    from .uncertainty import uncertainty_section

    extra, pngs = uncertainty_section(folder, r)  # ("", []) without [uncertainty]
    extra = inline_images(extra, folder, pngs)
    text = report_html(data, title=f"Transboundary corridors: {r.scenario.name}",
                       description=r.scenario.description, summary=summary, sources=r.inputs.sources,
                       timings=timings, maps=maps, sections=(extra,) if extra else ())
    atomic_write_text(folder / "report.html", text)
    return [*maps.values(), *pngs, "report.html"]




def inline_images(section: str, folder: Path, pngs: list[str]) -> str:
    """``section`` (HTML) with each ``src='NAME.png'`` of ``pngs`` replaced by the image's data URI
    (read from ``folder``), so that the page stays self-contained."""
    for png in pngs:
        uri = "data:image/png;base64," + base64.b64encode((folder / png).read_bytes()).decode("ascii")
        section = section.replace(f"src='{png}'", f"src='{uri}'")
    return section


def _closeness(ranking) -> str:
    rho = score_closeness(ranking)
    return "n/a (fewer than 3 links)" if rho is None else f"{rho:.2f} (1 would mean the ranking only rewards closeness)"
