"""Raster files in and out: GeoTIFF (cloud-optimised) and Esri ASCII grids (``.asc``, ``.asc.gz``).

Formats are chosen by file-name ending from :data:`WRITE_FORMATS`; reading accepts anything GDAL
opens, with ``.gz`` files read through GDAL's ``/vsigzip/``.

Conventions
-----------
* Nodata is kept as stored. Circuitscape writes ASCII grids with ``NODATA_value -9999``; a float
  grid whose nodata is NaN is written to ASCII with -9999 for the same reason.
* ASCII grids carry no data type. GDAL reads whole numbers as int32; grids with decimals are read
  as float64 here (GDAL's own guess is float32), because the text usually carries more digits
  than float32 keeps (Circuitscape prints 17-20 significant digits).
* The CRS of an ASCII grid lives in a ``.prj`` sidecar named after the grid without its
  ``.asc``/``.asc.gz`` ending (``roads.asc`` and ``roads.asc.gz`` both use ``roads.prj``).
* Every write goes to a temporary folder beside the target and is moved into place with
  :func:`os.replace`, so a failed write never leaves half a file under the final name.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
from pathlib import Path

import numpy as np
import rasterio
from pyproj import CRS
from rasterio.errors import RasterioError

from ._rio import to_rio_crs
from .atomic import atomic_write_text, temporary_folder
from ._write_values import ASCII_NODATA, _prepare_values
from .errors import DataFormatError, InputError, OutputExistsError, gdal_reason
from .grid import Grid, as_crs

__all__ = ["read", "write", "WRITE_FORMATS", "ASCII_NODATA", "gdal_reason"]

#: File-name endings :func:`write` understands, longest first, and the format each one means.
WRITE_FORMATS: tuple[tuple[str, str], ...] = (
    (".asc.gz", "ascii-gz"),
    (".asc", "ascii"),
    (".tif", "gtiff"),
    (".tiff", "gtiff"),
)

def _format_of(path: Path) -> str:
    name = path.name.lower()
    for ending, kind in WRITE_FORMATS:
        if name.endswith(ending):
            return kind
    endings = ", ".join(e for e, _ in WRITE_FORMATS)
    raise DataFormatError(f"{path}: cannot tell the raster format from the name; use one of {endings}")


def _prj_sidecar(path: Path) -> Path:
    """``x.asc`` / ``x.asc.gz`` -> ``x.prj``."""
    name = path.name
    for ending in (".asc.gz", ".asc", ".gz"):
        if name.lower().endswith(ending):
            return path.with_name(name[: -len(ending)] + ".prj")
    return path.with_suffix(".prj")


# ----------------------------------------------------------------------------------- reading
def read(path, *, band: int = 1, name: str | None = None) -> Grid:
    """Read one band of a raster file into a :class:`~rasters.grid.Grid`.

    Parameters
    ----------
    path : str or os.PathLike
        GeoTIFF, Esri ASCII grid (``.asc``), gzipped ASCII grid (``.asc.gz``) or any other raster
        GDAL opens.
    band : int
        1-based band number.
    name : str, optional
        Label used in later error messages; defaults to the path.

    Returns
    -------
    Grid
        Values in the file's own data type (ASCII decimals as float64, see module notes), the
        affine transform, the CRS (None when the file has none) and the nodata value as stored.

    Raises
    ------
    DataFormatError
        The file is missing, is not a raster GDAL can read, the band is out of range, or the band
        is packed with a scale/offset.
    """
    p = Path(path)
    virtual = str(path).startswith("/vsi")  # a GDAL virtual path (/vsizip/...): GDAL checks it
    if not virtual and not p.exists():
        raise DataFormatError(f"{p}: no such file; check the path")
    if p.is_dir():
        raise DataFormatError(f"{p}: is a folder, not a raster file")
    if isinstance(band, bool) or not isinstance(band, (int, np.integer)):
        raise InputError(f"{p}: band must be a whole number (1-based), got {band!r}")
    gzipped = not virtual and p.name.lower().endswith(".gz")
    gdal_path = str(path) if virtual else f"/vsigzip/{p.resolve()}" if gzipped else str(p)
    try:
        values, transform, rio_crs, nodata, driver = _read_band(p, gdal_path, int(band), {})
        if driver == "AAIGrid" and values.dtype == np.float32:
            # GDAL guesses float32 for ASCII decimals; the text holds more digits than that.
            values, transform, rio_crs, nodata, driver = _read_band(
                p, gdal_path, int(band), {"AAIGRID_DATATYPE": "Float64"}
            )
    except RasterioError as exc:
        raise DataFormatError(
            f"{p}: not a raster GDAL can read ({gdal_reason(exc)}); give a GeoTIFF (.tif) or an Esri ASCII "
            "grid (.asc, .asc.gz)"
        ) from exc
    if driver == "AAIGrid" and not virtual:
        _check_ascii_body(p, gzipped, values.shape)
    crs = as_crs(rio_crs) if rio_crs is not None else None
    if crs is None and gzipped:
        crs = _read_prj(_prj_sidecar(p))
    return Grid(values, transform, crs, nodata, name if name is not None else str(path))


#: Tokens GDAL's ASCII reader turns into 0 (or a number) without a word: not allowed in a grid.
_NOT_NUMBERS = {b"nan", b"-nan", b"+nan", b"inf", b"-inf", b"+inf", b"infinity", b"-infinity"}


_HEADER_LINE = re.compile(rb"[ \t]*([A-Za-z][^\r\n]*)?(\r\n|\r|\n)")


def _ascii_body_is_regular(raw: bytes, shape: tuple[int, int]) -> bool:
    """True if an ASCII grid's body is plainly fine: ``nrows`` lines of ``ncols`` plain numbers.

    A vectorised pre-check (a 6 M-cell grid in a fraction of a second, where splitting every
    token in Python took seconds): header lines start with a letter; the body may hold only
    digits, ``.+-eE`` (no token starting with e/E), spaces, tabs and line breaks. False means
    "not sure", never "bad": :func:`_check_ascii_body` then checks token by token.
    """
    nrows, ncols = shape
    pos = 0
    while True:  # skip the header: leading lines whose first character (after blanks) is a letter
        m = _HEADER_LINE.match(raw, pos)
        if m is None or m.group(1) is None:
            break
        if m.group(1).split()[0].lower() in _NOT_NUMBERS:
            return False
        pos = m.end()
    body = raw[pos:]
    if body.translate(None, b"0123456789.+-eE \t\r\n") or re.search(rb"(?:^|[ \t\r\n])[eE]", body):
        return False
    arr = np.frombuffer(body, dtype=np.uint8)
    blank = (arr == 32) | (arr == 9) | (arr == 10) | (arr == 13)
    starts = np.flatnonzero(~blank & np.r_[True, blank[:-1]])
    breaks = np.flatnonzero((arr == 10) | (arr == 13))
    per_line = np.bincount(np.searchsorted(breaks, starts))
    per_line = per_line[per_line > 0]
    return per_line.size == nrows and bool(np.all(per_line == ncols))


def _check_ascii_body(p: Path, gzipped: bool, shape: tuple[int, int]) -> None:
    """Refuse an Esri ASCII grid whose rows disagree with its header, or that holds NaN/inf.

    GDAL re-wraps a body with the wrong number of values per row, crops extra values and fills
    missing ones with 0, and reads ``nan`` as 0: each would be a silently wrong grid.
    """
    opener = gzip.open if gzipped else open
    try:
        with opener(p, "rb") as f:
            raw = f.read()
    except OSError as exc:
        raise DataFormatError(f"{p}: cannot read ({exc})") from exc
    if _ascii_body_is_regular(raw, shape):
        return  # the usual case, checked vectorised; anything unusual takes the exact path below
    lines = [ln.split() for ln in raw.splitlines()]
    lines = [(n, t) for n, t in enumerate(lines, 1) if t]
    body = [(n, t) for n, t in lines if not t[0][:1].isalpha() or t[0].lower() in _NOT_NUMBERS]
    nrows, ncols = shape
    fix = "fix the header (ncols, nrows) or the data so that they agree"
    if len(body) != nrows:
        total = sum(len(t) for _, t in body)
        raise DataFormatError(
            f"{p}: the header says {nrows} rows of {ncols} values, but the data has {len(body)} lines "
            f"({total} values); {fix}"
        )
    for n, toks in body:
        if len(toks) != ncols:
            raise DataFormatError(f"{p}, line {n}: {len(toks)} values where the header says ncols {ncols}; {fix}")
        bad = [t for t in toks if t.lower() in _NOT_NUMBERS]
        if bad:
            raise DataFormatError(
                f"{p}, line {n}: {bad[0].decode(errors='replace')!r} is not a number; mark missing cells "
                "with the NODATA_value of the header"
            )


def _read_band(p: Path, gdal_path: str, band: int, options: dict):
    with rasterio.Env(**options), rasterio.open(gdal_path) as ds:
        if not 1 <= band <= ds.count:
            raise DataFormatError(f"{p}: band {band} is out of range; the file has {ds.count} band(s)")
        scale, offset = ds.scales[band - 1], ds.offsets[band - 1]
        if (scale not in (None, 1.0)) or (offset not in (None, 0.0)):
            raise DataFormatError(
                f"{p}: band {band} is packed (scale {scale}, offset {offset}); unpack it first, "
                "e.g. gdal_translate -unscale -ot Float32"
            )
        values = ds.read(band)
        return values, ds.transform, ds.crs, ds.nodatavals[band - 1], ds.driver


def _read_prj(prj: Path) -> CRS | None:
    if not prj.exists():
        return None
    try:
        return CRS.from_user_input(prj.read_text())
    except Exception as exc:  # pyproj's error; say which file and what to do
        raise DataFormatError(f"{prj}: cannot parse the CRS in this .prj file ({exc}); fix or delete it") from exc


# ----------------------------------------------------------------------------------- writing
def write(grid: Grid, path, *, dtype=None, cog: bool = True, overwrite: bool = True) -> Path:
    """Write a grid to GeoTIFF or Esri ASCII, atomically.

    Parameters
    ----------
    grid : Grid
        The grid to write.
    path : str or os.PathLike
        Target file; the ending picks the format (:data:`WRITE_FORMATS`): ``.tif``/``.tiff``
        GeoTIFF, ``.asc`` Esri ASCII grid, ``.asc.gz`` gzipped Esri ASCII grid.
    dtype : numpy dtype, optional
        Data type on disk (default: the grid's; bool is written as uint8). Converting to an
        integer type refuses values that are not whole or do not fit.
    cog : bool
        GeoTIFF only. True (default): a Cloud Optimized GeoTIFF through GDAL's COG driver,
        256 x 256 tiles (512 for grids over 8192 cells on a side), DEFLATE with a predictor
        (horizontal differencing for integers, floating-point predictor for floats), internal
        overviews (nearest for integer classes, average for floats) down to one tile, and the
        COG layout (IFDs first, smallest overview data first). False: a tiled, compressed plain
        GeoTIFF without overviews (faster for intermediate files).
    overwrite : bool
        When False, refuse to replace an existing file (:class:`OutputExistsError`).

    Returns
    -------
    pathlib.Path
        The written path.

    Notes
    -----
    Nodata: GeoTIFF keeps the grid's nodata (NaN for float grids without one). ASCII grids need
    a finite nodata: NaN/None become -9999 (:data:`ASCII_NODATA`). A valid cell equal to the
    nodata written is refused, since it would read back as nodata.

    The ASCII format has one cell size, so non-square or rotated grids are refused. The CRS goes
    to a ``.prj`` sidecar (an existing sidecar is replaced, or removed when the grid has no CRS,
    so that it never describes another grid).
    """
    if not isinstance(grid, Grid):
        raise InputError(f"write needs a rasters.Grid, got {type(grid).__name__}")
    p = Path(path)
    kind = _format_of(p)
    if not p.parent.is_dir():
        raise DataFormatError(f"{p}: the folder {p.parent} does not exist; create it first")
    if p.exists() and not overwrite:
        raise OutputExistsError(f"{p}: exists; pass overwrite=True to replace it")
    if p.is_dir():
        raise DataFormatError(f"{p}: is a folder; give a file name")
    ascii_out = kind in ("ascii", "ascii-gz")
    if ascii_out:
        grid.require_square()  # Esri ASCII has one cellsize: refuse non-square or rotated cells
    if kind == "gtiff":  # strip by strip: no whole-grid copy, whatever the size (rasters.blocks)
        from .blocks import GridBands, write_bands

        return write_bands(GridBands(grid), p, dtype=dtype, cog=cog)
    values, nodata = _prepare_values(grid, dtype, ascii_out, p)

    try:
        with temporary_folder(p) as tmpdir:
            tmp = tmpdir / "out.asc"
            _write_gdal(values, grid, nodata, tmp, "AAIGrid", _ascii_options(values.dtype))
            if kind == "ascii-gz":
                gz = tmpdir / "out.asc.gz"
                # mtime=0 keeps the bytes identical across runs (reproducible outputs)
                with open(tmp, "rb") as src, gzip.GzipFile(gz, "wb", compresslevel=6, mtime=0) as dst:
                    shutil.copyfileobj(src, dst)
                tmp = gz
            prj = _prj_sidecar(p)
            if grid.crs is not None:
                # WKT1 as GDAL writes it: ESRI WKT renames datums, so PROJ would no longer
                # find the CRS equal to the original; written by us so .asc and .asc.gz match
                atomic_write_text(prj, grid.crs.to_wkt("WKT1_GDAL") or grid.crs.to_wkt())
            elif prj.exists():
                prj.unlink()
            os.replace(tmp, p)
    except RasterioError as exc:
        raise DataFormatError(f"{p}: GDAL could not write the raster ({exc})") from exc
    return p


def _ascii_options(dtype: np.dtype) -> dict:
    # enough significant digits that float32/float64 values read back exactly
    if dtype == np.float32:
        return {"SIGNIFICANT_DIGITS": 9}
    if dtype == np.float64:
        return {"SIGNIFICANT_DIGITS": 17}
    return {}


def _write_gdal(values: np.ndarray, grid: Grid, nodata, tmp: Path, driver: str, options: dict) -> None:
    profile = {
        "driver": driver,
        "width": values.shape[1],
        "height": values.shape[0],
        "count": 1,
        "dtype": values.dtype.name,
        "crs": to_rio_crs(grid.crs),
        "transform": grid.transform,
        "nodata": nodata,
    }
    with rasterio.open(tmp, "w", **profile, **options) as ds:
        ds.write(values, 1)
