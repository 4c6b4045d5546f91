"""The process's memory allocator, tuned for a job that allocates and frees grid-sized arrays.

glibc's ``malloc`` raises its mmap threshold each time a large block is freed (up to 32 MB), so
after a few windowed searches the next blocks of a few MB come from the heap and its per-thread
arenas, which keep the pages when the block is freed: resident memory then grows with every
stage although the live arrays do not. :func:`tune_allocator` fixes the threshold (blocks of
256 KB and more are mapped and given back on free) and trims the heap's top more eagerly;
:func:`release_free_memory` hands free heap pages back (``malloc_trim``) after a stage.

``corridors run`` (and the benchmarks) call :func:`tune_allocator` once; a program that embeds
the library may call it too. Both are no-ops where glibc is not the allocator (macOS, Windows,
musl). Results never depend on them.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

__all__ = ["tune_allocator", "release_free_memory", "MMAP_THRESHOLD"]

#: Blocks at least this large (bytes) are mapped by ``mmap`` and returned to the system on free.
MMAP_THRESHOLD = 256 * 1024

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


@functools.lru_cache(maxsize=1)
def _libc():
    try:
        lib = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        lib.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        lib.malloc_trim.argtypes = [ctypes.c_size_t]
        return lib
    except (OSError, AttributeError):  # not glibc
        return None


def tune_allocator() -> bool:
    """Fix glibc's mmap threshold at :data:`MMAP_THRESHOLD` and its trim threshold at twice that;
    True when applied (process-wide, for the rest of the process)."""
    lib = _libc()
    if lib is None:
        return False
    ok = lib.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
    ok &= lib.mallopt(_M_TRIM_THRESHOLD, 2 * MMAP_THRESHOLD) == 1
    return bool(ok)


def release_free_memory() -> None:
    """Give free heap pages back to the system (``malloc_trim(0)``; a no-op without glibc)."""
    lib = _libc()
    if lib is not None:
        lib.malloc_trim(0)
