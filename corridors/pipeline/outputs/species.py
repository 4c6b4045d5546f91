"""The top of a run of several species (``species.profile`` a list or ``'all'``): each species is
a whole run in a subfolder named after its profile; beside them ``species_summary.csv`` (one row
per species), ``ranking_by_species.csv`` (the ranked links of every terrestrial species, a
``Species`` column first), ``flyway_ranking_by_species.csv`` (the sites of every bird), the
scenario with its species listed (``scenario.resolved.toml``) and a manifest."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd

from ...flyway import RANKING_COLUMNS as FLYWAY_COLUMNS
from .manifest import write_manifest
from .tables import RANKING_COLUMNS, write_table

__all__ = ["species_summary", "combined_rankings", "write_species_outputs", "SUMMARY_COLUMNS"]

#: columns of species_summary.csv
SUMMARY_COLUMNS = ["Species", "Common_Name", "Model", "Status", "Folder", "N_Ranked", "Top", "N_Critical",
                   "Crit_Unprot", "Seconds", "Note"]


def species_summary(scenarios, runs: dict, failed: dict[str, str]) -> pd.DataFrame:
    """One row per species of ``scenarios`` (in their order): the model it ran (``corridors`` or
    ``flyway``), ``ok`` or ``no viable link``, its folder, how many links (sites) it ranked and the
    first one, a bird's critical and unprotected critical sites, the seconds it took."""
    from ...datasets import species_profile

    rows = []
    for sc in scenarios:
        name = sc.species.profile
        profile = species_profile(name)
        row = dict.fromkeys(SUMMARY_COLUMNS, "")
        row.update(Species=name, Common_Name=profile.common_name,
                   Model="flyway" if profile.flyway is not None else "corridors")
        if name in failed:
            row.update(Status="no viable link", Note=failed[name])
        else:
            run = runs[name]
            row.update(Status="ok", Folder=name, Seconds=round(run.total_s, 2))
            if run.flyway is not None:
                t = run.flyway
                crit = t[t["critical"]]
                row.update(N_Ranked=len(t), Top=f"{t['site_id'].iloc[0]} {t['name'].iloc[0]}",
                           N_Critical=len(crit),
                           Crit_Unprot=";".join(crit.loc[crit["protected"] == "no", "site_id"].astype(str)))
            else:
                t = run.ranking.sort_values("Rank")
                first = t.iloc[0] if len(t) else None
                row.update(N_Ranked=len(t), Top="" if first is None else
                           f"{first['From_PA']}-{first['To_PA']} {first['From_Name']} - {first['To_Name']}")
        rows.append(row)
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def combined_rankings(runs: dict) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """(ranked links of every terrestrial species, sites of every bird), each with a ``Species``
    column first and the columns of ``ranking.csv`` / ``flyway_ranking.csv`` after it; None where
    no species of that kind ran."""
    links = [run.ranking[RANKING_COLUMNS].assign(Species=name) for name, run in runs.items() if run.flyway is None]
    sites = [run.flyway[list(FLYWAY_COLUMNS)].assign(Species=name) for name, run in runs.items()
             if run.flyway is not None]

    def stack(parts, columns):
        if not parts:
            return None
        return pd.concat(parts, ignore_index=True)[["Species", *columns]]

    return stack(links, RANKING_COLUMNS), stack(sites, list(FLYWAY_COLUMNS))


def write_species_outputs(folder: Path, scenario, scenarios, runs: dict, failed: dict[str, str], *,
                          total_s: float, executor: dict) -> tuple[pd.DataFrame, list[str]]:
    """The top-level files of a run of several species; (the summary, the names written).

    ``scenario`` is the scenario as given (its ``species.profile`` a list or ``'all'``),
    ``scenarios`` its :meth:`~corridors.scenario.Scenario.per_species`, ``runs`` their results
    (:class:`~..results.RunResult`, each folder ``folder / species`` written), ``failed`` the
    species without a viable link.
    """
    summary = species_summary(scenarios, runs, failed)
    write_table(folder / "species_summary.csv", summary)
    files = ["species_summary.csv"]
    links, sites = combined_rankings(runs)
    if links is not None:
        write_table(folder / "ranking_by_species.csv", links)
        files.append("ranking_by_species.csv")
    if sites is not None:
        write_table(folder / "flyway_ranking_by_species.csv", sites)
        files.append("flyway_ranking_by_species.csv")
    names = tuple(sc.species.profile for sc in scenarios)
    listed = dataclasses.replace(scenario, species=dataclasses.replace(scenario.species, profile=names))
    header = (f"Scenario {scenario.name!r} of {len(names)} species: {', '.join(names)}.\n"
              f"Source: {scenario.source or '(given in Python)'}\n"
              "Each species ran into the folder of its name, which holds its own resolved scenario.\n"
              "Run it again with: corridors run scenario.resolved.toml --out DIR")
    listed.write_toml(folder / "scenario.resolved.toml", header=header)
    files += ["scenario.resolved.toml", "manifest.json", "corridors.log"]
    inputs: dict[str, dict] = {}
    for name in runs:  # every input once, as the species' manifests hashed it
        for rec in json.loads((folder / name / "manifest.json").read_text(encoding="utf-8"))["inputs"]:
            inputs.setdefault(rec["path"], rec)
    species = {rec["Species"]: {k: rec[k] for k in ("Model", "Status", "Folder", "Note")}
               for rec in summary.to_dict("records")}
    write_manifest(folder / "manifest.json", scenario=listed.to_dict(), inputs=list(inputs.values()),
                   timings={name: run.total_s for name, run in runs.items()}, total_s=total_s, executor=executor,
                   outputs=files + [f"{name}/" for name in runs], extra={"model": "several species", "species": species})
    return summary, files
