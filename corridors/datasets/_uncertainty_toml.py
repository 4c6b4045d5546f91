"""The resistance-uncertainty part of a species profile: per-class factor ranges for ensembles.

Optional keys of a species profile (TOML)::

    [resistance_uncertainty]                  # classes whose resistance is less (or more) certain
    urban = { low = 0.25, high = 4.0 }        # factor range on the class's resistance
    water = { low = 0.5, high = 2.0, distribution = "uniform" }
    [sources]
    resistance_uncertainty = "assumption: ..."   # required when [resistance_uncertainty] is given

A class not listed keeps the scenario's ``[uncertainty]`` range (default: log-uniform x0.5-2); a
scenario's ``[[uncertainty.classes]]`` entry overrides the profile's. Parsed apart from the rest of
the profile (:mod:`corridors.datasets.species`) so that the profile loader stays small.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType

from ..errors import ConfigError

__all__ = ["FactorRange", "DISTRIBUTIONS", "parse_resistance_uncertainty"]

#: how a resistance factor is drawn between ``low`` and ``high``: 'loguniform' (uniform in
#: log(factor), so x0.5 and x2 are equally likely) or 'uniform'
DISTRIBUTIONS = ("loguniform", "uniform")

_KEY = "resistance_uncertainty"
_FIELDS = {"low", "high", "distribution"}


def _uncertainty_keys() -> tuple[str, ...]:
    """Top-level (and [sources]) keys this module owns."""
    return (_KEY,)


@dataclass(frozen=True)
class FactorRange:
    """The factor range of one class: ``low`` <= factor <= ``high`` (both > 0), drawn by
    ``distribution`` (one of :data:`DISTRIBUTIONS`; None: the scenario's)."""

    low: float
    high: float
    distribution: str | None = None


def _positive(v) -> bool:
    return not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(v) and v > 0


def parse_resistance_uncertainty(doc: dict, where: str, codes: dict[str, int]) -> tuple[MappingProxyType, dict]:
    """``({code: FactorRange}, its sources)`` of a parsed profile (``doc`` from tomllib).

    ``codes`` maps class names to land-cover codes.

    Raises
    ------
    ConfigError
        An unknown class or key, a factor <= 0, low > high, an unknown distribution, no source.
    """
    raw = doc.get(_KEY)
    if raw is None:
        return MappingProxyType({}), {}
    if not isinstance(raw, dict) or not raw:
        raise ConfigError(f"{where}: [{_KEY}] must be a table of class = {{ low = ..., high = ... }}")
    out = {}
    for name, entry in raw.items():
        key = f"{_KEY}.{name}"
        if name not in codes:
            raise ConfigError(f"{where}: unknown class {name!r} in [{_KEY}]; classes are {list(codes)}")
        if not isinstance(entry, dict) or not {"low", "high"} <= set(entry) or set(entry) - _FIELDS:
            raise ConfigError(f"{where}: {key} = {entry!r}; give {{ low = ..., high = ... }} (and optionally "
                              f"distribution = one of {list(DISTRIBUTIONS)})")
        low, high, dist = entry["low"], entry["high"], entry.get("distribution")
        if not (_positive(low) and _positive(high)) or low > high:
            raise ConfigError(f"{where}: {key}: low = {low!r}, high = {high!r}; give factors > 0 with low <= high")
        if dist is not None and dist not in DISTRIBUTIONS:
            raise ConfigError(f"{where}: {key}.distribution = {dist!r}; choose one of {list(DISTRIBUTIONS)}")
        out[codes[name]] = FactorRange(float(low), float(high), dist)
    src = doc.get("sources", {}) if isinstance(doc.get("sources"), dict) else {}
    text = src.get(_KEY)
    if not isinstance(text, str) or not text.strip():
        raise ConfigError(f"{where}: sources.{_KEY} must be a non-empty string (a reference or 'assumption: why')")
    return MappingProxyType(dict(sorted(out.items()))), {_KEY: text}
