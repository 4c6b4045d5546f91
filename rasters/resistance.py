"""Resistance surfaces: reclassification tables, the > 0 check, and combination rules.

A resistance surface is a float grid with NaN as nodata. Every valid cell is finite and > 0
(cost units per metre of travel); a nodata cell is a barrier that no path or current crosses.
"""

from __future__ import annotations

import csv
import math
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Sequence

import numpy as np

from .align import require_aligned
from .errors import DataFormatError, InputError, MissingClassesError, ResistanceValueError
from .grid import Grid

__all__ = [
    "reclassify",
    "load_reclass_table",
    "check_resistance",
    "combine",
    "BARRIER_WORDS",
    "COMBINE_RULES",
    "NODATA_IN_TABLE",
    "NONPOSITIVE",
]

#: Table entries (case-insensitive) that make a class a barrier: its cells become nodata.
#: ``missing`` is Omniscape's word for the same thing.
BARRIER_WORDS = ("barrier", "nodata", "missing")

#: Rules accepted by :func:`combine`.
COMBINE_RULES = ("max", "sum", "product")


# ----------------------------------------------------------------------------- tables
def _parse_code(raw, source: str) -> int:
    if isinstance(raw, bool):
        raise InputError(f"{source}: land-cover code {raw!r} is not a whole number")
    try:
        value = float(str(raw).strip()) if isinstance(raw, str) else float(raw)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{source}: land-cover code {raw!r} is not a whole number") from exc
    if not math.isfinite(value) or value != int(value):
        raise InputError(f"{source}: land-cover code {raw!r} is not a whole number")
    return int(value)


def _parse_resistance(raw, code: int, source: str) -> float:
    """A table value as a float: > 0, or NaN for a barrier."""
    if isinstance(raw, str):
        word = raw.strip().strip('"').strip("'")
        if word.lower() in BARRIER_WORDS:
            return float("nan")
        try:
            value = float(word)
        except ValueError as exc:
            raise InputError(
                f"{source}: resistance {raw!r} for code {code} is not a number; give a value > 0 "
                f"or one of {BARRIER_WORDS} for a barrier"
            ) from exc
    elif isinstance(raw, bool) or not isinstance(raw, (int, float, np.integer, np.floating)):
        raise InputError(f"{source}: resistance {raw!r} for code {code} is not a number")
    else:
        value = float(raw)
    if math.isnan(value):
        return value
    if not math.isfinite(value):
        raise ResistanceValueError(
            f"{source}: resistance for code {code} is {value}; use 'barrier' for cells nothing "
            "crosses (they become nodata)"
        )
    if value <= 0:
        raise ResistanceValueError(
            f"{source}: resistance for code {code} is {value}; resistance must be > 0 "
            "(or 'barrier' for cells nothing crosses)"
        )
    return value


def _add(table: dict, code: int, value: float, source: str, where: str) -> None:
    if code in table:
        raise InputError(f"{source}: code {code} is given twice ({where}); keep one entry")
    table[code] = value


def _table_from_csv(path: Path) -> dict[int, float]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        fields = {(h or "").strip().lower(): h for h in (reader.fieldnames or [])}
        if "code" not in fields or "resistance" not in fields:
            raise InputError(
                f"{path}: a reclassification CSV needs a header with columns 'code' and "
                f"'resistance' (found {reader.fieldnames}); other columns such as 'name' are ignored"
            )
        table: dict[int, float] = {}
        for lineno, row in enumerate(reader, start=2):
            raw_code, raw_value = row[fields["code"]], row[fields["resistance"]]
            if (raw_code is None or not raw_code.strip()) and not any((v or "").strip() for v in row.values()):
                continue  # blank line
            where = f"line {lineno}"
            if raw_value is None or not str(raw_value).strip():
                raise InputError(f"{path}: line {lineno} has no resistance for code {raw_code!r}")
            code = _parse_code(raw_code, f"{path} {where}")
            _add(table, code, _parse_resistance(raw_value, code, f"{path} {where}"), str(path), where)
    return table


