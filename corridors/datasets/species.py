"""Species resistance profiles shipped with the package (TOML files in ``species/``).

A profile gives, for the seven land-cover classes of the embedded dataset, a resistance per class
(cost per metre, > 0), the largest cost distance the species is assumed to cross between reserves
(cost units = resistance x metres; 100 km of resistance-1 land is 100,000), the classes that count
as habitat, and a source for every value. Values that no publication gives are labelled
``assumption`` in their source, with the reasoning.
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from ..errors import ConfigError
from ._resources import list_resources, resource
from ._scope_toml import SpeciesScope, _scope_keys, parse_scope
from ._uncertainty_toml import FactorRange, _uncertainty_keys, parse_resistance_uncertainty

__all__ = ["LANDCOVER_CLASSES", "SpeciesProfile", "SpeciesScope", "FlywayRange", "FactorRange", "species_names",
           "species_profile", "load_profile"]

#: Land-cover classes of the embedded dataset: code -> name.
LANDCOVER_CLASSES = MappingProxyType(
    {1: "forest", 2: "wetland", 3: "cropland", 4: "urban", 5: "water", 6: "grassland", 7: "bare"}
)
_CODE = {name: code for code, name in LANDCOVER_CLASSES.items()}

_TOP_KEYS = {
    "name", "code", "common_name", "scientific_name", "group", "resistance",
    "max_cost_distance", "habitat_classes", "notes", "sources", "flyway", "accepted_names", *_scope_keys(),
    *_uncertainty_keys(),
}
_REQUIRED = _TOP_KEYS - {"notes", "flyway", "accepted_names", *_scope_keys(), *_uncertainty_keys()}
_SOURCE_KEYS = {"resistance", "max_cost_distance", "habitat_classes"}
_GROUPS = {"mammal", "bird", "generic"}


@dataclass(frozen=True)
class SpeciesProfile:
    """A species' resistance profile for the seven-class land cover.

    Attributes
    ----------
    name : str
        Identifier (file stem), e.g. ``"amur_tiger"``.
    code : str
        Short code used in the reserves' ``focus_species`` column (``"TIG"``), or ``""``.
    common_name, scientific_name : str
    group : str
        ``"mammal"``, ``"bird"`` or ``"generic"``.
    resistance : Mapping[int, float]
        Land-cover code -> resistance (cost per metre, > 0).
    max_cost_distance : float
        Largest cost distance between reserves worth linking, cost units (resistance x metres).
    habitat_classes : tuple of int
        Land-cover codes that count as habitat.
    notes : str
    flyway : FlywayRange or None
        Flight-range parameters of a migratory bird (the ``[flyway]`` table), or ``None``.
    sources : Mapping[str, object]
        ``resistance`` -> {class name: source}, ``max_cost_distance`` -> source,
        ``habitat_classes`` -> source. ``"assumption: ..."`` marks values no publication gives.
    path : str
        File the profile came from.
    median_dispersal_m : float or None
        Median dispersal distance, metres, for the connectivity metrics (PC, ProtConn); None
        when the profile does not give one. Its source is ``sources["median_dispersal_m"]``.
    scope : SpeciesScope or None
        Where the species lives and which reserves are its nodes; None: every reserve.
    accepted_names : tuple of str
        Scientific names that field records of this species may carry (``accepted_names`` in
        the file; default: ``scientific_name`` unless it is ``"-"``). Matched at species level
        by :func:`corridors.evidence.match_species`.
    resistance_uncertainty : Mapping[int, FactorRange]
        Land-cover code -> factor range of the classes whose resistance uncertainty differs from
        the ensemble's default (``[resistance_uncertainty]``, source in
        ``sources["resistance_uncertainty"]``); empty when the profile gives none.
    """

    name: str
    code: str
    common_name: str
    scientific_name: str
    group: str
    resistance: MappingProxyType
    max_cost_distance: float
    habitat_classes: tuple[int, ...]
    notes: str
    sources: MappingProxyType
    path: str = field(default="", compare=False)
    median_dispersal_m: float | None = None
    scope: SpeciesScope | None = None
    flyway: "FlywayRange | None" = None
    accepted_names: tuple[str, ...] = ()
    resistance_uncertainty: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    def resistance_table(self) -> dict[int, float]:
        """A plain ``{code: resistance}`` dict, as ``rasters.reclassify`` takes it."""
        return dict(self.resistance)

    @property
    def assumed(self) -> list[str]:
        """Which values are assumptions (``"resistance.urban"``, ``"max_cost_distance"`` ...)."""
        out = [f"resistance.{k}" for k, v in self.sources["resistance"].items() if _is_assumption(v)]
        out += [k for k in ("max_cost_distance", "habitat_classes") if _is_assumption(self.sources[k])]
        return out


def _is_assumption(text: str) -> bool:
    return text.strip().lower().startswith("assumption")


def species_names() -> list[str]:
    """Names of the shipped species profiles, sorted."""
    return [n[: -len(".toml")] for n in list_resources("species", ".toml")]


def species_profile(name: str) -> SpeciesProfile:
    """Load a shipped species profile by name (see :func:`species_names`)."""
    names = species_names()
    key = str(name).strip().lower().replace(" ", "_").replace("-", "_")
    if key not in names:
        raise ConfigError(f"unknown species profile {name!r}; choose one of {names}")
    node = resource("species", f"{key}.toml")
    return _parse(node.read_text(encoding="utf-8"), f"species/{key}.toml", key)


def load_profile(path: str | os.PathLike) -> SpeciesProfile:
    """Load a species profile from a user TOML file with the same keys as the shipped ones."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.object[exc.start:exc.start + 1]!r} at offset "
                          f"{exc.start}); re-save the profile as UTF-8") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read species profile ({exc})") from exc
    return _parse(text, str(path), path.stem)


