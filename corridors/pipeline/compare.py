"""Compare two run folders: what changed in ranks, costs, effective resistances, links and gaps.

Links are matched by their reserve pair (``From_PA``/``To_PA``), not by ``Link_ID``, because ids
are assigned per run. Change maps are B - A on the common grid.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataFormatError, InputError

__all__ = ["compare_runs", "CompareResult"]

_RASTERS = ("resistance", "corridor_mosaic", "current_density")


@dataclass
class CompareResult:
    """Outputs of :func:`compare_runs`.

    table : one row per reserve pair in either run (``Status`` both / new / lost);
    summary : headline numbers; out : folder written (or None); maps : change-map files.
    """

    table: pd.DataFrame
    summary: dict[str, Any]
    out: Path | None = None
    maps: dict[str, str] = field(default_factory=dict)


def _read_run(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    folder = Path(folder)
    rk = folder / "ranking.csv"
    if not rk.is_file():
        if (folder / "flyway_ranking.csv").is_file():
            raise DataFormatError(f"{folder}: a flyway run (a bird's site network) has no ranked links to compare; "
                                  "compare two corridor runs, or the flyway_ranking.csv tables themselves")
        if (folder / "species_summary.csv").is_file():
            raise DataFormatError(f"{folder}: a run of several species; compare the folders of one species "
                                  f"(e.g. {folder / 'SPECIES'})")
        raise DataFormatError(f"{folder}: no ranking.csv; give a folder written by `corridors run`")
    ranking = _read_ranking(rk)
    split = folder / "link_countries.csv"
    if split.is_file():  # each link's unprotected corridor area, summed over its countries
        unprot = pd.read_csv(split).groupby("Link_ID")["Unprot_km2"].sum()
        ranking = ranking.assign(Unprot_km2=ranking["Link_ID"].map(unprot).astype(float))
    gaps = pd.DataFrame(columns=["Gap_ID", "Area_km2"])
    gpkg = folder / "corridors.gpkg"
    if gpkg.is_file():
        import vectors

        if "gaps" in vectors.list_layers(gpkg):
            gaps = pd.DataFrame(vectors.read_vector(gpkg, layer="gaps").drop(columns="geometry"))
    manifest = {}
    mf = folder / "manifest.json"
    if mf.is_file():
        try:
            manifest = json.loads(mf.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise DataFormatError(f"{mf}: not a readable manifest ({exc}); give a folder written by "
                                  "`corridors run`") from exc
    return ranking, gaps, manifest


#: Columns compare needs in ranking.csv.
_NEEDED = ("Link_ID", "Rank", "From_PA", "To_PA", "From_ISO3", "To_ISO3", "CW_Dist", "Eff_Resist")


def _read_ranking(path: Path) -> pd.DataFrame:
    """ranking.csv of a run, or one clear error naming the file and what is wrong with it."""
    fix = "give a folder written by `corridors run` (or run it again to rewrite the file)"
    try:
        ranking = pd.read_csv(path, dtype={"From_PA": str, "To_PA": str}, encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataFormatError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); {fix}") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        msg = " ".join(str(exc).split())
        raise DataFormatError(f"{path}: not a readable ranking table ({msg}); {fix}") from exc
    missing = [c for c in _NEEDED if c not in ranking.columns]
    if missing:
        raise DataFormatError(f"{path}: columns {missing} are missing; {fix}")
    for c in ("Link_ID", "Rank", "CW_Dist", "Eff_Resist"):
        if not pd.api.types.is_numeric_dtype(ranking[c]):
            bad = ranking[c][pd.to_numeric(ranking[c], errors="coerce").isna() & ranking[c].notna()]
            raise DataFormatError(f"{path}: column {c} holds non-numbers (e.g. {bad.iloc[0]!r} in row "
                                  f"{int(bad.index[0]) + 2}); {fix}")
    return ranking


def _pair_key(df: pd.DataFrame) -> pd.Series:
    a = df["From_PA"].astype(str)
    b = df["To_PA"].astype(str)
    return pd.Series(np.where(a < b, a + "|" + b, b + "|" + a), index=df.index)


def compare_table(rank_a: pd.DataFrame, rank_b: pd.DataFrame) -> pd.DataFrame:
    """Per reserve pair: ranks, CW_Dist, Eff_Resist, unprotected corridor area (``Gap_km2``, from
    link_countries.csv) in A and B, differences, status."""
    cols = ["Rank", "Link_ID", "CW_Dist", "Eff_Resist", "CF_Central", "Score"]

    def prep(rk: pd.DataFrame) -> pd.DataFrame:
        d = rk[["From_PA", "To_PA", "From_ISO3", "To_ISO3", *[c for c in cols if c in rk.columns]]].copy()
        d["Pair"] = _pair_key(d)
        d["Gap_km2"] = rk["Unprot_km2"].astype(float) if "Unprot_km2" in rk.columns else np.nan
        return d.set_index("Pair")

    a = prep(rank_a)
    b = prep(rank_b)
    t = a.add_suffix("_A").join(b.add_suffix("_B"), how="outer")
    for c in ("From_PA", "To_PA", "From_ISO3", "To_ISO3"):
        t[c] = t[f"{c}_A"].combine_first(t[f"{c}_B"])
        t = t.drop(columns=[f"{c}_A", f"{c}_B"])
    t["Status"] = np.select([t["Rank_A"].isna(), t["Rank_B"].isna()], ["new", "lost"], "both")
    t["d_Rank"] = t["Rank_B"] - t["Rank_A"]
    t["d_CW_Dist"] = t["CW_Dist_B"] - t["CW_Dist_A"]
    t["pct_CW_Dist"] = 100.0 * t["d_CW_Dist"] / t["CW_Dist_A"]
    t["d_Eff_Res"] = t["Eff_Resist_B"] - t["Eff_Resist_A"]
    t["pct_Eff_Res"] = 100.0 * t["d_Eff_Res"] / t["Eff_Resist_A"]
    t["d_Gap_km2"] = t["Gap_km2_B"].fillna(0.0) - t["Gap_km2_A"].fillna(0.0)
    order = ["From_PA", "To_PA", "From_ISO3", "To_ISO3", "Status", "Rank_A", "Rank_B", "d_Rank",
             "CW_Dist_A", "CW_Dist_B", "d_CW_Dist", "pct_CW_Dist", "Eff_Resist_A", "Eff_Resist_B",
             "d_Eff_Res", "pct_Eff_Res", "CF_Central_A", "CF_Central_B", "Score_A", "Score_B",
             "Gap_km2_A", "Gap_km2_B", "d_Gap_km2", "Link_ID_A", "Link_ID_B"]
    t = t.reset_index().rename(columns={"index": "Pair"})
    t = t[["Pair", *[c for c in order if c in t.columns]]]
    sort_rank = t["Rank_B"].fillna(t["Rank_A"] + 1e6)
    return t.assign(_s=sort_rank).sort_values(["_s", "Pair"], kind="mergesort").drop(columns="_s").reset_index(drop=True)


def compare_runs(run_a: str | Path, run_b: str | Path, out: str | Path | None = None, *,
                 overwrite: bool = False, maps: bool = True) -> CompareResult:
    """Compare two output folders of ``corridors run``.

    Parameters
    ----------
    run_a, run_b : folders (A is the baseline).
    out : folder for ``compare.csv``, ``compare.json``, change COGs (``change_<raster>.tif``, B - A)
        and ``change_maps.png``; None = compute only.
    overwrite : replace an existing non-empty ``out``.

    Returns
    -------
    CompareResult
    """
    run_a, run_b = Path(run_a), Path(run_b)
    for r in (run_a, run_b):
        if not r.is_dir():
            raise InputError(f"{r}: not a folder; give two output folders of `corridors run`")
    rank_a, gaps_a, man_a = _read_run(run_a)
    rank_b, gaps_b, man_b = _read_run(run_b)
    table = compare_table(rank_a, rank_b)
    both = table[table["Status"] == "both"]
    summary = {
        "run_a": str(run_a.resolve()), "run_b": str(run_b.resolve()),
        "scenario_a": man_a.get("scenario", {}).get("name"), "scenario_b": man_b.get("scenario", {}).get("name"),
        "links_a": int(len(rank_a)), "links_b": int(len(rank_b)),
        "new_links": int((table["Status"] == "new").sum()), "lost_links": int((table["Status"] == "lost").sum()),
        "rank_changes": int((both["d_Rank"] != 0).sum()),
        "cost_rose": int((both["d_CW_Dist"] > 0).sum()), "cost_fell": int((both["d_CW_Dist"] < 0).sum()),
        "gap_km2_a": float(gaps_a["Area_km2"].sum()) if len(gaps_a) else 0.0,
        "gap_km2_b": float(gaps_b["Area_km2"].sum()) if len(gaps_b) else 0.0,
    }
    result = CompareResult(table=table, summary=summary)
    if out is None:
        return result

    from rasters.atomic import output_folder

    with output_folder(out, overwrite=overwrite, inputs=(run_a, run_b), command="compare") as tmp:
        table.to_csv(tmp / "compare.csv", index=False)
        (tmp / "compare.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        if maps:
            result.maps = _change_maps(run_a, run_b, tmp)
    result.out = Path(out)
    return result


def _change_maps(run_a: Path, run_b: Path, folder: Path) -> dict[str, str]:
    import rasters

    written: dict[str, str] = {}
    diffs = {}
    for name in _RASTERS:
        fa, fb = run_a / f"{name}.tif", run_b / f"{name}.tif"
        if not (fa.is_file() and fb.is_file()):
            continue
        ga, gb = rasters.read(fa), rasters.read(fb)
        ga.check_aligned(gb)
        va, vb = ga.masked_float(np.float32), gb.masked_float(np.float32)
        if name == "corridor_mosaic":
            # membership change: +1 cell became corridor, -1 stopped being corridor
            d = np.isfinite(vb).astype(np.float32) - np.isfinite(va).astype(np.float32)
        else:
            va = np.where(np.isfinite(va), va, 0.0)
            vb = np.where(np.isfinite(vb), vb, 0.0)
            d = (vb - va).astype(np.float32)
        g = ga.with_values(d, nodata=None, name=f"change {name}")
        rasters.write(g, folder / f"change_{name}.tif")
        written[name] = f"change_{name}.tif"
        diffs[name] = (g, d)
    if diffs:
        import matplotlib

        matplotlib.use("Agg", force=True)
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, len(diffs), figsize=(6 * len(diffs), 4), dpi=100, squeeze=False)
        for ax, (name, (g, d)) in zip(axes[0], diffs.items()):
            lim = float(np.nanmax(np.abs(d))) or 1.0
            left, bottom, right, top = g.bounds
            shown = np.where(d == 0, np.nan, d)
            im = ax.imshow(shown, extent=(left, right, bottom, top), cmap="RdBu_r", vmin=-lim, vmax=lim,
                           interpolation="nearest")
            ax.set_title(f"{name}: B - A", fontsize=9)
            ax.set_xticks([])
            ax.set_yticks([])
            fig.colorbar(im, ax=ax, shrink=0.7)
        fig.tight_layout()
        fig.savefig(folder / "change_maps.png")
        plt.close(fig)
        written["png"] = "change_maps.png"
    return written
