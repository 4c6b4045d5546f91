"""Focal nodes and focal regions: which grid cells belong to each focal id."""

from __future__ import annotations

from typing import Mapping

import numpy as np

from ..errors import InputError

__all__ = ["FocalSet", "as_focal_set"]


class FocalSet(Mapping):
    """Focal ids mapped to the flat (row-major) cells they cover.

    A focal id with one cell is a focal point; with several cells it is a focal region (shorted to
    one node when it is a pair's end). Two ids may share a cell (text focal lists allow it).

    Parameters
    ----------
    cells : mapping {int: array of int}
        Flat cell indices per id (ids > 0 are conventional but any int is accepted).
    shape : tuple of int
        Grid shape (rows, cols).
    """

    def __init__(self, cells: Mapping, shape):
        self.shape = (int(shape[0]), int(shape[1]))
        ncells = self.shape[0] * self.shape[1]
        clean = {}
        for key, value in cells.items():
            ident = _as_id(key)
            arr = np.unique(np.asarray(value, dtype=np.int64).ravel())
            if arr.size == 0:
                raise InputError(f"focal id {ident} has no cells")
            if arr[0] < 0 or arr[-1] >= ncells:
                raise InputError(
                    f"focal id {ident} has a cell index outside the grid (0..{ncells - 1}): "
                    f"{int(arr[0]) if arr[0] < 0 else int(arr[-1])}"
                )
            if ident in clean:
                arr = np.union1d(clean[ident], arr)
            clean[ident] = arr
        self._cells = dict(sorted(clean.items()))

    @classmethod
    def from_grid(cls, grid_values) -> "FocalSet":
        """Focal ids from an id grid: cells with an integer id > 0 (0, negative, NaN = none)."""
        if hasattr(grid_values, "masked_float") and hasattr(grid_values, "transform"):
            grid_values = grid_values.masked_float()
        g = np.asarray(grid_values, dtype=np.float64)
        if g.ndim != 2:
            raise InputError(f"focal grid must be 2-D, got shape {g.shape}")
        flat = g.ravel()
        cells = np.flatnonzero(np.isfinite(flat) & (flat > 0))
        ids = flat[cells]
        if np.any(ids != np.round(ids)):
            bad = ids[ids != np.round(ids)][0]
            raise InputError(f"focal grid ids must be whole numbers, found {bad!r}")
        ids = ids.astype(np.int64)
        order = np.argsort(ids, kind="stable")
        ids, cells = ids[order], cells[order]
        cuts = np.flatnonzero(np.diff(ids)) + 1
        groups = {int(grp_ids[0]): grp for grp_ids, grp in zip(np.split(ids, cuts), np.split(cells, cuts))
                  if grp.size}
        return cls(groups, g.shape)

    @classmethod
    def from_cells(cls, cells: Mapping, shape) -> "FocalSet":
        """Focal ids from ``{id: [(row, col), ...]}`` (0-based rows and columns)."""
        nrows, ncols = int(shape[0]), int(shape[1])
        out = {}
        for key, rc in cells.items():
            rc = np.asarray(rc, dtype=np.int64).reshape(-1, 2)
            bad = (rc[:, 0] < 0) | (rc[:, 0] >= nrows) | (rc[:, 1] < 0) | (rc[:, 1] >= ncols)
            if bad.any():
                r, c = rc[bad][0]
                raise InputError(
                    f"focal id {key}: cell (row {r}, col {c}) lies outside the {nrows}x{ncols} grid"
                )
            out[key] = rc[:, 0] * ncols + rc[:, 1]
        return cls(out, (nrows, ncols))

    # Mapping protocol
    def __getitem__(self, key):
        return self._cells[_as_id(key)]

    def __iter__(self):
        return iter(self._cells)

    def __len__(self):
        return len(self._cells)

    @property
    def ids(self) -> list:
        """Sorted focal ids."""
        return list(self._cells)

    def subset(self, ids) -> "FocalSet":
        return FocalSet({i: self._cells[i] for i in ids}, self.shape)

    def __repr__(self):
        return f"FocalSet({len(self)} ids, shape={self.shape})"


def _as_id(key) -> int:
    try:
        f = float(key)
    except (TypeError, ValueError):
        raise InputError(f"focal ids must be integers, got {key!r}") from None
    if f != round(f):
        raise InputError(f"focal ids must be integers, got {key!r}")
    return int(round(f))


def as_focal_set(focal, shape) -> FocalSet:
    """Accept a FocalSet, an id grid (array or Grid) or a mapping {id: flat cells}."""
    if isinstance(focal, FocalSet):
        fs = focal
    elif isinstance(focal, Mapping):
        fs = FocalSet(focal, shape)
    else:
        fs = FocalSet.from_grid(focal)
    if fs.shape != tuple(shape):
        raise InputError(f"focal grid shape {fs.shape} differs from habitat shape {tuple(shape)}")
    return fs
