"""``corridors validate RUN_DIR --detections PATH --out DIR``: camera-trap evidence against a run."""

from __future__ import annotations

from pathlib import Path

import click


def register(main: click.Group) -> None:
    """Add the ``validate`` command to the ``corridors`` group."""
    main.add_command(validate_command)


@click.command("validate")
@click.argument("run_dir", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--detections", required=True, type=click.Path(exists=True, path_type=Path),
              help="Camtrap DP 1.0 folder (or its datapackage.json), or a CSV: station, x/y or lon/lat, datetime, species, individual.")
@click.option("-o", "--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (refused if it exists and is not empty, unless --overwrite).")
@click.option("--overwrite", is_flag=True, help="Replace an existing output folder.")
@click.option("--species", "species", multiple=True, metavar="PROFILE",
              help="Keep only detections of this species profile (repeatable; default: all).")
@click.option("--null", "n_null", type=click.IntRange(min=1), default=999, show_default=True,
              help="Random placements of each corridor in the null model.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the null model.")
@click.option("--max-shift", type=click.FloatRange(min=0, min_open=True), default=100_000.0, show_default=True,
              help="Largest shift of a randomly placed corridor (metres).")
@click.option("--country-tolerance", type=click.FloatRange(min=0), default=1000.0, show_default=True,
              help="Metres a station may lie outside every country polygon.")
@click.option("--crs", default=None, help="CRS of x/y columns in a detections CSV (e.g. EPSG:32652).")
@click.option("--timezone", default=None, help="Time zone of CSV date-times without offset (Asia/Vladivostok or +10:00).")
@click.pass_context
def validate_command(ctx: click.Context, run_dir: Path, detections: Path, out: Path, overwrite: bool, species,
                     n_null: int, seed: int, max_shift: float, country_tolerance: float, crs, timezone) -> None:
    """Check the corridors of RUN_DIR (a `corridors run` output) against camera-trap detections.

    Writes validation.gpkg (layers transborder_movements, crossings, crossing_lcps, detections),
    movements.csv, crossings.csv, validation.csv, summary.json, report.md and corridors.log.
    Nothing is written if an input is invalid.
    """
    import time

    from ..evidence._output import output_folder
    from ..evidence.detections import read_detections
    from ..evidence.movements import transborder_movements
    from ..evidence.report import write_validation
    from ..pipeline.run_folder import read_run

    verbosity = (ctx.obj or {}).get("verbosity", 0)
    bar = _Steps(["run", "detections", "movements", "outputs"], "corridors validate", verbosity >= 0)
    t0 = time.perf_counter()
    try:
        with output_folder(out, overwrite=overwrite, inputs=[run_dir, detections], command="validate") as tmp:
            bar.step("run")
            run = read_run(run_dir)
            bar.step("detections")
            det = read_detections(detections, crs=crs, timezone=timezone)
            bar.step("movements")
            result = transborder_movements(det, run.countries, corridors=run.corridors, resistance=run.resistance,
                                           borders=run.borders, country_tolerance=country_tolerance, n_null=n_null,
                                           seed=seed, max_shift=max_shift, species=list(species) or None)
            bar.step("outputs")
            settings = {"n_null": n_null, "seed": seed, "max_shift_m": max_shift,
                        "country_tolerance_m": country_tolerance, "species": list(species) or "all",
                        "least_cost_paths": run.resistance is not None}
            write_validation(tmp, result, run_dir=run_dir, detections_path=detections, settings=settings,
                             seconds=time.perf_counter() - t0)
    finally:
        bar.close()
    if verbosity >= 0:
        click.echo(f"{len(result.movements)} individuals crossed a border ({len(result.crossings)} crossings); wrote {out}")
        if result.validation is not None and len(result.crossings):
            allrow = result.validation.iloc[-1]
            click.echo(f"  all corridors: {int(allrow['N_In_SL'])}/{int(allrow['N_Cross_SL'])} straight-line crossings "
                       f"inside (p = {allrow['P_SL']:.3g} against {n_null} random placements)")


class _Steps:
    """A tqdm bar over named steps (shown unless quiet)."""

    def __init__(self, names, desc, show):
        self.bar = None
        if show:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=len(names), desc=desc, unit="step", leave=False)
        self.started = False

    def step(self, name):
        import logging

        logging.getLogger("corridors.evidence").info("step: %s", name)
        if self.bar is not None:
            if self.started:
                self.bar.update(1)
            self.bar.set_postfix_str(name)
        self.started = True

    def close(self):
        if self.bar is not None:
            self.bar.close()
