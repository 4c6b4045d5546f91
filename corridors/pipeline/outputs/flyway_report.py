"""``report.html`` of a flyway run: the same self-contained page as a terrestrial run's (the
interactive map of the styled layers, the ranking linked to the map, every table), with the
flyway's texts and a section of its own: what the model does, the critical and unprotected
sites, a map (``flyway_map.png``, inline) and the sensitivity of the result to the flight range.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd

from rasters.atomic import atomic_write_text
from .flyway import flyway_extent, flyway_layers
from .report import PNG_COMPRESSION, PageText, inline_images, map_data, page_table, report_html, water_image
from .sources import run_sources
from .styles import FLYWAY_SITE_CLASSES, LAYER_STYLES

__all__ = ["write_flyway_report", "flyway_section", "plot_flyway_map", "sensitivity_table", "FLYWAY_PAGE",
           "RANKING_SHOWN"]

#: columns of the ranking table in the page (``flyway_ranking.csv``'s, then how the numbers come about)
RANKING_SHOWN = ("site_id", "name", "iso3", "role", "connections_lost", "critical", "dPC", "protected",
                 "dPCconnector", "pairs_before", "pairs_lost", "breeding_cut_off")

FLYWAY_PAGE = PageText(
    map_help="Drag to pan, scroll or +/- to zoom, tick layers on the right; click a site or a leg for its "
             "attributes, or a row of the ranking to show its site.",
    ranking_title="Flyway sites, most important first",
    ranking_intro="<p class='small'>Each site of the species is a node; two sites are joined by a leg when their "
                  "great-circle distance is at most the species' maximum single-leg flight, and a bird may chain "
                  "legs through any site. <b>connections_lost</b>: the share of the breeding &rarr; wintering pairs "
                  "(b, w), both other than the site, joined by a chain of legs that no chain joins once the site "
                  "is lost. <b>critical</b>: without the site, some breeding site that reached the wintering "
                  "grounds reaches none (breeding_cut_off names them). <b>dPC</b>: the share (%) of the network's "
                  "probability of connectivity PC lost without the site (Saura &amp; Rubio 2010), site areas as "
                  "attributes, a leg of d km flown with probability exp(-ln 2 d / typical leg); dPCconnector is "
                  "its part as a stepping stone. <b>protected</b>: yes / partial / no / unknown, from the site "
                  "table. Sorted by critical, connections_lost, then dPC. These are the columns of "
                  "<code>flyway_ranking.csv</code>; click a column to sort, a row to show its site on the map.</p>",
    files="Files: corridors.gpkg (layers flyway_sites, flyway_legs, the flyway_countries table, protected_areas and "
          "borders; styles inside, and .qml files), context.gpkg, corridors.qgs (with a print layout), "
          "flyway_ranking.csv, flyway_countries.csv, flyway_sensitivity.csv, flyway_map.png, manifest.json, "
          "scenario.resolved.toml, corridors.log. No resistance surface or corridor: a bird's flight is not "
          "modelled on the land cover.",
)


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def plot_flyway_map(path: Path, r) -> Path:
    """``flyway_map.png``: the legs, the sites coloured by ``map_class`` (the style table's classes)
    and labelled with their ids, over the run's country outlines (which end at the land-cover
    grid, drawn dashed)."""
    from .report import _draw

    plt = _pyplot()
    layers = flyway_layers(r)
    sites, legs = layers["flyway_sites"], layers["flyway_legs"]
    x0, y0, x1, y1 = flyway_extent(r)
    fig = plt.figure(figsize=(9, max(4.0, 9 * (y1 - y0) / (x1 - x0) + 0.8)), dpi=100)
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.93))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    _draw(ax, r.inputs.countries, face="#f7f7f2", edge="#8c8c8c", width=0.5)
    gx0, gy0, gx1, gy1 = r.inputs.landcover.bounds  # the countries are cut at the land-cover grid
    ax.plot([gx0, gx1, gx1, gx0, gx0], [gy0, gy0, gy1, gy1, gy0], color="#bbbbbb", linewidth=0.8, linestyle="--")
    leg_style = LAYER_STYLES["flyway_legs"]
    _draw(ax, legs, edge=leg_style.colour, width=0.6, alpha=leg_style.alpha / 255)
    colours = {value: colour for value, colour, _ in FLYWAY_SITE_CLASSES}
    order = {value: i for i, (value, _, _) in enumerate(FLYWAY_SITE_CLASSES)}
    drawn = sites.assign(_z=sites["map_class"].map(order)).sort_values("_z", ascending=False)  # critical on top
    xy = np.array([(g.x, g.y) for g in drawn.geometry])
    ax.scatter(xy[:, 0], xy[:, 1], s=36, c=[colours[v] for v in drawn["map_class"]], edgecolors="black",
               linewidths=0.5, zorder=5)
    for (x, y), sid in zip(xy, drawn["site_id"]):
        ax.annotate(str(sid), (x, y), xytext=(3, 3), textcoords="offset points", fontsize=6, zorder=6)
    present = set(sites["map_class"])
    handles = [plt.Line2D([], [], marker="o", linestyle="", markerfacecolor=c, markeredgecolor="black",
                          label=f"{label} ({int((sites['map_class'] == v).sum())})")
               for v, c, label in FLYWAY_SITE_CLASSES if v in present]
    handles.append(plt.Line2D([], [], color=leg_style.colour, label=f"leg <= {r.flyway.max_leg_km:g} km"))
    handles.append(plt.Line2D([], [], color="#bbbbbb", linestyle="--", label="land-cover grid (countries drawn inside)"))
    ax.legend(handles=handles, loc="lower right", fontsize=7, framealpha=0.9)
    ax.set_title(f"Flyway sites of {r.inputs.profile.common_name or r.flyway.species} and their legs "
                 f"(labels: site_id; {len(sites)} sites, {len(legs)} legs)", fontsize=9)
    fig.savefig(path, pil_kwargs={"compress_level": PNG_COMPRESSION})
    plt.close(fig)
    return path


def _named(ids: str, names: dict[str, str]) -> str:
    """``"FW09;FW55"`` -> ``"FW09 Mundok ...; FW55 Haifeng"`` ("none" for an empty list)."""
    parts = [i for i in str(ids).split(";") if i]
    return "; ".join(f"{i} {names.get(i, '')}".strip() for i in parts) or "none"


def sensitivity_table(sensitivity: pd.DataFrame, names: dict[str, str]) -> str:
    """The sensitivity to the flight range (:func:`corridors.flyway.range_sensitivity`) as an HTML table."""
    e = html.escape
    head = ("change", "max leg, km", "legs", "connected breeding-wintering pairs", "critical sites",
            "of which not protected", "largest connections_lost (site)")
    rows = []
    for rec in sensitivity.itertuples(index=False):
        change = "nominal" if rec.change == 0 else f"{rec.change:+.1%}"
        worst = (f"{rec.max_connections_lost:.3g} ({_named(rec.max_lost_site, names)})"
                 if rec.max_connections_lost > 0 else "0")
        cells = (change, f"{rec.max_leg_km:g}", str(rec.n_legs), str(rec.connected_pairs),
                 f"{rec.n_critical}: {_named(rec.critical_sites, names)}" if rec.n_critical else "0",
                 f"{rec.n_unprotected_critical}: {_named(rec.unprotected_critical_sites, names)}"
                 if rec.n_unprotected_critical else "0", worst)
        rows.append("<tr>" + "".join(f"<td class='{'n' if i in (1, 2, 3) else 'l'}'>{e(c)}</td>"
                                     for i, c in enumerate(cells)) + "</tr>")
    return ("<table class='data'><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def flyway_section(folder: Path, r) -> tuple[str, list[str]]:
    """The report's flyway section (HTML) and the PNG it draws into ``folder``."""
    e = html.escape
    fw = r.flyway
    plot_flyway_map(folder / "flyway_map.png", r)
    rank = fw.ranking
    names = dict(zip(rank["site_id"].astype(str), rank["name"].astype(str)))
    crit = rank[rank["critical"]]
    unprot = fw.critical_unprotected()
    roles = rank["role"].value_counts()
    facts = {
        "flight range": f"maximum single leg {fw.max_leg_km:g} km, typical leg {fw.typical_leg_km:g} km "
                        "(sources under 'Data sources')",
        "sites": ", ".join(f"{int(roles.get(k, 0))} {k}" for k in ("breeding", "stopover", "wintering")),
        "legs": f"{len(fw.legs)}",
        "breeding -> wintering pairs joined by a chain of legs": f"{fw.connected_pairs}",
        "critical sites": _named(";".join(crit["site_id"].astype(str)), names) + (
            "" if crit.empty else " (protection: " + ", ".join(f"{s} {p}" for s, p in
                                                               zip(crit["site_id"], crit["protected"])) + ")"),
        "critical sites without legal protection": _named(";".join(unprot["site_id"].astype(str)), names),
    }
    parts = [
        f"<h2>Flyway of the {e(r.inputs.profile.common_name or fw.species)}: the sites that hold it together</h2>",
        "<p class='small'>This species profile has a <code>[flyway]</code> table: the bird migrates between "
        "breeding, stopover and wintering wetlands in flights of hundreds of kilometres, so the run models its "
        "flyway as a network of sites and runs no least-cost corridor, over land or sea. The sites, their roles "
        "and protection come from the embedded site table (a source per row; coordinates and areas are "
        "approximate); the flight range from the species profile. A site with no legal protection "
        "(protected = no) that is critical is where protection would matter most; sites marked partial or "
        "unknown need checking before that conclusion.</p>",
        "<ul>" + "".join(f"<li>{e(k)}: <b>{e(str(v))}</b></li>" for k, v in facts.items()) + "</ul>",
        "<img src='flyway_map.png' alt='flyway sites and legs'>",
        "<h3>How the result depends on the flight range</h3>",
        "<p class='small'>The maximum single leg is the least certain number of the model (see its source). The "
        "network rebuilt with the range 25 % shorter to 25 % longer: a site critical at one range only is a "
        "finding to check, a site critical over the whole span is robust to it. Also in "
        "<code>flyway_sensitivity.csv</code>.</p>",
        sensitivity_table(fw.sensitivity, names),
    ]
    return "\n".join(parts), ["flyway_map.png"]


