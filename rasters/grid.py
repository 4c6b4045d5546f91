"""The georeferenced grid value object.

Pixel convention
----------------
``transform`` is a GDAL/rasterio affine that maps (col, row) of a cell's **upper-left corner** to
map coordinates: ``x, y = transform * (col, row)``. Cell centres are therefore at
``transform * (col + 0.5, row + 0.5)``. Row 0 is the top (north) row for north-up grids.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from affine import Affine
from pyproj import CRS

from .errors import AlignmentError, CRSError, InputError

__all__ = ["Grid", "as_crs", "crs_equal", "require_north_up", "nodata_mask"]


def require_north_up(transform: Affine, name: str = "grid") -> None:
    """Raise :class:`InputError` if ``transform`` is rotated or sheared (not north-up)."""
    if transform.b != 0 or transform.d != 0:
        raise InputError(f"{name}: rotated grids are not supported (transform {tuple(transform)[:6]}); "
                         "warp it north-up first")


def as_crs(crs: Any) -> CRS | None:
    """Return ``crs`` as a :class:`pyproj.CRS` (accepts WKT, PROJ strings, EPSG ints, rasterio CRS)."""
    if crs is None:
        return None
    if isinstance(crs, CRS):
        return crs
    if hasattr(crs, "to_wkt"):
        return CRS.from_wkt(crs.to_wkt())
    try:
        return CRS.from_user_input(crs)
    except Exception as exc:  # pyproj raises its own CRSError; name the value and the fix
        raise CRSError(
            f"cannot interpret {crs!r} as a coordinate reference system ({exc}); "
            "give an EPSG code, a PROJ string or WKT"
        ) from exc


def crs_equal(a: CRS | None, b: CRS | None) -> bool:
    """Whether two CRSs describe the same coordinates.

    PROJ's equivalence test also compares datum names, which ESRI ``.prj`` files spell
    differently (``D_WGS_1984``); when it says no, the PROJ strings (projection, parameters,
    ellipsoid, units) are compared instead.
    """
    if a is None or b is None:
        return a is None and b is None
    if a == b:
        return True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # to_proj4 warns that it drops datum metadata
        try:
            pa, pb = a.to_proj4(), b.to_proj4()
        except Exception:  # a CRS PROJ strings cannot express: trust the equivalence test
            return False
    return pa is not None and pa == pb


def nodata_mask(values: np.ndarray, nodata) -> np.ndarray:
    """True where ``values`` (any array, e.g. a grid's cells picked by index) hold no data: equal
    to ``nodata``, or NaN for floats. :attr:`Grid.nodata_mask` on the whole grid."""
    v = np.asarray(values)
    mask = np.zeros(v.shape, dtype=bool)
    if np.issubdtype(v.dtype, np.floating):
        mask |= np.isnan(v)
    if nodata is not None and not (isinstance(nodata, float) and np.isnan(nodata)):
        mask |= v == nodata
    return mask


def _normalise_nodata(nodata: Any, dtype: np.dtype) -> float | int | None:
    """Nodata as a plain Python number matching the values' kind.

    GDAL reports nodata as a float (``255.0`` for a uint8 band); integer grids get an ``int`` so
    that comparisons and messages read naturally. A nodata an integer grid cannot hold (NaN, 0.5)
    matches no cell and is kept as given.
    """
    if nodata is None:
        return None
    try:
        value = float(nodata)
    except (TypeError, ValueError) as exc:
        raise InputError(f"nodata must be a number or None, got {nodata!r}") from exc
    if (np.issubdtype(dtype, np.integer) or dtype == np.bool_) and np.isfinite(value):
        if value == int(value):
            return int(value)
    return value


@dataclass(frozen=True, eq=False)
class Grid:
    """A 2-D raster with its georeference: values, affine transform, CRS and nodata.

    A frozen value object, not an ndarray subclass, so slicing the values can never inherit a
    wrong transform. ``values`` is stored read-only; use :meth:`with_values` to derive a grid.

    Parameters
    ----------
    values : numpy.ndarray
        2-D array, shape (rows, cols).
    transform : affine.Affine
        Maps (col, row) of a cell's upper-left corner to map coordinates (see module notes).
    crs : pyproj.CRS or None
        Coordinate reference system (anything :func:`as_crs` accepts).
    nodata : float or int or None
        Value marking cells without data. NaN is allowed for float grids.
    name : str
        Label used in error messages (usually the source path).
    """

    values: np.ndarray
    transform: Affine = field(default_factory=Affine.identity)
    crs: CRS | None = None
    nodata: float | int | None = None
    name: str = "grid"

    def __post_init__(self) -> None:
        values = np.asarray(self.values)
        if values.ndim != 2:
            raise InputError(
                f"{self.name}: a Grid needs a 2-D array, got shape {values.shape}; "
                "select one band first"
            )
        values = values.view()
        values.flags.writeable = False
        object.__setattr__(self, "values", values)
        if not isinstance(self.transform, Affine):
            object.__setattr__(self, "transform", Affine(*tuple(self.transform)[:6]))
        object.__setattr__(self, "crs", as_crs(self.crs))
        object.__setattr__(self, "nodata", _normalise_nodata(self.nodata, values.dtype))

    # ----------------------------------------------------------------- shape and geometry
    @property
    def shape(self) -> tuple[int, int]:
        """(rows, cols)."""
        return self.values.shape  # type: ignore[return-value]

    @property
    def height(self) -> int:
        return self.values.shape[0]

    @property
    def width(self) -> int:
        return self.values.shape[1]

    @property
    def dtype(self) -> np.dtype:
        return self.values.dtype

    @property
    def res(self) -> tuple[float, float]:
        """Cell size (x, y) in CRS units, both positive."""
        return (abs(self.transform.a), abs(self.transform.e))

    @property
    def cellsize(self) -> float:
        """Side of a square cell in CRS units (see :meth:`require_square`)."""
        return self.require_square()

    def require_square(self) -> float:
        """Check the grid is north-up with square cells; return the cell side in CRS units.

        Raises
        ------
        InputError
            If cells are not square or the grid is rotated.
        """
        require_north_up(self.transform, self.name)
        rx, ry = self.res
        if not np.isclose(rx, ry, rtol=1e-9, atol=0.0):
            raise InputError(
                f"{self.name}: cells are not square ({rx} x {ry}); resample onto a square-cell "
                "template with rasters.resample_to"
            )
        return rx

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(left, bottom, right, top) in CRS units."""
        t = self.transform
        # the four corners (explicit: affine's `*` on points is deprecated, `@` is new)
        cols = np.array([0, self.width, 0, self.width], dtype=float)
        rows = np.array([0, 0, self.height, self.height], dtype=float)
        xs = t.a * cols + t.b * rows + t.c
        ys = t.d * cols + t.e * rows + t.f
        return (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))

    @property
    def is_projected(self) -> bool:
        return self.crs is not None and self.crs.is_projected

    def require_projected(self, purpose: str = "distance work") -> None:
        """Raise :class:`CRSError` unless the CRS is projected (metres).

        Cost distances and path lengths are computed in CRS units per cell; in degrees they are
        meaningless, so a geographic CRS is refused with the fix in the message.
        """
        if self.crs is None:
            raise CRSError(
                f"{self.name}: no CRS; {purpose} needs a projected CRS in metres. "
                "Set one when writing the raster, or pass crs= when building the Grid"
            )
        if not self.crs.is_projected:
            raise CRSError(
                f"{self.name}: CRS {self.crs.name!r} is geographic (degrees); {purpose} needs a "
                "projected CRS in metres. Reproject first, e.g. "
                "rasters.reproject(grid, crs='+proj=laea +lat_0=45 +lon_0=115 +units=m') or "
                "onto a template with rasters.resample_to(grid, template)"
            )

    # ----------------------------------------------------------------- cells and coordinates
    def xy(self, row, col):
        """Map coordinates of cell centres. Accepts scalars or arrays (rows, cols)."""
        row = np.asarray(row, dtype=float)
        col = np.asarray(col, dtype=float)
        t = self.transform
        x = t.c + (col + 0.5) * t.a + (row + 0.5) * t.b
        y = t.f + (col + 0.5) * t.d + (row + 0.5) * t.e
        if x.ndim == 0:
            return float(x), float(y)
        return x, y

    def rowcol(self, x, y):
        """(row, col) of the cells containing map points (floor; may fall outside the grid)."""
        inv = ~self.transform
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        col = inv.a * x + inv.b * y + inv.c
        row = inv.d * x + inv.e * y + inv.f
        r = np.floor(row).astype(np.int64)
        c = np.floor(col).astype(np.int64)
        if r.ndim == 0:
            return int(r), int(c)
        return r, c

    def contains_cell(self, row, col) -> np.ndarray | bool:
        """Whether (row, col) lies inside the grid."""
        row = np.asarray(row)
        col = np.asarray(col)
        inside = (row >= 0) & (row < self.height) & (col >= 0) & (col < self.width)
        return bool(inside) if inside.ndim == 0 else inside

    # ----------------------------------------------------------------- masks
    @property
    def nodata_mask(self) -> np.ndarray:
        """True where the cell holds no data (the nodata value, or NaN for float grids)."""
        return nodata_mask(self.values, self.nodata)

    @property
    def valid_mask(self) -> np.ndarray:
        """True where the cell holds data (complement of :attr:`nodata_mask`)."""
        return ~self.nodata_mask

    def masked_float(self, dtype=np.float64) -> np.ndarray:
        """Values as a float array with nodata cells set to NaN (a fresh, writable copy)."""
        out = self.values.astype(dtype, copy=True)
        out[self.nodata_mask] = np.nan
        return out

    # ----------------------------------------------------------------- derivation and checks
    def with_values(self, values, *, nodata: Any = "same", name: str | None = None) -> "Grid":
        """A grid on the same georeference with new values (same shape required)."""
        values = np.asarray(values)
        if values.shape != self.shape:
            raise AlignmentError(
                f"{name or self.name}: new values have shape {values.shape}, "
                f"grid {self.name} has {self.shape}"
            )
        return Grid(
            values,
            self.transform,
            self.crs,
            self.nodata if isinstance(nodata, str) and nodata == "same" else nodata,
            name or self.name,
        )

    def same_georeference(self, other: "Grid", *, tolerance: float = 1e-6) -> bool:
        """True when shape, transform (within ``tolerance`` of a cell) and CRS agree."""
        if self.shape != other.shape:
            return False
        cell = max(self.res + other.res) or 1.0
        if not self.transform.almost_equals(other.transform, precision=tolerance * cell):
            return False
        return crs_equal(self.crs, other.crs)

    def check_aligned(self, other: "Grid") -> None:
        """Raise :class:`AlignmentError` naming both grids unless they share georeference."""
        if self.same_georeference(other):
            return
        problems = []
        if self.shape != other.shape:
            problems.append(f"shape {self.shape} vs {other.shape}")
        if not self.transform.almost_equals(other.transform, precision=1e-6 * max(self.res + other.res)):
            problems.append(f"transform {tuple(self.transform)[:6]} vs {tuple(other.transform)[:6]}")
        if not crs_equal(self.crs, other.crs):
            a = self.crs.name if self.crs else None
            b = other.crs.name if other.crs else None
            problems.append(f"CRS {a!r} vs {b!r}")
        raise AlignmentError(
            f"grids {self.name!r} and {other.name!r} are not aligned ({'; '.join(problems)}); "
            f"resample one onto the other, e.g. rasters.resample_to(<{other.name}>, template=<{self.name}>)"
        )

    def __repr__(self) -> str:
        crs = self.crs.name if self.crs is not None else None
        return (
            f"Grid(name={self.name!r}, shape={self.shape}, dtype={self.dtype}, res={self.res}, "
            f"crs={crs!r}, nodata={self.nodata!r})"
        )
