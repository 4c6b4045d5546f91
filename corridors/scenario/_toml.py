"""A small TOML writer for resolved scenarios (``tomllib`` reads but cannot write).

Only the subset a resolved scenario needs: strings, booleans, integers, floats (including
``inf``/``nan``), lists of those, nested tables and arrays of tables. ``None`` values are left
out (TOML has no null); :func:`dumps` output is read back by ``tomllib`` in the tests.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, Mapping

from rasters.atomic import atomic_write_text

__all__ = ["dumps", "write"]

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(k: str) -> str:
    return k if _BARE_KEY.match(k) else _string(k)


def _string(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, Path):
        return _string(str(v))
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v if x is not None) + "]"
    if isinstance(v, Mapping):  # inline table (only for mappings inside lists)
        items = [f"{_key(str(k))} = {_value(x)}" for k, x in v.items() if x is not None]
        return "{ " + ", ".join(items) + " }"
    if hasattr(v, "item"):  # numpy scalar
        return _value(v.item())
    raise TypeError(f"cannot write {type(v).__name__} value {v!r} to TOML")


def _is_table_array(v: Any) -> bool:
    return isinstance(v, (list, tuple)) and len(v) > 0 and all(isinstance(x, Mapping) for x in v)


def _emit(table: Mapping[str, Any], prefix: tuple[str, ...], lines: list[str]) -> None:
    scalars = [(k, v) for k, v in table.items() if v is not None and not isinstance(v, Mapping)
               and not _is_table_array(v)]
    for k, v in scalars:
        lines.append(f"{_key(str(k))} = {_value(v)}")
    for k, v in table.items():
        if isinstance(v, Mapping):
            path = prefix + (str(k),)
            lines.append("")
            lines.append("[" + ".".join(_key(p) for p in path) + "]")
            _emit(v, path, lines)
    for k, v in table.items():
        if _is_table_array(v):
            path = prefix + (str(k),)
            for item in v:
                lines.append("")
                lines.append("[[" + ".".join(_key(p) for p in path) + "]]")
                _emit(item, path, lines)


def dumps(data: Mapping[str, Any], *, header: str | None = None) -> str:
    """Serialise a nested mapping to TOML text.

    Parameters
    ----------
    data : mapping
        Keys are strings; values are scalars, lists, mappings or lists of mappings.
    header : str, optional
        Comment lines written first (each prefixed with ``# ``).
    """
    lines: list[str] = []
    if header:
        lines.extend("# " + line if line else "#" for line in header.splitlines())
        lines.append("")
    _emit(data, (), lines)
    return "\n".join(lines).lstrip("\n") + "\n"


def write(data: Mapping[str, Any], path: str | Path, *, header: str | None = None) -> Path:
    """Write :func:`dumps` output to ``path`` atomically (temp file then rename)."""
    return atomic_write_text(path, dumps(data, header=header))
