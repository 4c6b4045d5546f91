"""``corridors run [SCENARIO.toml] --out DIR``: run a scenario (default: embedded North-East Asia)."""

from __future__ import annotations

from pathlib import Path

import click


def register(main: click.Group) -> None:
    """Add the ``run`` command to the ``corridors`` group."""
    main.add_command(run_command)


@click.command("run")
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--out", "out", default=None, type=str,
              help="Output folder (refused if it exists and is not empty, unless --overwrite); "
                   "required unless --check.")
@click.option("--overwrite", is_flag=True, help="Replace an existing output folder.")
@click.option("--workers", type=click.IntRange(min=0), default=None,
              help="Run independent pieces on a dask LocalCluster with N worker processes (0: serial).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Use an existing dask scheduler, e.g. tcp://host:8786 (overrides --workers).")
@click.option("--shapefiles", is_flag=True, default=None,
              help="Also export every layer as Shapefile (field names <= 10 chars, mapping in shapefiles/field_names.csv).")
@click.option("--check", is_flag=True, help="Only parse and validate the scenario; write nothing.")
@click.pass_context
def run_command(ctx: click.Context, scenario: Path | None, out: str | None, overwrite: bool, workers: int | None,
                scheduler: str | None, shapefiles: bool | None, check: bool) -> None:
    """Run SCENARIO.toml (or, without it, the embedded North-East Asia dataset) into --out DIR.

    Writes corridors.gpkg (+ .qml styles and corridors.qgs), ranking.csv, COGs of resistance,
    corridor mosaic and current density, report.html, manifest.json, scenario.resolved.toml and
    corridors.log. Nothing is written if the scenario or an input is invalid.
    """
    import dataclasses

    from ..pipeline import run_scenario

    if out is None and not check:
        raise click.UsageError("Missing option '-o' / '--out' (only --check runs without it).")
    from ..scenario import Scenario

    sc = Scenario.from_toml(scenario) if scenario is not None else Scenario.default()
    if shapefiles:
        sc = dataclasses.replace(sc, outputs=dataclasses.replace(sc.outputs, shapefiles=True))
    verbosity = (ctx.obj or {}).get("verbosity", 0)
    if check:
        from ..pipeline.stages import build_resistance, load_inputs

        sc = sc.resolved()
        build_resistance(load_inputs(sc), sc.edits)
        click.echo(f"{scenario or 'default scenario'}: OK ({sc.name}, species {sc.species.profile})")
        return
    from ..memory import tune_allocator

    tune_allocator()  # freed grid-sized arrays go back to the system (corridors.memory)
    result = run_scenario(sc, out, overwrite=overwrite, workers=workers, scheduler=scheduler,
                          progress=None if verbosity >= 0 else False)
    if verbosity >= 0:
        top = result.ranking.head(10)
        click.echo(f"{len(result.ranking)} links ranked, {len(result.gaps)} gap polygons, "
                   f"{len(result.unlinked)} pairs without a viable corridor; {result.total_s:.1f} s")
        for rec in top.itertuples(index=False):
            click.echo(f"  {rec.Rank:>3}  {rec.From_PA}-{rec.To_PA}  {rec.From_Name} ({rec.From_ISO3}) - "
                       f"{rec.To_Name} ({rec.To_ISO3})  score {rec.Score:.3f}")
        if result.rank_uncertainty is not None:
            certain = int((result.rank_uncertainty["P_top10"] == 1.0).sum())
            click.echo(f"uncertainty ensemble: {certain} links in the top 10 of every member "
                       f"(rank_uncertainty.csv, corridor_frequency.tif)")
        click.echo(f"wrote {out}")
