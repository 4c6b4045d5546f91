"""``[uncertainty]``: a resistance-uncertainty ensemble (issue 15), typed and validated like the
rest of the scenario.

Example::

    [uncertainty]
    members = 100                 # runs of the resistance-dependent stages
    seed = 1                      # same seed, same draws (serial or on a cluster)
    distribution = "loguniform"   # every class: factor drawn log-uniformly ...
    factor_low = 0.5              # ... between x0.5 ...
    factor_high = 2.0             # ... and x2
    dispersal_low = 0.8           # max_cost_distance x U_log(0.8, 1.25); 1 and 1: fixed
    dispersal_high = 1.25
    transforms = ["table", "linear", "exp:4", "exp:16"]   # each member draws one

    [[uncertainty.classes]]       # a class of its own (overrides the species profile's range)
    name = "urban"
    low = 0.25
    high = 4.0

Without an ``[uncertainty]`` section a run is deterministic and writes what it always wrote.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..datasets._uncertainty_toml import DISTRIBUTIONS
from ._checks import Check, FieldError, Validated

__all__ = ["ClassFactors", "Uncertainty", "DISTRIBUTIONS", "parse_transform"]

#: shape parameters c of the negative-exponential suitability-to-resistance curves of Keeley,
#: Beier & Gagnon (2016, Landscape Ecology 31:2151-2162), after Trainor et al. (2013): 0.25 (nearly
#: linear) to 32, as listed by Keeley et al. (2017, doi:10.1016/j.landurbplan.2017.01.007); only
#: used in messages (any c > 0 is accepted)
KEELEY_SHAPES = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0)


def _f(default: Any, kind: str, help: str, **kw) -> Any:
    return field(default=default, metadata={"check": Check(kind, help, **kw)})


def parse_transform(spec: str) -> tuple[str, float | None]:
    """``"table"`` -> ("table", None); ``"linear"`` -> ("linear", None); ``"exp:4"`` -> ("exp", 4.0).

    Raises
    ------
    ValueError
        Any other text (the caller names the key).
    """
    text = spec.strip().lower()
    if text in ("table", "linear"):
        return text, None
    if text.startswith("exp:"):
        try:
            c = float(text[4:])
        except ValueError:
            c = math.nan
        if math.isfinite(c) and c > 0:
            return "exp", c
    raise ValueError(
        f"got {spec!r}; a transform is 'table' (the resistances as given), 'linear' or 'exp:C' with "
        f"a shape C > 0 (Keeley et al. 2016 used {', '.join(f'{c:g}' for c in KEELEY_SHAPES)})")


def _check_range(key: str, names: tuple[str, str], low: float, high: float) -> None:
    if low > high:
        raise FieldError(key, f"{names[0]} {low:g} > {names[1]} {high:g}; give {names[0]} <= {names[1]} "
                              "(equal: a fixed factor)")


@dataclass(frozen=True)
class ClassFactors(Validated):
    """``[[uncertainty.classes]]``: the factor range of one land-cover class."""

    KEY = "uncertainty.classes"

    name: str = _f("", "str", "class name of the embedded land cover (forest, wetland, cropland, urban, "
                   "water, grassland, bare) or a land-cover code written as text ('12')", optional=False)
    low: float | None = _f(None, "float", "smallest factor on the class's resistance", minimum=0.0,
                           exclusive_min=True, optional=False)
    high: float | None = _f(None, "float", "largest factor on the class's resistance", minimum=0.0,
                            exclusive_min=True, optional=False)
    distribution: str | None = _f(None, "choice", "how the factor is drawn; default: the section's "
                                  "distribution", choices=DISTRIBUTIONS)

    def check(self) -> None:
        from ..datasets import LANDCOVER_CLASSES

        names = list(LANDCOVER_CLASSES.values())
        if self.name not in names and not self.name.isdigit():
            raise FieldError(f"{self.KEY}.name", f"got {self.name!r}; give one of {', '.join(names)} "
                                                 "or a land-cover code as text, e.g. '12'")
        _check_range(f"{self.KEY}.high", ("low", "high"), self.low, self.high)

    @property
    def code(self) -> int:
        """The land-cover code this entry is about."""
        from ..datasets import LANDCOVER_CLASSES

        by_name = {n: c for c, n in LANDCOVER_CLASSES.items()}
        return by_name[self.name] if self.name in by_name else int(self.name)


@dataclass(frozen=True)
class Uncertainty(Validated):
    """``[uncertainty]``: how many ensemble members, their seed and what varies between them.

    Each member multiplies every land-cover class's resistance by a factor drawn between
    ``factor_low`` and ``factor_high`` (a class of ``classes``, or of the species profile's
    ``[resistance_uncertainty]``, has its own range), optionally scales ``max_cost_distance``
    and rescales the table with one of ``transforms``; the stages that depend on the resistance
    are rerun per member and the ranks and corridors are summarised (rank_uncertainty.csv,
    corridor_frequency.tif).
    """

    KEY = "uncertainty"

    members: int = _f(100, "int", "number of ensemble members (runs of the resistance-dependent stages)", minimum=1)
    seed: int = _f(0, "int", "seed of the draws (numpy SeedSequence; member i's draw depends on the seed "
                   "and i only)", minimum=0)
    distribution: str = _f("loguniform", "choice", "how each class's factor is drawn between low and high "
                           "('loguniform': uniform in log(factor))", choices=DISTRIBUTIONS)
    factor_low: float = _f(0.5, "float", "smallest resistance factor of every class without its own range "
                           "(default x0.5-2: an assumption, a factor of two either way)",
                           minimum=0.0, exclusive_min=True)
    factor_high: float = _f(2.0, "float", "largest resistance factor of every class without its own range",
                            minimum=0.0, exclusive_min=True)
    classes: tuple[ClassFactors, ...] = field(default=(), metadata={"check": Check(
        "tables", "classes with a factor range of their own ([[uncertainty.classes]])")})
    dispersal_low: float = _f(1.0, "float", "smallest factor on max_cost_distance (drawn log-uniformly; "
                              "1 and 1: the dispersal limit is fixed)", minimum=0.0, exclusive_min=True)
    dispersal_high: float = _f(1.0, "float", "largest factor on max_cost_distance", minimum=0.0,
                               exclusive_min=True)
    transforms: tuple[str, ...] = field(default=("table",), metadata={"check": Check(
        "strings", "resistance transforms, one drawn per member: 'table' (as given), 'linear' or 'exp:C' "
        "(Keeley et al. 2016) applied to the suitability = conductance scaled to 0-1")})
    robust_share: float = _f(0.9, "float", "a cell is in the robust corridors when it lies in a corridor in "
                             "at least this share of the members", minimum=0.0, exclusive_min=True, maximum=1.0)

    def check(self) -> None:
        _check_range(f"{self.KEY}.factor_high", ("factor_low", "factor_high"), self.factor_low, self.factor_high)
        _check_range(f"{self.KEY}.dispersal_high", ("dispersal_low", "dispersal_high"), self.dispersal_low,
                     self.dispersal_high)
        object.__setattr__(self, "classes", tuple(self.classes))
        seen: dict[int, str] = {}
        for i, c in enumerate(self.classes):
            if not isinstance(c, ClassFactors):
                raise FieldError(f"{self.KEY}.classes", f"entry {i}: got {c!r}; expected a ClassFactors")
            if c.code in seen:
                raise FieldError(f"{self.KEY}.classes", f"class {c.name!r} is given twice (also as "
                                                             f"{seen[c.code]!r}); give each class once")
            seen[c.code] = c.name
        for spec in self.transforms:
            try:
                parse_transform(spec)
            except ValueError as exc:
                raise FieldError(f"{self.KEY}.transforms", str(exc)) from None