def _table_from_toml(path: Path) -> dict[int, float]:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DataFormatError(f"{path}: not valid TOML ({exc})") from exc
    unknown = set(doc) - {"classes", "class"}
    if unknown or not doc:
        raise InputError(
            f"{path}: unknown top-level keys {sorted(unknown)}; a reclassification TOML has a "
            "[classes] table (code = resistance) or [[class]] entries (code, resistance, name)"
        )
    table: dict[int, float] = {}
    classes = doc.get("classes", {})
    if not isinstance(classes, dict):
        raise InputError(f"{path}: 'classes' must be a table of code = resistance")
    for raw_code, raw_value in classes.items():
        code = _parse_code(raw_code, str(path))
        _add(table, code, _parse_resistance(raw_value, code, str(path)), str(path), "[classes]")
    entries = doc.get("class", [])
    if not isinstance(entries, list):
        raise InputError(f"{path}: 'class' must be an array of tables ([[class]])")
    for i, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or "code" not in entry or "resistance" not in entry:
            raise InputError(f"{path}: [[class]] entry {i} needs 'code' and 'resistance' keys")
        extra = set(entry) - {"code", "resistance", "name"}
        if extra:
            raise InputError(f"{path}: [[class]] entry {i} has unknown keys {sorted(extra)}")
        code = _parse_code(entry["code"], str(path))
        _add(table, code, _parse_resistance(entry["resistance"], code, str(path)), str(path), f"[[class]] {i}")
    return table


def _table_from_text(path: Path) -> dict[int, float]:
    table: dict[int, float] = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        where = f"line {lineno}"
        if len(parts) != 2:
            raise InputError(f"{path} {where}: expected 'code resistance', got {line!r}")
        code = _parse_code(parts[0], f"{path} {where}")
        _add(table, code, _parse_resistance(parts[1], code, f"{path} {where}"), str(path), where)
    return table


_TABLE_READERS = {".csv": _table_from_csv, ".toml": _table_from_toml, ".txt": _table_from_text}


def load_reclass_table(table) -> tuple[dict[int, float], str]:
    """Read a reclassification table into ``{code: resistance}`` (barriers as NaN).

    Parameters
    ----------
    table : dict or str or os.PathLike
        * a mapping ``{code: resistance}``;
        * a ``.csv`` file with a header holding ``code`` and ``resistance`` columns (others,
          such as ``name``, are ignored)::

              code,resistance,name
              1,10,forest
              5,barrier,water

        * a ``.toml`` file with a ``[classes]`` table and/or ``[[class]]`` entries::

              [classes]
              1 = 10.0
              5 = "barrier"

              [[class]]
              code = 3
              resistance = 50.0
              name = "cropland"

        * a ``.txt`` file of ``code resistance`` lines, whitespace-separated, ``#`` comments
          (Omniscape's ``reclass_table`` format, where ``missing`` marks a barrier).

        Resistances must be finite and > 0. The words ``barrier``, ``nodata`` and ``missing``
        (or NaN) make a class a barrier: its cells become nodata.

    Returns
    -------
    (dict, str)
        The table and a label for messages (the path, or ``"table"`` for a mapping).

    Raises
    ------
    DataFormatError
        Missing file or unknown file type.
    InputError
        Bad header, non-integer code, duplicated code, non-numeric value.
    ResistanceValueError
        A resistance <= 0 or infinite (the message names the code).
    """
    if isinstance(table, Mapping):
        source = "table"
        out: dict[int, float] = {}
        for raw_code, raw_value in table.items():
            code = _parse_code(raw_code, source)
            _add(out, code, _parse_resistance(raw_value, code, source), source, f"key {raw_code!r}")
        return out, source
    if not isinstance(table, (str, Path)):
        raise InputError(
            f"a reclassification table must be a dict or a path to .csv/.toml/.txt, got {type(table).__name__}"
        )
    path = Path(table)
    if not path.is_file():
        raise DataFormatError(f"{path}: no such reclassification table; check the path")
    reader = _TABLE_READERS.get(path.suffix.lower())
    if reader is None:
        raise DataFormatError(f"{path}: unknown table type; use .csv, .toml or .txt ({load_reclass_table.__name__} docs)")
    try:
        return reader(path), str(path)
    except UnicodeDecodeError as exc:
        raise DataFormatError(
            f"{path}: not UTF-8 text (byte {exc.object[exc.start:exc.start + 1]!r} at offset {exc.start}); "
            "re-save the table as UTF-8 (e.g. iconv -f CP1251 -t UTF-8 in.csv > out.csv)"
        ) from exc


