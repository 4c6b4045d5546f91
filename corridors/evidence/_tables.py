"""Shared reading of the plain CSV tables (detections, samples): column aliases, coordinates.

Column names are matched case-insensitively through :data:`COLUMN_ALIASES` (a table, not
scattered ifs). Coordinates are either ``x``/``y`` in a CRS the caller names, or
``lon``/``lat`` in WGS 84 degrees.
"""

from __future__ import annotations

import csv
from pathlib import Path

from ..errors import DataFormatError, InputError

__all__ = ["COLUMN_ALIASES", "read_rows", "find_columns", "coordinate_columns", "parse_float", "join_problems"]

#: canonical column -> accepted header spellings (lower case)
COLUMN_ALIASES = {
    "station": ("station", "station_id", "camera", "site"),
    "sample": ("sample", "sample_id", "id"),
    "x": ("x", "easting"),
    "y": ("y", "northing"),
    "lon": ("lon", "longitude", "long"),
    "lat": ("lat", "latitude"),
    "datetime": ("datetime", "date_time", "timestamp", "eventstart"),
    "species": ("species", "scientific_name", "scientificname"),
    "individual": ("individual", "individual_id", "individualid"),
}

#: at most this many problem lines in one error message
MAX_PROBLEMS = 30


def join_problems(problems: list[str]) -> str:
    """One message of one line per problem (the first :data:`MAX_PROBLEMS`, then a count)."""
    more = len(problems) - MAX_PROBLEMS
    text = "\n".join(problems[:MAX_PROBLEMS])
    return text + (f"\n... and {more} more problem(s)" if more > 0 else "")


def read_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and ``(line number, cells)`` of every non-empty row of a UTF-8 CSV file."""
    try:
        f = open(path, newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise DataFormatError(f"{path}: cannot read ({exc}); check the path") from exc
    with f:
        reader = csv.reader(f)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise InputError(f"{path}: empty file; expected a header line") from None
        except (UnicodeDecodeError, csv.Error) as exc:
            raise DataFormatError(f"{path}: line 1: not a UTF-8 CSV file ({exc})") from exc
        rows = []
        try:
            for rec in reader:
                if any(c.strip() for c in rec):
                    rows.append((reader.line_num, rec))
        except (UnicodeDecodeError, csv.Error) as exc:
            raise DataFormatError(f"{path}: line {reader.line_num + 1}: not a UTF-8 CSV row ({exc})") from exc
    return header, rows


def find_columns(header: list[str], wanted: list[str], path: Path, *, optional=()) -> dict[str, int]:
    """Index of each canonical column of ``wanted`` (and of ``optional`` ones present)."""
    low = [h.strip().lower() for h in header]
    out: dict[str, int] = {}
    missing = []
    for name in [*wanted, *optional]:
        hits = [k for k, h in enumerate(low) if h in COLUMN_ALIASES[name]]
        if len(hits) > 1:
            raise InputError(f"{path}: line 1: columns {[header[k] for k in hits]} all mean {name!r}; keep one")
        if hits:
            out[name] = hits[0]
        elif name in wanted:
            missing.append(name)
    if missing:
        spell = "; ".join(f"{m}: {'/'.join(COLUMN_ALIASES[m])}" for m in missing)
        raise InputError(f"{path}: line 1: missing column(s) {missing} ({spell}); the header is {header}")
    return out


def coordinate_columns(header: list[str], path: Path, crs) -> tuple[str, dict[str, int], object]:
    """``("xy", columns, crs)`` or ``("lonlat", columns, "EPSG:4326")`` for a table's coordinates."""
    low = {h.strip().lower() for h in header}
    has_xy = any(a in low for a in COLUMN_ALIASES["x"]) and any(a in low for a in COLUMN_ALIASES["y"])
    has_ll = any(a in low for a in COLUMN_ALIASES["lon"]) and any(a in low for a in COLUMN_ALIASES["lat"])
    if has_ll and not has_xy:
        return "lonlat", find_columns(header, ["lon", "lat"], path), "EPSG:4326"
    if has_xy and not has_ll:
        if crs is None:
            raise InputError(f"{path}: coordinates are x/y; name their CRS (crs=, or --crs EPSG:XXXX on the command line)")
        return "xy", find_columns(header, ["x", "y"], path), crs
    if has_xy and has_ll:
        raise InputError(f"{path}: line 1: both x/y and lon/lat columns; keep one pair")
    raise InputError(f"{path}: line 1: no coordinates; give columns x,y (with their CRS) or lon,lat (WGS 84); "
                     f"the header is {header}")


def parse_float(text: str):
    """``float(text)`` or None for an empty or non-numeric cell (non-finite counts as non-numeric)."""
    t = text.strip()
    if not t:
        return None
    try:
        v = float(t)
    except ValueError:
        return None
    return v if v == v and abs(v) != float("inf") else None
