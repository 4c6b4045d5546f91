"""The one error tree: the root and the raster/vector errors (from :mod:`rasters.errors`, the
lowest package) plus the errors of the engine itself."""

from rasters.errors import (
    AlignmentError,
    CorridorsError,
    CRSError,
    DataFormatError,
    InputError,
    MissingClassesError,
    OutputExistsError,
    OutputLockedError,
    ResistanceValueError,
    UnsafeOutputError,
)

__all__ = [
    "CorridorsError",
    "InputError",
    "MissingClassesError",
    "ResistanceValueError",
    "CRSError",
    "AlignmentError",
    "DataFormatError",
    "ConfigError",
    "SolverError",
    "OutputExistsError",
    "UnsafeOutputError",
    "OutputLockedError",
    "NoViableLinkError",
]


class ConfigError(InputError):
    """A scenario or configuration file has an unknown key or a bad value."""


class SolverError(CorridorsError, RuntimeError):
    """A numerical solver failed or would not fit in memory."""


class NoViableLinkError(InputError):
    """No candidate pair has a least-cost link within the dispersal limit (an outcome of the
    data, e.g. of an ensemble member with high resistances, as much as an input problem)."""
