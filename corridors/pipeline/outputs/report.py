"""``report.html``: maps (PNG, matplotlib Agg), the ranking table, the score formula and the
sources and licences of the data."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rasters.atomic import atomic_write_text
from ..stages.ranking import SCORE_FORMULA

__all__ = ["write_run_report", "render_maps", "write_report"]

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;max-width:1200px;color:#222}
h1,h2{color:#1b4d3e} table{border-collapse:collapse;font-size:0.85em;margin:0.5em 0}
td,th{border:1px solid #ccc;padding:2px 6px;text-align:right} th{background:#eef5ef}
td.l,th.l{text-align:left} img{max-width:100%;border:1px solid #ddd} code{background:#f4f4f4;padding:1px 3px}
.small{font-size:0.85em;color:#555}
"""


def _imshow(ax, values: np.ndarray, grid, **kw) -> Any:
    left, bottom, right, top = grid.bounds
    return ax.imshow(values, extent=(left, right, bottom, top), origin="upper", interpolation="nearest", **kw)


def _frame(ax, grid, title: str) -> None:
    left, bottom, right, top = grid.bounds
    ax.set_xlim(left, right)
    ax.set_ylim(bottom, top)
    ax.set_title(title, fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_aspect("equal")


def render_maps(folder: Path, *, resistance, mosaic, current, pas, borders, links, corridors, gaps,
                pinch, top: int = 10) -> dict[str, str]:
    """Draw ``map_overview.png``, ``map_current.png`` and ``map_gaps.png`` into ``folder``.

    Returns {key: file name}. Uses the Agg backend (no display needed).
    """
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm

    out: dict[str, str] = {}
    res = resistance.masked_float(np.float32)
    aspect = resistance.height / resistance.width
    size = (11, max(4.0, 11 * aspect + 0.6))

    # 1. overview: resistance, top corridors, reserves, borders, links by rank
    fig, ax = plt.subplots(figsize=size, dpi=100)
    finite = res[np.isfinite(res)]
    lo = max(float(finite.min()), 1e-6) if finite.size else 1.0
    hi = max(float(finite.max()), lo * 1.0001) if finite.size else 2.0
    im = _imshow(ax, res, resistance, cmap="Greys", norm=LogNorm(lo, hi))
    fig.colorbar(im, ax=ax, shrink=0.6, label="resistance (log)")
    if mosaic is not None:
        m = np.asarray(mosaic.values, dtype=np.float32)
        mm = np.where(np.isfinite(m), m, np.nan)
        _imshow(ax, mm, mosaic, cmap="Blues_r", alpha=0.55)
    pas.boundary.plot(ax=ax, color="#1b7837", linewidth=0.6)
    borders.plot(ax=ax, color="#7f3b08", linewidth=0.7, linestyle="--")
    if len(links):
        lk = links.sort_values("Rank", ascending=False)
        lk.plot(ax=ax, column="Rank", cmap="RdYlGn_r", linewidth=1.6)
        for rec in links[links["Rank"] <= top].itertuples():
            if rec.geometry is None or rec.geometry.is_empty:
                continue
            p = rec.geometry.interpolate(0.5, normalized=True)
            ax.annotate(str(rec.Rank), (p.x, p.y), fontsize=7, ha="center", va="center",
                        bbox=dict(boxstyle="circle,pad=0.15", fc="white", ec="#333", lw=0.5))
    _frame(ax, resistance, f"Resistance, corridors and links (labels: rank 1-{top})")
    fig.tight_layout()
    fig.savefig(folder / "map_overview.png")
    plt.close(fig)
    out["overview"] = "map_overview.png"

    # 2. current density
    if current is not None:
        fig, ax = plt.subplots(figsize=size, dpi=100)
        cur = np.asarray(current.values, dtype=np.float32)
        cur = np.where(np.isfinite(cur) & (cur > 0), cur, np.nan)
        ok = cur[np.isfinite(cur)]
        if ok.size:
            im = _imshow(ax, cur, current, cmap="plasma", norm=LogNorm(max(float(ok.min()), 1e-9), max(float(ok.max()), 2e-9)))
            fig.colorbar(im, ax=ax, shrink=0.6, label="current density, A per cell (max over links, log)")
        pas.boundary.plot(ax=ax, color="#1b7837", linewidth=0.6)
        borders.plot(ax=ax, color="#555555", linewidth=0.7, linestyle="--")
        if len(pinch):
            pinch.plot(ax=ax, color="#00e5ff", markersize=12, marker="o", edgecolor="black", linewidth=0.4)
        _frame(ax, current, "Current density inside corridors (pinch points: cyan)")
        fig.tight_layout()
        fig.savefig(folder / "map_current.png")
        plt.close(fig)
        out["current"] = "map_current.png"

    # 3. gaps of the top corridors, zoomed on them
    fig, ax = plt.subplots(figsize=size, dpi=100)
    topc = corridors[corridors["Rank"] <= top] if len(corridors) else corridors
    pas.plot(ax=ax, color="#a6dba0", edgecolor="#1b7837", linewidth=0.5)
    borders.plot(ax=ax, color="#555555", linewidth=0.7, linestyle="--")
    if len(topc):
        topc.plot(ax=ax, color="#6baed6", alpha=0.6, edgecolor="#2171b5", linewidth=0.4)
    if len(gaps):
        gaps.plot(ax=ax, color="#e41a1c", alpha=0.8, edgecolor="#99000d", linewidth=0.3)
    if len(topc):
        x0, y0, x1, y1 = topc.total_bounds
        pad = 0.08 * max(x1 - x0, y1 - y0, 1.0)
        ax.set_xlim(x0 - pad, x1 + pad)
        ax.set_ylim(y0 - pad, y1 + pad)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"Top {top} corridors (blue) and their unprotected stretches (red)", fontsize=10)
    else:
        _frame(ax, resistance, "No corridors")
    fig.tight_layout()
    fig.savefig(folder / "map_gaps.png")
    plt.close(fig)
    out["gaps"] = "map_gaps.png"
    return out


