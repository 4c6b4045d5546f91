"""Rasters by pieces: read one window of a file, write a GeoTIFF band by band.

A grid of 100 million cells is 400 MB as float32; writing it the simple way (cast a copy, hand it
to GDAL's in-memory COG writer, which copies it again and builds overviews from that) costs three
times that. :func:`write_bands` instead asks a *band source* for a strip of rows at a time, writes
the strips to a tiled GeoTIFF, and has GDAL copy that file to a Cloud-Optimised GeoTIFF (the COG
driver reads the file through its block cache, bounded by :data:`GDAL_CACHE_MB`). The values
written are those of :func:`rasters.write` (same checks, same nodata rules).

A band source is any object with ``shape``, ``dtype``, ``transform``, ``crs``, ``nodata``,
``name`` and ``read_rows(r0, r1)`` returning rows ``r0:r1`` as a 2-D array; :class:`GridBands`
wraps a :class:`~rasters.grid.Grid`. Sources that assemble their rows from pieces (a corridor
mosaic from per-link windows) never hold the whole grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .errors import DataFormatError, InputError, gdal_reason
from .grid import Grid

__all__ = ["read_window", "raster_info", "write_bands", "GridBands", "WindowMosaic", "band_rows", "strips", "GDAL_CACHE_MB"]

#: GDAL block cache while a COG is copied (MB): bounds the writer's memory whatever the grid size.
GDAL_CACHE_MB = 32

#: Cells per strip handed to the writer (about 16 MB of float32).
STRIP_CELLS = 1 << 22


def read_window(path, rows, cols, *, band: int = 1) -> np.ndarray:
    """Rows ``rows[0]:rows[1]`` and columns ``cols[0]:cols[1]`` of one band (half-open ranges).

    ``path``: a local file or anything GDAL opens (``/vsicurl/https://...``). The values keep
    the file's data type; nothing outside the window is read (beyond the tiles it touches).

    Raises
    ------
    DataFormatError
        The file cannot be opened, or the window lies outside the raster.
    """
    import rasterio
    from rasterio.errors import RasterioError
    from rasterio.windows import Window

    (r0, r1), (c0, c1) = (int(rows[0]), int(rows[1])), (int(cols[0]), int(cols[1]))
    try:
        with rasterio.open(str(path)) as ds:
            if not (0 <= r0 <= r1 <= ds.height and 0 <= c0 <= c1 <= ds.width):
                raise DataFormatError(
                    f"{path}: window rows {r0}:{r1}, cols {c0}:{c1} lies outside the raster "
                    f"({ds.height} x {ds.width}); was the file replaced during the run?")
            return ds.read(band, window=Window(c0, r0, c1 - c0, r1 - r0))
    except RasterioError as exc:

        raise DataFormatError(f"{path}: cannot read a window ({gdal_reason(exc)})") from exc


def raster_info(path) -> dict[str, Any]:
    """``shape``, ``dtype``, ``transform``, ``crs``, ``nodata`` of a raster file's first band,
    without reading its cells."""
    import rasterio
    from rasterio.errors import RasterioError

    from .grid import as_crs

    try:
        with rasterio.open(str(path)) as ds:
            return {"shape": (ds.height, ds.width), "dtype": np.dtype(ds.dtypes[0]), "transform": ds.transform,
                    "crs": as_crs(ds.crs) if ds.crs is not None else None, "nodata": ds.nodatavals[0]}
    except RasterioError as exc:

        raise DataFormatError(f"{path}: not a raster GDAL can read ({gdal_reason(exc)})") from exc


@dataclass(frozen=True)
class GridBands:
    """A :class:`Grid` as a band source (rows are views of its values)."""

    grid: Grid

    shape = property(lambda self: self.grid.shape)
    dtype = property(lambda self: self.grid.dtype)
    transform = property(lambda self: self.grid.transform)
    crs = property(lambda self: self.grid.crs)
    nodata = property(lambda self: self.grid.nodata)
    name = property(lambda self: self.grid.name)

    def read_rows(self, r0: int, r1: int) -> np.ndarray:
        return self.grid.values[r0:r1]


def band_rows(shape: tuple[int, int], block: int, cells: int = STRIP_CELLS):
    """Strips ``(r0, r1)`` covering ``shape``'s rows, each a whole number of ``block`` rows with
    about ``cells`` cells (the last one shorter)."""
    nr, nc = shape
    step = max(block, (max(1, cells // max(nc, 1)) // block) * block)
    return [(r, min(r + step, nr)) for r in range(0, nr, step)]


def strips(source, multiple: int = 1, cells: int = STRIP_CELLS):
    """``(r0, r1, rows)`` of a band source, strip by strip (each starts on a multiple of
    ``multiple`` rows, about ``cells`` cells)."""
    for r0, r1 in band_rows(tuple(source.shape), max(1, int(multiple)), cells):
        yield r0, r1, source.read_rows(r0, r1)


def _strip_grid(source, r0: int, r1: int) -> Grid:
    from affine import Affine

    t = source.transform
    return Grid(np.asarray(source.read_rows(r0, r1)), t @ Affine.translation(0, r0), source.crs, source.nodata,
                source.name)


def write_bands(source, path, *, dtype=None, cog: bool = True) -> Path:
    """Write a band source to a GeoTIFF strip by strip (see the module notes); atomic.

    Parameters
    ----------
    source : band source (:class:`GridBands`, or any object with the attributes listed above)
    path : target ``.tif``/``.tiff``
    dtype : on-disk data type (default the source's; bool as uint8)
    cog : True: Cloud-Optimised GeoTIFF (the options of :func:`rasters.write`); False: a tiled,
        compressed plain GeoTIFF.

    Returns
    -------
    pathlib.Path
    """
    import rasterio
    import rasterio.shutil
    from rasterio.errors import RasterioError
    from rasterio.windows import Window

    from ._rio import to_rio_crs
    from .atomic import temporary_folder
    from ._write_values import _blocksize, _cog_options, _gtiff_options, _prepare_values

    p = Path(path)
    if p.suffix.lower() not in (".tif", ".tiff"):
        raise InputError(f"{p}: write_bands writes GeoTIFF only; give a .tif path")
    if not p.parent.is_dir():
        raise DataFormatError(f"{p}: the folder {p.parent} does not exist; create it first")
    shape = tuple(int(v) for v in source.shape)
    block = _blocksize(shape)
    strips = band_rows(shape, block)
    target = np.dtype(dtype) if dtype is not None else np.dtype(source.dtype)
    target = np.dtype(np.uint8) if target == np.bool_ else np.dtype(np.float32) if target == np.float16 else target
    try:
        with temporary_folder(p) as tmpdir, rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_MB * (1 << 20)):
            plain = tmpdir / "strips.tif"
            nodata_out = None
            profile = {"driver": "GTiff", "width": shape[1], "height": shape[0], "count": 1,
                       "dtype": target.name, "crs": to_rio_crs(source.crs), "transform": source.transform}
            ds = None
            try:
                for r0, r1 in strips:
                    values, nd = _prepare_values(_strip_grid(source, r0, r1), target, False, p)
                    if ds is None:
                        nodata_out = nd
                        options = _gtiff_options(values.dtype, block, compress="NONE" if cog else "DEFLATE")
                        ds = rasterio.open(plain, "w", **profile, nodata=nodata_out, **options)
                    ds.write(values, 1, window=Window(0, r0, shape[1], r1 - r0))
                    del values
            finally:
                if ds is not None:
                    ds.close()
            if cog:
                out = tmpdir / "out.tif"
                rasterio.shutil.copy(plain, out, driver="COG", **_cog_options(target, block))
            else:
                out = plain
            out.replace(p)
    except RasterioError as exc:
        raise DataFormatError(f"{p}: GDAL could not write the raster ({exc})") from exc
    return p


class WindowMosaic:
    """A whole-grid float32 raster made of windows, assembled strip by strip when read.

    Parameters
    ----------
    template : Grid
        Georeference and shape of the whole grid (its values are not used).
    pieces : sequence of (row0, col0, values) or (row0, col0, shape, make)
        Each window's first cell in the grid and its 2-D values: an array, or its shape and a
        callable returning it (called once per strip the window overlaps, so a lazy piece costs
        nothing until it is read).
    reduce : {"min", "max"}
        Cell-wise NaN-ignoring minimum (``numpy.fmin``; +inf counts as nothing and becomes NaN)
        or maximum (``numpy.fmax``) over the windows that cover a cell; NaN where none does.
    name : str

    Notes
    -----
    A band source (see the module notes): :func:`write_bands` writes it without the whole grid
    ever being in memory; :meth:`to_grid` builds the whole grid when one is wanted. Either way
    the values are those of accumulating the windows on a whole grid in order.
    """

    dtype = np.dtype(np.float32)
    nodata = float("nan")

    def __init__(self, template: Grid, pieces, reduce: str, name: str):
        if reduce not in ("min", "max"):
            raise InputError(f"WindowMosaic: reduce must be 'min' or 'max', got {reduce!r}")
        self.shape = template.shape
        self.transform = template.transform
        self.crs = template.crs
        self.name = name
        self.reduce = reduce
        self.pieces = []
        for piece in pieces:
            if len(piece) == 3:
                r, c, v = piece
                self.pieces.append((int(r), int(c), tuple(v.shape), v))
            else:
                r, c, shape, make = piece
                self.pieces.append((int(r), int(c), tuple(int(x) for x in shape), make))

    def __repr__(self):
        return f"WindowMosaic({self.name!r}, {len(self.pieces)} windows, shape={self.shape}, reduce={self.reduce!r})"

    def read_rows(self, r0: int, r1: int) -> np.ndarray:
        """Rows ``r0:r1`` of the mosaic (float32, NaN where no window has a value)."""
        nc = self.shape[1]
        low = self.reduce == "min"
        band = np.full((r1 - r0, nc), np.inf if low else np.nan, dtype=np.float32)
        op = np.fmin if low else np.fmax
        for row0, col0, shape, values in self.pieces:
            a, b = max(r0, row0), min(r1, row0 + shape[0])
            if a >= b:
                continue
            v = values if isinstance(values, np.ndarray) else values()
            sub = band[a - r0:b - r0, col0:col0 + shape[1]]
            op(sub, v[a - row0:b - row0], out=sub)
        if low:
            band[np.isinf(band)] = np.nan
        return band

    def to_grid(self) -> Grid:
        """The whole mosaic as a Grid (NaN nodata)."""
        return Grid(self.read_rows(0, self.shape[0]), self.transform, self.crs, np.nan, self.name)
