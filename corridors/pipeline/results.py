"""What a run produces: each stage's typed result (:class:`StageResults`, handed to the outputs)
and the summary returned to the caller (:class:`RunResult`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["StageResults", "RunResult", "SpeciesRuns"]


@dataclass
class StageResults:
    """The result of every stage of one run, filled in stage order (None until run).

    scenario : the resolved Scenario; inputs : RunInputs; resistance : Resistance; nodes : NodeSet;
    links : LinkSet; corridors : CorridorSet; circuits : CircuitSet; adjoining : Adjoining;
    connectivity : Connectivity; pressure : per-link pressure table; ranking : the ranked
    transboundary links (DataFrame, as in ranking.csv); domestic : the domestic links; pinch_points : PinchPoints; borders : BorderAccount;
    gaps : Gaps; restoration : Restoration (barrier analysis and sites of the top links);
    countries : the per-country table; uncertainty : the ensemble
    (:class:`~.uncertainty.Ensemble`; None without ``[uncertainty]``); flyway : the flyway model
    (:class:`~.stages.flyway.Flyway`) of a flyway run, whose stages from ``resistance`` on stay None.
    """

    scenario: Any
    inputs: Any = None
    resistance: Any = None
    nodes: Any = None
    links: Any = None
    corridors: Any = None
    circuits: Any = None
    adjoining: Any = None
    connectivity: Any = None
    pressure: pd.DataFrame | None = None
    ranking: pd.DataFrame | None = None
    domestic: pd.DataFrame | None = None
    pinch_points: Any = None
    borders: Any = None
    gaps: Any = None
    restoration: Any = None
    countries: pd.DataFrame | None = None
    uncertainty: Any = None
    flyway: Any = None


@dataclass
class RunResult:
    """What :func:`~corridors.pipeline.run_scenario` produced.

    out : the output folder; ranking : the ranked link table (as in ranking.csv); gaps, unlinked,
    pinch_points : the gap tables; timings : seconds per stage; total_s : whole run;
    files : names written in ``out``; rank_uncertainty : the ensemble's rank table (as in
    rank_uncertainty.csv; None without ``[uncertainty]``); flyway : a flyway run's site ranking
    (:func:`corridors.flyway.site_ranking`, ``flyway_ranking.csv``'s columns first), whose
    ranking, gaps, unlinked and pinch_points are None; species : the species profile.
    """

    out: Path
    ranking: pd.DataFrame | None
    gaps: pd.DataFrame | None
    unlinked: pd.DataFrame | None
    pinch_points: pd.DataFrame | None
    timings: dict[str, float]
    total_s: float
    files: list[str] = field(default_factory=list)
    rank_uncertainty: pd.DataFrame | None = None
    flyway: pd.DataFrame | None = None
    species: str = ""

    @classmethod
    def from_stages(cls, out: Path, r: StageResults, timings: dict[str, float], total_s: float,
                    files: list[str]) -> "RunResult":
        def table(gdf) -> pd.DataFrame:
            return pd.DataFrame(gdf.drop(columns="geometry"))

        species = r.inputs.profile.name
        if r.flyway is not None:
            return cls(out=out, ranking=None, gaps=None, unlinked=None, pinch_points=None, timings=timings,
                       total_s=total_s, files=files, flyway=r.flyway.ranking, species=species)
        return cls(out=out, ranking=r.ranking, gaps=table(r.gaps.gaps), unlinked=table(r.gaps.unlinked),
                   pinch_points=table(r.pinch_points.points), timings=timings, total_s=total_s, files=files,
                   rank_uncertainty=None if r.uncertainty is None else r.uncertainty.table, species=species)


@dataclass
class SpeciesRuns:
    """What :func:`~corridors.pipeline.run_scenario` produced for several species
    (``species.profile`` a list or ``'all'``).

    out : the output folder; runs : ``{species: RunResult}``, each run in ``out / species``;
    failed : ``{species: message}`` of the species with no viable link (no folder of their own);
    summary : one row per species (``species_summary.csv``); total_s : the whole run, seconds;
    files : the names written at the top of ``out``.
    """

    out: Path
    runs: dict[str, RunResult]
    failed: dict[str, str]
    summary: pd.DataFrame
    total_s: float
    files: list[str] = field(default_factory=list)
