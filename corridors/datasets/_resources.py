"""Locate the data files shipped inside the package (works from wheels and editable installs)."""

from __future__ import annotations

import contextlib
import importlib.resources
from collections.abc import Iterator
from pathlib import Path

from ..errors import DataFormatError

__all__ = ["resource", "data_path", "list_resources"]

_PACKAGE = "corridors.datasets"


def resource(*parts: str):
    """The :class:`importlib.resources.abc.Traversable` of a shipped file, e.g. ``("nea", "x.tif")``."""
    node = importlib.resources.files(_PACKAGE).joinpath(*parts)
    if not node.is_file():
        raise DataFormatError(
            f"packaged data file {'/'.join(parts)!r} is missing from {_PACKAGE}; "
            "the installation is incomplete - reinstall corridors"
        )
    return node


@contextlib.contextmanager
def data_path(*parts: str) -> Iterator[Path]:
    """A real file-system path to a shipped file for the duration of the ``with`` block.

    GDAL needs a path; from a zipped install :func:`importlib.resources.as_file` extracts the file
    to a temporary place and removes it afterwards.
    """
    with importlib.resources.as_file(resource(*parts)) as path:
        yield Path(path)


def list_resources(folder: str, suffix: str = "") -> list[str]:
    """Names of the shipped files in ``folder`` ending with ``suffix``, sorted."""
    node = importlib.resources.files(_PACKAGE).joinpath(folder)
    return sorted(p.name for p in node.iterdir() if p.is_file() and p.name.endswith(suffix))
