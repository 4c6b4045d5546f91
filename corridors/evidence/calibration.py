"""Calibration: fit one resistance per land-cover class to pairwise genetic distances.

The objective is the MLPE log-likelihood (:func:`corridors.evidence.mlpe`, ML) of genetic
distance on the standardised landscape distance (cost-weighted or effective resistance) between
the samples, over the log10 resistances of the classes relative to a reference class (fixed at 1:
only ratios matter once the distance is standardised). The optimiser is SciPy's differential
evolution (Storn & Price 1997, Journal of Global Optimization 11:341), seeded, whose initial
population holds the candidate surfaces of the fit table (distance only, each species profile,
each single class raised or lowered) plus a Latin hypercube; its population is evaluated in
parallel on :class:`corridors.parallel.Executor` (serial or dask). A compass search
(Kolda, Lewis & Torczon 2003, SIAM Review 45:385), also in parallel batches, polishes the best
point. Surfaces whose fitted slope is not positive (genetic distance falling with landscape
distance) are scored with the intercept-only likelihood, so they can never be selected.

The same approach, with a genetic algorithm, is ResistanceGA's (Peterman 2018, Methods in
Ecology and Evolution 9:1638); model selection by AICc as there (n = number of samples).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..errors import InputError
from ..graph_options import GraphOptions
from .landscape import DISTANCE_KINDS, landscape_distances
from .matrix_tests import mantel, upper_triangle
from .mixed_model import MLPEResult, _aicc, mlpe, pair_index
from .samples import as_samples, sample_cells

__all__ = ["calibrate", "CalibrationResult"]

log = logging.getLogger("corridors.evidence")


@dataclass(frozen=True)
class _Problem:
    """Everything one evaluation needs (sent to dask workers once per batch)."""

    codes: np.ndarray  # land-cover codes, int32; -1 = nodata
    class_codes: np.ndarray  # fitted codes, in the order of the log10 vectors
    cells: np.ndarray
    cellsize: float
    kind: str
    graph: GraphOptions  # neighbours and solver of the landscape distances
    y: np.ndarray  # genetic distance, upper triangle
    pairs: np.ndarray
    ll_null: float
    permutations: int
    seed: int

    def resistance(self, log10: np.ndarray) -> np.ndarray:
        lut = np.full(int(self.codes.max()) + 2, np.nan)
        lut[self.class_codes] = 10.0 ** np.asarray(log10, dtype=np.float64)
        return lut[self.codes]  # code -1 reads the last entry, NaN


def _evaluate(log10, *, problem: _Problem, mantel_test: bool = False, keep_distance: bool = False) -> dict:
    """MLPE fit of the genetic distances on the surface ``10 ** log10`` (one value per class)."""
    from threadpoolctl import threadpool_limits

    from ..circuit.solvers import load_backends

    load_backends()  # so that threadpool_limits sees the solver's BLAS
    res = problem.resistance(log10)
    # one BLAS thread: the same digits serially and on dask workers, and no oversubscription
    # (multi-threaded BLAS made SuperLU's multi-column solves 20x slower on a busy 2-core machine)
    with threadpool_limits(limits=1):
        d = landscape_distances(res, problem.cells, kind=problem.kind, cellsize=problem.cellsize,
                                neighbours=problem.graph.neighbours, solver=problem.graph.solver)
    x = upper_triangle(d, "landscape distance")
    out: dict[str, Any] = {"log10": np.asarray(log10, float)}
    sd = x.std()
    if not sd > 0:
        out.update(loglik=problem.ll_null, effective=problem.ll_null, slope=0.0, slope_se=float("nan"),
                   r2m=0.0, rho=float("nan"), mantel_r=float("nan"), mantel_p=float("nan"))
        return out
    fit = mlpe(problem.y, (x - x.mean()) / sd, pairs=problem.pairs, names=["distance"])
    slope = fit.coefficient("distance")
    out.update(loglik=fit.loglik, effective=fit.loglik if slope > 0 else problem.ll_null, slope=slope,
               slope_se=float(fit.standard_errors[1]), r2m=fit.r2_marginal, rho=fit.rho)
    if mantel_test:
        n = problem.cells.size
        gen = np.zeros((n, n))
        iu, ju = np.triu_indices(n, 1)
        gen[iu, ju] = gen[ju, iu] = problem.y
        out["mantel_r"], out["mantel_p"] = mantel(gen, d, permutations=problem.permutations, seed=problem.seed)
    else:
        out["mantel_r"] = float(np.corrcoef(problem.y, x)[0, 1])
        out["mantel_p"] = float("nan")
    if keep_distance:
        out["distance"] = d
        out["fit"] = fit
    return out


@dataclass
class CalibrationResult:
    """What :func:`calibrate` found.

    Attributes
    ----------
    resistance : dict {code: float}
        Fitted resistance per class, reference class = 1 (relative values).
    classes : dict {code: str}
        Class names.
    reference : int
        Code of the reference class.
    table : pandas.DataFrame
        One row per candidate surface: ``surface``, ``k``, ``loglik``, ``aicc``, ``delta_aicc``
        (to the best row), ``slope`` and ``slope_se`` (per standard deviation of landscape
        distance), ``r2m``, ``rho``, ``mantel_r``, ``mantel_p``, ``note``, and the resistances.
    fit : MLPEResult
        The MLPE fit at the calibrated surface.
    delta_aicc_vs_distance : float
        ``AICc(distance only) - AICc(calibrated)``: >= 2 is support for the fitted surface.
    supported : bool
        ``delta_aicc_vs_distance >= 2`` and a positive slope.
    evaluations : pandas.DataFrame
        Every surface evaluated: ``stage``, the log10 resistances, ``loglik``, ``slope``.
    n_evaluations : int
        Landscape-distance computations done (each one pairwise distance matrix).
    distance : str
        ``"cost"`` or ``"resistance"``.
    landscape_distance : ndarray (n, n)
        At the calibrated surface (cost units or ohms).
    sample_ids : tuple of str
    seconds : float
    settings : dict
        Optimiser settings and seed, for the record.
    """

    resistance: dict
    classes: dict
    reference: int
    table: pd.DataFrame
    fit: MLPEResult
    delta_aicc_vs_distance: float
    supported: bool
    evaluations: pd.DataFrame
    n_evaluations: int
    distance: str
    landscape_distance: np.ndarray
    sample_ids: tuple
    seconds: float
    settings: dict = field(default_factory=dict)

    def ratio(self, a: int, b: int) -> float:
        """Fitted resistance of class ``a`` over class ``b``."""
        return self.resistance[a] / self.resistance[b]


def _class_table(classes, present) -> dict[int, str]:
    from ..datasets.species import LANDCOVER_CLASSES

    by_name = {v: k for k, v in LANDCOVER_CLASSES.items()}
    if isinstance(classes, Mapping):
        items = list(classes.items())
    else:
        items = []
        for c in classes:
            if isinstance(c, str) and not c.strip().lstrip("-").isdigit():
                if c not in by_name:
                    raise InputError(f"classes: unknown class name {c!r}; use codes or one of {list(by_name)}")
                items.append((by_name[c], c))
            else:
                code = int(c)
                items.append((code, LANDCOVER_CLASSES.get(code, f"class_{code}")))
    out: dict[int, str] = {}
    for code, name in items:
        try:
            code = int(code)
        except (TypeError, ValueError):
            raise InputError(f"classes: {code!r} is not a land-cover code") from None
        if code in out:
            raise InputError(f"classes: code {code} given twice")
        out[code] = str(name)
    if len(out) < 2:
        raise InputError(f"classes: give at least 2 classes to fit, got {list(out)}")
    missing = sorted(set(present) - set(out))
    if missing:
        raise InputError(f"the land cover holds class code(s) {missing} that are not in classes; "
                         "list every class present (codes present: {})".format(sorted(present)))
    absent = sorted(set(out) - set(present))
    if absent:
        raise InputError(f"classes: code(s) {absent} do not occur in the land cover; drop them")
    return dict(sorted(out.items()))


def _candidates(codes, ref_idx, bounds, profiles, single_log10) -> list[tuple[str, np.ndarray, int]]:
    """(label, full log10 vector, fitted parameters) of every candidate surface of the table."""
    lo, hi = bounds
    m = len(codes)
    out = [("distance only", np.zeros(m), 0)]
    for prof in profiles:
        table = prof.resistance_table()
        if not all(c in table for c in codes):
            continue
        v = np.log10(np.array([table[c] for c in codes], float))
        out.append((f"profile {prof.name}", np.clip(v - v[ref_idx], lo, hi), 0))
    for i, c in enumerate(codes):
        for s in single_log10:
            v = np.zeros(m)
            if i == ref_idx:
                v[:] = -s
                v[ref_idx] = 0.0
            else:
                v[i] = s
            out.append((f"single class {c}", np.clip(v, lo, hi), 1))
    return out


class _Evaluator:
    """Evaluate log10 vectors in batches on the executor, caching each point once."""

    def __init__(self, problem: _Problem, executor, bar):
        self.problem = problem
        self.ex = executor
        self.cache: dict[tuple, dict] = {}
        self.order: list[tuple[str, dict]] = []
        self.bar = bar

    @staticmethod
    def key(v) -> tuple:
        return tuple(np.round(np.asarray(v, float), 12))

    def run(self, vectors, stage: str, *, mantel_test: bool = False) -> list[dict]:
        todo, seen = [], set()
        for v in vectors:
            k = self.key(v)
            if k not in self.cache and k not in seen:
                seen.add(k)
                todo.append(np.asarray(v, float))
        if todo:
            res = self.ex.map(_evaluate, todo, shared={"problem": self.problem, "mantel_test": mantel_test},
                              desc=f"calibrate ({stage})")
            for v, r in zip(todo, res):
                self.cache[self.key(v)] = r
                self.order.append((stage, r))
            if self.bar is not None:
                self.bar.update(len(todo))
        return [self.cache[self.key(v)] for v in vectors]


def _compass(ev: _Evaluator, full, x0: np.ndarray, f0: float, lo: float, hi: float, rounds: int):
    """Parallel compass search: each round tries +/- step on every coordinate (one batch)."""
    x, f = x0.copy(), f0
    step = (hi - lo) / 10.0
    for _ in range(rounds):
        trial = []
        for i in range(x.size):
            for s in (step, -step):
                t = x.copy()
                t[i] = min(max(t[i] + s, lo), hi)
                if not np.array_equal(t, x):
                    trial.append(t)
        if not trial:
            break
        vals = [-r["effective"] for r in ev.run([full(t) for t in trial], "polish")]
        k = int(np.argmin(vals))
        if vals[k] < f - 1e-9:
            x, f = trial[k], vals[k]
        else:
            step /= 2.0
    return x, f


def calibrate(landcover, samples, genetic_distance, *, classes, distance: str = "resistance", seed: int = 0,
              reference=None, log10_bounds=(-2.0, 3.0), maxiter: int = 3, popsize: int | None = None,
              polish_rounds: int = 2, single_class_log10=(-1.0, 1.0, 2.0), profiles=None, neighbours: int = 8,
              solver: str = "auto", permutations: int = 999, executor=None, workers: int | None = None,
              progress: bool = False) -> CalibrationResult:
    """Fit the resistance of each land-cover class to pairwise genetic distances (MLPE, ML).

    Parameters
    ----------
    landcover : rasters.Grid
        Integer class codes on a projected grid (metres); nodata cells are barriers.
    samples : Samples, GeoDataFrame of points, or (n, 2) array of x, y in the grid's CRS
        Sample locations, in the order of ``genetic_distance`` (a :class:`Samples` is reordered
        to the ids of a labelled matrix).
    genetic_distance : array (n, n), or (ids, array) as from :func:`read_genetic_matrix`
        Symmetric pairwise genetic distances.
    classes : sequence of codes or names, or mapping {code: name}
        Every class present in the land cover (each gets one resistance).
    distance : {"resistance", "cost"}
        Effective resistance (circuit) or cost-weighted distance between samples.
    seed : int
        Seeds the optimiser, the Latin hypercube and the Mantel permutations.
    reference : code, optional
        Class fixed at resistance 1 (default: the first of ``classes``).
    log10_bounds : (float, float)
        Search range of log10(resistance / reference resistance) for the other classes.
    maxiter : int
        Differential-evolution generations after the initial population.
    popsize : int, optional
        Population = ``popsize x (classes - 1)`` members (SciPy's meaning); default: the
        candidate surfaces plus a Latin hypercube up to at least 8 and ``4 x (classes - 1)``.
    polish_rounds : int
        Rounds of the compass search after the evolution (``2 x (classes - 1)`` surfaces each).
    single_class_log10 : sequence of float
        Candidate single-class surfaces: one class at ``10 ** v`` times the others.
    profiles : sequence of SpeciesProfile, optional
        Candidate profile surfaces (default: every shipped profile giving all the classes).
    neighbours, solver
        Graph options (see :func:`corridors.effective_resistance`).
    permutations : int
        Mantel permutations for the table rows.
    executor : corridors.parallel.Executor, optional
        Where evaluations run (kept open); default a new one with ``workers`` processes.
    workers : int, optional
        Dask worker processes when no executor is given (None/0: serial).
    progress : bool
        Show a progress bar over the evaluations.

    Returns
    -------
    CalibrationResult

    Notes
    -----
    Evaluations: the candidate surfaces (1 + profiles + classes x len(single_class_log10)),
    ``maxiter`` generations of the population, ``polish_rounds x 2 (classes - 1)`` compass
    trials and one final fit, less the repeats (each surface is computed once). An evaluation
    is one pairwise distance matrix: n - 1 cost-distance searches, or one circuit reduction.
    k for AICc counts 2 fixed effects, 2 variances and the fitted resistances (classes - 1 for
    the calibrated surface, 1 for a single-class surface, 0 for fixed surfaces).
    """
    t0 = time.perf_counter()
    lo, hi = _check_settings(landcover, distance, log10_bounds, maxiter, polish_rounds)
    graph = GraphOptions(neighbours=neighbours, solver=solver)  # checked here, not on a worker
    codes_grid, present = _class_codes(landcover)
    cls = _class_table(classes, present)
    codes = list(cls)
    ref = _reference_code(cls, reference)
    ref_idx = codes.index(ref)
    free = [i for i in range(len(codes)) if i != ref_idx]

    smp, gmat = _matched_samples(samples, genetic_distance, landcover.crs)
    y = upper_triangle(gmat, "genetic distance")
    cells = sample_cells(landcover, smp)
    pairs = pair_index(len(smp))
    null = mlpe(y, None, pairs=pairs)
    problem = _Problem(codes_grid, np.array(codes, np.int64), cells, landcover.cellsize, distance, graph, y, pairs,
                       null.loglik, permutations, seed)
    if profiles is None:
        from ..datasets import species_names, species_profile

        profiles = [species_profile(n) for n in species_names()]
    cands = _candidates(codes, ref_idx, (lo, hi), profiles, tuple(single_class_log10))
    init = _initial_population(cands, free, (lo, hi), popsize, np.random.default_rng(seed))
    size, d = init.shape

    def full(xfree):
        v = np.zeros(len(codes))
        v[free] = xfree
        return v

    total = len(cands) + size * maxiter + polish_rounds * 2 * d + 1
    with _progress_bar(progress, total, distance) as bar, _open_executor(executor, workers) as ex:
        ev = _Evaluator(problem, ex, bar)
        cand_res = ev.run([v for _, v, _ in cands], "candidates", mantel_test=True)
        xbest, fbest = _evolve(ev, full, init, (lo, hi), maxiter, seed)
        # the best surface seen anywhere (DE reports its population's best)
        for stage, r in ev.order:
            if -r["effective"] < fbest - 1e-12:
                xbest, fbest = r["log10"][free], -r["effective"]
        xbest, fbest = _compass(ev, full, xbest, fbest, lo, hi, polish_rounds)
        final = _evaluate(full(xbest), problem=problem, mantel_test=True, keep_distance=True)
        if bar is not None:
            bar.update(1)

    names = [cls[c] for c in codes]
    table = _fit_table(null, cands, cand_res, final, cls, names, d, len(smp))
    aicc_dist = float(table.loc[table["surface"] == "distance only", "aicc"].iloc[0])
    aicc_cal = float(table.loc[table["surface"] == "calibrated", "aicc"].iloc[0])
    delta = aicc_dist - aicc_cal
    supported = bool(delta >= 2.0 and final["slope"] > 0)
    evals = pd.DataFrame([{"stage": s, **{f"log10_{nm}": float(v) for nm, v in zip(names, r["log10"])},
                           "loglik": r["loglik"], "slope": r["slope"]} for s, r in ev.order])
    resistance = {c: float(10.0 ** v) for c, v in zip(codes, final["log10"])}
    base_fit = final["fit"]
    fit = dataclasses.replace(base_fit, k=base_fit.k + d, aic=base_fit.aic + 2 * d, aicc=base_fit.aicc_with(d))
    seconds = time.perf_counter() - t0
    log.info("calibration (%s): %d evaluations in %.1f s; dAICc vs distance %.2f", distance, len(ev.order) + 1,
             seconds, delta)
    return CalibrationResult(
        resistance=resistance, classes=cls, reference=ref, table=table, fit=fit,
        delta_aicc_vs_distance=float(delta), supported=supported, evaluations=evals,
        n_evaluations=len(ev.order) + 1, distance=distance, landscape_distance=final["distance"],
        sample_ids=tuple(smp.ids), seconds=seconds,
        settings={"seed": seed, "log10_bounds": [lo, hi], "maxiter": maxiter, "population": size,
                  "polish_rounds": polish_rounds, "single_class_log10": list(single_class_log10),
                  "reference": ref, "neighbours": neighbours, "solver": solver, "permutations": permutations,
                  "optimiser": "scipy.optimize.differential_evolution (best1bin, deferred updating) + compass search"},
    )


def _check_settings(landcover, distance, log10_bounds, maxiter, polish_rounds) -> tuple[float, float]:
    """Check the land cover's type and CRS and the search settings; the log10 bounds (low, high)."""
    from rasters.grid import Grid

    if not isinstance(landcover, Grid):
        raise InputError("landcover must be a rasters.Grid (class codes with a projected CRS)")
    landcover.require_projected("calibration (distances in metres)")
    if distance not in DISTANCE_KINDS:
        raise InputError(f"distance = {distance!r}; choose one of {DISTANCE_KINDS}")
    lo, hi = (float(b) for b in log10_bounds)
    if not lo < hi:
        raise InputError(f"log10_bounds = {log10_bounds!r}; give (low, high) with low < high")
    if maxiter < 0 or polish_rounds < 0:
        raise InputError("maxiter and polish_rounds must be >= 0")
    return lo, hi


def _class_codes(landcover) -> tuple[np.ndarray, list[int]]:
    """Land-cover codes as int32 (-1 on nodata) and the sorted codes present; whole codes >= 0 only."""
    vals = landcover.values
    valid = landcover.valid_mask
    if vals.dtype.kind == "f" and np.any(vals[valid] != np.round(vals[valid])):
        raise InputError(f"{landcover.name}: land cover must hold whole class codes")
    codes_grid = np.where(valid, vals, -1).astype(np.int32)
    if codes_grid[valid].size and codes_grid[valid].min() < 0:
        raise InputError(f"{landcover.name}: negative class codes; recode classes to codes >= 0")
    return codes_grid, np.unique(codes_grid[valid]).tolist()


def _reference_code(cls: dict[int, str], reference) -> int:
    """The code of the reference class (a code or a name; default the first class)."""
    names_to_code = {v: k for k, v in cls.items()}
    if reference is None:
        ref = next(iter(cls))
    elif reference in names_to_code:
        ref = names_to_code[reference]
    else:
        try:
            ref = int(reference)
        except (TypeError, ValueError):
            ref = None
    if ref not in cls:
        raise InputError(f"reference = {reference!r} is not among the classes {list(cls)}")
    return ref


def _matched_samples(samples, genetic_distance, crs):
    """The samples (reordered to a labelled matrix's ids) and the genetic distance matrix, checked to match."""
    if isinstance(genetic_distance, tuple) and len(genetic_distance) == 2:
        ids, gmat = genetic_distance
        smp = as_samples(samples, crs)
        if smp.source != "array" and set(ids) <= set(smp.ids):
            smp = smp.reorder(ids)
    else:
        gmat = genetic_distance
        smp = as_samples(samples, crs)
    gmat = np.asarray(gmat, dtype=np.float64)
    if gmat.shape != (len(smp), len(smp)):
        raise InputError(f"genetic distance matrix is {gmat.shape}, but there are {len(smp)} samples")
    return smp, gmat


def _initial_population(cands, free, bounds, popsize, rng) -> np.ndarray:
    """Differential evolution's first population (members x free classes): the candidates, then a Latin hypercube."""
    from scipy.stats import qmc

    lo, hi = bounds
    d = len(free)
    cand_free = np.unique(np.array([v[free] for _, v, _ in cands]), axis=0)
    size = max(8, 4 * d, cand_free.shape[0]) if popsize is None else max(5, int(popsize) * d)
    if cand_free.shape[0] > size:
        # keep the distance-only surface and a seeded choice of the others
        zero = int(np.flatnonzero(~cand_free.any(axis=1))[0])
        rest = np.setdiff1d(np.arange(cand_free.shape[0]), [zero])
        keep = rng.choice(rest, size - 1, replace=False)
        cand_free = cand_free[np.r_[zero, np.sort(keep)]]
    extra = size - cand_free.shape[0]
    lhs = qmc.LatinHypercube(d=d, rng=rng).random(extra) * (hi - lo) + lo if extra > 0 else np.zeros((0, d))
    return np.vstack([cand_free, lhs])


@contextlib.contextmanager
def _progress_bar(progress: bool, total: int, distance: str):
    """A tqdm bar over ``total`` surfaces (None without ``progress``), closed on exit."""
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, desc=f"calibrate ({distance})", unit="surface", leave=False)
    try:
        yield bar
    finally:
        if bar is not None:
            bar.close()


