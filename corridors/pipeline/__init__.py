"""The main job: one scenario in, one output folder out.

:mod:`.run` lists the stages (:mod:`.stages`, one module per step) and hands their results to
:mod:`.outputs` (layers, rasters, QGIS project and styles, report, manifest); :mod:`.compare`
compares two run folders.
"""

from ..parallel import Executor
from .compare import CompareResult, compare_runs
from .results import RunResult, SpeciesRuns, StageResults
from .run import run_batch, run_scenario

__all__ = ["run_scenario", "run_batch", "RunResult", "SpeciesRuns", "StageResults", "compare_runs", "CompareResult",
           "Executor"]
