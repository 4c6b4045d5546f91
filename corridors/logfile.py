"""The log file every command writes into its output folder (``corridors.log``)."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path

__all__ = ["log_to_file"]


@contextmanager
def log_to_file(path: Path):
    """Send corridors' INFO and up to ``path`` while the block runs; console handlers keep their level."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger("corridors")
    old_level = root.level
    console = [(h, h.level) for h in root.handlers]
    for h, _ in console:
        if h.level == logging.NOTSET:
            h.setLevel(old_level or logging.WARNING)
    root.addHandler(handler)
    root.setLevel(min(old_level or logging.WARNING, logging.INFO))
    try:
        yield
    finally:
        root.removeHandler(handler)
        handler.close()
        root.setLevel(old_level)
        for h, level in console:
            h.setLevel(level)
