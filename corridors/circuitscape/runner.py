"""Run a Circuitscape job (config -> solve -> Circuitscape's output files).

:func:`run` dispatches on ``data_type`` and ``scenario``; raster jobs use
:mod:`corridors.circuit` (C1's raster circuit core), network jobs
:mod:`corridors.circuit.network`. Outputs carry Circuitscape's names and formats
(:mod:`corridors.circuitscape.writers`) and each file is written atomically.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from rasters.atomic import output_files

from ..errors import ConfigError, OutputExistsError
from .config import CircuitscapeConfig, load_config
from .map_pool import MapPool
from .writers import ascii_grid_bytes, atomic_write_bytes, atomic_write_text

__all__ = ["run", "RunSummary", "SOLVER_METHODS", "OUTPUT_PATTERN", "solver_method"]

log = logging.getLogger(__name__)

#: Circuitscape solver name -> corridors.circuit.solvers method. Circuitscape's direct solvers
#: (CHOLMOD, MKL Pardiso, Apple Accelerate) all ask for an exact sparse factorisation: ``direct``
#: resolves to the fastest direct backend installed here (cholmod, cholespy, pardiso, splu).
SOLVER_METHODS = {
    "cholmod": "direct",
    "pardiso": "direct",
    "accelerate": "direct",
    "cg+amg": "cg+amg",
}


def solver_method(name: str) -> str:
    """The :func:`corridors.circuit.solvers.make_solver` method for a Circuitscape solver name."""
    from ..circuit.solvers import METHODS, available_methods

    if name in SOLVER_METHODS:
        name = SOLVER_METHODS[name]
    if name == "direct":
        from ..circuit.solvers import DIRECT

        return next(m for m in DIRECT if m in available_methods())
    if name not in METHODS:
        raise ConfigError(f"unknown solver {name!r}; use one of {', '.join(METHODS)}")
    return name

#: Every name Circuitscape writes after ``<prefix>``; used to refuse overwriting earlier results.
OUTPUT_PATTERN = re.compile(
    r"_(resistances(_3columns)?\.out|(cum_|max_)?curmap(_[-\d_]+)?\.(asc|tif)|curmap_max\.asc|"
    r"voltmap(_[-\d_]+)?\.(asc|tif)|voltages(_\d+_\d+)?\.txt|"
    r"(branch|node)_currents(_\d+_\d+|_cum)?\.txt)$"
)


@dataclass
class RunSummary:
    """What a run did: mode, solver, files written, seconds, mode-specific counts.

    ``result`` is the solver's own result object in full precision (e.g. the pairwise resistance
    matrix before it is printed with 10 significant digits).
    """

    config: CircuitscapeConfig
    method: str
    files: list = field(default_factory=list)
    seconds: float = 0.0
    counts: dict = field(default_factory=dict)
    result: object = field(default=None, repr=False)
    write_seconds: float = 0.0

    def lines(self) -> list[str]:
        c = self.config
        out = [
            f"{c.data_type} {c.scenario}: {c.habitat_file.name}, solver {c.solver} -> {self.method}",
            ", ".join(f"{k} {v}" for k, v in self.counts.items()),
            f"wrote {len(self.files)} files to {c.output_prefix.parent} "
            f"({c.output_prefix.name}_*) in {self.seconds:.2f} s",
        ]
        if c.print_timings:
            out.append(f"timings: total {self.seconds:.2f} s, reading and solving "
                       f"{self.seconds - self.write_seconds:.2f} s, writing outputs "
                       f"{self.write_seconds:.2f} s (wall time the main thread waited)")
        return [line for line in out if line]


class _Sink:
    """Collects output names and writes each file atomically into the staging folder: text files
    at once, maps on the writer threads of a :class:`~.map_pool.MapPool` (see :meth:`ascii_map`,
    :meth:`tif_map`). ``files`` holds the final paths (beside ``prefix``)."""

    def __init__(self, staging: Path, prefix: Path, workers: int | None = None):
        self.staging = staging
        self.prefix = prefix
        self.files: list[Path] = []
        self.seconds = 0.0
        self.pool = MapPool(workers)

    def path(self, suffix: str) -> Path:
        """Where the file is written now (the staging folder)."""
        return self.staging / (self.prefix.name + suffix)

    def final(self, suffix: str) -> Path:
        """Where the file is once the run succeeded."""
        return self.prefix.with_name(self.prefix.name + suffix)

    def __call__(self, suffix: str, text: str) -> None:
        t0 = time.perf_counter()
        path = self.path(suffix)
        atomic_write_text(path, text)
        self.files.append(self.final(suffix))
        self.seconds += time.perf_counter() - t0

    def ascii_map(self, suffix: str, values, meta) -> None:
        """Queue an Esri ASCII grid (Circuitscape's digits) for a writer thread."""
        path = self.path(suffix)
        self.files.append(self.final(suffix))
        self.pool.submit(lambda: atomic_write_bytes(path, ascii_grid_bytes(values, meta)))

    def tif_map(self, suffix: str, grid) -> None:
        """Queue a GeoTIFF (``grid``: a :class:`rasters.Grid` with the map's values)."""
        from rasters.io import write

        path = self.path(suffix)
        self.files.append(self.final(suffix))
        self.pool.submit(lambda: write(grid, path, cog=False, overwrite=True))

    def close(self, ok: bool = True) -> None:
        """Wait for the queued maps (``ok``) or drop those not started; raise a writer's error."""
        self.pool.close(wait=True, _raise=ok)
        self.seconds += self.pool.wait_seconds


def _owned(stem: str):
    """Whether a file name is one Circuitscape writes for output prefix ``stem``."""
    return lambda name: name.startswith(stem) and OUTPUT_PATTERN.fullmatch(name[len(stem):]) is not None


def _existing_outputs(prefix: Path) -> list[Path]:
    folder = prefix.parent
    if not folder.is_dir():
        return []
    owned = _owned(prefix.name)
    return sorted(p for p in folder.iterdir() if owned(p.name))


def _input_files(cfg: CircuitscapeConfig) -> list[Path]:
    import dataclasses

    return [v for f in dataclasses.fields(cfg) if f.name.endswith("_file") and f.name != "output_file"
            and isinstance(v := getattr(cfg, f.name), Path)]


def run(config, *, base_dir=None, overwrite: bool = False, method: str | None = None,
        strict: bool = False, map_workers: int | None = None) -> RunSummary:
    """Run a Circuitscape job and write its outputs.

    Parameters
    ----------
    config : CircuitscapeConfig or path-like
        A parsed config, or an INI file to parse with :func:`load_config`.
    base_dir : path-like, optional
        Folder for relative paths when ``config`` is a file (default: current directory).
    overwrite : bool
        Replace outputs of an earlier run with the same ``output_file``; without it an existing
        output is an :class:`~corridors.errors.OutputExistsError`.
    method : str, optional
        Override the solver (a :func:`corridors.circuit.solvers.make_solver` method); default
        maps the INI's ``solver`` through :data:`SOLVER_METHODS`.
    strict : bool
        When ``config`` is a file: refuse keys no Circuitscape version knows (see
        :func:`~corridors.circuitscape.load_config`).
    map_workers : int or None
        Threads that format and write maps while the solver runs (default: the usable cores,
        at most 4; 0 writes on the calling thread).

    Returns
    -------
    RunSummary
    """
    cfg = config if isinstance(config, CircuitscapeConfig) else load_config(
        config, base_dir=base_dir, strict=strict)
    method = solver_method(method or cfg.solver)
    prefix = cfg.output_prefix
    if not overwrite:
        old = _existing_outputs(prefix)
        if old:
            raise OutputExistsError(
                f"{len(old)} output file(s) of an earlier run exist, e.g. {old[0]}; "
                "pass overwrite=True or change output_file"
            )
    t0 = time.perf_counter()
    # staged in a hidden folder inside the output folder, moved in when every file is written
    with output_files(prefix.parent, prefix=prefix.name, owned=_owned(prefix.name), overwrite=overwrite,
                      inputs=_input_files(cfg)) as staging:
        sink = _Sink(staging, prefix, map_workers)
        try:
            if cfg.is_network:
                from .network_io import run_network

                counts, result = run_network(cfg, sink, method)
            else:
                from .raster_io import run_raster

                counts, result = run_raster(cfg, sink, method)
        except BaseException:
            sink.close(ok=False)
            raise
        sink.close()  # every map written before the staging folder moves in
    summary = RunSummary(cfg, method, sink.files, time.perf_counter() - t0, counts, result, sink.seconds)
    for line in summary.lines():
        log.info(line)
    return summary
