"""Fixed row blocks run on a few threads: parallel kernels whose results do not depend on threads.

A big level of the multigrid (and the outer matrix-vector product) is cut into
:data:`BLOCKS` contiguous row ranges that depend only on the number of rows. Each range is
worked by a GIL-free Numba kernel; the ranges are shared among at most ``threads`` Python threads.
Every value is computed by one kernel in one fixed order, so the results are bit-identical run
to run and for any thread count (1 included): threads change only who computes a block.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["BLOCKS", "PARALLEL_MIN", "block_bounds", "run_blocks"]

#: Row blocks of a big system (fixed: the results must not depend on the thread count).
BLOCKS = 8
#: Rows from which a system is cut into blocks (smaller ones: one block, the serial kernels).
PARALLEL_MIN = 250_000

_POOL = None
_POOL_LOCK = threading.Lock()


def _forget_pool_in_child() -> None:
    # a forked child has the pool object but not its threads: a submit would wait forever
    global _POOL, _POOL_LOCK
    _POOL = None
    _POOL_LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool_in_child)


def block_bounds(n: int) -> np.ndarray:
    """Row starts of the blocks of an ``n``-row system (``BLOCKS + 1`` values, or ``[0, n]``)."""
    nb = BLOCKS if n >= PARALLEL_MIN else 1
    return np.linspace(0, n, nb + 1).astype(np.int64)


def _pool(threads: int) -> ThreadPoolExecutor:
    global _POOL
    with _POOL_LOCK:
        if _POOL is None or _POOL._max_workers < threads - 1:
            _POOL = ThreadPoolExecutor(max(threads - 1, 1), thread_name_prefix="corridors-blocks")
        return _POOL


def run_blocks(fn, nblocks: int, threads: int) -> None:
    """Call ``fn(first, stop)`` on contiguous runs of the blocks ``0 .. nblocks - 1``.

    With ``threads > 1`` the runs go to that many threads (one of them the caller's) and this
    returns when all are done; ``fn`` must release the GIL to gain anything.
    """
    threads = max(1, min(int(threads), nblocks))
    if threads == 1:
        fn(0, nblocks)
        return
    cuts = np.linspace(0, nblocks, threads + 1).astype(np.int64)
    futures = [_pool(threads).submit(fn, int(cuts[t]), int(cuts[t + 1])) for t in range(1, threads)]
    fn(int(cuts[0]), int(cuts[1]))
    for f in futures:
        f.result()