def _table(df: pd.DataFrame, *, left: tuple[str, ...] = (), floatfmt: str = "{:.4g}", max_rows: int | None = None) -> str:
    if max_rows is not None:
        df = df.head(max_rows)
    head = "".join(f'<th class="{"l" if c in left else ""}">{html.escape(str(c))}</th>' for c in df.columns)
    rows = []
    for rec in df.itertuples(index=False):
        cells = []
        for c, v in zip(df.columns, rec):
            if isinstance(v, (float, np.floating)):
                s = floatfmt.format(v)
            else:
                s = str(v)
            cells.append(f'<td class="{"l" if c in left else ""}">{html.escape(s)}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def write_report(path: Path, *, title: str, scenario: dict[str, Any], maps: dict[str, str],
                 ranking: pd.DataFrame, gaps: pd.DataFrame, unlinked: pd.DataFrame, pinch: pd.DataFrame,
                 sources: list[dict[str, str]], timings: dict[str, float], summary: dict[str, Any],
                 tables: list[tuple[str, str, pd.DataFrame]] = (), sections: list[str] = ()) -> Path:
    """Write the HTML report (atomic); ``tables``: extra sections (title, explanation, table);
    ``sections``: extra sections as ready HTML (e.g. the ensemble's), after the tables."""
    e = html.escape
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{e(title)}</title>"
             f"<style>{_CSS}</style></head><body>"]
    parts.append(f"<h1>{e(title)}</h1>")
    if scenario.get("description"):
        parts.append(f"<p>{e(scenario['description'])}</p>")
    parts.append("<ul>" + "".join(f"<li>{e(str(k))}: <b>{e(str(v))}</b></li>" for k, v in summary.items()) + "</ul>")
    for key, caption in (("overview", "Resistance, corridors and ranked links"),
                         ("current", "Current density (pinch points)"),
                         ("gaps", "Gaps: unprotected stretches of the top corridors")):
        if key in maps:
            parts.append(f"<h2>{e(caption)}</h2><img src='{e(maps[key])}' alt='{e(caption)}'>")
    parts.append("<h2>Ranking</h2>")
    parts.append(f"<p>{e(SCORE_FORMULA)}.</p>")
    parts.append(
        "<p class='small'>Why these components: a low cost-weighted distance (CW_Dist, cost units = "
        "resistance x metres) means the species can realistically make the journey; a low effective "
        "resistance (Eff_Resist) of the corridor circuit means many parallel routes, i.e. redundancy; "
        "a high current-flow centrality (CF_Central, 1 A between every pair of reserves of the reserve "
        "network, edge conductance 1/Eff_Resist) marks links the transboundary network depends on; and "
        "a high unprotected share (Unprot_Shr) marks where protection adds most. Every component and "
        "weight is a column of <code>ranking.csv</code>.</p>")
    cols = [c for c in ("Rank", "Link_ID", "From_PA", "From_Name", "From_ISO3", "To_PA", "To_Name", "To_ISO3",
                        "CW_Dist", "LCP_Length", "Euc_Dist", "Eff_Resist", "CF_Central", "Unprot_Shr",
                        "N_Cost", "N_Resist", "N_Central", "N_Unprot", "Score") if c in ranking.columns]
    parts.append(_table(ranking[cols], left=("From_PA", "From_Name", "To_PA", "To_Name", "From_ISO3", "To_ISO3")))
    parts.append("<h2>Gaps</h2><h3>Unprotected stretches of the top corridors</h3>")
    parts.append("<p class='small'>The top corridors dissolved (land two corridors share counts once), "
                 "minus every reserve, split at the borders: each gap belongs to one country and the "
                 "areas add up to the total.</p>")
    gcols = [c for c in ("Gap_ID", "ISO3", "Area_km2", "Best_Rank", "N_Links", "Links") if c in gaps.columns]
    parts.append(_table(pd.DataFrame(gaps[gcols]), left=("ISO3", "Links")) if len(gaps) else "<p>None.</p>")
    parts.append("<h3>Border-reserve pairs with no viable corridor</h3>")
    parts.append(_table(unlinked, left=tuple(unlinked.columns)) if len(unlinked) else "<p>None.</p>")
    parts.append("<h3>Worst pinch points</h3>")
    parts.append(_table(pinch, max_rows=30) if len(pinch) else "<p>None.</p>")
    for heading, note, table in tables:
        parts.append(f"<h2>{e(heading)}</h2><p class='small'>{e(note)}</p>")
        text_cols = tuple(c for c in table.columns if table[c].dtype == object)
        parts.append(_table(table, left=text_cols) if len(table) else "<p>None.</p>")
    parts.extend(sections)
    parts.append("<h2>Data sources and licences</h2><ul>")
    for s in sources:
        parts.append("<li>" + "; ".join(f"{e(str(k))}: {e(str(v))}" for k, v in s.items()) + "</li>")
    parts.append("</ul>")
    parts.append("<h2>Timings</h2>" + _table(pd.DataFrame({"step": list(timings), "seconds": list(timings.values())}),
                                             left=("step",), floatfmt="{:.2f}"))
    parts.append("<p class='small'>Files: corridors.gpkg (+ .qml styles, corridors.qgs), ranking.csv, "
                 "resistance.tif, corridor_mosaic.tif, current_density.tif, manifest.json, "
                 "scenario.resolved.toml, corridors.log.</p></body></html>")
    return atomic_write_text(path, "\n".join(parts))


