"""The jobs the QGIS Processing provider runs: one JSON file in, the outputs and a JSON result out.

QGIS's Python cannot import corridors safely (Debian's QGIS bindings and GDAL are built against
numpy 1.24, corridors needs numpy >= 1.26, and rasterio's own GDAL would share the process with
QGIS's), so the plugin writes a job file and runs ``corridors qgis-job JOB.json`` with the Python
that corridors is installed in. Each job is a plain call of the public API:

=====================  ==========================================================================
job                    API
=====================  ==========================================================================
``run``                :func:`corridors.run_scenario` (a scenario file or the embedded default,
                       with the species, reserves, countries, land cover and parameters given)
``cost_distance``      :func:`corridors.cost_distance` from the cells of source features
``least_cost_path``    :func:`corridors.least_cost_path` between two map points
``effective_resistance`` :func:`corridors.effective_resistance` between polygons or points
``circuitscape``       :func:`corridors.circuitscape.run` on a Circuitscape INI
=====================  ==========================================================================

Progress and messages go to stderr (one line each, ``PROGRESS <0-100>`` for progress); the
result (output paths and numbers) is written to the job's ``result`` path as JSON.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any, Callable

from ..errors import ConfigError, InputError

__all__ = ["JOBS", "run_job", "run_job_file"]

log = logging.getLogger("corridors.qgis")


def _progress(pct: float) -> None:
    print(f"PROGRESS {pct:.0f}", file=sys.stderr, flush=True)


def _need(params: dict, key: str, job: str) -> Any:
    if params.get(key) in (None, ""):
        raise ConfigError(f"job {job!r}: parameter {key!r} is missing; give it in the algorithm's dialog")
    return params[key]


def _read_sources(path: str, template, id_field: str | None, what: str):
    """Features of ``path`` (in the grid's CRS) with a ``pa_id`` from ``id_field`` or their order."""
    import vectors

    layer, _, name = str(path).partition("|layername=")
    gdf = vectors.read_vector(layer, layer=name.split("|")[0] or None)
    if len(gdf) == 0:
        raise InputError(f"{what} {path}: the layer has no features")
    if gdf.crs is None:
        raise InputError(f"{what} {path}: the layer has no CRS; set one in QGIS (Layer Properties > Source)")
    gdf = gdf.to_crs(template.crs)
    if id_field:
        if id_field not in gdf.columns:
            raise InputError(f"{what} {path}: no field {id_field!r}; choose one of {', '.join(map(str, gdf.columns))}")
        gdf["pa_id"] = gdf[id_field].astype(str)
    else:
        gdf["pa_id"] = [str(i + 1) for i in range(len(gdf))]
    return gdf


def _job_run(p: dict) -> dict:
    """The main job: scenario -> output folder (GeoPackage, COGs, project, report).

    The scenario is the file ``scenario`` (or the embedded default) with the dialog's inputs and
    parameters put over it, validated once as a scenario file would be.
    """
    from ..pipeline import run_scenario
    from ..scenario import Scenario

    out = Path(_need(p, "output", "run"))
    data: dict = Scenario.from_toml(p["scenario"]).to_dict() if p.get("scenario") else {"name": "qgis"}
    for key in ("landcover", "protected_areas", "countries"):
        if p.get(key):
            data.setdefault("inputs", {})[key] = str(p[key])
    if p.get("species"):
        data.setdefault("species", {})["profile"] = p["species"]
    for key in ("border_distance", "max_gap", "max_cost_distance", "corridor_width"):
        if p.get(key) not in (None, "", 0, 0.0):
            data.setdefault("parameters", {})[key] = float(p[key])
    base = Path(p["scenario"]).parent if p.get("scenario") else Path.cwd()
    scenario = Scenario.from_dict(data, base_dir=base, source=str(p.get("scenario") or "QGIS dialog"))
    if scenario.species.several:
        raise InputError(f"species.profile = {scenario.species.profile!r} names several species; the QGIS "
                         "algorithm runs one species (one project): name one, or run the list with `corridors run`")
    _progress(5)
    result = run_scenario(scenario, out, overwrite=bool(p.get("overwrite")), progress=False)
    _progress(100)
    flyway = result.flyway is not None  # a bird: its flyway sites, no ranked link or gap
    return {"folder": str(out), "project": str(out / "corridors.qgs"), "gpkg": str(out / "corridors.gpkg"),
            "report": str(out / "report.html"), "links": 0 if flyway else len(result.ranking),
            "gaps": 0 if flyway else len(result.gaps), "flyway_sites": len(result.flyway) if flyway else 0,
            "rasters": sorted(str(f) for f in out.glob("*.tif"))}


def _job_cost_distance(p: dict) -> dict:
    import numpy as np

    import rasters
    import vectors

    from ..leastcost import cost_distance

    resistance = rasters.read(_need(p, "resistance", "cost_distance"))
    sources = _read_sources(_need(p, "sources", "cost_distance"), resistance, p.get("id_field"), "sources")
    cores = vectors.rasterize_cores(sources, resistance)
    _progress(20)
    max_cost = float(p["max_cost"]) if p.get("max_cost") not in (None, "", 0, 0.0) else None
    cwd = cost_distance(resistance, np.asarray(cores.grid.values) > 0, neighbours=int(p.get("neighbours", 8)),
                        max_cost=max_cost, dtype=np.float32)
    out = Path(_need(p, "output", "cost_distance"))
    values = np.where(np.isfinite(cwd.values), cwd.values, np.nan).astype(np.float32)
    rasters.write(cwd.with_values(values, nodata=np.nan, name="cost distance"), out)
    _progress(100)
    reached = np.isfinite(values)
    return {"output": str(out), "sources": int(np.count_nonzero(np.asarray(cores.grid.values) > 0)),
            "max": float(np.nanmax(values)) if reached.any() else None, "reached_cells": int(reached.sum())}


def _job_least_cost_path(p: dict) -> dict:
    import geopandas as gpd

    import rasters
    import vectors

    from ..leastcost import least_cost_path

    resistance = rasters.read(_need(p, "resistance", "least_cost_path"))
    start = tuple(float(v) for v in _need(p, "start", "least_cost_path"))
    end = tuple(float(v) for v in _need(p, "end", "least_cost_path"))
    path = least_cost_path(resistance, start, end, neighbours=int(p.get("neighbours", 8)), xy=True)
    out = Path(_need(p, "output", "least_cost_path"))
    gdf = gpd.GeoDataFrame({"cost": [float(path.cost)], "length_m": [float(path.length)],
                            "cells": [int(len(path.cells))]}, geometry=[path.line], crs=resistance.crs)
    vectors.write_layers(out, {p.get("layer") or "least_cost_path": gdf}, overwrite=bool(p.get("overwrite")))
    _progress(100)
    return {"output": str(out), "layer": p.get("layer") or "least_cost_path", "cost": float(path.cost),
            "length_m": float(path.length)}


def _job_effective_resistance(p: dict) -> dict:
    import numpy as np
    import pandas as pd

    import rasters
    import vectors
    from rasters.atomic import atomic_write_text

    from ..circuit import effective_resistance

    resistance = rasters.read(_need(p, "resistance", "effective_resistance"))
    focal = _read_sources(_need(p, "focal", "effective_resistance"), resistance, p.get("id_field"), "focal")
    cores = vectors.rasterize_cores(focal, resistance)
    _progress(20)
    ids, matrix = effective_resistance(resistance, np.asarray(cores.grid.values), neighbours=int(p.get("neighbours", 8)))
    names = {k + 1: pa for k, pa in enumerate(cores.pa_ids)}
    rows = [{"from_id": names[a], "to_id": names[b], "eff_resist": float(matrix[i, j]) if matrix[i, j] >= 0 else None}
            for i, a in enumerate(ids) for j, b in enumerate(ids) if i < j]
    out = Path(_need(p, "output", "effective_resistance"))
    atomic_write_text(out, pd.DataFrame(rows, columns=["from_id", "to_id", "eff_resist"]).to_csv(index=False))
    _progress(100)
    return {"output": str(out), "pairs": len(rows), "focal": len(ids)}


def _job_circuitscape(p: dict) -> dict:
    from ..circuitscape import run

    ini = Path(_need(p, "ini", "circuitscape"))
    summary = run(ini, base_dir=Path(p["base_dir"]) if p.get("base_dir") else ini.parent,
                  overwrite=bool(p.get("overwrite")), method=p.get("solver") or None)
    for line in summary.lines():
        log.warning("%s", line)  # shown in QGIS's log
    _progress(100)
    files = [str(f) for f in summary.files]
    return {"files": files, "folder": str(summary.config.output_prefix.parent),
            "rasters": [f for f in files if f.endswith((".asc", ".asc.gz", ".tif"))]}


#: job name -> function(params) -> result
JOBS: dict[str, Callable[[dict], dict]] = {
    "run": _job_run, "cost_distance": _job_cost_distance, "least_cost_path": _job_least_cost_path,
    "effective_resistance": _job_effective_resistance, "circuitscape": _job_circuitscape,
}


def run_job(job: dict) -> dict:
    """Run one job ``{"job": name, "params": {...}}``; returns its result."""
    name = job.get("job")
    if name not in JOBS:
        raise ConfigError(f"unknown job {name!r}; known jobs: {', '.join(JOBS)}")
    return JOBS[name](dict(job.get("params") or {}))


def run_job_file(path: str | Path) -> dict:
    """Run the job in JSON file ``path`` and write its result to the job's ``result`` path (atomic)."""
    from rasters.atomic import atomic_write_text

    path = Path(path)
    try:
        job = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read the job ({exc})") from exc
    result = run_job(job)
    if job.get("result"):
        atomic_write_text(Path(job["result"]), json.dumps(result, indent=1))
    return result
