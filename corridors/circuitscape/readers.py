"""Readers for Circuitscape's text inputs.

Formats (Circuitscape.jl ``src/io.jl``; all whitespace-separated, one record a line):

* **Focal-node list** (raster): ``id x y``. The cell is row ``ceil(nrows - (y - yll)/cellsize)``,
  col ``ceil((x - xll)/cellsize)`` (1-based). A repeated id makes a focal *region*; a negative id
  is dropped, as Circuitscape does.
* **Included pairs**, list form: first line ``mode include`` or ``mode exclude``, then ``a b``
  lines. Matrix form: ``min v`` and ``max v`` lines, then a square matrix whose first row and
  column hold the ids (top-left ignored); a pair is kept when ``min <= value <= max``.
* **Variable source strengths**: ``id amps``.
* **Network graph**: ``i j value`` (both orientations of an edge are summed).
* **Network focal nodes**: node ids; every number in the file is taken (Circuitscape flattens
  the file, which is how Circuitscape 4's sgNetworkVerify2 can point at the graph file itself).
* **Network sources / grounds**: ``node value``.
* **Advanced raster sources / grounds as text**: ``value x y``, placed like focal points.
"""

from __future__ import annotations

import gzip
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataFormatError, InputError

__all__ = [
    "read_table",
    "read_focal_list",
    "cells_from_xy",
    "IncludedPairs",
    "read_included_pairs",
    "read_source_strengths",
    "read_graph",
    "read_node_list",
    "read_node_values",
    "is_text_list",
]


def _open_text(path: Path):
    if str(path).endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def _lines(path) -> list[tuple[int, list[str]]]:
    path = Path(path)
    try:
        with _open_text(path) as f:
            text = f.read()
    except FileNotFoundError:
        raise DataFormatError(f"file not found: {path}") from None
    except UnicodeDecodeError as exc:
        raise DataFormatError(f"{path}: not UTF-8 text (byte {exc.object[exc.start:exc.start + 1]!r} at offset "
                              f"{exc.start}); re-save it as UTF-8") from exc
    except OSError as exc:
        raise DataFormatError(f"cannot read {path}: {exc}") from exc
    return [(n, s.split()) for n, s in enumerate(text.splitlines(), 1) if s.strip()]


def _float(tok: str, path, lineno: int) -> float:
    try:
        return float(tok)
    except ValueError:
        raise DataFormatError(f"{path}, line {lineno}: {tok!r} is not a number") from None


def _int(value: float, path, lineno: int, what: str) -> int:
    if not math.isfinite(value) or value != int(value):
        raise DataFormatError(f"{path}, line {lineno}: {what} {value!r} is not a whole number")
    return int(value)


def read_table(path, ncols: int, *, skip: int = 0) -> np.ndarray:
    """Read a numeric table with exactly ``ncols`` columns a line.

    Parameters
    ----------
    path : path-like
        Text file (``.gz`` allowed).
    ncols : int
        Columns each line must have.
    skip : int
        Non-blank lines to skip at the top.

    Returns
    -------
    numpy.ndarray
        float64, shape (rows, ncols).

    Raises
    ------
    DataFormatError
        Missing file, a line with another number of columns, or a non-number.
    """
    rows = []
    for lineno, toks in _lines(path)[skip:]:
        if len(toks) != ncols:
            raise DataFormatError(
                f"{path}, line {lineno}: expected {ncols} columns, got {len(toks)} ({' '.join(toks)!r})"
            )
        rows.append([_float(t, path, lineno) for t in toks])
    return np.asarray(rows, dtype=np.float64).reshape(-1, ncols)


def is_text_list(path) -> bool:
    """True when ``path`` is a Circuitscape text list (``.txt``) rather than a raster.

    A ``.txt`` / ``.txt.gz`` file whose first line is an ASCII-grid header (``ncols``) is a
    grid, as Circuitscape 4 decided from the content (BigTests' ill-conditioned point file is
    such a grid named ``...points.txt.gz``).
    """
    name = str(path).lower()
    if not (name.endswith(".txt") or name.endswith(".txt.gz")):
        return False
    import gzip

    try:
        opener = gzip.open if name.endswith(".gz") else open
        with opener(path, "rt", encoding="ascii", errors="replace") as fh:
            first = fh.readline().strip().lower()
    except OSError:
        return True  # missing or unreadable: the list reader reports it with the file name
    return not first.startswith("ncols")


