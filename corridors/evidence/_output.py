"""The output folder of ``corridors validate`` and ``corridors calibrate`` (one place, to switch over).

Today's mechanism of ``corridors run`` (:mod:`corridors.pipeline.run`): refuse an existing
non-empty folder unless ``overwrite``; build everything in a temporary sibling folder; on
success replace the target by renaming; on any error remove the temporary folder, so nothing
half-written is left. A common output-folder module is planned (``rasters/atomic.py``); this
function is the only place to change then.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from ..errors import OutputExistsError

__all__ = ["output_folder"]


@contextmanager
def output_folder(out, *, overwrite: bool = False, log_name: str = "corridors.log"):
    """Yield a temporary folder that becomes ``out`` when the block succeeds.

    INFO and higher messages of the ``corridors`` loggers also go to ``log_name`` in the folder.

    Raises
    ------
    OutputExistsError
        ``out`` exists and is not a folder, or is a non-empty folder and not ``overwrite``.
    """
    out = Path(out)
    if out.exists():
        if not out.is_dir():
            raise OutputExistsError(f"{out}: exists and is not a folder; choose another --out")
        if any(out.iterdir()) and not overwrite:
            raise OutputExistsError(f"{out}: folder exists and is not empty; pass --overwrite to replace it or choose another --out")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    handler = logging.FileHandler(tmp / log_name, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    root = logging.getLogger("corridors")
    old_level = root.level
    console = [(h, h.level) for h in root.handlers]
    for h, _ in console:  # console handlers keep the level the CLI gave them
        if h.level == logging.NOTSET:
            h.setLevel(old_level or logging.WARNING)
    root.addHandler(handler)
    root.setLevel(min(old_level or logging.WARNING, logging.INFO))
    try:
        yield tmp
        root.removeHandler(handler)
        handler.close()
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    except BaseException:
        root.removeHandler(handler)
        handler.close()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        root.setLevel(old_level)
        for h, level in console:
            h.setLevel(level)