def _check_keys(table: dict, allowed: set, where: str, section: str = "", missing_hint: str = "",
                required: set | None = None) -> None:
    """Refuse keys of ``table`` outside ``allowed``, and keys of ``required`` (default: all) it lacks.

    ``section`` names the table in messages (e.g. ``"[sources]"``; empty for the top level).
    """
    unknown = sorted(set(table) - allowed)
    if unknown:
        inside = f" in {section}" if section else ""
        raise ConfigError(f"{where}: unknown key(s) {unknown}{inside}; allowed keys are {sorted(allowed)}")
    missing = sorted((allowed if required is None else required) - set(table))
    if missing:
        raise ConfigError(f"{where}: {section or 'the profile'} lacks key(s) {missing}{missing_hint}")


def _is_positive_number(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value) and value > 0


def _parse(text: str, where: str, stem: str) -> SpeciesProfile:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML ({exc})") from exc
    _check_keys(doc, _TOP_KEYS, where, required=_REQUIRED)
    for key in ("name", "code", "common_name", "scientific_name", "group"):
        if not isinstance(doc[key], str):
            raise ConfigError(f"{where}: key {key!r} must be a string, got {doc[key]!r}")
    if doc["name"] != stem:
        raise ConfigError(f"{where}: name = {doc['name']!r} must match the file name {stem!r}")
    if doc["group"] not in _GROUPS:
        raise ConfigError(f"{where}: group = {doc['group']!r}; choose one of {sorted(_GROUPS)}")

    res = doc["resistance"]
    if not isinstance(res, dict):
        raise ConfigError(f"{where}: [resistance] must be a table of class name = value")
    _check_classes(res, where, "resistance")
    resistance = {}
    for cls, value in res.items():
        if not _is_positive_number(value):
            raise ConfigError(
                f"{where}: resistance.{cls} = {value!r}; resistances must be finite numbers > 0"
            )
        resistance[_CODE[cls]] = float(value)

    mcd = doc["max_cost_distance"]
    if not _is_positive_number(mcd):
        raise ConfigError(f"{where}: max_cost_distance = {mcd!r}; give cost units (resistance x metres) > 0")

    hab = doc["habitat_classes"]
    if not isinstance(hab, list) or not hab or any(h not in _CODE for h in hab):
        raise ConfigError(
            f"{where}: habitat_classes = {hab!r}; give a non-empty list of class names from "
            f"{list(_CODE)}"
        )

    src = doc["sources"]
    if not isinstance(src, dict):
        raise ConfigError(f"{where}: [sources] must be a table")
    _check_keys(src, _SOURCE_KEYS | {"flyway"} | set(_scope_keys()) | set(_uncertainty_keys()), where, "[sources]",
                "; every value needs a source or 'assumption: why'", required=_SOURCE_KEYS)
    if not isinstance(src["resistance"], dict):
        raise ConfigError(f"{where}: [sources.resistance] must give a source per class")
    _check_classes(src["resistance"], where, "sources.resistance")
    for key, text_ in [*(("sources.resistance." + k, v) for k, v in src["resistance"].items()),
                       ("sources.max_cost_distance", src["max_cost_distance"]),
                       ("sources.habitat_classes", src["habitat_classes"])]:
        if not isinstance(text_, str) or not text_.strip():
            raise ConfigError(f"{where}: {key} must be a non-empty string (a reference or 'assumption: why')")

    dispersal, scope, scope_sources = parse_scope(doc, where)
    factor_ranges, factor_sources = parse_resistance_uncertainty(doc, where, _CODE)
    return SpeciesProfile(
        name=doc["name"],
        code=doc["code"],
        common_name=doc["common_name"],
        scientific_name=doc["scientific_name"],
        group=doc["group"],
        resistance=MappingProxyType(dict(sorted(resistance.items()))),
        max_cost_distance=float(mcd),
        habitat_classes=tuple(sorted(_CODE[h] for h in set(hab))),
        notes=str(doc.get("notes", "")),
        sources=MappingProxyType({
            "resistance": MappingProxyType(dict(src["resistance"])),
            "max_cost_distance": src["max_cost_distance"],
            "habitat_classes": src["habitat_classes"],
            **scope_sources,
            **factor_sources,
        }),
        path=where,
        median_dispersal_m=dispersal,
        scope=scope,
        flyway=_parse_flyway(doc, where),
        accepted_names=_accepted_names(doc, where),
        resistance_uncertainty=factor_ranges,
    )


