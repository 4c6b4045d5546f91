"""One ensemble member: the stages that depend on the resistance surface, rerun on a perturbed
resistance table, by the same stage functions :func:`corridors.pipeline.run._run` calls.

The inputs (land cover, reserves, countries, borders) are read once and shared by every member;
a member changes only the resistance table (and, if asked, ``max_cost_distance``) and reruns
the chain of :func:`~corridors.pipeline.chain.resistance_chain` (resistance -> ... -> ranking).
"""

from __future__ import annotations

import dataclasses
import logging
from contextlib import contextmanager
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from ...errors import NoViableLinkError
from ...parallel import Executor
from ..chain import resistance_chain
from ..results import StageResults
from .sampling import MemberDraw, member_table

__all__ = ["MemberResult", "resistance_stages", "run_member", "portable_inputs"]

log = logging.getLogger(__name__)

@dataclass
class MemberResult:
    """What one member gives the summary.

    member : index; links : its ranked links (``From_PA``, ``To_PA``, ``Rank``; the ranking
    stage's table, reduced); corridor_cells : sorted flat indices (int64) of the cells that lie
    in any of its corridors; note : why it has no link ('' when it has).
    """

    member: int
    links: pd.DataFrame
    corridor_cells: np.ndarray
    note: str = ""


def resistance_stages(inputs, scenario, executor) -> StageResults:
    """The resistance-dependent stages of a run, in :func:`~corridors.pipeline.run._run`'s order.

    Parameters
    ----------
    inputs : RunInputs
        From :func:`~corridors.pipeline.stages.load_inputs` (shared by every member).
    scenario : Scenario
        Resolved.
    executor : Executor
        Runs the per-core and per-link fan-outs of the stages.

    Returns
    -------
    StageResults
        With ``inputs`` and every stage of :func:`~corridors.pipeline.chain.resistance_chain`
        filled in (the same chain the run calls).
    """
    r = StageResults(scenario)
    r.inputs = inputs
    return resistance_chain(r, executor)


def member_scenario(scenario, draw: MemberDraw):
    """The scenario of a member: ``max_cost_distance`` times the draw's dispersal factor, no
    ``[uncertainty]`` (a member is one deterministic run)."""
    p = scenario.parameters
    params = dataclasses.replace(p, max_cost_distance=p.max_cost_distance * draw.dispersal)
    return dataclasses.replace(scenario, parameters=params, uncertainty=None)


def run_member(draw: MemberDraw, *, inputs, scenario, threads: int = 1) -> MemberResult:
    """Run one member (module-level, so a dask worker can run it).

    ``threads``: threads of the member's own serial executor for the stages' fan-outs (1 on a
    dask worker, whose process is the unit of parallelism); results do not depend on it.

    A member whose perturbed resistances leave no viable link (the links stage's
    :class:`~corridors.errors.NoViableLinkError`) is kept with no links and the error's message as its
    ``note``; the summary counts every link as not viable in it. Every other error is raised.
    """
    inputs_m = dataclasses.replace(inputs, table=member_table(inputs.table, draw))
    scenario_m = member_scenario(scenario, draw)
    with _only_warnings(), Executor(threads=threads) as ex:
        try:
            r = resistance_stages(inputs_m, scenario_m, ex)
        except NoViableLinkError as exc:  # an outcome of the member; any other error stops the run
            log.warning("ensemble member %d has no viable link: %s", draw.member, exc)
            empty = pd.DataFrame({"From_PA": pd.Series([], dtype=str), "To_PA": pd.Series([], dtype=str),
                                  "Rank": pd.Series([], dtype=np.int64)})
            return MemberResult(draw.member, empty, np.zeros(0, np.int64), note=str(exc))
    links = r.ranking[["From_PA", "To_PA", "Rank"]].reset_index(drop=True)
    cells = np.flatnonzero(np.isfinite(np.asarray(r.corridors.mosaic.values, dtype=np.float32))).astype(np.int64)
    return MemberResult(draw.member, links, cells)


@contextmanager
def _only_warnings():
    """A member's stages log warnings, not their INFO lines (100 members would bury the run's log)."""
    root = logging.getLogger("corridors")
    old = root.level
    root.setLevel(logging.WARNING)
    try:
        yield
    finally:
        root.setLevel(old)


def _plain(value):
    if isinstance(value, MappingProxyType):
        return {k: _plain(v) for k, v in value.items()}
    return value


def portable_inputs(inputs):
    """``inputs`` with the species profile's read-only mappings as dicts, so it pickles (a dask
    cluster receives it once per ensemble); every value is the same."""
    prof = inputs.profile
    if prof is None or not dataclasses.is_dataclass(prof):
        return inputs
    changes = {f.name: _plain(getattr(prof, f.name)) for f in dataclasses.fields(prof)
               if isinstance(getattr(prof, f.name), MappingProxyType)}
    return dataclasses.replace(inputs, profile=dataclasses.replace(prof, **changes))
