"""The one error tree of corridors.

Every error the engine raises on purpose derives from :class:`CorridorsError`, and each subclass
also inherits the matching builtin (``ValueError``, ``OSError``, ``RuntimeError``) so that callers
who catch builtins keep working, as rasterio does. Messages say what is wrong, the offending value
and the fix.

The root and the errors of the raster and vector layers live in ``rasters`` because it is the
lowest package; :mod:`corridors.errors` re-exports them and adds the errors of the engine.
"""

from __future__ import annotations

__all__ = [
    "CorridorsError",
    "InputError",
    "MissingClassesError",
    "ResistanceValueError",
    "CRSError",
    "AlignmentError",
    "DataFormatError",
    "OutputExistsError",
    "UnsafeOutputError",
    "OutputLockedError",
]


class CorridorsError(Exception):
    """Root of every error corridors raises on purpose."""


class InputError(CorridorsError, ValueError):
    """An input value is invalid (the message names it and the fix)."""


class MissingClassesError(InputError):
    """Land-cover codes present in a raster are missing from a reclassification table.

    Attributes
    ----------
    missing : list
        Every missing code, sorted.
    """

    def __init__(self, message: str, missing=()):
        super().__init__(message)
        self.missing = sorted(missing)


class ResistanceValueError(InputError):
    """A resistance surface has values <= 0 (resistance must be > 0 or nodata)."""


class CRSError(InputError):
    """A coordinate reference system is missing, geographic where metres are needed, or mismatched."""


class AlignmentError(InputError):
    """Two grids that must share shape, transform and CRS do not."""


class DataFormatError(CorridorsError, OSError):
    """A file cannot be read or written in the expected format."""


class OutputExistsError(CorridorsError, FileExistsError):
    """An output path exists and overwriting was not requested."""


class UnsafeOutputError(InputError):
    """An output path is refused: replacing it could destroy data (``.``, home, a folder of inputs...)."""


class OutputLockedError(CorridorsError, BlockingIOError):
    """Another corridors command is writing the same output folder."""


def gdal_reason(exc: BaseException) -> str:
    """GDAL's own words for an error: rasterio's "See previous exception" replaced by the causes."""
    seen: list[str] = []
    e: BaseException | None = exc
    while e is not None and len(seen) < 8:
        msg = " ".join(str(e).split())
        if msg and "See previous exception" not in msg and msg not in seen:
            seen.append(msg)
        e = e.__cause__ or e.__context__
    reason = "; ".join(seen[-2:]) if seen else " ".join(str(exc).split())
    if any(w in reason for w in ("Read error", "got 0 bytes", "TIFFFillTile", "TIFFReadEncoded", "Cannot read")):
        reason += " - the file looks truncated or damaged"
    return reason
