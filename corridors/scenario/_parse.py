"""Turn a TOML mapping into typed scenario objects, refusing unknown keys and bad values.

Every error is a :class:`~corridors.errors.ConfigError` whose message starts with the scenario
file's name, names the dotted key (``parameters.corridor_width``), the offending value and the fix.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import fields
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ._schema import EDIT_TYPES, Check, ExtraLayer, RankingWeights

__all__ = ["build", "ParseContext"]


class ParseContext:
    """Where relative paths are resolved and what error messages are prefixed with."""

    def __init__(self, source: str, base_dir: Path, check_files: bool = True):
        self.source = source
        self.base_dir = Path(base_dir)
        self.check_files = check_files

    def error(self, key: str, message: str) -> ConfigError:
        where = f"key '{key}'" if key else "top level"
        return ConfigError(f"{self.source}: {where}: {message}")


def _suggest(key: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"{hint}Allowed: {', '.join(allowed)}"


def _unknown_keys(data: dict, allowed: list[str], prefix: str, ctx: ParseContext) -> None:
    for key in data:
        if key not in allowed:
            dotted = f"{prefix}.{key}" if prefix else key
            raise ConfigError(f"{ctx.source}: unknown key '{dotted}'; {_suggest(key, allowed)}")


def _convert(value: Any, check: Check, key: str, ctx: ParseContext) -> Any:
    kind = check.kind
    if kind in ("float", "int"):
        ok_type = (int, float) if kind == "float" else (int,)
        if isinstance(value, bool) or not isinstance(value, ok_type):
            raise ctx.error(key, f"got {value!r} ({type(value).__name__}); expected {check.describe()}")
        value = float(value) if kind == "float" else int(value)
        if kind == "float" and not math.isfinite(value):
            raise ctx.error(key, f"got {value!r}; expected a finite number ({check.describe()})")
        lo, hi = check.minimum, check.maximum
        if lo is not None and (value < lo or (check.exclusive_min and value == lo)):
            raise ctx.error(key, f"got {value!r}; expected {check.describe()}")
        if hi is not None and value > hi:
            raise ctx.error(key, f"got {value!r}; expected {check.describe()}")
        if check.odd and value % 2 == 0:
            raise ctx.error(key, f"got {value!r}; expected {check.describe()} (e.g. {value + 1})")
        return value
    if kind == "choice":
        if isinstance(value, bool) or value not in check.choices:
            close = difflib.get_close_matches(str(value), [str(c) for c in check.choices], n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ctx.error(key, f"got {value!r}{hint}; expected {check.describe()}")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise ctx.error(key, f"got {value!r}; expected true or false")
        return value
    if kind == "str":
        if not isinstance(value, str):
            raise ctx.error(key, f"got {value!r} ({type(value).__name__}); expected a string")
        return value
    if kind == "path":
        if not isinstance(value, str) or not value:
            raise ctx.error(key, f"got {value!r}; expected {check.describe()}")
        path = Path(value).expanduser()
        if not path.is_absolute():
            path = ctx.base_dir / path
        path = path.resolve()
        if ctx.check_files and not path.exists():
            raise ctx.error(
                key,
                f"file {value!r} not found (looked for {path}); fix the path - relative paths are "
                f"relative to the folder of the scenario file ({ctx.base_dir})",
            )
        return path
    if kind == "wkt":
        if not isinstance(value, str):
            raise ctx.error(key, f"got {value!r}; expected a WKT string such as 'LINESTRING (0 0, 1 1)'")
        import shapely

        try:
            shapely.from_wkt(value)
        except Exception as exc:  # shapely raises GEOSException
            raise ctx.error(key, f"cannot parse WKT {value[:60]!r} ({exc}); give valid WKT") from exc
        return value
    if kind == "crs":
        from pyproj import CRS

        try:
            CRS.from_user_input(value)
        except Exception as exc:
            raise ctx.error(key, f"cannot interpret CRS {value!r} ({exc}); give e.g. 'EPSG:4326'") from exc
        return str(value)
    raise AssertionError(f"unhandled check kind {kind}")  # pragma: no cover - schema bug


def build(cls: type, data: Any, prefix: str, ctx: ParseContext):
    """Build dataclass ``cls`` from mapping ``data`` (``prefix`` = dotted name of the table)."""
    if not isinstance(data, dict):
        raise ctx.error(prefix, f"expected a table ([{prefix}]), got {data!r}")
    flds = {f.name: f for f in fields(cls)}
    _unknown_keys(data, list(flds), prefix, ctx)
    kwargs = {}
    for name, f in flds.items():
        key = f"{prefix}.{name}" if prefix else name
        check: Check = f.metadata["check"]
        if name not in data:
            if not check.optional:
                raise ctx.error(key, f"missing; it is required ({check.help}): give {check.describe()}")
            continue
        value = data[name]
        if check.kind == "table":
            kwargs[name] = build(RankingWeights, value, key, ctx)
        elif check.kind == "tables":
            if not isinstance(value, list):
                raise ctx.error(key, "expected an array of tables ([[inputs.layers]])")
            kwargs[name] = tuple(build(ExtraLayer, item, f"{key}[{i}]", ctx) for i, item in enumerate(value))
        else:
            kwargs[name] = _convert(value, check, key, ctx)
    return cls(**kwargs)


def build_edit(data: Any, index: int, ctx: ParseContext):
    """Build one ``[[edits]]`` entry (road, fence, area or reserve)."""
    key = f"edits[{index}]"
    if not isinstance(data, dict):
        raise ctx.error(key, f"expected a table ([[edits]]), got {data!r}")
    etype = data.get("type")
    if etype not in EDIT_TYPES:
        raise ctx.error(f"{key}.type", f"got {etype!r}; expected one of {', '.join(map(repr, EDIT_TYPES))}")
    edit = build(EDIT_TYPES[etype], data, key, ctx)
    if (edit.wkt is None) == (edit.path is None):
        raise ctx.error(key, "give exactly one of 'wkt' (geometry as WKT) or 'path' (a vector file)")
    if edit.wkt is not None:
        import shapely

        geom = shapely.from_wkt(edit.wkt)
        want = ("LineString", "MultiLineString") if etype in ("road", "fence") else ("Polygon", "MultiPolygon")
        if geom.geom_type not in want or geom.is_empty:
            got = f"an empty {geom.geom_type} (no coordinates)" if geom.is_empty else geom.geom_type
            raise ctx.error(f"{key}.wkt", f"a {etype} needs a {' or '.join(want)} with coordinates, got {got}")
    if etype == "reserve":
        from vectors._common import check_iso3

        try:
            check_iso3({edit.pa_id: edit.iso3}, ctx.source, f"{key}.iso3")
        except Exception as exc:
            raise ctx.error(f"{key}.iso3", str(exc).split(": ", 1)[1]) from None
    return edit