# ----------------------------------------------------------------------------- reclassify
#: What :func:`reclassify` does when the grid's nodata value is also a code of the table.
NODATA_IN_TABLE = ("error", "nodata", "class")


def reclassify(grid: Grid, table, *, dtype=np.float32, name: str | None = None,
               nodata_in_table: str = "error") -> Grid:
    """Turn a land-cover grid into a resistance grid through a code -> resistance table.

    Parameters
    ----------
    grid : Grid
        Land-cover codes (integers; a float grid must hold whole numbers). Nodata cells stay
        nodata.
    table : dict or str or os.PathLike
        ``{code: resistance}``, or a CSV/TOML/TXT file (formats in :func:`load_reclass_table`).
    dtype : numpy float dtype
        Output dtype (float32 default).
    name : str, optional
        Name of the result (default ``"<grid name> resistance"``).
    nodata_in_table : {"error", "nodata", "class"}
        When the grid's nodata value is also a code of the table and cells hold it, those cells
        would silently become barriers. ``"error"`` (default) refuses; ``"nodata"`` keeps them
        nodata (barriers); ``"class"`` gives them the table's resistance.

    Returns
    -------
    Grid
        Resistance (cost units per map unit), NaN as nodata; barrier classes are NaN.

    Raises
    ------
    MissingClassesError
        Codes present in the raster are not in the table; ``.missing`` lists every one.
    ResistanceValueError
        A table value <= 0.
    InputError
        Non-integer codes in the raster, a non-float ``dtype``, or (``nodata_in_table="error"``)
        cells whose nodata value is a code of the table.
    """
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise InputError(f"reclassify: dtype must be a float type (NaN marks nodata), got {dtype}")
    if nodata_in_table not in NODATA_IN_TABLE:
        raise InputError(f"reclassify: nodata_in_table must be one of {NODATA_IN_TABLE}, got {nodata_in_table!r}")
    lut, source = load_reclass_table(table)
    nd = grid.nodata
    strips = _row_strips(grid.shape)
    nodata_is_class = False
    if nd is not None and np.isfinite(nd) and float(nd).is_integer() and int(nd) in lut and nodata_in_table != "nodata":
        n = sum(int(np.count_nonzero(grid.values[a:b] == nd)) for a, b in strips)
        if n and nodata_in_table == "error":
            v = lut[int(nd)]
            shown = "barrier" if np.isnan(v) else f"{v:g}"
            raise InputError(
                f"{grid.name}: its nodata value {int(nd)} is also a class of the resistance table "
                f"{'' if source == 'table' else source + ' '}(resistance {shown}); the {n} cells holding "
                f"{int(nd)} ({100 * n / grid.values.size:.3g}% of the grid) would silently become barriers. Fix "
                "the raster's nodata (e.g. gdal_edit.py -a_nodata 255 FILE), or say what they are: "
                "nodata_in_table='nodata' (barriers) or 'class' (the table's resistance); in a "
                "scenario: inputs.nodata_in_table"
            )
        nodata_is_class = n > 0  # "class": they are land cover after all
    if grid.values.dtype.kind not in "iubf":
        raise InputError(f"{grid.name}: land-cover codes must be integers, got dtype {grid.values.dtype}")
    present: set[int] = set()
    for a, b in strips:  # first pass: the codes present (and whole), strip by strip
        codes = _strip_codes(grid, a, b, nodata_is_class)
        if codes.dtype.kind == "f":
            frac = codes != np.round(codes)
            if frac.any():
                v = grid.values[a:b]
                r, c = _first_cell(~np.isnan(v) & (v != np.round(v)) & _strip_valid(grid, a, b, nodata_is_class))
                raise InputError(
                    f"{grid.name}: {int(frac.sum())} cells are not whole land-cover codes (first at row {r + a}, "
                    f"col {c}: {grid.values[r + a, c]}); reclassify needs a class raster"
                )
        present.update(int(x) for x in np.unique(codes))
    keys = np.array(sorted(lut), dtype=np.int64)
    vals = np.array([lut[int(k)] for k in keys], dtype=np.float64)
    missing = [c for c in sorted(present) if c not in lut]
    if missing:
        shown = ", ".join(map(str, missing))
        raise MissingClassesError(
            f"{grid.name}: {len(missing)} land-cover code(s) in the raster are missing from the "
            f"reclassification table{'' if source == 'table' else ' ' + source}: {shown}; add a resistance (or 'barrier') for each "
            f"of them, e.g. '{missing[0]},<resistance>' in a CSV",
            missing,
        )
    out = np.full(grid.shape, np.nan, dtype=dtype)
    for a, b in strips:  # second pass: the values, strip by strip (no grid-sized temporaries)
        valid = _strip_valid(grid, a, b, nodata_is_class)
        out[a:b][valid] = vals[np.searchsorted(keys, grid.values[a:b][valid].astype(np.int64))]
    return grid.with_values(out, nodata=float("nan"), name=name or f"{grid.name} resistance")


