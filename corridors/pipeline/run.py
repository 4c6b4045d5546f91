"""The main job: scenario -> one output folder (built in a temporary folder, renamed on success).

:func:`_run` lists the stages (:mod:`.stages`, one module each, typed result in, typed result out)
and then the outputs (:mod:`.outputs`): inputs -> resistance -> links (cores, border reserves,
candidate pairs, least-cost links) -> corridors -> circuits per link -> centrality -> ranking ->
pinch points -> gaps -> restoration sites -> outputs (GeoPackage, styles, QGIS project, COGs, CSV) -> report (resolved
scenario, HTML) -> manifest; with ``[uncertainty]``, the ensemble (:mod:`.uncertainty`) runs before
the outputs. A bird whose species profile has a ``[flyway]`` table takes the flyway branch
instead: inputs -> flyway (its site network, :mod:`.stages.flyway`) -> its outputs, and no stage
of the resistance chain runs (a bird's route is no least-cost corridor, over land or sea).
A scenario of several species (``species.profile`` a list or ``'all'``) runs :func:`_run` once
per species into a subfolder named after its profile, then writes the combined tables
(:mod:`.outputs.species`). To add a stage: write ``stages/<name>.py``, export it from
``stages/__init__.py``, add one line here and a field to :class:`~.results.StageResults`.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from contextlib import contextmanager, nullcontext
from pathlib import Path

from ..errors import ConfigError, InputError, NoViableLinkError
from ..logfile import log_to_file
from ..memory import release_free_memory
from ..parallel import Executor
from ..scenario import Scenario
from .outputs import input_records, write_outputs, write_report, write_run_manifest
from .outputs.manifest import Timer
from .chain import resistance_chain
from .outputs.species import write_species_outputs
from .results import RunResult, SpeciesRuns, StageResults
from .stages import (
    account_borders,
    build_flyway,
    check_flyway_scenario,
    domestic_links,
    find_gaps,
    find_pinch_points,
    find_restoration_sites,
    is_flyway_profile,
    load_inputs,
    summarise_countries,
)
from .uncertainty import run_ensemble

__all__ = ["run_scenario", "RunResult", "SpeciesRuns", "run_batch"]

log = logging.getLogger("corridors.pipeline")


def _input_paths(scenario: Scenario) -> list[Path]:
    """Every file a scenario reads (its own file, inputs, layers, edits, the embedded data)."""
    import dataclasses

    from .. import datasets

    found: list[Path] = [Path(datasets.__file__).parent]

    def walk(obj) -> None:
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            for f in dataclasses.fields(obj):
                walk(getattr(obj, f.name))
        elif isinstance(obj, (tuple, list)):
            for x in obj:
                walk(x)
        elif isinstance(obj, Path):
            found.append(obj)

    walk(scenario)
    return found


def _prepare_out(out, overwrite: bool, inputs=()) -> Path:
    """Refuse a dangerous or occupied ``out`` before any work (see :mod:`rasters.atomic`)."""
    from rasters.atomic import check_output_folder

    return check_output_folder(out, inputs=inputs, overwrite=overwrite)


class _Steps:
    """Runs the stages one by one: logs each, times it, and moves a tqdm bar (when ``progress``)."""

    COUNT = 18  # stages and output steps in :func:`_run`, for the bar's length (+1: the ensemble)
    FLYWAY_COUNT = 4  # a flyway run's: inputs, flyway, outputs, report

    def __init__(self, progress: bool, total: int = COUNT):
        self.timer = Timer()
        self.bar = None
        if progress:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, desc="corridors run", unit="step", leave=False)

    def run(self, name: str, func, *args):
        log.info("step: %s", name)
        if self.bar is not None:
            self.bar.set_postfix_str(name)
        with self.timer(name):
            result = func(*args)
        release_free_memory()  # what the stage freed goes back to the system (corridors.memory)
        if self.bar is not None:
            self.bar.update(1)
        return result

    @property
    def timings(self) -> dict[str, float]:
        return self.timer.steps

    @property
    def total(self) -> float:
        return self.timer.total

    def __enter__(self) -> "_Steps":
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.close()


def run_scenario(scenario: Scenario | str | Path | None, out: str | Path, *, overwrite: bool = False,
                 workers: int | None = None, scheduler: str | None = None, progress: bool | None = None,
                 executor: Executor | None = None, scratch: str | Path | None = None) -> RunResult | SpeciesRuns:
    """Run a scenario into the folder ``out``.

    Parameters
    ----------
    scenario : Scenario, path of a TOML file, or None for the embedded North-East Asia default.
    out : output folder; refused if it exists and is not empty, unless ``overwrite`` and it was
        written by a corridors command (it holds the marker file ``.corridors-output.json``).
    workers : start a dask LocalCluster with this many worker processes (None/0: serial).
    scheduler : address of an existing dask scheduler (overrides ``workers``).
    progress : show progress bars (default: when stderr is a terminal).
    executor : an already started :class:`Executor` to reuse (batch runs).
    scratch : an existing folder to hold the run's scratch files (a new subfolder, removed at the
        end): the staged resistance and core labels that dask workers read their windows from and
        the per-core searches they write back. Default: inside the temporary output folder beside
        ``out``. On a cluster it must be on a file system every worker mounts at the same path
        (docs/scale.md).

    Returns
    -------
    RunResult, or SpeciesRuns when ``species.profile`` names several species (a list or
    ``'all'``): each species then runs into ``out / PROFILE`` (a bird's flyway, a terrestrial
    species' corridors), a species without any viable link is reported in ``failed`` and gets no
    folder, and ``out`` holds species_summary.csv, ranking_by_species.csv and
    flyway_ranking_by_species.csv.

    Notes
    -----
    ``out`` is written through :func:`rasters.atomic.output_folder`: dangerous targets (``.``,
    home, a folder of inputs...) are refused, a lock makes a concurrent run on the same folder
    fail at once, everything is built in a temporary folder beside ``out`` and swapped in when
    the run succeeds (an existing output only with ``overwrite`` and only if corridors wrote
    it); on any error the temporary folder is removed and the old output is left as it was.
    """
    from rasters.atomic import output_folder

    if scenario is None:
        scenario = Scenario.default()
    elif not isinstance(scenario, Scenario):
        scenario = Scenario.from_toml(scenario)
    given = scenario
    scenarios = scenario.per_species()  # resolved; one unless species.profile names several
    for sc in scenarios:
        check_flyway_scenario(sc, _profile(sc))  # a bird: refuse what only acts on resistance
    inputs = sorted({p for sc in scenarios for p in _input_paths(sc)})
    _prepare_out(out, overwrite, inputs)  # fail before starting a cluster
    scratch_parent = _scratch_parent(scratch)
    if progress is None:
        progress = sys.stderr.isatty()
    own_executor = executor is None
    with output_folder(out, overwrite=overwrite, inputs=inputs, command="run") as tmp:
        with log_to_file(tmp / "corridors.log"), _quiet_numeric_warnings():
            ex = executor or Executor(workers, scheduler, progress=progress)
            log.info("scenario %r -> %s", given.name, out)
            where = tmp / ".scratch" if scratch_parent is None else _new_name(scratch_parent, tmp.name)
            with ex if own_executor else nullcontext(ex), ex.scratch_folder(where):
                if given.species.several:
                    result = _run_species(given, scenarios, tmp, ex, progress)
                else:
                    result = _run(scenarios[0], tmp, ex, progress)
    result.out = Path(out)
    if isinstance(result, SpeciesRuns):
        for name, run in result.runs.items():
            run.out = Path(out) / name
    return result


def _scratch_parent(scratch) -> Path | None:
    """The folder given for scratch files, checked (an existing, writable folder) and absolute."""
    if scratch is None:
        return None
    path = Path(scratch).expanduser()
    if not path.is_dir():
        raise ConfigError(f"scratch: {path} is not an existing folder; create it (on a file system every "
                          "dask worker mounts at the same path) or leave --scratch out")
    if not os.access(path, os.W_OK | os.X_OK):
        raise ConfigError(f"scratch: cannot write to {path}; give a folder you can write to")
    return path.resolve()


def _new_name(parent: Path, stem: str) -> Path:
    """A path inside ``parent`` that does not exist yet (the scratch folder is created there and
    removed at the end: nothing already in ``parent`` is touched)."""
    import uuid

    while True:
        path = parent / f"corridors-scratch-{stem.strip('.')}-{uuid.uuid4().hex[:8]}"
        if not path.exists():
            return path


@contextmanager
def _quiet_numeric_warnings():
    """numpy's RuntimeWarnings (0/0 in a masked mean, ...) go to the log file, not the console.

    The pipeline handles NaN and inf on purpose (nodata, barriers); a warning printed mid-run
    only alarms. Each distinct one is logged once (INFO, so it is in corridors.log) with where
    it came from.
    """
    import warnings

    seen: set[tuple[str, str, int]] = set()

    def show(message, category, filename, lineno, file=None, line=None):
        key = (str(message), filename, lineno)
        if key not in seen:
            seen.add(key)
            log.info("%s: %s (%s:%d)", category.__name__, message, filename, lineno)

    with warnings.catch_warnings():
        warnings.simplefilter("always", RuntimeWarning)
        old_show = warnings.showwarning
        warnings.showwarning = show
        try:
            yield
        finally:
            warnings.showwarning = old_show


def _profile(scenario: Scenario):
    """The species profile of a resolved scenario."""
    from ..datasets import species_profile

    return species_profile(scenario.species.profile)


def _run(scenario: Scenario, folder: Path, ex: Executor, progress: bool) -> RunResult:
    """The stages in order, then the outputs; ``scenario`` is resolved."""
    flyway = is_flyway_profile(_profile(scenario))
    steps = _Steps(progress, _Steps.FLYWAY_COUNT if flyway else _Steps.COUNT + (scenario.uncertainty is not None))
    r = StageResults(scenario)
    with steps:
        r.inputs = steps.run("inputs", load_inputs, scenario)
        if flyway:  # a migratory bird: its network of wetland sites, no resistance chain
            r.flyway = steps.run("flyway", build_flyway, r.inputs)
        else:
            _corridor_stages(r, ex, steps.run)
        files = steps.run("outputs", write_outputs, folder, r)
        inputs = input_records(r)  # each input file hashed once, for the header and the manifest
        files += steps.run("report", write_report, folder, r, dict(steps.timings), inputs)
    files += ["manifest.json", "corridors.log"]
    write_run_manifest(folder, r, inputs=inputs, timings=dict(steps.timings), total_s=steps.total,
                       executor=ex.describe(), files=files)
    if flyway:
        log.info("done in %.1f s: flyway of %s, %d sites, %d legs, %d critical", steps.total, r.flyway.species,
                 len(r.flyway.ranking), len(r.flyway.legs), int(r.flyway.ranking["critical"].sum()))
    else:
        log.info("done in %.1f s: %d links ranked, %d gaps, %d unlinked pairs", steps.total, len(r.ranking),
                 len(r.gaps.gaps), len(r.gaps.unlinked))
    return RunResult.from_stages(folder, r, dict(steps.timings), steps.total, files)


def _run_species(scenario: Scenario, scenarios: list[Scenario], folder: Path, ex: Executor,
                 progress: bool) -> SpeciesRuns:
    """:func:`_run` per species into ``folder / PROFILE``, then the combined tables.

    A species whose every candidate pair is beyond its dispersal limit (NoViableLinkError) is an
    outcome of its data, like an ensemble member's: it is reported and its folder removed; any
    other error stops the run. If no species has a result the run fails.
    """
    t0 = Timer()
    runs: dict[str, RunResult] = {}
    failed: dict[str, str] = {}
    for sc in scenarios:
        name = sc.species.profile
        sub = folder / name
        sub.mkdir()
        log.info("species %s -> %s/", name, name)
        try:
            with log_to_file(sub / "corridors.log"):
                runs[name] = _run(sc, sub, ex, progress)
        except NoViableLinkError as exc:
            shutil.rmtree(sub)  # this run's own half-written folder, inside its temporary output
            failed[name] = str(exc)
            log.warning("species %s: %s; no folder written", name, exc)
    if not runs:
        raise NoViableLinkError("no species has a result: " + "; ".join(f"{n}: {m}" for n, m in failed.items()))
    summary, files = write_species_outputs(folder, scenario, scenarios, runs, failed, total_s=t0.total,
                                           executor=ex.describe())
    log.info("done in %.1f s: %d species, %d without a viable link", t0.total, len(runs), len(failed))
    return SpeciesRuns(out=folder, runs=runs, failed=failed, summary=summary, total_s=t0.total, files=files)


def _corridor_stages(r: StageResults, ex: Executor, step) -> None:
    """The terrestrial stages after the inputs, in order (``step(name, func, *args)`` runs one)."""
    scenario, cfg = r.scenario, r.scenario.ranking
    resistance_chain(r, ex, step)  # resistance, nodes, links, ..., ranking
    grid = r.resistance.grid
    r.domestic = step("domestic", domestic_links, r.links, r.corridors, r.circuits, r.connectivity, r.pressure)
    r.pinch_points = step("pinch_points", find_pinch_points, r.circuits, r.corridors, r.ranking, grid, cfg)
    r.borders = step("border_accounting", account_borders, r.links, r.corridors, r.circuits, r.pinch_points,
                     r.ranking, grid, r.inputs)
    r.gaps = step("gaps", find_gaps, r.corridors, r.ranking, r.links, r.inputs, cfg)
    r.restoration = step("restoration", find_restoration_sites, r.links, r.ranking, r.gaps, grid, r.inputs, scenario)
    r.countries = step("countries", summarise_countries, r.ranking, r.borders, r.gaps, r.inputs, r.links, scenario)
    if scenario.uncertainty is not None:
        r.uncertainty = step("uncertainty", run_ensemble, r, ex)


def run_batch(scenarios: list[Scenario | str | Path], outs: list[str | Path], *, overwrite: bool = False,
              workers: int | None = None, scheduler: str | None = None) -> list[RunResult | SpeciesRuns]:
    """Run several scenarios, one task each on the executor (serial or dask); results in order."""
    if len(scenarios) != len(outs):
        raise InputError(f"{len(scenarios)} scenarios but {len(outs)} output folders; give one folder per scenario")
    scenarios = [Scenario.default() if s is None else s if isinstance(s, Scenario) else Scenario.from_toml(s)
                 for s in scenarios]
    items = [(s, str(o)) for s, o in zip(scenarios, outs)]
    targets = [_prepare_out(o, overwrite, _input_paths(s)) for s, o in items]
    twice = sorted({str(t) for t in targets if targets.count(t) > 1})
    if twice:
        raise InputError(f"output folder {twice[0]} is given to more than one scenario; give each its own folder")
    with Executor(workers, scheduler) as ex:
        return ex.map(_batch_one, items, shared={"overwrite": overwrite}, desc="scenarios")


def _batch_one(item, *, overwrite: bool) -> RunResult | SpeciesRuns:
    scenario, out = item
    return run_scenario(scenario, out, overwrite=overwrite, progress=False)
