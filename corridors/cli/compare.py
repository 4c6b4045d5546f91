"""``corridors compare OUT_A OUT_B``: what changed between two runs."""

from __future__ import annotations

from pathlib import Path

import click


def register(main: click.Group) -> None:
    """Add the ``compare`` command to the ``corridors`` group."""
    main.add_command(compare_command)


@click.command("compare")
@click.argument("run_a", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.argument("run_b", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("-o", "--out", type=str, default=None,
              help="Folder for compare.csv, compare.json, change COGs and change_maps.png "
                   "(default: compare_<A>_vs_<B> beside OUT_B).")
@click.option("--overwrite", is_flag=True, help="Replace an existing --out folder.")
@click.option("--top", type=click.IntRange(min=1), default=15, show_default=True, help="Rows of the table to print.")
@click.pass_context
def compare_command(ctx: click.Context, run_a: Path, run_b: Path, out: str | None, overwrite: bool, top: int) -> None:
    """Compare two output folders of `corridors run` (A = baseline): ranks, cost distances,
    effective resistances, new or lost links, gap area; writes a table and change maps."""
    from ..pipeline.compare import compare_runs

    if out is None:
        out = run_b.parent / f"compare_{run_a.name}_vs_{run_b.name}"
    res = compare_runs(run_a, run_b, out, overwrite=overwrite)
    s = res.summary
    if (ctx.obj or {}).get("verbosity", 0) < 0:
        return
    click.echo(f"A: {run_a} ({s['links_a']} links)   B: {run_b} ({s['links_b']} links)")
    click.echo(f"new links {s['new_links']}, lost links {s['lost_links']}, rank changes {s['rank_changes']}, "
               f"cost rose {s['cost_rose']}, cost fell {s['cost_fell']}, gap area {s['gap_km2_a']:.0f} -> "
               f"{s['gap_km2_b']:.0f} km2")
    t = res.table
    changed = t[(t["Status"] != "both") | (t["d_Rank"].fillna(0) != 0) | (t["d_CW_Dist"].fillna(0).abs() > 0)]
    # biggest cost changes and new/lost links first, then by rank in B
    changed = changed.assign(_k=-changed["pct_CW_Dist"].abs().fillna(1e9)).sort_values(["_k", "Pair"], kind="mergesort")
    click.echo(f"{'pair':<11} {'status':<6} {'rank A':>6} {'rank B':>6} {'CW_Dist A':>11} {'CW_Dist B':>11} {'dCW %':>7} {'dEffR %':>8}")
    for rec in changed.head(top).itertuples(index=False):
        def f(v, fmt):
            return "-" if v != v else format(v, fmt)  # NaN -> '-'
        click.echo(f"{rec.From_PA + '-' + rec.To_PA:<11} {rec.Status:<6} {f(rec.Rank_A, '.0f'):>6} {f(rec.Rank_B, '.0f'):>6} "
                   f"{f(rec.CW_Dist_A, '.4g'):>11} {f(rec.CW_Dist_B, '.4g'):>11} {f(rec.pct_CW_Dist, '+.1f'):>7} "
                   f"{f(rec.pct_Eff_Res, '+.1f'):>8}")
    click.echo(f"wrote {res.out}")
