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
@click.option("--scratch", default=None, type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Existing folder for the run's scratch files (a new subfolder, removed at the end); with "
                   "--scheduler it must be on a file system every worker mounts at the same path "
                   "(default: beside --out).")
@click.option("--shapefiles", is_flag=True, default=None,
              help="Also export every layer as Shapefile (field names <= 10 chars, mapping in shapefiles/field_names.csv).")
@click.option("--check", is_flag=True, help="Only parse and validate the scenario; write nothing.")
@click.pass_context
def run_command(ctx: click.Context, scenario: Path | None, out: str | None, overwrite: bool, workers: int | None,
                scheduler: str | None, scratch: Path | None, shapefiles: bool | None,
                check: bool) -> None:
    """Run SCENARIO.toml (or, without it, the embedded North-East Asia dataset) into --out DIR.

    Writes corridors.gpkg (+ .qml styles and corridors.qgs), ranking.csv, COGs of resistance,
    corridor mosaic and current density, report.html, manifest.json, scenario.resolved.toml and
    corridors.log. A migratory bird's profile (one with a [flyway] table: the cranes, the
    spoonbill) runs its flyway site network instead: flyway_sites and flyway_legs layers,
    flyway_ranking.csv, the report and the project, and no corridor. With [species] profile a
    list of names or "all", each species runs into DIR/PROFILE and DIR gets species_summary.csv
    and the combined rankings. Nothing is written if the scenario or an input is invalid.
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
        from ..datasets import species_profile
        from ..pipeline.stages import build_resistance, check_flyway_scenario, is_flyway_profile, load_inputs

        for one in sc.per_species():
            profile = species_profile(one.species.profile)
            check_flyway_scenario(one, profile)
            inputs = load_inputs(one)
            if not is_flyway_profile(profile):
                build_resistance(inputs, one.edits)
            kind = ", flyway site network" if is_flyway_profile(profile) else ""
            click.echo(f"{scenario or 'default scenario'}: OK ({one.name}, species {one.species.profile}{kind})")
        return
    from ..memory import tune_allocator

    tune_allocator()  # freed grid-sized arrays go back to the system (corridors.memory)
    result = run_scenario(sc, out, overwrite=overwrite, workers=workers, scheduler=scheduler,
                          progress=None if verbosity >= 0 else False, scratch=scratch)
    from ..pipeline import SpeciesRuns

    if verbosity >= 0 and isinstance(result, SpeciesRuns):
        _echo_species(result, out)
    elif verbosity >= 0 and result.flyway is not None:
        _echo_flyway(result, out)
    elif verbosity >= 0:
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


def _echo_flyway(result, out: str) -> None:
    """What a flyway run found: counts and its critical sites."""
    table = result.flyway
    crit = table[table["critical"]]
    click.echo(f"flyway of {result.species}: {len(table)} sites, {len(crit)} critical "
               f"({int((crit['protected'] == 'no').sum())} without legal protection); {result.total_s:.1f} s")
    for rec in crit.itertuples(index=False):
        click.echo(f"  {rec.site_id}  {rec.name} ({rec.iso3}), {rec.role}, protected: {rec.protected}, "
                   f"connections lost {rec.connections_lost:.2f}")
    click.echo(f"wrote {out}")


def _echo_species(result, out: str) -> None:
    """One line per species of a run of several."""
    click.echo(f"{len(result.summary)} species ({len(result.failed)} without a viable link); {result.total_s:.1f} s")
    for rec in result.summary.itertuples(index=False):
        if rec.Status != "ok":
            click.echo(f"  {rec.Species:<22} {rec.Model:<9} {rec.Status}: {rec.Note}")
        elif rec.Model == "flyway":
            click.echo(f"  {rec.Species:<22} flyway    {rec.N_Ranked} sites, {rec.N_Critical} critical"
                       + (f" (not protected: {rec.Crit_Unprot})" if rec.Crit_Unprot else "") + f"  -> {rec.Folder}/")
        else:
            click.echo(f"  {rec.Species:<22} corridors {rec.N_Ranked} links ranked, first {rec.Top}  -> {rec.Folder}/")
    click.echo(f"wrote {out} (species_summary.csv, combined rankings)")
