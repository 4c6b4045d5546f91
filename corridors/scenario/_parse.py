"""Turn a TOML mapping into typed scenario objects, refusing unknown keys and bad values.

Values are checked by the dataclasses themselves (:mod:`._checks`); this module adds what only a
file has: unknown keys (with a suggestion), paths relative to the scenario file that must exist,
and the file name and exact dotted key (``edits[2].width_m``) in every message. Every error is a
:class:`~corridors.errors.ConfigError`.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ._checks import FieldError, suggest
from ._schema import EDIT_TYPES, BorderFenceEdit, ExtraLayer, RankingWeights
from ._uncertainty import ClassFactors

__all__ = ["build", "build_edit", "ParseContext"]

#: nested tables: field name -> the dataclass of its entries (kind 'table' or 'tables')
_NESTED = {"weights": RankingWeights, "layers": ExtraLayer, "classes": ClassFactors}


class ParseContext:
    """Where relative paths are resolved and what error messages are prefixed with."""

    def __init__(self, source: str, base_dir: Path, check_files: bool = True):
        self.source = source
        self.base_dir = Path(base_dir)
        self.check_files = check_files

    def error(self, key: str, message: str) -> ConfigError:
        where = f"key '{key}'" if key else "top level"
        return ConfigError(f"{self.source}: {where}: {message}")


def _unknown_keys(data: dict, allowed: list[str], prefix: str, ctx: ParseContext) -> None:
    for key in data:
        if key not in allowed:
            dotted = f"{prefix}.{key}" if prefix else key
            raise ConfigError(f"{ctx.source}: unknown key '{dotted}'; {suggest(key, allowed)}")


def _path(value: Any, key: str, ctx: ParseContext) -> Any:
    """A path value resolved against the scenario's folder; it must exist (unless not checked)."""
    if not isinstance(value, str) or not value:
        return value  # the dataclass refuses it with the expected kind
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


def build(cls: type, data: Any, prefix: str, ctx: ParseContext):
    """Build dataclass ``cls`` from mapping ``data`` (``prefix`` = dotted name of the table)."""
    if not isinstance(data, dict):
        raise ctx.error(prefix, f"expected a table ([{prefix}]), got {data!r}")
    flds = {f.name: f for f in fields(cls)}
    _unknown_keys(data, list(flds), prefix, ctx)
    kwargs = {}
    for name, value in data.items():
        key = f"{prefix}.{name}" if prefix else name
        kind = flds[name].metadata["check"].kind
        if kind == "table":
            value = build(_NESTED[name], value, key, ctx)
        elif kind == "tables":
            if not isinstance(value, list):
                raise ctx.error(key, f"expected an array of tables ([[{key}]])")
            value = tuple(build(_NESTED[name], item, f"{key}[{i}]", ctx) for i, item in enumerate(value))
        elif kind == "path":
            value = _path(value, key, ctx)
        kwargs[name] = value
    try:
        return cls(**kwargs)
    except FieldError as exc:
        # the dataclass names its own section; the file's exact key is the prefix
        field_name = exc.key.rsplit(".", 1)[-1] if "." in exc.key else ""
        key = f"{prefix}.{field_name}" if field_name in flds else prefix
        raise ctx.error(key, exc.reason) from exc


def build_edit(data: Any, index: int, ctx: ParseContext):
    """Build one ``[[edits]]`` entry (road, fence, fence along a border, crossing, area or reserve)."""
    key = f"edits[{index}]"
    if not isinstance(data, dict):
        raise ctx.error(key, f"expected a table ([[edits]]), got {data!r}")
    etype = data.get("type")
    if etype not in EDIT_TYPES:
        raise ctx.error(f"{key}.type", f"got {etype!r}; expected one of {', '.join(map(repr, EDIT_TYPES))}")
    if etype == "fence" and "along" in data:
        extra = [k for k in ("wkt", "path", "layer") if k in data]
        if extra:
            raise ctx.error(key, f"a fence along a border takes no {extra[0]!r}: give either "
                                 "'along' (a border pair) or 'wkt'/'path' (your own line)")
        return build(BorderFenceEdit, data, key, ctx)
    return build(EDIT_TYPES[etype], data, key, ctx)