def read_focal_list(path) -> np.ndarray:
    """Read an ``id x y`` focal-node list; negative ids dropped (Circuitscape's rule).

    Returns
    -------
    numpy.ndarray
        float64, shape (n, 3): id, x, y (map units).
    """
    t = read_table(path, 3)
    for k, v in enumerate(t[:, 0]):
        _int(v, path, k + 1, "focal node id")
    return t[t[:, 0] >= 0]


def cells_from_xy(x, y, *, shape, xll: float, yll: float, cellsize: float, source="") -> tuple:
    """Map coordinates to 0-based (row, col) with Circuitscape's ``ceil`` rule.

    Raises
    ------
    InputError
        "At least one focal node location falls outside of habitat map" (Circuitscape's words),
        naming the first such point.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    nrows, ncols = shape
    row = np.ceil(nrows - (y - yll) / cellsize).astype(np.int64) - 1
    col = np.ceil((x - xll) / cellsize).astype(np.int64) - 1
    bad = (row < 0) | (row >= nrows) | (col < 0) | (col >= ncols)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"At least one focal node location falls outside of habitat map: {source} has "
            f"{int(bad.sum())} point(s) outside, first at x={float(x[k])!r}, y={float(y[k])!r}; the habitat map "
            f"covers x {xll!r}..{xll + ncols * cellsize!r}, y {yll!r}..{yll + nrows * cellsize!r} "
            "(check the coordinate system of the point file)"
        )
    return row, col


@dataclass(frozen=True)
class IncludedPairs:
    """An included-pairs file, read.

    Attributes
    ----------
    mode : str
        ``include`` or ``exclude`` (the matrix form is always ``include``).
    pairs : frozenset of (int, int)
        Listed pairs, each as (smaller id, larger id).
    ids : frozenset of int
        Every id the file names (the matrix header, or the ids of the listed pairs).
    """

    mode: str
    pairs: frozenset
    ids: frozenset = frozenset()

    def keep_ids(self, ids) -> list:
        """Focal ids that stay in the job. Circuitscape drops focal nodes an ``include`` file does
        not name (they are absent from its resistance matrix); an ``exclude`` list drops none."""
        ids = sorted(int(i) for i in ids)
        return ids if self.mode == "exclude" else [i for i in ids if i in self.ids]

    def included(self, ids) -> set:
        """The pairs (a, b), a < b, of ``ids`` that are to be solved."""
        ids = sorted(int(i) for i in ids)
        if self.mode == "include":
            return {(a, b) for a in ids for b in ids if a < b and (a, b) in self.pairs}
        return {(a, b) for a in ids for b in ids if a < b and (a, b) not in self.pairs}


def read_included_pairs(path) -> IncludedPairs:
    """Read an included-pairs file in list (``mode include|exclude``) or matrix (``min``/``max``) form.

    Raises
    ------
    DataFormatError
        Unknown first line, bad mode, ragged matrix, non-integer ids.
    """
    lines = _lines(path)
    if not lines:
        raise DataFormatError(f"{path}: included-pairs file is empty")
    first = lines[0][1]
    key = first[0].lower()
    if key == "mode":
        if len(first) != 2 or first[1].lower() not in ("include", "exclude"):
            raise DataFormatError(
                f"{path}, line {lines[0][0]}: expected 'mode include' or 'mode exclude', "
                f"got {' '.join(first)!r}"
            )
        pairs, named = set(), set()
        for lineno, toks in lines[1:]:
            if len(toks) != 2:
                raise DataFormatError(
                    f"{path}, line {lineno}: expected two ids 'a b', got {' '.join(toks)!r}"
                )
            a, b = (_int(_float(t, path, lineno), path, lineno, "id") for t in toks)
            named.update((a, b))
            if a != b:
                pairs.add((min(a, b), max(a, b)))
        return IncludedPairs(first[1].lower(), frozenset(pairs), frozenset(named))
    if key == "min":
        if len(lines) < 3 or lines[1][1][0].lower() != "max":
            raise DataFormatError(f"{path}: matrix form needs 'min v', 'max v', then the matrix")
        lo = _float(first[1], path, lines[0][0])
        hi = _float(lines[1][1][1], path, lines[1][0])
        body = lines[2:]
        header = [_float(t, path, body[0][0]) for t in body[0][1]]
        ids = [_int(v, path, body[0][0], "id") for v in header[1:]]
        n = len(ids)
        if len(body) - 1 != n:
            raise DataFormatError(
                f"{path}: the matrix header lists {n} ids but {len(body) - 1} rows follow"
            )
        pairs = set()
        for r, (lineno, toks) in enumerate(body[1:]):
            if len(toks) != n + 1:
                raise DataFormatError(
                    f"{path}, line {lineno}: expected {n + 1} values (id and {n} entries), "
                    f"got {len(toks)}"
                )
            row_id = _int(_float(toks[0], path, lineno), path, lineno, "id")
            if row_id != ids[r]:
                raise DataFormatError(
                    f"{path}, line {lineno}: row id {row_id} does not match column id {ids[r]}"
                )
            for c, tok in enumerate(toks[1:]):
                a, b = ids[r], ids[c]
                if a < b and lo <= _float(tok, path, lineno) <= hi:
                    pairs.add((a, b))
        return IncludedPairs("include", frozenset(pairs), frozenset(ids))
    raise DataFormatError(
        f"{path}: an included-pairs file starts with 'mode include|exclude' or 'min v'; "
        f"got {' '.join(first)!r}"
    )


def read_source_strengths(path) -> dict[int, float]:
    """Read ``id amps`` lines into ``{id: amps}`` (a repeated id is an error)."""
    out: dict[int, float] = {}
    for lineno, toks in _lines(path):
        if len(toks) != 2:
            raise DataFormatError(
                f"{path}, line {lineno}: expected 'id strength', got {' '.join(toks)!r}"
            )
        i = _int(_float(toks[0], path, lineno), path, lineno, "id")
        if i in out:
            raise DataFormatError(f"{path}, line {lineno}: id {i} is listed twice")
        out[i] = _float(toks[1], path, lineno)
    return out


def read_graph(path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Read a network graph ``i j value``.

    Returns
    -------
    (i, j, value)
        int64 node ids (as in the file) and float64 values (resistances or conductances).

    Raises
    ------
    DataFormatError
        Not three columns, non-integer or negative node id, empty file.
    """
    t = read_table(path, 3)
    if len(t) == 0:
        raise DataFormatError(f"{path}: the graph file has no edges")
    ids = t[:, :2]
    bad = (ids != np.round(ids)) | (ids < 0) | ~np.isfinite(ids)
    if bad.any():
        r = int(np.flatnonzero(bad.any(axis=1))[0])
        raise DataFormatError(
            f"{path}, edge {r + 1}: node ids must be whole numbers >= 0, got {t[r, 0]!r} {t[r, 1]!r}"
        )
    return t[:, 0].astype(np.int64), t[:, 1].astype(np.int64), t[:, 2].copy()


def read_node_list(path) -> np.ndarray:
    """Read network focal nodes: every number in the file, unique, sorted (int64)."""
    vals = []
    for lineno, toks in _lines(path):
        for tok in toks:
            vals.append(_int(_float(tok, path, lineno), path, lineno, "node id"))
    if not vals:
        raise DataFormatError(f"{path}: no focal nodes listed")
    return np.unique(np.asarray(vals, dtype=np.int64))


def read_node_values(path) -> tuple[np.ndarray, np.ndarray]:
    """Read network ``node value`` lines (sources in amps, grounds as R or G).

    Returns
    -------
    (nodes, values)
        int64 node ids and float64 values, in file order (repeats kept; callers combine them).
    """
    t = read_table(path, 2)
    nodes = np.empty(len(t), dtype=np.int64)
    for k, v in enumerate(t[:, 0]):
        nodes[k] = _int(v, path, k + 1, "node id")
    return nodes, t[:, 1].copy()
