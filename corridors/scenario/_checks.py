"""Validation of one scenario value against its :class:`Check`, shared by the dataclasses (which
validate themselves when built, from TOML or from Python) and the TOML parser.

A failed check raises :class:`FieldError`, which carries the field's name and the reason so that
the parser can prefix the scenario file and the dotted key (``parameters.corridor_width``).
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, ClassVar

from ..errors import ConfigError

__all__ = ["Check", "FieldError", "Validated", "check_value", "suggest"]


@dataclass(frozen=True)
class Check:
    """How one scenario key is validated.

    kind : 'float' | 'int' | 'str' | 'bool' | 'path' | 'choice' | 'wkt' | 'crs' | 'table' | 'tables'
        | 'pairs' | 'codes' | 'ints' | 'bbox' | 'resistance' | 'strings' | 'profiles'
    """

    kind: str
    help: str
    minimum: float | None = None
    maximum: float | None = None
    exclusive_min: bool = False
    choices: tuple = ()
    optional: bool = True
    odd: bool = False  # integers only: the value must be odd (e.g. a centred window)

    def describe(self) -> str:
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind in ("float", "int"):
            lo = "" if self.minimum is None else (f"> {self.minimum:g}" if self.exclusive_min else f">= {self.minimum:g}")
            hi = "" if self.maximum is None else f"<= {self.maximum:g}"
            rng = " and ".join(x for x in (lo, hi) if x)
            noun = "a number" if self.kind == "float" else ("an odd integer" if self.odd else "an integer")
            return f"{noun} {rng}".strip()
        return {
            "str": "a string",
            "bool": "true or false",
            "path": "a path to an existing file (relative to the scenario file)",
            "wkt": "a WKT geometry string",
            "crs": "a CRS (e.g. 'EPSG:4326', a PROJ string or WKT)",
            "pairs": "a border pair such as 'CHN-RUS', or a list of them",
            "codes": "a list of ISO 3166-1 alpha-3 codes such as ['RUS', 'CHN']",
            "ints": "a list of whole numbers such as [3, 4]",
            "bbox": "[west, south, east, north] in degrees of longitude/latitude",
            "resistance": "a number > 0 or 'barrier'",
            "strings": "a non-empty list of strings",
            "profiles": "a species profile name, a list of names or 'all'",
        }.get(self.kind, self.kind)


class FieldError(ConfigError):
    """A value failed its check; ``key`` is the dotted key, ``reason`` what is wrong and the fix."""

    def __init__(self, key: str, reason: str):
        super().__init__(f"key '{key}': {reason}")
        self.key = key
        self.reason = reason


def suggest(key: str, allowed: list[str]) -> str:
    """'did you mean ...? Allowed: ...' for an unknown key."""
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"{hint}Allowed: {', '.join(allowed)}"


def _number(value: Any, check: Check, key: str) -> float | int:
    ok_type = (int, float) if check.kind == "float" else (int,)
    if isinstance(value, bool) or not isinstance(value, ok_type):
        raise FieldError(key, f"got {value!r} ({type(value).__name__}); expected {check.describe()}")
    value = float(value) if check.kind == "float" else int(value)
    if check.kind == "float" and not math.isfinite(value):
        raise FieldError(key, f"got {value!r}; expected a finite number ({check.describe()})")
    lo, hi = check.minimum, check.maximum
    if (lo is not None and (value < lo or (check.exclusive_min and value == lo))) or (hi is not None and value > hi):
        raise FieldError(key, f"got {value!r}; expected {check.describe()}")
    if check.odd and value % 2 == 0:
        raise FieldError(key, f"got {value!r}; expected {check.describe()} (e.g. {value + 1})")
    return value


def _wkt(value: Any, key: str) -> str:
    if not isinstance(value, str):
        raise FieldError(key, f"got {value!r}; expected a WKT string such as 'LINESTRING (0 0, 1 1)'")
    import shapely

    try:
        shapely.from_wkt(value)
    except Exception as exc:  # shapely raises GEOSException
        raise FieldError(key, f"cannot parse WKT {value[:60]!r} ({exc}); give valid WKT") from exc
    return value


def _crs(value: Any, key: str) -> str:
    from pyproj import CRS

    try:
        CRS.from_user_input(value)
    except Exception as exc:  # pyproj raises CRSError, TypeError
        raise FieldError(key, f"cannot interpret CRS {value!r} ({exc}); give e.g. 'EPSG:4326'") from exc
    return str(value)


def _pairs(value: Any, check: Check, key: str) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not items or not all(isinstance(v, str) for v in items):
        raise FieldError(key, f"got {value!r}; expected {check.describe()}")
    for v in items:
        codes = v.split("-")
        if len(codes) != 2 or not all(len(c) == 3 and c.isalpha() and c.isupper() for c in codes) \
                or codes[0] == codes[1]:
            raise FieldError(key, f"got {v!r}; a border pair is two different upper-case ISO3 codes "
                                  "joined by '-', e.g. 'CHN-RUS'")
    return tuple(items)


def _bbox(value: Any, check: Check, key: str) -> tuple[float, ...]:
    ok = isinstance(value, (list, tuple)) and len(value) == 4 and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in value)
    if not ok:
        raise FieldError(key, f"got {value!r}; expected {check.describe()}")
    w, s, e, n = (float(v) for v in value)
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise FieldError(key, f"got {value!r}; expected [west, south, east, north] with -180 <= west "
                              "< east <= 180 and -90 <= south < north <= 90 (degrees)")
    return (w, s, e, n)


def check_value(value: Any, check: Check, key: str) -> Any:
    """``value`` converted to its field's type (int -> float, str -> Path), or :class:`FieldError`.

    ``None`` is accepted for optional fields. Paths are not checked for existence here (the TOML
    parser does that, relative to the scenario file, and the run does when it reads them).
    """
    if value is None:
        if check.optional:
            return None
        raise FieldError(key, f"missing; it is required ({check.help}): give {check.describe()}")
    kind = check.kind
    if kind in ("float", "int"):
        return _number(value, check, key)
    if kind == "choice":
        if isinstance(value, bool) or value not in check.choices:
            close = difflib.get_close_matches(str(value), [str(c) for c in check.choices], n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise FieldError(key, f"got {value!r}{hint}; expected {check.describe()}")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise FieldError(key, f"got {value!r}; expected true or false")
        return value
    if kind == "str":
        if not isinstance(value, str):
            raise FieldError(key, f"got {value!r} ({type(value).__name__}); expected a string")
        if not check.optional and not value:
            raise FieldError(key, f"missing; it is required ({check.help}): give {check.describe()}")
        return value
    if kind == "path":
        if not isinstance(value, (str, Path)) or not str(value):
            raise FieldError(key, f"got {value!r}; expected {check.describe()}")
        return Path(value)
    if kind == "wkt":
        return _wkt(value, key)
    if kind == "crs":
        return _crs(value, key)
    if kind == "pairs":
        return _pairs(value, check, key)
    if kind == "ints":
        items = [value] if isinstance(value, int) and not isinstance(value, bool) else value
        if not isinstance(items, (list, tuple)) or not all(isinstance(v, int) and not isinstance(v, bool) for v in items):
            raise FieldError(key, f"got {value!r}; expected {check.describe()}")
        return tuple(int(v) for v in items)
    if kind == "codes":
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)) or not all(isinstance(v, str) and len(v.strip()) == 3
                                                          and v.strip().isalpha() for v in items):
            raise FieldError(key, f"got {value!r}; expected {check.describe()}")
        return tuple(v.strip().upper() for v in items)
    if kind == "bbox":
        return _bbox(value, check, key)
    if kind == "resistance":
        if isinstance(value, str) and value.strip().lower() == "barrier":
            return "barrier"
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            raise FieldError(key, f"got {value!r}; expected {check.describe()}")
        return float(value)
    if kind == "strings":
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)) or not items or not all(isinstance(v, str) for v in items):
            raise FieldError(key, f"got {value!r}; expected {check.describe()}")
        return tuple(items)
    if kind == "profiles":
        if isinstance(value, str):
            if not value.strip():
                raise FieldError(key, f"got {value!r}; expected {check.describe()}")
            return value
        if not isinstance(value, (list, tuple)) or not value or not all(isinstance(v, str) and v.strip()
                                                                       for v in value):
            raise FieldError(key, f"got {value!r}; expected {check.describe()} (a list: non-empty names)")
        twice = sorted({v for v in value if list(value).count(v) > 1})
        if twice:
            raise FieldError(key, f"{twice[0]!r} is listed more than once; list each species once")
        return tuple(value)
    if kind in ("table", "tables"):
        return value  # nested sections validate themselves
    raise AssertionError(f"unhandled check kind {kind}")  # pragma: no cover - schema bug


class Validated:
    """Mixin for the frozen scenario dataclasses: every field is checked in ``__post_init__``.

    ``KEY`` is the section's dotted name used in messages (``parameters``); the TOML parser
    replaces it with the exact key (``edits[2]``).
    """

    KEY: ClassVar[str] = ""

    def __post_init__(self) -> None:
        for f in fields(self):
            check = f.metadata.get("check")
            if check is None:
                continue
            key = f"{self.KEY}.{f.name}" if self.KEY else f.name
            value = getattr(self, f.name)
            new = check_value(value, check, key)
            if new is not value:
                object.__setattr__(self, f.name, new)
        self.check()

    def check(self) -> None:
        """Checks across fields (override); raise :class:`FieldError`."""
