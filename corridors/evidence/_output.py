"""The output folder of ``corridors validate`` and ``corridors calibrate``: the same safe folder
as ``corridors run`` (:func:`rasters.atomic.output_folder`: dangerous targets refused, a lock,
built in a temporary sibling and swapped in, a marker saying corridors wrote it) with the run's
log file in it."""

from __future__ import annotations

from contextlib import contextmanager

from ..logfile import log_to_file

__all__ = ["output_folder"]


@contextmanager
def output_folder(out, *, overwrite: bool = False, inputs=(), command: str, log_name: str = "corridors.log"):
    """Yield a temporary folder that becomes ``out`` when the block succeeds (see the module notes).

    ``inputs``: the files the command reads (``out`` may not hold them); ``command``: its name in
    the marker and the lock.
    """
    from rasters.atomic import output_folder as safe_folder

    with safe_folder(out, overwrite=overwrite, inputs=inputs, command=command) as tmp:
        with log_to_file(tmp / log_name):
            yield tmp
