"""``corridors calibrate SCENARIO.toml --samples PATH --genetic-distance PATH --out DIR``."""

from __future__ import annotations

from pathlib import Path

import click

from .validate import _Steps


def register(main: click.Group) -> None:
    """Add the ``calibrate`` command to the ``corridors`` group."""
    main.add_command(calibrate_command)


@click.command("calibrate")
@click.argument("scenario", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--samples", required=True, type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="CSV of sample locations: sample, x/y (with --crs) or lon/lat.")
@click.option("--genetic-distance", "genetic", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Square CSV matrix of pairwise genetic distances (header: corner cell, sample ids).")
@click.option("--genotypes", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Instead of --genetic-distance: a genotype table (sample, one 'a/b' column per locus).")
@click.option("--statistic", type=click.Choice(["rousset_a", "dps"]), default="rousset_a", show_default=True,
              help="Genetic distance computed from --genotypes.")
@click.option("-o", "--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (refused if it exists and is not empty, unless --overwrite).")
@click.option("--overwrite", is_flag=True, help="Replace an existing output folder.")
@click.option("--distance", type=click.Choice(["resistance", "cost"]), default="resistance", show_default=True,
              help="Landscape distance: effective resistance (circuit) or cost-weighted distance.")
@click.option("--classes", default=None, metavar="NAMES",
              help="Comma-separated classes to fit (names or codes; default every class in the land cover).")
@click.option("--reference", default=None, help="Class fixed at the base profile's value (default: the first class).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the optimiser and the Mantel tests.")
@click.option("--maxiter", type=click.IntRange(min=0), default=3, show_default=True,
              help="Differential-evolution generations after the initial population.")
@click.option("--popsize", type=click.IntRange(min=1), default=None,
              help="Population = POPSIZE x (classes - 1) (default: the candidate surfaces plus a Latin hypercube).")
@click.option("--polish-rounds", type=click.IntRange(min=0), default=2, show_default=True,
              help="Compass-search rounds after the evolution.")
@click.option("--workers", type=click.IntRange(min=0), default=None,
              help="Evaluate surfaces on a dask LocalCluster with N worker processes (0: serial).")
@click.option("--scheduler", default=None, metavar="ADDRESS", help="Use an existing dask scheduler (overrides --workers).")
@click.option("--name", "profile_name", default=None, help="Name of the fitted profile (default: <base profile>_calibrated).")
@click.option("--crs", default=None, help="CRS of x/y columns in --samples (e.g. EPSG:32652).")
@click.pass_context
def calibrate_command(ctx: click.Context, scenario: Path, samples: Path, genetic, genotypes, statistic: str, out: Path,
                      overwrite: bool, distance: str, classes, reference, seed: int, maxiter: int, popsize, polish_rounds: int,
                      workers, scheduler, profile_name, crs) -> None:
    """Fit the land-cover resistances of SCENARIO.toml's land cover to genetic distances (MLPE, AICc).

    Writes <profile>.toml (the fitted species profile), resistance_table.csv and
    scenario.calibrated.toml (the scenario using it), fit_table.csv, evaluations.csv,
    landscape_distance.csv, summary.json, report.md and corridors.log.
    """
    from ..evidence._output import output_folder
    from ..evidence.calibration import calibrate
    from ..evidence.genetics import genetic_distance_from_genotypes, read_genetic_matrix, read_genotypes
    from ..evidence.report import write_calibration
    from ..evidence.samples import read_samples
    from ..parallel import Executor
    from ..scenario import Scenario

    if (genetic is None) == (genotypes is None):
        raise click.UsageError("give exactly one of --genetic-distance and --genotypes")
    verbosity = (ctx.obj or {}).get("verbosity", 0)
    steps = _Steps(["inputs", "calibration", "outputs"], "corridors calibrate", verbosity >= 0)
    notes: list[str] = []
    try:
        inputs = [p for p in (scenario, samples, genetic, genotypes) if p is not None]
        with output_folder(out, overwrite=overwrite, inputs=inputs, command="calibrate") as tmp:
            steps.step("inputs")
            sc = Scenario.from_toml(scenario)
            landcover, base = _landcover_and_profile(sc)
            if sc.inputs.layers or sc.edits:
                notes.append("the scenario's extra layers and edits are not part of the calibration "
                             "(only land-cover classes are fitted); they still apply when the calibrated scenario runs")
            smp = read_samples(samples, crs=crs)
            gen_matrix = None
            if genetic is not None:
                ids, gmat = read_genetic_matrix(genetic)
            else:
                g = read_genotypes(genotypes)
                ids, gmat = g.ids, genetic_distance_from_genotypes(g, statistic)
                gen_matrix = gmat
            extra = sorted(set(smp.ids) - set(ids))
            if extra:
                notes.append(f"{len(extra)} located samples have no genetic data and are left out: {extra[:10]}")
            smp = smp.reorder(ids)
            present = sorted(int(v) for v in _present(landcover))
            cls = _parse_classes(classes, present)
            ref = None if reference is None else _parse_classes(reference, present)[0]
            steps.step("calibration")
            with Executor(workers, scheduler) as ex:
                result = calibrate(landcover, smp, (ids, gmat), classes=cls, distance=distance, seed=seed,
                                   reference=ref, maxiter=maxiter, popsize=popsize, polish_rounds=polish_rounds,
                                   executor=ex, progress=verbosity >= 0)
            steps.step("outputs")
            name = profile_name or f"{base.name}_calibrated"
            inputs = {"scenario": scenario.resolve(), "samples": samples.resolve(),
                      "genetic": (genetic or genotypes).resolve(), "statistic": statistic if genotypes else "matrix",
                      "base_profile": base.name, "out": out}
            write_calibration(tmp, result, base=base, profile_name=name, scenario=sc, inputs=inputs, notes=notes,
                              genetic=gen_matrix)
    finally:
        steps.close()
    if verbosity >= 0:
        verdict = "supported" if result.supported else "NOT supported"
        click.echo(f"{result.distance} distance, {result.n_evaluations} surfaces evaluated in {result.seconds:.0f} s; "
                   f"dAICc vs distance {result.delta_aicc_vs_distance:.2f} ({verdict})")
        for c, v in result.resistance.items():
            click.echo(f"  {result.classes[c]:<12} {v:.4g}")
        click.echo(f"wrote {out}")


def _landcover_and_profile(sc):
    import rasters

    from ..datasets import species_profile

    if sc.inputs.landcover is not None:
        landcover = rasters.read(sc.inputs.landcover, name=str(sc.inputs.landcover))
    else:
        from ..datasets import nea

        landcover = nea().landcover
    base = species_profile(sc.species.profile or "generalist")
    return landcover, base


def _present(landcover):
    import numpy as np

    return np.unique(landcover.values[landcover.valid_mask])


def _parse_classes(text, present):
    from ..datasets.species import LANDCOVER_CLASSES
    from ..errors import ConfigError

    if text is None:
        return present
    by_name = {v: k for k, v in LANDCOVER_CLASSES.items()}
    out = []
    for part in str(text).split(","):
        p = part.strip()
        if not p:
            continue
        if p.lstrip("-").isdigit():
            out.append(int(p))
        elif p in by_name:
            out.append(by_name[p])
        else:
            raise ConfigError(f"--classes: unknown class {p!r}; use codes or names {list(by_name)}")
    return out
