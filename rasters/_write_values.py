"""What a raster writer puts on disk: values cast to the file's data type with the nodata cells
set, and GDAL's creation options (tiles, compression, overviews). Shared by :mod:`rasters.io`
(whole grids) and :mod:`rasters.blocks` (strip by strip)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .errors import InputError
from .grid import Grid

#: Nodata written to ASCII grids when the grid's own nodata is NaN or None (Circuitscape's value).
ASCII_NODATA = -9999

# GDAL band data types rasterio can write; anything else is converted first (bool -> uint8, ...).
_GDAL_DTYPES = {
    "uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "int64", "float32", "float64",
}


def _prepare_values(grid: Grid, dtype, ascii_out: bool, p: Path) -> tuple[np.ndarray, float | int | None]:
    """Values cast to the on-disk dtype with nodata cells set to the nodata written."""
    target = np.dtype(dtype) if dtype is not None else grid.dtype
    if target == np.bool_:
        target = np.dtype(np.uint8)
    elif target == np.float16:
        target = np.dtype(np.float32)
    if target.name not in _GDAL_DTYPES:
        raise InputError(f"{p}: cannot write data type {target}; use one of {sorted(_GDAL_DTYPES)}")
    mask = grid.nodata_mask
    valid = grid.values[~mask]
    nd = grid.nodata
    if target.kind == "f":
        if nd is None or (ascii_out and not np.isfinite(nd)):
            nd = ASCII_NODATA if ascii_out else float("nan")
        out = grid.values.astype(target, copy=True)
        if np.isfinite(nd):
            hits = int(np.count_nonzero(out[~mask] == target.type(nd)))
            if hits:
                raise InputError(
                    f"{p}: {hits} valid cells of {grid.name} equal the nodata value {nd} written; "
                    "pick another nodata for the grid"
                )
        out[mask] = nd
        return out, nd
    # integer target: values must be whole and fit
    info = np.iinfo(target)
    if valid.size:
        if valid.dtype.kind == "f":
            bad = ~np.isfinite(valid) | (valid != np.round(valid))
            if bad.any():
                raise InputError(
                    f"{p}: {int(bad.sum())} cells of {grid.name} are not whole numbers; write "
                    f"as float32 (dtype='float32') or round them first"
                )
        lo, hi = valid.min(), valid.max()
        if lo < info.min or hi > info.max:
            raise InputError(
                f"{p}: values of {grid.name} span {lo}..{hi}, outside {target} "
                f"({info.min}..{info.max}); choose a wider dtype"
            )
    if mask.any() or nd is not None:
        if nd is None or not np.isfinite(nd) or nd != int(nd) or not info.min <= nd <= info.max:
            raise InputError(
                f"{p}: {grid.name} has nodata {nd!r}, which {target} ({info.min}..{info.max}) cannot "
                "hold; write as float32 or give the grid an integer nodata in that range "
                "(grid.with_values(values, nodata=...))"
            )
        nd = int(nd)
        hits = int(np.count_nonzero(valid == nd))
        if hits:
            raise InputError(
                f"{p}: {hits} valid cells of {grid.name} equal the nodata value {nd}; pick another nodata"
            )
    out = np.where(mask, nd if nd is not None else 0, grid.values).astype(target)
    return out, nd


def _blocksize(shape: tuple[int, int]) -> int:
    return 512 if max(shape) > 8192 else 256


def _cog_options(dtype: np.dtype, block: int) -> dict:
    """GDAL COG driver options of :func:`write` (DEFLATE, predictor, overviews down to one tile)."""
    integer = np.dtype(dtype).kind in "iu"
    return {
        "BLOCKSIZE": block,
        "COMPRESS": "DEFLATE",
        "PREDICTOR": "YES",  # COG driver picks 2 (integers) or 3 (floats)
        "OVERVIEWS": "AUTO",
        "OVERVIEW_RESAMPLING": "NEAREST" if integer else "AVERAGE",
        "BIGTIFF": "IF_SAFER",
    }


def _gtiff_options(dtype: np.dtype, block: int, *, compress: str = "DEFLATE") -> dict:
    """GDAL GTiff driver options of a tiled plain GeoTIFF (DEFLATE with a predictor by default)."""
    integer = np.dtype(dtype).kind in "iu"
    options = {"TILED": "YES", "BLOCKXSIZE": block, "BLOCKYSIZE": block, "COMPRESS": compress,
               "BIGTIFF": "IF_SAFER"}
    if compress != "NONE":
        options["PREDICTOR"] = 2 if integer else 3
    return options