@contextlib.contextmanager
def _open_executor(executor, workers):
    """The caller's executor (kept open), or a new one with ``workers`` processes closed on exit."""
    from ..parallel import Executor

    if executor is not None:
        yield executor
        return
    ex = Executor(workers, progress=False)
    try:
        ex.start()
        yield ex
    finally:
        ex.close()


def _evolve(ev: _Evaluator, full, init: np.ndarray, bounds, maxiter: int, seed: int):
    """Differential evolution from ``init`` (or just the best of ``init`` when ``maxiter`` is 0): (x, -effective)."""
    from scipy.optimize import differential_evolution

    lo, hi = bounds

    def mapper(func, xs):  # noqa: ARG001 - the objective is evaluated on the executor
        xs = [np.asarray(x, float) for x in xs]
        return [-r["effective"] for r in ev.run([full(x) for x in xs], "evolution")]

    def objective(x):
        return mapper(None, [x])[0]

    if maxiter > 0:
        de = differential_evolution(objective, [(lo, hi)] * init.shape[1], init=init, maxiter=maxiter, rng=seed,
                                    polish=False, updating="deferred", workers=mapper)
        return np.asarray(de.x, float), float(de.fun)
    energies = mapper(None, list(init))
    k = int(np.argmin(energies))
    return init[k], energies[k]


