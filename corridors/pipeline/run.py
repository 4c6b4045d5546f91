"""The pipeline: scenario -> one output folder (built in a temporary folder, renamed on success).

Steps: inputs -> resistance -> cores, border reserves, candidate pairs, least-cost links and
corridors -> circuit per link (effective resistance, current) -> current-flow centrality ->
ranking -> gaps and pinch points -> outputs (GeoPackage, styles, QGIS project, COGs, CSV, report,
manifest, resolved scenario, log).
"""

from __future__ import annotations

import logging
import sys
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..scenario import Scenario
from .executor import Executor
from .manifest import Timer, file_record, write_manifest

__all__ = ["run_scenario", "RunResult", "run_batch"]

log = logging.getLogger("corridors.pipeline")


@dataclass
class RunResult:
    """What :func:`run_scenario` produced.

    out : the output folder; ranking : the ranked link table (as in ranking.csv); gaps, unlinked,
    pinch_points : the gap tables; timings : seconds per step; total_s : whole run;
    files : names written in ``out``.
    """

    out: Path
    ranking: pd.DataFrame
    gaps: pd.DataFrame
    unlinked: pd.DataFrame
    pinch_points: pd.DataFrame
    timings: dict[str, float]
    total_s: float
    files: list[str] = field(default_factory=list)


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
    """A tqdm bar over the pipeline's steps (shown when ``progress``)."""

    NAMES = ("inputs", "resistance", "links", "corridors", "circuits", "ranking", "gaps", "outputs", "report")

    def __init__(self, progress: bool):
        self.bar = None
        if progress:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=len(self.NAMES), desc="corridors run", unit="step", leave=False)

    def start(self, name: str) -> None:
        log.info("step: %s", name)
        if self.bar is not None:
            self.bar.set_postfix_str(name)

    def done(self) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def run_scenario(scenario: Scenario | str | Path | None, out: str | Path, *, overwrite: bool = False,
                 workers: int | None = None, scheduler: str | None = None, progress: bool | None = None,
                 executor: Executor | None = None) -> RunResult:
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

    Returns
    -------
    RunResult

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
    inputs = _input_paths(scenario)
    _prepare_out(out, overwrite, inputs)  # fail before starting a cluster
    if progress is None:
        progress = sys.stderr.isatty()
    own_executor = executor is None
    with output_folder(out, overwrite=overwrite, inputs=inputs, command="run") as tmp:
        with _log_to(tmp / "corridors.log"), _quiet_numeric_warnings():
            ex = executor or Executor(workers, scheduler, progress=progress)
            log.info("scenario %r -> %s", scenario.name, out)
            with ex if own_executor else nullcontext(ex):
                result = _run(scenario, tmp, ex, progress)
    result.out = Path(out)
    return result