def write_flyway_report(folder: Path, r, timings: dict[str, float]) -> list[str]:
    """``report.html`` of a flyway run (StageResults ``r``) and its map; the names written."""
    fw = r.flyway
    grid = r.inputs.landcover
    water = water_image(r, grid)
    images = {"water": water} if water is not None else {}
    cols = [c for c in ("iso3", "name") if c in r.inputs.countries.columns]
    layers = flyway_layers(r)
    vector_layers = {**layers, "countries": r.inputs.countries[cols + [r.inputs.countries.geometry.name]]}
    data = map_data(vector_layers, images, flyway_extent(r), grid.transform.a)
    data["pick"] = {"layer": "flyway_sites", "key": "site_id", "label": "site"}
    data["rank_classes"] = []
    data["tables"] = [page_table("ranking", fw.ranking, "Flyway sites", list(RANKING_SHOWN)),
                      page_table("flyway_countries", fw.countries,
                                 "Per country: sites, critical sites and unprotected critical sites (a site of two "
                                 "countries counts for each)")]
    data["top"] = []
    section, pngs = flyway_section(folder, r)
    section = inline_images(section, folder, pngs)
    profile = r.inputs.profile
    summary = {
        "scenario": r.scenario.name,
        "species profile": f"{profile.name} ({profile.common_name}, {profile.scientific_name})",
        "model": "flyway site network (no terrestrial corridors)",
        "sites": len(fw.ranking), "legs": len(fw.legs),
        "maximum / typical leg (km)": f"{fw.max_leg_km:g} / {fw.typical_leg_km:g}",
        "connected breeding -> wintering pairs": fw.connected_pairs,
        "critical sites": int(fw.ranking["critical"].sum()),
        "critical sites without legal protection": len(fw.critical_unprotected()),
        "countries with sites": len(fw.countries),
    }
    text = report_html(data, title=f"Flyway sites: {profile.common_name or fw.species} ({r.scenario.name})",
                       description=r.scenario.description, summary=summary, sources=run_sources(r),
                       timings=timings, maps={"flyway": "flyway_map.png"}, sections=(section,), page=FLYWAY_PAGE)
    atomic_write_text(folder / "report.html", text)
    return [*pngs, "report.html"]
