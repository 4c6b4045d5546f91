"""The species-scope part of a profile: where the species lives, its nodes, its dispersal distance.

Optional keys of a species profile (TOML)::

    median_dispersal_m = 140_000          # metres, for PC / ProtConn
    [scope]
    countries = ["RUS", "CHN"]            # ISO alpha-3: its nodes lie in these countries
    range_lonlat = [[126, 41.5], ...]     # optional coarse range polygon (lon, lat, WGS 84)
    focus_codes = ["TIG"]                 # reserves whose focus_species name one are nodes ...
    min_habitat_share = 0.5               # ... and so are reserves with this share of habitat
    [sources]
    median_dispersal_m = "..."            # required when median_dispersal_m is given
    scope = "..."                         # required when [scope] is given

Parsed apart from the rest of the profile (:mod:`corridors.datasets.species`) so that the
profile loader stays small.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import ConfigError

__all__ = ["SpeciesScope", "parse_scope"]

_SCOPE_FIELDS = {"countries", "range_lonlat", "focus_codes", "min_habitat_share"}


def _scope_keys() -> tuple[str, ...]:
    """Top-level (and [sources]) keys this module owns."""
    return ("median_dispersal_m", "scope")


@dataclass(frozen=True)
class SpeciesScope:
    """Where a species lives and which reserves count as its network nodes.

    Attributes
    ----------
    countries : tuple of str
        ISO alpha-3 codes of the countries it lives in (empty: any country).
    range_lonlat : tuple of (lon, lat)
        Vertices of a coarse range polygon in WGS 84 (empty: no range polygon).
    focus_codes : tuple of str
        Codes in a reserve's ``focus_species`` that make it a node.
    min_habitat_share : float or None
        A reserve whose cells are at least this share habitat (the profile's
        ``habitat_classes``) is a node too; None: focus codes only.
    """

    countries: tuple[str, ...] = ()
    range_lonlat: tuple[tuple[float, float], ...] = ()
    focus_codes: tuple[str, ...] = ()
    min_habitat_share: float | None = None


def _number(v) -> bool:
    return not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(v)


def parse_scope(doc: dict, where: str) -> tuple[float | None, SpeciesScope | None, dict]:
    """``(median_dispersal_m, scope, their sources)`` of a parsed profile (``doc`` from tomllib).

    Raises
    ------
    ConfigError
        A value of the wrong type or range, an unknown ``[scope]`` key, a missing source.
    """
    src = doc.get("sources", {}) if isinstance(doc.get("sources"), dict) else {}
    sources: dict = {}
    dispersal = doc.get("median_dispersal_m")
    if dispersal is not None:
        if not (_number(dispersal) and dispersal > 0):
            raise ConfigError(f"{where}: median_dispersal_m = {dispersal!r}; give metres > 0")
        sources["median_dispersal_m"] = _source(src, "median_dispersal_m", where)
        dispersal = float(dispersal)
    raw = doc.get("scope")
    if raw is None:
        return dispersal, None, sources
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: [scope] must be a table")
    unknown = sorted(set(raw) - _SCOPE_FIELDS)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {unknown} in [scope]; allowed keys are {sorted(_SCOPE_FIELDS)}")
    countries = raw.get("countries", [])
    if not (isinstance(countries, list) and all(isinstance(c, str) and len(c) == 3 and c.isalpha() and c.isupper()
                                                for c in countries)):
        raise ConfigError(f"{where}: scope.countries = {countries!r}; give ISO alpha-3 codes such as [\"RUS\", \"CHN\"]")
    ring = raw.get("range_lonlat", [])
    if not isinstance(ring, list) or (ring and len(ring) < 3) or not all(
            isinstance(p, list) and len(p) == 2 and all(_number(v) for v in p)
            and -180 <= p[0] <= 180 and -90 <= p[1] <= 90 for p in ring):
        raise ConfigError(f"{where}: scope.range_lonlat must list at least 3 [lon, lat] pairs in degrees")
    focus = raw.get("focus_codes", [])
    if not (isinstance(focus, list) and all(isinstance(c, str) and c for c in focus)):
        raise ConfigError(f"{where}: scope.focus_codes = {focus!r}; give codes such as [\"TIG\"]")
    share = raw.get("min_habitat_share")
    if share is not None and not (_number(share) and 0 < share <= 1):
        raise ConfigError(f"{where}: scope.min_habitat_share = {share!r}; give a share in (0, 1]")
    if not focus and share is None and not countries and not ring:
        raise ConfigError(f"{where}: [scope] is empty; give countries, range_lonlat, focus_codes or min_habitat_share")
    sources["scope"] = _source(src, "scope", where)
    scope = SpeciesScope(
        countries=tuple(countries), range_lonlat=tuple((float(a), float(b)) for a, b in ring),
        focus_codes=tuple(focus), min_habitat_share=None if share is None else float(share),
    )
    return dispersal, scope, sources


def _source(src: dict, key: str, where: str) -> str:
    text = src.get(key)
    if not isinstance(text, str) or not text.strip():
        raise ConfigError(f"{where}: sources.{key} must be a non-empty string (a reference or 'assumption: why')")
    return text