def write_run_report(folder: Path, r, timings: dict[str, float]) -> list[str]:
    """``report.html`` and its PNG maps for a run (:class:`~..results.StageResults` ``r``); the
    names written."""
    from .layers import links_layer
    from .rasters import output_rasters
    from .uncertainty import uncertainty_section

    grids = output_rasters(r)
    links_gdf = links_layer(r)
    gaps, unlinked, pinch = r.gaps.gaps, r.gaps.unlinked, r.pinch_points.points
    maps = render_maps(folder, resistance=grids["resistance"], mosaic=grids["corridor_mosaic"],
                       current=grids["current_density"], pas=r.inputs.pas, borders=r.inputs.borders,
                       links=links_gdf, corridors=r.gaps.corridors, gaps=gaps, pinch=pinch,
                       top=min(r.scenario.ranking.gap_top, len(r.ranking)))
    p = r.scenario.parameters
    summary = {
        "scenario": r.scenario.name, "species profile": r.inputs.profile.name,
        "border reserves": len(r.links.border_reserves), "candidate pairs": len(r.links.pairs),
        "viable links": len(r.ranking), "pairs without a viable corridor": len(unlinked),
        "gap polygons (top corridors)": len(gaps),
        "gap area, km2": f"{gaps['Area_km2'].sum():.0f}" if len(gaps) else "0",
        "max cost distance (cost units)": f"{p.max_cost_distance:g}",
        "corridor width (cost units)": f"{p.corridor_width:g}",
    }
    ensemble_html, ensemble_pngs = uncertainty_section(folder, r)  # ("", []) without [uncertainty]
    write_report(folder / "report.html", title=f"Transboundary corridors: {r.scenario.name}",
                 scenario=r.scenario.to_dict(), maps=maps, ranking=r.ranking,
                 gaps=pd.DataFrame(gaps.drop(columns="geometry")),
                 unlinked=pd.DataFrame(unlinked.drop(columns="geometry")),
                 pinch=pd.DataFrame(pinch.drop(columns="geometry")), sources=r.inputs.sources,
                 timings=timings, summary=summary, tables=_extra_tables(r),
                 sections=[ensemble_html] if ensemble_html else [])
    return [*maps.values(), *ensemble_pngs, "report.html"]



def _extra_tables(r) -> list[tuple[str, str, pd.DataFrame]]:
    """The per-country and border tables of the report."""
    cross = pd.DataFrame(r.borders.crossings.drop(columns="geometry"))
    return [
        ("Per country", "Ranked links with an end in the country, its protection gaps, the ranked "
         "corridors' area and unprotected share in it, its part of the links' cost-weighted distance, "
         "border crossings, and the links it shares with each neighbour (countries.csv).", r.countries),
        ("Border crossings", "Where each ranked link's least-cost path crosses from one country into "
         "another: the local resistance and the corridor's width along the border (crossings layer).", cross),
    ]
