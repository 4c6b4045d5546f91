"""The ensemble's outputs (a run with ``[uncertainty]``): ``rank_uncertainty.csv``,
``ensemble_members.csv``, the ``corridor_frequency`` raster (COG, through :func:`~.rasters.write_rasters`),
the ``robust_corridors`` layer (GeoPackage, through :func:`~.layers.build_layers`) and the report
section (rank plot and frequency map). Every function returns nothing new for a run without it.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .tables import write_table

__all__ = ["uncertainty_layers", "uncertainty_rasters", "write_uncertainty_tables", "uncertainty_section",
           "plot_rank_intervals", "plot_frequency_map", "RANK_PLOT_MAX_LINKS"]

#: links drawn in the rank plot (the deterministic ranking's first ones, then the rest)
RANK_PLOT_MAX_LINKS = 60


def uncertainty_layers(r) -> dict[str, Any]:
    """``{"robust_corridors": GeoDataFrame}``, or ``{}`` without an ensemble."""
    return {} if r.uncertainty is None else {"robust_corridors": r.uncertainty.robust}


def uncertainty_rasters(r) -> dict[str, Any]:
    """``{"corridor_frequency": Grid}``, or ``{}`` without an ensemble."""
    return {} if r.uncertainty is None else {"corridor_frequency": r.uncertainty.frequency}


def write_uncertainty_tables(folder: Path, r) -> list[str]:
    """``rank_uncertainty.csv`` and ``ensemble_members.csv`` (full float precision); the names."""
    if r.uncertainty is None:
        return []
    write_table(folder / "rank_uncertainty.csv", r.uncertainty.table)
    write_table(folder / "ensemble_members.csv", r.uncertainty.members)
    return ["rank_uncertainty.csv", "ensemble_members.csv"]


# ------------------------------------------------------------------------------------ figures
def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def plot_rank_intervals(path: Path, table: pd.DataFrame, members: int, max_links: int = RANK_PLOT_MAX_LINKS) -> Path:
    """Rank plot: per link (rows of ``table``, rank_uncertainty.csv), the 5-95 % rank interval as a
    bar, the median as a dot and the deterministic rank as a cross; the first ``max_links`` rows."""
    plt = _pyplot()
    t = table.head(max_links)
    n = len(t)
    fig, ax = plt.subplots(figsize=(9, max(3.0, 0.22 * n + 1.2)), dpi=100)
    y = np.arange(n)
    ax.hlines(y, t["Rank_p05"], t["Rank_p95"], color="#6baed6", linewidth=4, label="5-95 % of members")
    ax.plot(t["Rank_p50"], y, "o", color="#08519c", markersize=4, label="median")
    det = t["Rank"].astype("float64")
    ax.plot(det, y, "x", color="#d7301f", markersize=5, label="deterministic run")
    ax.set_yticks(y)
    ax.set_yticklabels([f"{a}-{b}" for a, b in zip(t["From_PA"], t["To_PA"])], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel(f"rank over {members} members (not viable: after every viable link)")
    ax.axvline(10.5, color="#888888", linewidth=0.8, linestyle="--")
    ax.grid(axis="x", color="#dddddd", linewidth=0.5)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=8, frameon=False)
    shown = f"first {n} of {len(table)} links" if len(table) > n else f"{n} links"
    ax.set_title(f"How sure is the ranking? Rank intervals, {shown}", fontsize=10, pad=20)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_frequency_map(path: Path, frequency, pas, borders, robust, share: float) -> Path:
    """Map of the corridor frequency (cells never in a corridor blank), reserves, borders and the
    outlines of the robust corridors."""
    plt = _pyplot()
    v = np.asarray(frequency.values, dtype=np.float32)
    shown = np.where(np.isfinite(v) & (v > 0), v, np.nan)
    left, bottom, right, top = frequency.bounds
    aspect = frequency.height / frequency.width
    fig, ax = plt.subplots(figsize=(11, max(4.0, 11 * aspect + 0.6)), dpi=100)
    im = ax.imshow(shown, extent=(left, right, bottom, top), origin="upper", interpolation="nearest",
                   cmap="viridis", vmin=0.0, vmax=1.0)
    fig.colorbar(im, ax=ax, shrink=0.6, label="share of members in which the cell is in a corridor")
    pas.boundary.plot(ax=ax, color="#1b7837", linewidth=0.5)
    borders.plot(ax=ax, color="#7f3b08", linewidth=0.6, linestyle="--")
    if len(robust):
        robust.boundary.plot(ax=ax, color="#d7301f", linewidth=0.8)
    ax.set_xlim(left, right)
    ax.set_ylim(bottom, top)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"Corridor frequency (red outlines: robust corridors, in >= {share:.0%} of members)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


# ------------------------------------------------------------------------------------- report
def _what_varied(cfg, draws) -> str:
    parts = [f"every land-cover class's resistance times a factor drawn {cfg.distribution} between "
             f"{cfg.factor_low:g} and {cfg.factor_high:g}"]
    if cfg.classes:
        parts.append("own ranges for " + ", ".join(f"{c.name} ({c.low:g}-{c.high:g})" for c in cfg.classes))
    if cfg.dispersal_low != 1.0 or cfg.dispersal_high != 1.0:
        parts.append(f"max_cost_distance times a log-uniform factor {cfg.dispersal_low:g}-{cfg.dispersal_high:g}")
    if tuple(cfg.transforms) != ("table",):
        parts.append("one resistance transform per member out of " + ", ".join(cfg.transforms)
                     + " (Keeley et al. 2016: suitability = conductance scaled to 0-1)")
    return "; ".join(parts)


def uncertainty_section(folder: Path, r) -> tuple[str, list[str]]:
    """The report's ensemble section (HTML) and the PNGs it draws into ``folder``; ("", []) without
    an ensemble."""
    ens = r.uncertainty
    if ens is None:
        return "", []
    e = html.escape
    cfg, table, members = ens.config, ens.table, ens.members
    plot_rank_intervals(folder / "uncertainty_ranks.png", table, len(ens.results))
    plot_frequency_map(folder / "uncertainty_frequency.png", ens.frequency, r.inputs.pas, r.inputs.borders,
                       ens.robust, cfg.robust_share)
    n = members["N_Viable"]
    rho = members["Spearman"].dropna()
    det = r.ranking
    facts = {
        "members (seed)": f"{len(ens.results)} ({cfg.seed})",
        "what varies": _what_varied(cfg, ens.draws),
        "viable links per member": f"{n.min()}-{n.max()} (median {n.median():g}; deterministic run {len(det)})",
        "Spearman with the deterministic ranking": (f"median {rho.median():.2f} (range {rho.min():.2f}-{rho.max():.2f})"
                                                    if len(rho) else "-"),
        "links in the top 10 in every member": int((table["P_top10"] == 1.0).sum()),
        f"robust corridors (cells in corridors in >= {cfg.robust_share:.0%} of members)":
            f"{len(ens.robust)} patches, {ens.robust['Area_km2'].sum():.0f} km2",
    }
    cols = ["Rank", "From_PA", "From_Name", "To_PA", "To_Name", "P_top10", "P_viable", "Rank_p05", "Rank_p50",
            "Rank_p95"]
    shown = table[cols].head(30)
    head = "".join(f"<th>{e(c)}</th>" for c in cols)
    body = []
    for rec in shown.itertuples(index=False):
        cells = []
        for c, v in zip(cols, rec):
            s = "" if v is pd.NA or (isinstance(v, float) and np.isnan(v)) else (
                f"{v:.3g}" if isinstance(v, (float, np.floating)) else str(v))
            cls = " class='l'" if c.endswith(("_PA", "_Name")) else ""
            cells.append(f"<td{cls}>{e(s)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    parts = [
        "<h2>How sure is the ranking? Resistance uncertainty</h2>",
        "<p class='small'>Every resistance and the dispersal limit of the species profile are assumptions. "
        "The stages that depend on them were rerun for each ensemble member with perturbed values "
        "(Beier, Majka &amp; Newell 2009 recommend this test of least-cost corridors). P_top10: share of "
        "members where the link is viable and ranked 1-10; P_viable: share where it is viable; "
        "Rank_p05/p50/p95: percentiles of its rank over the members, a member where it is not viable "
        "ranking it after every viable link. Files: rank_uncertainty.csv, ensemble_members.csv, "
        "corridor_frequency.tif, the robust_corridors layer.</p>",
        "<ul>" + "".join(f"<li>{e(k)}: <b>{e(str(v))}</b></li>" for k, v in facts.items()) + "</ul>",
        "<img src='uncertainty_ranks.png' alt='rank intervals per link'>",
        "<img src='uncertainty_frequency.png' alt='corridor frequency'>",
        f"<h3>Rank uncertainty (first {len(shown)} of {len(table)} links)</h3>",
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>",
    ]
    return "\n".join(parts), ["uncertainty_ranks.png", "uncertainty_frequency.png"]