def _fit_table(null: MLPEResult, cands, cand_res, final: dict, cls, names, nfree: int, n: int) -> pd.DataFrame:
    """The model-selection table: null, candidate surfaces (best single-class variant each), calibrated."""
    rows = [{"surface": "null (intercept only)", "k": 3, "loglik": null.loglik, "aicc": null.aicc,
             "slope": float("nan"), "slope_se": float("nan"), "r2m": 0.0, "rho": null.rho,
             "mantel_r": float("nan"), "mantel_p": float("nan"), "note": "",
             **{f"R_{nm}": float("nan") for nm in names}}]

    def row(label, r, nfit):
        k = 4 + nfit
        note = "" if r["slope"] > 0 else "slope <= 0: not a resistance effect"
        return {"surface": label, "k": k, "loglik": r["loglik"], "aicc": _aicc(r["loglik"], k, n),
                "slope": r["slope"], "slope_se": r["slope_se"], "r2m": r["r2m"], "rho": r["rho"],
                "mantel_r": r["mantel_r"], "mantel_p": r["mantel_p"], "note": note,
                **{f"R_{nm}": float(10.0 ** v) for nm, v in zip(names, r["log10"])}}

    singles: dict[str, tuple] = {}
    for (label, _, nfit), r in zip(cands, cand_res):
        if label.startswith("single class"):
            best = singles.get(label)
            score = r["effective"]
            if best is None or score > best[0]:
                singles[label] = (score, r, nfit)
        else:
            rows.append(row(label, r, nfit))
    for label, (_, r, nfit) in singles.items():
        c = int(label.rsplit(" ", 1)[1])
        rows.append(row(f"single class {cls[c]}", r, nfit))
    rows.append(row("calibrated", final, nfree))
    table = pd.DataFrame(rows)
    ok = ~table["note"].astype(bool)
    table["delta_aicc"] = table["aicc"] - table.loc[ok, "aicc"].min()
    return table[["surface", "k", "loglik", "aicc", "delta_aicc", "slope", "slope_se", "r2m", "rho",
                  "mantel_r", "mantel_p", "note", *[f"R_{nm}" for nm in names]]]
