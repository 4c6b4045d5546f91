"""Everything a run writes, from the stage results: vector layers (GeoPackage, Shapefiles),
rasters (COGs), ``ranking.csv``, QGIS styles and project, the report, the resolved scenario and
the manifest. Each module writes one kind of output; :func:`write_outputs` and
:func:`write_report` are what the run calls. A flyway run (a bird profile with a ``[flyway]``
table, ``r.flyway`` set) writes its own layers, tables and report instead (:mod:`.flyway`,
:mod:`.flyway_report`); the resolved scenario and the manifest are common to both."""

from __future__ import annotations

from pathlib import Path

from .flyway import write_flyway_outputs
from .flyway_report import write_flyway_report
from .layers import build_context_layers, build_layers, write_context, write_vectors
from .manifest import file_record, write_manifest
from .qgis import write_styles_and_project
from .raster_classes import run_raster_classes
from .rasters import output_rasters, write_rasters
from .report import write_run_report
from .sources import run_files, run_sources, sources_line
from ..stages.ranking import score_closeness
from .tables import DOMESTIC_COLUMNS, RANKING_COLUMNS, write_ranking, write_table
from .uncertainty import write_uncertainty_tables

__all__ = ["write_outputs", "write_report", "write_run_manifest", "RANKING_COLUMNS"]


def write_outputs(folder: Path, r) -> list[str]:
    """GeoPackage (+ Shapefiles), ranking.csv, COGs, styles and the QGIS project; the names written."""
    if r.flyway is not None:  # a migratory bird: its flyway layers and tables, no corridor
        return write_flyway_outputs(folder, r)
    out = r.scenario.outputs
    layers = build_layers(r)
    files = write_vectors(folder, layers, shapefiles=out.shapefiles)
    context = build_context_layers(r)
    files += write_context(folder, context)
    write_ranking(folder / "ranking.csv", r.ranking)
    write_table(folder / "domestic_links.csv", r.domestic[DOMESTIC_COLUMNS])
    write_table(folder / "adjoining.csv", r.adjoining.table)
    write_table(folder / "link_countries.csv", r.borders.by_country)
    write_table(folder / "countries.csv", r.countries)
    files += ["ranking.csv", "domestic_links.csv", "adjoining.csv", "link_countries.csv", "countries.csv"]
    files += write_uncertainty_tables(folder, r)  # an [uncertainty] run's rank_uncertainty.csv
    grids = output_rasters(r) if out.cogs else {}
    files += write_rasters(folder, grids)
    grid = r.resistance.grid
    files += write_styles_and_project(folder, layers=layers, context=context,
                                      raster_classes=run_raster_classes(r, grids),
                                      n_links=len(r.ranking), crs=grid.crs, extent=grid.bounds,
                                      title=f"corridors: {r.scenario.name}", sources=sources_line(r))
    return files


def write_report(folder: Path, r, timings: dict[str, float], inputs: list[dict]) -> list[str]:
    """``scenario.resolved.toml`` and, when asked, ``report.html`` with its maps; the names written.

    ``inputs``: :func:`file_record` of each input file (hashed once per run).
    """
    r.scenario.write_toml(folder / "scenario.resolved.toml", header=_resolved_header(r, inputs))
    files = ["scenario.resolved.toml"]
    if r.scenario.outputs.report:
        files += write_flyway_report(folder, r, timings) if r.flyway is not None else write_run_report(folder, r, timings)
    return files


def input_records(r) -> list[dict]:
    """``{role, path, bytes, sha256}`` of every input file of the run."""
    return [file_record(path, role) for role, path in run_files(r)]


def write_run_manifest(folder: Path, r, *, inputs: list[dict], timings: dict[str, float], total_s: float,
                       executor: dict, files: list[str]) -> None:
    """``manifest.json``: inputs with SHA-256, the resolved scenario, versions, timings, counts."""
    extra = _flyway_manifest(r) if r.flyway is not None else _corridor_manifest(r)
    write_manifest(folder / "manifest.json", scenario=r.scenario.to_dict(), inputs=inputs, timings=timings,
                   total_s=total_s, executor=executor, outputs=files, extra=extra)


def _flyway_manifest(r) -> dict:
    """The manifest's own part for a flyway run: the model, the flight range, counts and the critical sites."""
    fw = r.flyway
    crit = fw.ranking[fw.ranking["critical"]]
    return {"species_profile": r.inputs.profile.name, "model": "flyway",
            "flyway": {"max_leg_km": fw.max_leg_km, "typical_leg_km": fw.typical_leg_km,
                       "counts": {"sites": len(fw.ranking), "legs": len(fw.legs),
                                  "connected_pairs": fw.connected_pairs, "critical": len(crit),
                                  "critical_unprotected": len(fw.critical_unprotected())},
                       "critical_sites": crit["site_id"].astype(str).tolist(),
                       "critical_unprotected_sites": fw.critical_unprotected()["site_id"].astype(str).tolist()}}


def _corridor_manifest(r) -> dict:
    """The manifest's own part for a terrestrial run: counts, solvers and network metrics."""
    return {"species_profile": r.inputs.profile.name, "resistance_table": r.inputs.table_source,
            "counts": {"nodes": len(r.links.nodes), "border_reserves": len(r.links.border_reserves),
                       "candidate_pairs": len(r.links.pairs), "links": len(r.ranking),
                       "domestic_links": len(r.domestic), "adjoining_pairs": len(r.adjoining.table),
                       "unlinked_pairs": len(r.gaps.unlinked), "gaps": len(r.gaps.gaps),
                       "pinch_points": len(r.pinch_points.points), "crossings": len(r.borders.crossings),
                       "restoration_sites": len(r.restoration.sites)},
            "solvers": r.circuits.solvers,
            "network": {"pc": r.connectivity.pc, "eca_km2": r.connectivity.eca,
                        "median_dispersal_cost": r.connectivity.median_dispersal,
                        "score_vs_closeness_spearman": score_closeness(r.ranking)}}


def _resolved_header(r, inputs: list[dict]) -> str:
    """Comment header of scenario.resolved.toml."""
    lines = [f"Resolved scenario {r.scenario.name!r}: every default filled in, paths absolute.",
             f"Source: {r.scenario.source or '(embedded default)'}",
             f"Resistance table: {r.inputs.table_source}", "Input files (sha256):"]
    if r.flyway is not None:
        lines[2] = (f"Flyway run: profile {r.flyway.species} has a [flyway] table (max_leg_km {r.flyway.max_leg_km:g}, "
                    f"typical_leg_km {r.flyway.typical_leg_km:g}); no resistance, corridor or ranking of links")
    for (role, path), rec in zip(run_files(r), inputs):
        lines.append(f"  {role}: {path} {rec['sha256']}")
    lines.append("Run it again with: corridors run scenario.resolved.toml --out DIR")
    return "\n".join(lines)