@contextmanager
def _log_to(path: Path):
    """Send corridors' INFO and up to ``path`` while the block runs; console handlers keep their level."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger("corridors")
    old_level = root.level
    console = [(h, h.level) for h in root.handlers]
    for h, _ in console:
        if h.level == logging.NOTSET:
            h.setLevel(old_level or logging.WARNING)
    root.addHandler(handler)
    root.setLevel(min(old_level or logging.WARNING, logging.INFO))
    try:
        yield
    finally:
        root.removeHandler(handler)
        handler.close()
        root.setLevel(old_level)
        for h, level in console:
            h.setLevel(level)


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


def _run(scenario: Scenario, folder: Path, ex: Executor, progress: bool) -> RunResult:
    import geopandas as gpd
    import shapely

    from .centrality import current_flow_centrality
    from .circuits import link_tasks, solve_link
    from .gaps import mask_to_geometry, pinch_points, unprotected_stretches
    from .network import build_network, corridor_windows
    from .ranking import rank_links
    from .resistance import build_resistance, load_inputs

    timer = Timer()
    steps = _Steps(progress)
    p = scenario.parameters
    try:
        steps.start("inputs")
        with timer("inputs"):
            loaded = load_inputs(scenario)
        steps.done()

        steps.start("resistance")
        with timer("resistance"):
            resistance, edits = build_resistance(loaded, scenario)
        steps.done()
        grid = resistance
        crs = grid.crs
        cell_area_km2 = grid.cellsize ** 2 / 1e6

        steps.start("links")
        with timer("links"):
            network = build_network(
                resistance, loaded.pas, loaded.borders, border_distance=p.border_distance, max_gap=p.max_gap,
                max_cost_distance=loaded.max_cost_distance, corridor_width=p.corridor_width,
                neighbours=p.neighbours, drop_through_cores=p.drop_through_cores,
                executor=ex,
            )
        links = network.links
        if links.empty:
            raise InputError(
                f"no viable link among {len(network.pairs)} candidate pairs (max_cost_distance "
                f"{loaded.max_cost_distance:g}); raise parameters.max_cost_distance or check the resistance table"
            )
        steps.done()

        steps.start("corridors")
        with timer("corridors"):
            windows = corridor_windows(network, p.corridor_width)
            # the mosaic from the windows already computed: each corridor is computed once
            mosaic = np.full(grid.shape, np.inf, dtype=np.float32)
            for w in windows:
                sub = mosaic[w.rows, w.cols]
                np.fmin(sub, w.nlcc, out=sub)
            protected = network.cores.grid.values > 0
            corr_rows = []
            for w in windows:
                cmask = w.corridor
                n = int(cmask.sum())
                unprot = int((cmask & ~protected[w.rows, w.cols]).sum())
                geom = mask_to_geometry(cmask, grid.transform, offset=(w.rows.start, w.cols.start))
                corr_rows.append({"Link_ID": w.link_id, "Corr_km2": n * cell_area_km2,
                                  "Unprot_Shr": unprot / n if n else 0.0, "geometry": geom})
            corr = gpd.GeoDataFrame(corr_rows, geometry="geometry", crs=crs)
        steps.done()

        steps.start("circuits")
        with timer("circuits"):
            tasks = link_tasks(resistance, windows)
            results = ex.map(solve_link, tasks, shared={"neighbours": p.neighbours, "solver": p.solver},
                             desc="circuits (per link)")
        eff = {r.link_id: r.eff_resist for r in results}
        steps.done()

        steps.start("ranking")
        with timer("ranking"):
            links = links.merge(corr[["Link_ID", "Corr_km2", "Unprot_Shr"]], on="Link_ID", how="left")
            links["Eff_Resist"] = links["Link_ID"].map(eff).astype(float)
            link_cf, node_cf = current_flow_centrality(links, nodes=list(loaded.pas["pa_id"].astype(str)))
            links["CF_Central"] = link_cf.to_numpy()
            ranking = rank_links(links, scenario.ranking.weights)
        rank_of = dict(zip(ranking["Link_ID"], ranking["Rank"]))
        steps.done()

        steps.start("gaps")
        with timer("gaps"):
            current = np.full(grid.shape, np.nan, dtype=np.float32)
            pp_rows = []
            by_id = {w.link_id: w for w in windows}
            for r in results:
                w = by_id[r.link_id]
                inner = w.corridor & ~(w.core_a | w.core_b)
                sub = current[w.rows, w.cols]
                vals = np.where(inner, r.current, np.nan)
                np.fmax(sub, vals, out=sub)
                for rr, cc, val in pinch_points(r.current, w.corridor, protected[w.rows, w.cols],
                                                window=scenario.ranking.pinch_window,
                                                top=scenario.ranking.pinch_points_per_link):
                    x, y = grid.xy(rr + w.rows.start, cc + w.cols.start)
                    pp_rows.append({"Link_ID": r.link_id, "Rank": int(rank_of[r.link_id]), "Current": val,
                                    "Row": rr + w.rows.start, "Col": cc + w.cols.start,
                                    "geometry": shapely.Point(x, y)})
            pinch = gpd.GeoDataFrame(pp_rows, columns=["Link_ID", "Rank", "Current", "Row", "Col", "geometry"],
                                     geometry="geometry", crs=crs)
            if len(pinch):
                pinch = pinch.sort_values(["Current", "Rank", "Row", "Col"], ascending=[False, True, True, True],
                                          kind="mergesort").reset_index(drop=True)
            pinch.insert(0, "PP_Rank", np.arange(1, len(pinch) + 1, dtype=np.int64))
            pinch.insert(0, "PP_ID", pinch["PP_Rank"].to_numpy())
            corr = corr.merge(ranking[["Link_ID", "Rank", "From_PA", "To_PA", "From_ISO3", "To_ISO3"]], on="Link_ID")
            corr = corr.sort_values("Rank").reset_index(drop=True)
            top = corr[corr["Rank"] <= scenario.ranking.gap_top]
            gaps = unprotected_stretches(top, loaded.pas, loaded.countries,
                                         min_area_km2=scenario.ranking.min_gap_area)
            unlinked = _unlinked_layer(network.unlinked, loaded.pas)
        steps.done()

        steps.start("outputs")
        with timer("outputs"):
            from .outputs import write_ranking, write_rasters, write_styles_and_project, write_vectors

            pas_out = loaded.pas.copy()
            pas_out["CF_Central"] = pas_out["pa_id"].astype(str).map(node_cf).fillna(0.0).to_numpy()
            pas_out["Border_Res"] = pas_out["pa_id"].isin(network.border_reserves["pa_id"])
            br = network.border_reserves.copy()
            br["CF_Central"] = br["pa_id"].astype(str).map(node_cf).fillna(0.0).to_numpy()
            line_of = network.linkage.lines
            from .outputs import RANKING_COLUMNS

            links_gdf = gpd.GeoDataFrame(ranking[RANKING_COLUMNS].copy(),
                                         geometry=[line_of.get(int(i)) for i in ranking["Link_ID"]], crs=crs)
            layers: dict[str, Any] = {
                "protected_areas": _clean(pas_out), "border_reserves": _clean(br),
                "borders": _clean(loaded.borders), "links": links_gdf, "corridors": corr, "pinch_points": pinch,
                "gaps": gaps, "unlinked_pairs": unlinked,
            }
            if len(edits):
                layers["edits"] = edits
            files: list[str] = []
            vec = write_vectors(folder, layers, shapefiles=scenario.outputs.shapefiles)
            files.append(vec["gpkg"])
            write_ranking(folder / "ranking.csv", ranking)
            files.append("ranking.csv")
            mosaic[np.isinf(mosaic)] = np.nan  # outside every corridor: nodata
            mosaic_grid = grid.with_values(mosaic, nodata=np.nan, name="corridor mosaic")
            current_grid = grid.with_values(current, nodata=np.nan, name="current density")
            rasters_out = {"resistance": resistance, "corridor_mosaic": mosaic_grid, "current_density": current_grid}
            if scenario.outputs.cogs:
                files += write_rasters(folder, rasters_out)
                styled_rasters = rasters_out
            else:
                styled_rasters = {}
            left, bottom, right, top_ = grid.bounds
            files += write_styles_and_project(folder, layers=layers, rasters_out=styled_rasters,
                                              n_links=len(ranking), crs=crs, extent=(left, bottom, right, top_),
                                              title=f"corridors: {scenario.name}")
            if scenario.outputs.shapefiles:
                files.append("shapefiles/")
        steps.done()

        steps.start("report")
        with timer("report"):
            resolved = _resolved(scenario, loaded)
            inputs = [file_record(path, role) for role, path in loaded.files]  # each file hashed once
            header = _resolved_header(scenario, loaded, inputs)
            resolved.write_toml(folder / "scenario.resolved.toml", header=header)
            files.append("scenario.resolved.toml")
            if scenario.outputs.report:
                from .report import render_maps, write_report

                maps = render_maps(folder, resistance=resistance, mosaic=mosaic_grid, current=current_grid,
                                   pas=loaded.pas, borders=loaded.borders, links=links_gdf, corridors=corr,
                                   gaps=gaps, pinch=pinch, top=min(scenario.ranking.gap_top, len(ranking)))
                files += list(maps.values())
                summary = {
                    "scenario": scenario.name, "species profile": loaded.profile.name,
                    "border reserves": len(network.border_reserves), "candidate pairs": len(network.pairs),
                    "viable links": len(ranking), "pairs without a viable corridor": len(unlinked),
                    "gap polygons (top corridors)": len(gaps),
                    "gap area, km2": f"{gaps['Area_km2'].sum():.0f}" if len(gaps) else "0",
                    "max cost distance (cost units)": f"{loaded.max_cost_distance:g}",
                    "corridor width (cost units)": f"{p.corridor_width:g}",
                }
                write_report(folder / "report.html", title=f"Transboundary corridors: {scenario.name}",
                             scenario=resolved.to_dict(), maps=maps, ranking=ranking, gaps=pd.DataFrame(gaps.drop(columns="geometry")),
                             unlinked=pd.DataFrame(unlinked.drop(columns="geometry")),
                             pinch=pd.DataFrame(pinch.drop(columns="geometry")), sources=loaded.sources,
                             timings=dict(timer.steps), summary=summary)
                files.append("report.html")
        steps.done()
    finally:
        steps.close()

    files += ["manifest.json", "corridors.log"]
    write_manifest(folder / "manifest.json", scenario=resolved.to_dict(), inputs=inputs, timings=dict(timer.steps),
                   total_s=timer.total, executor=ex.describe(), outputs=files,
                   extra={"species_profile": loaded.profile.name, "resistance_table": loaded.table_source,
                          "counts": {"border_reserves": len(network.border_reserves),
                                     "candidate_pairs": len(network.pairs), "links": len(ranking),
                                     "unlinked_pairs": len(unlinked), "gaps": len(gaps),
                                     "pinch_points": len(pinch)},
                          "solvers": sorted({r.solver for r in results if r.solver})})
    log.info("done in %.1f s: %d links ranked, %d gaps, %d unlinked pairs", timer.total, len(ranking),
             len(gaps), len(unlinked))
    gaps_df = pd.DataFrame(gaps.drop(columns="geometry"))
    return RunResult(out=folder, ranking=ranking, gaps=gaps_df, unlinked=pd.DataFrame(unlinked.drop(columns="geometry")),
                     pinch_points=pd.DataFrame(pinch.drop(columns="geometry")), timings=dict(timer.steps),
                     total_s=timer.total, files=files)


def _clean(gdf):
    """Drop columns GeoPackage cannot store (objects other than text)."""
    out = gdf.copy()
    for c in out.columns:
        if c == out.geometry.name:
            continue
        if out[c].dtype == object:
            out[c] = out[c].map(lambda v: v if v is None or isinstance(v, str) else str(v))
    return out


def _unlinked_layer(unlinked: pd.DataFrame, pas):
    import geopandas as gpd
    import shapely

    geom_of = dict(zip(pas["pa_id"].astype(str), pas.geometry))
    lines = [shapely.shortest_line(geom_of[a], geom_of[b]) for a, b in zip(unlinked["pa_a"], unlinked["pa_b"])]
    df = unlinked.rename(columns={"pa_a": "From_PA", "pa_b": "To_PA", "iso3_a": "From_ISO3", "iso3_b": "To_ISO3",
                                  "gap_m": "Gap_m", "touching": "Touching", "border_pair": "Border"})
    return gpd.GeoDataFrame(df, geometry=lines, crs=pas.crs)


def _resolved(scenario: Scenario, loaded) -> Scenario:
    import dataclasses

    params = dataclasses.replace(scenario.parameters, max_cost_distance=loaded.max_cost_distance)
    species = dataclasses.replace(scenario.species, profile=loaded.profile.name)
    return dataclasses.replace(scenario, parameters=params, species=species)


def _resolved_header(scenario: Scenario, loaded, inputs: list[dict[str, Any]]) -> str:
    """Comment header of scenario.resolved.toml; ``inputs``: :func:`file_record` of ``loaded.files``."""
    lines = [f"Resolved scenario {scenario.name!r}: every default filled in, paths absolute.",
             f"Source: {scenario.source or '(embedded default)'}",
             f"Resistance table: {loaded.table_source}", "Input files (sha256):"]
    for (role, path), rec in zip(loaded.files, inputs):
        lines.append(f"  {role}: {path} {rec['sha256']}")
    lines.append("Run it again with: corridors run scenario.resolved.toml --out DIR")
    return "\n".join(lines)


def run_batch(scenarios: list[Scenario | str | Path], outs: list[str | Path], *, overwrite: bool = False,
              workers: int | None = None, scheduler: str | None = None) -> list[RunResult]:
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


def _batch_one(item, *, overwrite: bool) -> RunResult:
    scenario, out = item
    return run_scenario(scenario, out, overwrite=overwrite, progress=False)