def _accepted_names(doc: dict, where: str) -> tuple[str, ...]:
    """The profile's ``accepted_names``: scientific names (genus species [subspecies]) field data may use.

    Absent: the profile's own ``scientific_name`` (none for ``"-"``, a profile that is no species).
    """
    names = doc.get("accepted_names")
    if names is None:
        own = doc["scientific_name"].strip()
        return () if own in ("", "-") else (own,)
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ConfigError(f"{where}: accepted_names = {names!r}; give a list of scientific names (strings)")
    out = []
    for n in names:
        words = n.split()
        if not 2 <= len(words) <= 3:
            raise ConfigError(
                f"{where}: accepted_names entry {n!r} is not a scientific name; write 'Genus species' or "
                "'Genus species subspecies' (no authorship)"
            )
        out.append(" ".join(words))
    return tuple(out)


def _check_classes(table: dict, where: str, key: str) -> None:
    unknown = sorted(set(table) - set(_CODE))
    if unknown:
        raise ConfigError(f"{where}: unknown class(es) {unknown} in [{key}]; classes are {list(_CODE)}")
    missing = [c for c in _CODE if c not in table]
    if missing:
        raise ConfigError(f"{where}: [{key}] lacks class(es) {missing}; give all of {list(_CODE)}")


# ------------------------------------------------------------------------------ [flyway] table
_FLYWAY_KEYS = {"max_leg_km", "typical_leg_km"}


@dataclass(frozen=True)
class FlywayRange:
    """Flight-range parameters of a migratory bird, for :mod:`corridors.flyway`.

    Attributes
    ----------
    max_leg_km : float
        Maximum single-leg (non-stop) flight distance, km: sites farther apart are not joined.
    typical_leg_km : float
        Typical leg, km (<= ``max_leg_km``): the median distance of the dPC decay.
    sources : Mapping[str, str]
        ``max_leg_km`` / ``typical_leg_km`` -> reference, ``"derived: ..."`` (a computation on
        published figures, shown) or ``"assumption: ..."``.
    """

    max_leg_km: float
    typical_leg_km: float
    sources: MappingProxyType

    @property
    def assumed(self) -> list[str]:
        """Which of the two values are assumptions (``"flyway.max_leg_km"`` ...)."""
        return [f"flyway.{k}" for k, v in self.sources.items() if _is_assumption(v)]


def _parse_flyway(doc: dict, where: str) -> FlywayRange | None:
    """The optional ``[flyway]`` table and its ``[sources.flyway]``, checked; ``None`` if absent."""
    table = doc.get("flyway")
    src = doc["sources"].get("flyway")
    if table is None and src is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [sources.flyway] is given but [flyway] is missing; add [flyway] "
                          f"with {sorted(_FLYWAY_KEYS)} or remove [sources.flyway]")
    if not isinstance(src, dict):
        raise ConfigError(f"{where}: [flyway] needs a [sources.flyway] table with a source per value")
    _check_keys(table, _FLYWAY_KEYS, where, "[flyway]")
    _check_keys(src, _FLYWAY_KEYS, where, "[sources.flyway]", "; every value needs a source")
    for key in sorted(_FLYWAY_KEYS):
        if not _is_positive_number(table[key]):
            raise ConfigError(f"{where}: flyway.{key} = {table[key]!r}; give a distance in km > 0")
        if not isinstance(src[key], str) or not src[key].strip():
            raise ConfigError(f"{where}: sources.flyway.{key} must be a non-empty string "
                              "(a reference, 'derived: ...' or 'assumption: why')")
    if table["typical_leg_km"] > table["max_leg_km"]:
        raise ConfigError(f"{where}: flyway.typical_leg_km = {table['typical_leg_km']!r} exceeds "
                          f"max_leg_km = {table['max_leg_km']!r}; the typical leg cannot be longer")
    return FlywayRange(float(table["max_leg_km"]), float(table["typical_leg_km"]),
                       MappingProxyType({k: src[k] for k in sorted(_FLYWAY_KEYS)}))
