"""The main job: scenario -> one output folder (built in a temporary folder, renamed on success).

:func:`_run` lists the stages (:mod:`.stages`, one module each, typed result in, typed result out)
and then the outputs (:mod:`.outputs`): inputs -> resistance -> links (cores, border reserves,
candidate pairs, least-cost links) -> corridors -> circuits per link -> centrality -> ranking ->
pinch points -> gaps -> outputs (GeoPackage, styles, QGIS project, COGs, CSV) -> report (resolved
scenario, HTML) -> manifest. To add a stage: write ``stages/<name>.py``, export it from
``stages/__init__.py``, add one line here and a field to :class:`~.results.StageResults`.
"""

from __future__ import annotations

import logging
import shutil
import sys
import tempfile
from contextlib import nullcontext
from pathlib import Path

from ..errors import InputError, OutputExistsError
from ..parallel import Executor
from ..scenario import Scenario
from .outputs import input_records, write_outputs, write_report, write_run_manifest
from .outputs.manifest import Timer
from .results import RunResult, StageResults
from .stages import (
    account_borders,
    build_corridors,
    build_resistance,
    find_gaps,
    find_links,
    find_pinch_points,
    load_inputs,
    rank_corridors,
    reserve_centrality,
    solve_circuits,
    summarise_countries,
)

__all__ = ["run_scenario", "RunResult", "run_batch"]

log = logging.getLogger("corridors.pipeline")


def _prepare_out(out: Path, overwrite: bool) -> None:
    if out.exists():
        if not out.is_dir():
            raise OutputExistsError(f"{out}: exists and is not a folder; choose another --out")
        if any(out.iterdir()) and not overwrite:
            raise OutputExistsError(f"{out}: folder exists and is not empty; pass --overwrite to replace it or choose another --out")
    out.parent.mkdir(parents=True, exist_ok=True)


class _Steps:
    """Runs the stages one by one: logs each, times it, and moves a tqdm bar (when ``progress``)."""

    COUNT = 13  # stages and output steps in :func:`_run`, for the bar's length

    def __init__(self, progress: bool):
        self.timer = Timer()
        self.bar = None
        if progress:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=self.COUNT, desc="corridors run", unit="step", leave=False)

    def run(self, name: str, func, *args):
        log.info("step: %s", name)
        if self.bar is not None:
            self.bar.set_postfix_str(name)
        with self.timer(name):
            result = func(*args)
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
                 executor: Executor | None = None) -> RunResult:
    """Run a scenario into the folder ``out``.

    Parameters
    ----------
    scenario : Scenario, path of a TOML file, or None for the embedded North-East Asia default.
    out : output folder; refused if it exists and is not empty, unless ``overwrite``.
    workers : start a dask LocalCluster with this many worker processes (None/0: serial).
    scheduler : address of an existing dask scheduler (overrides ``workers``).
    progress : show progress bars (default: when stderr is a terminal).
    executor : an already started :class:`Executor` to reuse (batch runs).

    Returns
    -------
    RunResult

    Notes
    -----
    Everything is written to a temporary folder beside ``out`` and renamed into place when the
    run succeeds; on any error the temporary folder is removed, so nothing is left behind.
    """
    if scenario is None:
        scenario = Scenario.default()
    elif not isinstance(scenario, Scenario):
        scenario = Scenario.from_toml(scenario)
    scenario = scenario.resolved()
    out = Path(out)
    _prepare_out(out, overwrite)
    if progress is None:
        progress = sys.stderr.isatty()
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    handler = logging.FileHandler(tmp / "corridors.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger("corridors")
    old_level = root.level
    # the log file gets INFO and up; console handlers keep the level the CLI gave them
    console = [(h, h.level) for h in root.handlers]
    for h, _ in console:
        if h.level == logging.NOTSET:
            h.setLevel(old_level or logging.WARNING)
    root.addHandler(handler)
    root.setLevel(min(old_level or logging.WARNING, logging.INFO))
    own_executor = executor is None
    ex = executor or Executor(workers, scheduler, progress=progress)
    try:
        log.info("scenario %r -> %s", scenario.name, out)
        with ex if own_executor else nullcontext(ex):
            result = _run(scenario, tmp, ex, progress)
        root.removeHandler(handler)
        handler.close()
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
        result.out = out
        return result
    except BaseException:
        root.removeHandler(handler)
        handler.close()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        root.setLevel(old_level)
        for h, level in console:
            h.setLevel(level)


def _run(scenario: Scenario, folder: Path, ex: Executor, progress: bool) -> RunResult:
    """The stages in order, then the outputs; ``scenario`` is resolved."""
    steps = _Steps(progress)
    p, cfg = scenario.parameters, scenario.ranking
    r = StageResults(scenario)
    with steps:
        r.inputs = steps.run("inputs", load_inputs, scenario)
        r.resistance = steps.run("resistance", build_resistance, r.inputs, scenario.edits)
        grid = r.resistance.grid
        r.links = steps.run("links", find_links, grid, r.inputs.pas, r.inputs.borders, p, ex)
        r.corridors = steps.run("corridors", build_corridors, r.links, grid, p.corridor_width)
        r.circuits = steps.run("circuits", solve_circuits, grid, r.corridors, p.graph, ex)
        r.centrality = steps.run("centrality", reserve_centrality, r.links, r.circuits, r.inputs.pas)
        r.ranking = steps.run("ranking", rank_corridors, r.centrality, r.corridors, cfg.weights)
        r.pinch_points = steps.run("pinch_points", find_pinch_points, r.circuits, r.corridors, r.ranking, grid, cfg)
        r.borders = steps.run("border_accounting", account_borders, r.links, r.corridors, r.circuits,
                              r.pinch_points, r.ranking, grid, r.inputs)
        r.gaps = steps.run("gaps", find_gaps, r.corridors, r.ranking, r.links, r.inputs, cfg)
        r.countries = steps.run("countries", summarise_countries, r.ranking, r.borders, r.gaps, r.inputs)
        files = steps.run("outputs", write_outputs, folder, r)
        inputs = input_records(r)  # each input file hashed once, for the header and the manifest
        files += steps.run("report", write_report, folder, r, dict(steps.timings), inputs)
    files += ["manifest.json", "corridors.log"]
    write_run_manifest(folder, r, inputs=inputs, timings=dict(steps.timings), total_s=steps.total,
                       executor=ex.describe(), files=files)
    log.info("done in %.1f s: %d links ranked, %d gaps, %d unlinked pairs", steps.total, len(r.ranking),
             len(r.gaps.gaps), len(r.gaps.unlinked))
    return RunResult.from_stages(folder, r, dict(steps.timings), steps.total, files)


def run_batch(scenarios: list[Scenario | str | Path], outs: list[str | Path], *, overwrite: bool = False,
              workers: int | None = None, scheduler: str | None = None) -> list[RunResult]:
    """Run several scenarios, one task each on the executor (serial or dask); results in order."""
    if len(scenarios) != len(outs):
        raise InputError(f"{len(scenarios)} scenarios but {len(outs)} output folders; give one folder per scenario")
    items = [(s, str(o)) for s, o in zip(scenarios, outs)]
    for _, o in items:
        _prepare_out(Path(o), overwrite)
    with Executor(workers, scheduler) as ex:
        return ex.map(_batch_one, items, shared={"overwrite": overwrite}, desc="scenarios")


def _batch_one(item, *, overwrite: bool) -> RunResult:
    scenario, out = item
    return run_scenario(scenario, out, overwrite=overwrite, progress=False)
