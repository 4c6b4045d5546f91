"""The ensemble stage: draw the members, run them on the executor, summarise ranks and corridors."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .member import MemberResult, portable_inputs, run_member
from .sampling import MemberDraw, draw_members
from .summary import corridor_frequency, member_summary, rank_uncertainty, robust_corridors

__all__ = ["Ensemble", "run_ensemble", "ensemble_from_members"]

log = logging.getLogger(__name__)


@dataclass
class Ensemble:
    """Result of :func:`run_ensemble`.

    config : the scenario's Uncertainty section; draws : one MemberDraw per member;
    results : one MemberResult per member (same order); table : rank_uncertainty.csv (DataFrame);
    members : ensemble_members.csv (per member: draws, viable links, Spearman with the
    deterministic ranking); counts : int32 array, per cell the members whose corridors hold it;
    frequency : float32 Grid, counts / members (0..1, NaN where the resistance is nodata);
    robust : GeoDataFrame of the robust corridors (frequency >= ``config.robust_share``).
    """

    config: Any
    draws: list[MemberDraw]
    results: list[MemberResult]
    table: pd.DataFrame
    members: pd.DataFrame
    counts: np.ndarray
    frequency: Any
    robust: Any


def run_ensemble(r, executor) -> Ensemble | None:
    """Run the scenario's ``[uncertainty]`` ensemble after the deterministic stages.

    Parameters
    ----------
    r : StageResults
        The run so far (inputs, resistance, ranking at least); its scenario is resolved.
    executor : Executor
        Members are its tasks (one per member; ``--workers`` / ``--scheduler`` spread them over
        processes); a member's own fan-outs run serially inside it. When the executor shows
        progress bars, its bar counts the members.

    Returns
    -------
    Ensemble, or None when the scenario has no ``[uncertainty]`` section.

    Notes
    -----
    What every member shares is built once (the inputs: land cover, reserves, countries,
    borders) and sent to a cluster once; each member rebuilds the resistance from its perturbed
    table and reruns the stages that depend on it (:func:`~.member.resistance_stages`). Draws
    depend only on the seed and the member's index, and results come back in member order, so
    a serial run and a dask run write identical files. Time: members x the resistance-dependent
    stages of one run (about 1 s CPU each on the 5 km default grid), divided by the workers.
    """
    cfg = r.scenario.uncertainty
    if cfg is None:
        return None
    profile_ranges = (r.inputs.profile.resistance_uncertainty
                      if r.scenario.inputs.resistance_table is None else None)
    draws = draw_members(cfg, r.inputs.table, profile_ranges)
    shared = {"inputs": portable_inputs(r.inputs), "scenario": r.scenario,
              "threads": 1 if executor.is_distributed else executor.threads}
    log.info("uncertainty: %d members (seed %d) on %s", cfg.members, cfg.seed, executor.kind)
    results = executor.map(run_member, draws, shared=shared, desc="uncertainty members")
    ens = ensemble_from_members(r, cfg, draws, results)
    n = ens.members["N_Viable"]
    log.info("uncertainty: viable links per member %d-%d (deterministic %d); %d robust corridor patches",
             n.min(), n.max(), len(r.ranking), len(ens.robust))
    return ens


def ensemble_from_members(r, cfg, draws: list[MemberDraw], results: list[MemberResult]) -> Ensemble:
    """Summarise members' results against the deterministic run ``r`` (see :mod:`.summary`)."""
    from ...datasets import LANDCOVER_CLASSES

    grid = r.resistance.grid
    det = r.ranking
    table = rank_uncertainty(det, [m.links for m in results], r.inputs.pas)
    members = member_summary(draws, results, det, dict(LANDCOVER_CLASSES))
    valid = np.isfinite(grid.masked_float(np.float32))
    counts, freq = corridor_frequency(results, grid.shape, valid)
    frequency = grid.with_values(freq, nodata=np.nan, name="corridor frequency")
    robust = robust_corridors(counts, len(results), cfg.robust_share, grid)
    return Ensemble(cfg, list(draws), list(results), table, members, counts, frequency, robust)
