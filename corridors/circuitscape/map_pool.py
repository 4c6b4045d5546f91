"""Write output maps on worker threads while the solver goes on (Circuitscape jobs with maps).

A 1000 x 1000 pairwise job with 20 focal points writes about 300 maps (3.4 GB of text);
formatting them in Python took longer than the solves. :class:`MapPool` hands each map to a
small thread pool: ASCII grids are formatted by compiled code that releases the GIL
(:func:`~.writers.ascii_grid_bytes`) and GeoTIFFs by GDAL, so the main thread keeps solving.

Memory stays bounded: at most ``2 * workers`` maps wait or are in progress (each holds its
values and, while it is written, its text); :meth:`MapPool.submit` blocks beyond that. The first
error of a worker is raised again by the next :meth:`~MapPool.submit` or by :meth:`~MapPool.close`,
and every file is written atomically, so a failed run leaves no half-written map.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

__all__ = ["MapPool", "default_workers"]


def default_workers() -> int:
    """Writer threads: the cores this process may use, at most 4 (the disk is the limit then)."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        n = os.cpu_count() or 1
    return max(1, min(4, n))


class MapPool:
    """A bounded pool of writer threads.

    Parameters
    ----------
    workers : int or None
        Threads (default :func:`default_workers`); 0 writes on the calling thread.

    Attributes
    ----------
    busy_seconds : float
        Seconds the workers spent writing, summed over threads.
    wait_seconds : float
        Seconds the caller waited for a free slot or for :meth:`close`.
    """

    def __init__(self, workers: int | None = None):
        self.workers = default_workers() if workers is None else int(workers)
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="corridors-maps") \
            if self.workers > 0 else None
        self._slots = threading.BoundedSemaphore(max(1, 2 * self.workers))
        self._lock = threading.Lock()
        self._error: BaseException | None = None
        self._futures = []
        self.busy_seconds = 0.0
        self.wait_seconds = 0.0

    def submit(self, write, *args) -> None:
        """Run ``write(*args)`` on a worker (blocks while ``2 * workers`` maps are pending)."""
        self._raise_pending()
        if self._pool is None:
            self._timed(write, *args)
            return
        t0 = time.perf_counter()
        self._slots.acquire()
        self.wait_seconds += time.perf_counter() - t0
        self._raise_pending()
        fut = self._pool.submit(self._run, write, args)
        self._futures.append(fut)
        self._futures = [f for f in self._futures if not f.done()]

    def _timed(self, write, *args):
        t0 = time.perf_counter()
        try:
            write(*args)
        finally:
            with self._lock:
                self.busy_seconds += time.perf_counter() - t0

    def _run(self, write, args):
        try:
            self._timed(write, *args)
        except BaseException as exc:  # kept and raised on the caller's thread
            with self._lock:
                if self._error is None:
                    self._error = exc
        finally:
            self._slots.release()

    def _raise_pending(self):
        if self._error is not None:
            err, self._error = self._error, None
            self.close(wait=True, _raise=False)
            raise err

    def close(self, wait: bool = True, _raise: bool = True) -> None:
        """Wait for every pending map (or, ``wait=False``, drop those not started) and stop."""
        if self._pool is not None:
            t0 = time.perf_counter()
            self._pool.shutdown(wait=wait, cancel_futures=not wait)
            self.wait_seconds += time.perf_counter() - t0
            self._pool = None
        if _raise:
            self._raise_pending()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close(wait=exc_type is None, _raise=exc_type is None)
        return False
