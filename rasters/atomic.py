"""Atomic text files: write a temporary file beside the target, then rename it into place."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import DataFormatError

__all__ = ["atomic_write_text"]


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` through a temporary file in the same folder, then rename.

    Newlines are written as ``\\n`` on every platform. On any failure the temporary file is
    removed, so neither a half-written target nor a stale temporary file is left behind.

    Raises
    ------
    DataFormatError
        The folder is missing or not writable.
    """
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise DataFormatError(f"cannot write {path}: {exc}; check the folder exists and is writable") from exc
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="\n") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path
