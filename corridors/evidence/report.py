"""Output files of ``corridors validate`` and ``corridors calibrate``, with a short report on
how to read each result and its limits."""

from __future__ import annotations

import json
from pathlib import Path

from rasters.atomic import atomic_write_text
from .._version import __version__

__all__ = ["write_validation", "write_calibration", "VALIDATION_READING", "CALIBRATION_READING"]

VALIDATION_READING = """\
## How to read these results

* `transborder_movements` (layer, and `movements.csv`): one line per individual detected in two
  or more countries, through its detections in time order. `Countries` is the sequence of
  countries (`CHN>RUS>CHN`: out and back), `N_Cross` the crossings (consecutive detections in
  different countries), `Min_Hours` the shortest time between detections on the two sides: a
  lower bound on how fast the animal crossed, not its travel time.
* `crossings` (layer and CSV): one straight line per crossing; `SL_Links` / `LCP_Links` list
  the corridors whose polygon holds the point where the straight line / the least-cost path on
  the run's resistance crosses an international border. `crossing_lcps` holds those paths.
* `validation.csv`: per corridor (`Link_ID`) and for all corridors together (`all`): `N_Cross`
  crossings, `N_In` of them through the corridor, `Share` = N_In / N_Cross, `Null` the mean
  share of the same corridor rotated and shifted at random along the border (`N_Null` times,
  up to `Max_Shift_m`), `Null95` its 95th percentile and `P` the one-sided p-value
  (1 + #null >= observed) / (N_Null + 1). A small P (e.g. < 0.05) with Share above Null95 says
  the model placed that corridor where animals cross more often than chance placement would.

## Limits

* Cameras are not everywhere: a crossing can only be seen between two cameras, and the null
  model does not know where the cameras were. Corridors over the camera grid can score well
  whatever their quality; corridors far from cameras cannot score at all. Read a Share of 0
  as "no evidence", not as "no movement".
* The path between two detections is unknown: the straight line and the least-cost path are
  two guesses; an animal detected days apart may have crossed anywhere.
* Few crossings give coarse p-values (with 3 crossings a corridor can only hold 0-3); do not
  rank corridors on them. Individual identification errors create false crossings.
"""

CALIBRATION_READING = """\
## How to read these results

* `fit_table.csv`: one row per candidate resistance surface (null = intercept only, distance
  only = every class 1, each species profile, each single class raised or lowered, and the
  calibrated surface), fitted by MLPE (Clarke et al. 2002) with maximum likelihood. `k` counts
  the parameters (2 fixed effects, 2 variances and the fitted resistances), `aicc` uses n = the
  number of samples (as ResistanceGA), `delta_aicc` is the difference to the best surface:
  below 2 the surfaces are about equally supported. `slope` is the change in genetic distance
  per standard deviation of landscape distance (must be > 0 for a resistance effect; rows with
  a note are not resistance effects), `r2m` the share of variance the landscape distance
  explains, `mantel_r`/`mantel_p` the simple Mantel test (indicative only).
* `dAICc vs distance` (summary): AICc(distance only) - AICc(calibrated). Only >= 2 means the
  land cover explains genetic distance better than distance alone; otherwise keep the species
  profile's assumed values (the fitted values are not supported).
* `<profile>.toml`: the fitted resistances as a species profile (load it with
  `corridors.datasets.load_profile`); `resistance_table.csv` and `scenario.calibrated.toml` let
  `corridors run scenario.calibrated.toml --out DIR` use the fitted table directly.
* `evaluations.csv`: every surface the optimiser tried, with its log-likelihood.

## Limits

* Resistances are relative (the reference class is fixed) and fitted to the gene flow of past
  generations at the sampled places; they describe the study area, not the species everywhere.
* Classes with few cells or few sample pairs crossing them are weakly identified: look at the
  spread of good surfaces in `evaluations.csv` before trusting a value. A global optimiser with
  a small budget can miss the optimum; rerun with another seed or more generations.
* MLPE assumes a linear relation between genetic and landscape distance; strong isolation by
  distance at short range or population structure violates it. Mantel p-values are known to be
  too liberal with spatially autocorrelated data.
"""


def _json(path: Path, obj) -> None:
    atomic_write_text(path, json.dumps(obj, indent=2, default=str) + "\n")


def write_validation(folder: Path, result, *, run_dir, detections_path, settings: dict, seconds: float) -> list[str]:
    """Write the validation outputs into ``folder``; return the file names."""
    import vectors

    folder = Path(folder)
    layers = {"transborder_movements": result.movements, "crossings": result.crossings,
              "crossing_lcps": result.lcp_paths, "detections": _plain_times(result.detections)}
    vectors.write_layers(folder / "validation.gpkg", layers,
                         geometry_types={"transborder_movements": "LineString", "crossings": "LineString",
                                         "crossing_lcps": "LineString", "detections": "Point"})
    files = ["validation.gpkg"]
    result.movements.drop(columns="geometry").to_csv(folder / "movements.csv", index=False)
    result.crossings.drop(columns="geometry").to_csv(folder / "crossings.csv", index=False)
    files += ["movements.csv", "crossings.csv"]
    if result.validation is not None:
        result.validation.to_csv(folder / "validation.csv", index=False)
        files.append("validation.csv")
    summary = {
        "corridors_version": __version__, "run": str(run_dir), "detections": str(detections_path),
        "detections_used": int(len(result.detections)), "skipped": result.skipped,
        "individuals": int(result.detections["individual"].nunique()) if len(result.detections) else 0,
        "transborder_individuals": int(len(result.movements)), "crossings": int(len(result.crossings)),
        "settings": settings, "seconds": round(seconds, 3),
    }
    _json(folder / "summary.json", summary)
    files.append("summary.json")
    lines = ["# Observed transborder movements and corridor validation", "",
             f"Run: `{run_dir}`  ", f"Detections: `{detections_path}` ({summary['detections_used']} detections of "
             f"{summary['individuals']} individuals; skipped: {result.skipped or 'none'})", "",
             f"{summary['transborder_individuals']} individuals were detected in two or more countries, with "
             f"{summary['crossings']} crossings.", ""]
    if result.validation is not None:
        allrow = result.validation.iloc[-1]
        lines += [f"All corridors together hold {int(allrow['N_In_SL'])} of {int(allrow['N_Cross_SL'])} crossings by "
                  f"straight line (null mean share {allrow['Null_SL']:.3f}, p = {allrow['P_SL']:.3g})"
                  + (f" and {int(allrow['N_In_LCP'])} of {int(allrow['N_Cross_LCP'])} by least-cost path "
                     f"(null {allrow['Null_LCP']:.3f}, p = {allrow['P_LCP']:.3g})." if allrow["N_Cross_LCP"] else "."), ""]
    lines.append(VALIDATION_READING)
    atomic_write_text(folder / "report.md", "\n".join(lines))
    files.append("report.md")
    return files


