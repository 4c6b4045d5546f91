"""Sample locations for landscape genetics: reading, and mapping onto a grid's cells."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import InputError
from ._tables import coordinate_columns, find_columns, join_problems, parse_float, read_rows

__all__ = ["Samples", "read_samples", "as_samples", "sample_cells"]


@dataclass(frozen=True)
class Samples:
    """Point locations of genetic samples.

    Attributes
    ----------
    ids : tuple of str
    x, y : ndarray of float64
        Coordinates in ``crs``.
    crs : pyproj.CRS
    source : str
        File (or ``"array"``).
    lines : tuple of int
        Line of each sample in the file (0 when not from a file), for messages.
    """

    ids: tuple
    x: np.ndarray
    y: np.ndarray
    crs: object
    source: str = "array"
    lines: tuple = field(default=())

    def __len__(self) -> int:
        return len(self.ids)

    def where(self, i: int) -> str:
        """``"<file>: line N: sample 'id'"`` for messages."""
        line = self.lines[i] if self.lines else 0
        return f"{self.source}: line {line}: sample {self.ids[i]!r}" if line else f"sample {self.ids[i]!r}"

    def to_crs(self, crs) -> "Samples":
        """The same samples in another CRS."""
        from pyproj import CRS, Transformer

        target = CRS.from_user_input(crs)
        if CRS.from_user_input(self.crs) == target:
            return self
        tr = Transformer.from_crs(self.crs, target, always_xy=True)
        x, y = tr.transform(self.x, self.y)
        return Samples(self.ids, np.asarray(x, float), np.asarray(y, float), target, self.source, self.lines)

    def reorder(self, ids) -> "Samples":
        """The samples in the order of ``ids`` (every id must be present)."""
        pos = {s: k for k, s in enumerate(self.ids)}
        missing = [s for s in ids if s not in pos]
        if missing:
            raise InputError(f"{self.source}: no location for sample(s) {missing[:10]}"
                             f"{' ...' if len(missing) > 10 else ''}; every genetic sample needs one")
        k = np.array([pos[s] for s in ids], dtype=np.int64)
        lines = tuple(self.lines[i] for i in k) if self.lines else ()
        return Samples(tuple(ids), self.x[k], self.y[k], self.crs, self.source, lines)


def read_samples(path, *, crs=None) -> Samples:
    """Read sample locations from a CSV with ``sample`` and ``x,y`` (in ``crs``) or ``lon,lat``.

    Raises
    ------
    InputError
        Missing columns, a duplicated id, a row without coordinates (one line per bad row).
    """
    from pyproj import CRS

    path = Path(path)
    header, rows = read_rows(path)
    cols = find_columns(header, ["sample"], path)
    mode, ccols, ccrs = coordinate_columns(header, path, crs)
    kx, ky = ("lon", "lat") if mode == "lonlat" else ("x", "y")
    ids, xs, ys, lines, problems, seen = [], [], [], [], [], {}
    for line, rec in rows:
        if len(rec) < len(header):
            rec = rec + [""] * (len(header) - len(rec))
        sid = rec[cols["sample"]].strip()
        if not sid:
            problems.append(f"{path}: line {line}: empty sample id")
            continue
        if sid in seen:
            problems.append(f"{path}: line {line}: sample {sid!r} repeats line {seen[sid]}")
            continue
        seen[sid] = line
        x, y = parse_float(rec[ccols[kx]]), parse_float(rec[ccols[ky]])
        if x is None or y is None:
            problems.append(f"{path}: line {line}: sample {sid!r} has no coordinates "
                            f"({kx}={rec[ccols[kx]]!r}, {ky}={rec[ccols[ky]]!r})")
            continue
        if mode == "lonlat" and not (-180 <= x <= 180 and -90 <= y <= 90):
            problems.append(f"{path}: line {line}: sample {sid!r}: lon={x}, lat={y} are not degrees")
            continue
        ids.append(sid)
        xs.append(x)
        ys.append(y)
        lines.append(line)
    if problems:
        raise InputError(join_problems(problems))
    if len(ids) < 3:
        raise InputError(f"{path}: {len(ids)} samples; pairwise analyses need at least 3")
    return Samples(tuple(ids), np.array(xs), np.array(ys), CRS.from_user_input(ccrs), str(path), tuple(lines))


def as_samples(samples, crs) -> Samples:
    """Accept :class:`Samples`, a GeoDataFrame of points (``sample`` column or the index) or an
    (n, 2) array of map coordinates in ``crs``; return :class:`Samples` in ``crs``."""
    if isinstance(samples, Samples):
        return samples.to_crs(crs)
    if hasattr(samples, "geometry") and hasattr(samples, "crs"):
        gdf = samples
        if gdf.crs is None:
            raise InputError("samples: the GeoDataFrame has no CRS; set one (gdf.set_crs(...))")
        gdf = gdf.to_crs(crs)
        if not (gdf.geom_type == "Point").all():
            raise InputError("samples: every geometry must be a Point")
        ids = gdf["sample"].astype(str) if "sample" in gdf.columns else gdf.index.astype(str)
        return Samples(tuple(ids), gdf.geometry.x.to_numpy(float), gdf.geometry.y.to_numpy(float), gdf.crs, "GeoDataFrame")
    arr = np.asarray(samples, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise InputError(f"samples: give Samples, a GeoDataFrame of points or an (n, 2) array of x, y; got shape {arr.shape}")
    from pyproj import CRS

    return Samples(tuple(str(i + 1) for i in range(arr.shape[0])), arr[:, 0].copy(), arr[:, 1].copy(),
                   CRS.from_user_input(crs), "array")


def sample_cells(grid, samples: Samples) -> np.ndarray:
    """Flat cell index of each sample on ``grid`` (samples already in the grid's CRS).

    Raises
    ------
    InputError
        One line per sample outside the grid or on a nodata cell.
    """
    r, c = grid.rowcol(samples.x, samples.y)
    r, c = np.atleast_1d(r), np.atleast_1d(c)
    inside = grid.contains_cell(r, c)
    problems = []
    valid = grid.valid_mask
    for i in range(len(samples)):
        if not inside[i]:
            problems.append(f"{samples.where(i)} at ({samples.x[i]:.1f}, {samples.y[i]:.1f}) lies outside the "
                            f"{grid.height} x {grid.width} grid {grid.name}")
        elif not valid[r[i], c[i]]:
            problems.append(f"{samples.where(i)} lies on a nodata cell (row {r[i]}, col {c[i]}) of {grid.name}")
    if problems:
        raise InputError(join_problems(problems))
    return r * grid.width + c
