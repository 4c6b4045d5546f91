"""Write a calibrated resistance profile in the format of ``corridors/datasets/species/*.toml``."""

from __future__ import annotations

import json
from pathlib import Path

from rasters.atomic import atomic_write_text
from ..errors import InputError

__all__ = ["write_profile_toml", "profile_toml_text"]


def _s(text: str) -> str:
    """A TOML basic string (JSON escapes are valid TOML escapes)."""
    return json.dumps(str(text), ensure_ascii=False)


def profile_toml_text(result, base, *, name: str) -> str:
    """TOML text of the profile fitted by :func:`corridors.evidence.calibrate`.

    Classes that were fitted get the calibrated resistance, scaled so that the reference class
    keeps ``base``'s value (so ``max_cost_distance``, taken from ``base``, keeps its meaning);
    every other value comes from ``base`` with its source. The fit statistics go in the header
    comment and ``notes`` (the loader accepts no extra keys).
    """
    from ..datasets.species import LANDCOVER_CLASSES

    unknown = sorted(set(result.resistance) - set(LANDCOVER_CLASSES))
    if unknown:
        raise InputError(
            f"class code(s) {unknown} are not the seven classes of the species-profile format "
            f"({dict(LANDCOVER_CLASSES)}); use the resistance table CSV written beside it instead"
        )
    if not name.replace("_", "").isalnum():
        raise InputError(f"profile name {name!r}: use letters, digits and '_' only (it is also the file name)")
    scale = base.resistance[result.reference]
    fit = result.fit
    row = result.table.loc[result.table["surface"] == "calibrated"].iloc[0]
    dist = result.table.loc[result.table["surface"] == "distance only"].iloc[0]
    stats_line = (f"MLPE (Clarke et al. 2002) fitted by ML on {fit.n_samples} samples ({fit.n_pairs} pairs), "
                  f"{result.distance} distance; loglik {row['loglik']:.3f}, AICc {row['aicc']:.3f} (k {int(row['k'])}), "
                  f"distance only AICc {dist['aicc']:.3f}, dAICc {result.delta_aicc_vs_distance:.2f} "
                  f"({'supported' if result.supported else 'NOT supported'} over distance alone, threshold 2); "
                  f"slope {row['slope']:.4g} per SD (se {row['slope_se']:.3g}), R2m {row['r2m']:.3f}, "
                  f"Mantel r {row['mantel_r']:.3f} (p {row['mantel_p']:.3g}); {result.n_evaluations} surfaces evaluated, "
                  f"seed {result.settings.get('seed')}")
    lines = [
        f"# Resistance profile calibrated to genetic distances by `corridors calibrate` (base profile: {base.name}).",
        f"# {stats_line}",
        "# Fitted values are relative (reference class "
        f"{LANDCOVER_CLASSES[result.reference]} = {scale:g}, as in the base profile); non-fitted classes keep the base values.",
        f"name = {_s(name)}",
        f"code = {_s(base.code)}",
        f"common_name = {_s(base.common_name + ' (calibrated)')}",
        f"scientific_name = {_s(base.scientific_name)}",
        "accepted_names = [" + ", ".join(_s(n) for n in base.accepted_names) + "]",
        f"group = {_s(base.group)}",
        f"max_cost_distance = {float(base.max_cost_distance)!r}",
        "habitat_classes = [" + ", ".join(_s(LANDCOVER_CLASSES[c]) for c in base.habitat_classes) + "]",
        "notes = " + _s(f"Calibrated from {base.name}. {stats_line}. {base.notes}".strip()),
        "",
        "[resistance]",
    ]
    for code, cname in LANDCOVER_CLASSES.items():
        value = result.resistance[code] * scale if code in result.resistance else base.resistance[code]
        lines.append(f"{cname} = {float(value)!r}")
    # base sources are kept verbatim first, so the base's assumptions stay marked as assumptions
    lines += ["", "[sources]",
              "max_cost_distance = " + _s(f"{base.sources['max_cost_distance']} [from profile {base.name}]"),
              "habitat_classes = " + _s(f"{base.sources['habitat_classes']} [from profile {base.name}]"),
              "", "[sources.resistance]"]
    for code, cname in LANDCOVER_CLASSES.items():
        base_src = base.sources["resistance"][cname]
        if code == result.reference:
            src = (f"{base_src} [reference class of the calibration: value of profile {base.name}, which sets the "
                   "scale; the other fitted classes are relative to it]")
        elif code in result.resistance:
            src = f"calibrated: {stats_line}"
        else:
            src = f"{base_src} [not calibrated: class absent from the study area; value of profile {base.name}]"
        lines.append(f"{cname} = {_s(src)}")
    return "\n".join(lines) + "\n"


def write_profile_toml(result, path, *, base, name: str | None = None) -> Path:
    """Write the calibrated profile to ``path`` (``<name>.toml``; the stem is the profile name).

    Parameters
    ----------
    result : CalibrationResult
    path : str or Path
        Output file; its stem becomes the profile ``name`` unless ``name`` is given (then the
        file must be called ``<name>.toml``, as the loader requires).
    base : SpeciesProfile
        Profile supplying the values the calibration did not fit.

    Returns
    -------
    Path
        Loadable with :func:`corridors.datasets.load_profile`.
    """
    path = Path(path)
    name = name or path.stem
    if path.stem != name:
        raise InputError(f"{path}: the file must be called {name}.toml (a profile's name is its file name)")
    return atomic_write_text(path, profile_toml_text(result, base, name=name))