def _plain_times(det):
    out = det.copy()
    if "time" in out.columns:
        out["time"] = out["time"].map(lambda t: t.isoformat())
    return out


def write_calibration(folder: Path, result, *, base, profile_name: str, scenario, inputs: dict, notes: list[str],
                      genetic=None) -> list[str]:
    """Write the calibration outputs into ``folder`` (the temporary folder that becomes
    ``inputs["out"]``, whose final path ``scenario.calibrated.toml`` points to); return the names."""
    import dataclasses

    import pandas as pd

    from .profile_io import write_profile_toml

    folder = Path(folder)
    final = Path(inputs["out"]).resolve()
    files = []
    result.table.to_csv(folder / "fit_table.csv", index=False)
    result.evaluations.to_csv(folder / "evaluations.csv", index=False)
    files += ["fit_table.csv", "evaluations.csv"]
    ids = list(result.sample_ids)
    pd.DataFrame(result.landscape_distance, index=ids, columns=ids).rename_axis("sample").to_csv(
        folder / "landscape_distance.csv")
    files.append("landscape_distance.csv")
    if genetic is not None:
        pd.DataFrame(genetic, index=ids, columns=ids).rename_axis("sample").to_csv(folder / "genetic_distance.csv")
        files.append("genetic_distance.csv")
    table = pd.DataFrame({"code": list(result.resistance), "resistance": list(result.resistance.values()),
                          "name": [result.classes[c] for c in result.resistance]})
    scale = base.resistance.get(result.reference, 1.0) if base is not None else 1.0
    table["resistance"] = table["resistance"] * scale
    table.to_csv(folder / "resistance_table.csv", index=False)
    files.append("resistance_table.csv")
    try:
        write_profile_toml(result, folder / f"{profile_name}.toml", base=base, name=profile_name)
        files.append(f"{profile_name}.toml")
    except Exception as exc:  # noqa: BLE001 - the CSV table stands in; say why
        from ..errors import InputError

        if not isinstance(exc, InputError):
            raise
        notes.append(f"no species-profile TOML: {exc}")
    if scenario is not None:
        inp = dataclasses.replace(scenario.inputs, resistance_table=final / "resistance_table.csv")
        sc = dataclasses.replace(scenario, name=f"{scenario.name}-calibrated", inputs=inp)
        sc.write_toml(folder / "scenario.calibrated.toml",
                      header=f"Scenario {scenario.name!r} with the resistance table calibrated by corridors calibrate\n"
                             f"(fit in {final}/fit_table.csv). Run: corridors run scenario.calibrated.toml --out DIR")
        files.append("scenario.calibrated.toml")
    summary = {
        "corridors_version": __version__, **{k: str(v) for k, v in inputs.items()},
        "distance": result.distance, "n_samples": result.fit.n_samples, "n_pairs": result.fit.n_pairs,
        "resistance": {result.classes[c]: v for c, v in result.resistance.items()},
        "reference_class": result.classes[result.reference],
        "delta_aicc_vs_distance": result.delta_aicc_vs_distance, "supported": result.supported,
        "n_evaluations": result.n_evaluations, "seconds": round(result.seconds, 3), "settings": result.settings,
        "notes": notes,
    }
    _json(folder / "summary.json", summary)
    files.append("summary.json")
    cal = result.table.set_index("surface").loc["calibrated"]
    verdict = ("supported: the land cover explains genetic distance better than distance alone"
               if result.supported else "NOT supported: keep the assumed resistances; the fitted values are not better than distance alone")
    lines = ["# Resistance calibration to genetic distances", "",
             f"{result.fit.n_samples} samples ({result.fit.n_pairs} pairs), {result.distance} distance, "
             f"{result.n_evaluations} surfaces evaluated in {result.seconds:.0f} s (seed {result.settings['seed']}).", "",
             f"dAICc vs distance = {result.delta_aicc_vs_distance:.2f}: {verdict}.", "",
             f"Calibrated surface: slope {cal['slope']:.4g} (se {cal['slope_se']:.3g}), R2m {cal['r2m']:.3f}, "
             f"Mantel r {cal['mantel_r']:.3f} (p {cal['mantel_p']:.3g}).", "",
             "| class | fitted resistance (relative) |", "|---|---|"]
    for c, v in result.resistance.items():
        lines.append(f"| {result.classes[c]} | {v * scale:.4g} |")
    lines += [""] + [f"Note: {n}" for n in notes] + ["", CALIBRATION_READING]
    atomic_write_text(folder / "report.md", "\n".join(lines))
    files.append("report.md")
    return files