#: Cells per strip of the strip-by-strip passes (a few MB of temporaries at a time).
STRIP_CELLS = 1 << 21


def _row_strips(shape) -> list[tuple[int, int]]:
    step = max(1, STRIP_CELLS // max(int(shape[1]), 1))
    return [(a, min(a + step, shape[0])) for a in range(0, shape[0], step)]


def _strip_valid(grid: Grid, a: int, b: int, nodata_is_class: bool) -> np.ndarray:
    """Valid cells of rows a:b (nodata cells too when the nodata value is a class)."""
    v = grid.values[a:b]
    valid = np.ones(v.shape, dtype=bool)
    if np.issubdtype(v.dtype, np.floating):
        valid &= ~np.isnan(v)
    nd = grid.nodata
    if nd is not None and not (isinstance(nd, float) and np.isnan(nd)) and not nodata_is_class:
        valid &= v != nd
    return valid


def _strip_codes(grid: Grid, a: int, b: int, nodata_is_class: bool) -> np.ndarray:
    return grid.values[a:b][_strip_valid(grid, a, b, nodata_is_class)]


# ----------------------------------------------------------------------------- checks
def _first_cell(mask: np.ndarray) -> tuple[int, int]:
    """(row, col) of the first True cell in row-major order."""
    flat = int(np.flatnonzero(mask.ravel())[0])
    return divmod(flat, mask.shape[1])


def _where(grid: Grid, mask: np.ndarray) -> str:
    return _where_cell(grid, *_first_cell(mask))


def _where_cell(grid: Grid, r: int, c: int) -> str:
    x, y = grid.xy(r, c)
    return f"first at row {r}, col {c} (x={x:.6g}, y={y:.6g})"


def check_resistance(grid: Grid, *, name: str | None = None) -> None:
    """Raise unless every valid cell of ``grid`` is a finite resistance > 0.

    Nodata cells (NaN or the grid's nodata) are barriers and are allowed.

    Raises
    ------
    ResistanceValueError
        With the number of cells <= 0, the first one (row, col and cell-centre coordinates) and
        the minimum value; or the same for infinite cells.
    """
    label = name or grid.name
    values = grid.values
    if values.dtype.kind not in "iuf":
        raise InputError(f"{label}: resistance must be numeric, got dtype {values.dtype}")
    strips = _row_strips(grid.shape)
    bad_n, inf_n, first_bad, first_inf, vmin = 0, 0, None, None, None
    for a, b in strips:  # strip by strip: no grid-sized masks
        v = values[a:b]
        valid = _strip_valid(grid, a, b, False)
        bad = valid & ~(v > 0)
        n = int(np.count_nonzero(bad))
        if n:
            m = v[bad].min()
            vmin = m if vmin is None else min(vmin, m)
            if first_bad is None:
                r, c = _first_cell(bad)
                first_bad = (r + a, c)
        bad_n += n
        if v.dtype.kind == "f":
            inf = valid & np.isinf(v)
            n = int(np.count_nonzero(inf))
            if n and first_inf is None:
                r, c = _first_cell(inf)
                first_inf = (r + a, c)
            inf_n += n
    if bad_n:
        raise ResistanceValueError(
            f"{bad_n} cells <= 0 in {label}; {_where_cell(grid, *first_bad)}; min value {vmin}; resistance must "
            "be > 0 or nodata (barrier)"
        )
    if inf_n:
        raise ResistanceValueError(
            f"{inf_n} infinite cells in {label}; {_where_cell(grid, *first_inf)}; resistance must be finite and "
            "> 0; mark barriers as nodata instead"
        )


# ----------------------------------------------------------------------------- combine
#: What :func:`combine` does with cells <= 0 in the layers after the first.
NONPOSITIVE = ("error", "unchanged")


def combine(grids: Sequence[Grid], rule: str = "max", *, name: str | None = None,
            nonpositive: str = "error") -> Grid:
    """Combine aligned resistance grids cell by cell.

    Parameters
    ----------
    grids : sequence of Grid
        At least one grid; all must share shape, transform and CRS.
    rule : {"max", "sum", "product"}
        ``max``: the largest resistance; ``sum``: resistances added (e.g. a base surface plus
        a road penalty); ``product``: resistances multiplied (e.g. a base surface times a slope
        factor >= 1).
    name : str, optional
        Name of the result (default ``"<rule>(<names>)"``).
    nonpositive : {"error", "unchanged"}
        Cells of the second and later grids that are <= 0 (``< 0`` under ``sum``, where 0 adds
        nothing) are not resistances: ``max`` would ignore them silently and ``sum`` would lower
        the resistance. ``"error"`` (default) refuses them; ``"unchanged"`` says they mean "no
        change" (e.g. a roads raster with 0 off the roads): the result keeps the other grids'
        value there.

    Returns
    -------
    Grid
        Float (float32 unless an input is float64), NaN as nodata: a cell is nodata when it is
        nodata in any input (a barrier stays a barrier).

    Raises
    ------
    AlignmentError
        Two grids are not aligned (names both).
    InputError
        No grids, an unknown rule, or (``nonpositive="error"``) cells <= 0 in a later grid.
    """
    grids = list(grids)
    if not grids:
        raise InputError("combine needs at least one grid")
    if rule not in COMBINE_RULES:
        raise InputError(f"unknown combination rule {rule!r}; use one of {', '.join(COMBINE_RULES)}")
    if nonpositive not in NONPOSITIVE:
        raise InputError(f"combine: nonpositive must be one of {NONPOSITIVE}, got {nonpositive!r}")
    require_aligned(grids)
    dtype = np.result_type(np.float32, *[g.dtype for g in grids if g.dtype.kind == "f"])
    out = grids[0].masked_float(dtype)
    neutral = {"max": -np.inf, "sum": 0.0, "product": 1.0}[rule]
    for g in grids[1:]:
        other = g.masked_float(dtype)
        with np.errstate(invalid="ignore"):
            bad = (other < 0) if rule == "sum" else (other <= 0)
        n = int(np.count_nonzero(bad))
        if n and nonpositive == "error":
            effect = {"max": "be ignored silently (the other layer's larger value wins)",
                      "sum": "lower the resistance", "product": "make the resistance <= 0"}[rule]
            raise InputError(
                f"{g.name}: {n} cells are {'< 0' if rule == 'sum' else '<= 0'} (min {np.nanmin(other):g}, "
                f"{_where(g, bad)}); under combine = {rule!r} they would {effect}. A resistance layer "
                "needs values > 0 (nodata where it has none); if these values mean 'no change', say "
                "so with nonpositive='unchanged' (scenario: nonpositive = \"unchanged\" in [[inputs.layers]])"
            )
        if n:
            other[bad] = neutral
        if rule == "max":
            np.maximum(out, other, out=out)  # NaN propagates: nodata anywhere -> nodata
        elif rule == "sum":
            np.add(out, other, out=out)
        else:
            np.multiply(out, other, out=out)
    label = name or f"{rule}({', '.join(g.name for g in grids)})"
    return grids[0].with_values(out, nodata=float("nan"), name=label)
