"""The one parallel-map interface: run independent pieces serially, on threads, or on a
dask.distributed cluster.

Every fan-out (cost distance per core, circuit solve per link, scenarios in a batch, calibration
evaluations) goes through :meth:`Executor.map`; results always come back in the order of the items,
so a run with ``workers=N`` or ``scheduler=ADDRESS`` writes the same files as the serial run.
Functions that release the GIL (the Numba kernels) say so with ``threads_ok=True`` and then run on
a thread pool when no cluster is used.

Running on a real cluster
-------------------------
Start a scheduler and workers on the cluster (``dask scheduler`` on one node, ``dask worker
tcp://SCHEDULER:8786 --nthreads 1`` on each compute node, or dask-jobqueue / dask-kubernetes), make
sure every worker has the same ``corridors`` version installed and can read the input files, then
``corridors run scenario.toml --out DIR --scheduler tcp://SCHEDULER:8786 [--scratch SHARED]``.
The per-core searches and per-link circuits read their windows from GeoTIFFs staged in the run's
:attr:`Executor.scratch` folder (which every worker must see at the same path); other shared
arguments are scattered once per map, not per task; outputs are written only by the client
process. ``docs/scale.md`` has the full recipe (software on workers, the scratch folder, what is
shipped and what is read, memory).
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Sequence

from .errors import ConfigError

__all__ = ["Executor"]

log = logging.getLogger(__name__)


class Executor:
    """Serial or dask.distributed ``map`` with deterministic result order.

    Parameters
    ----------
    workers : int, optional
        Start a :class:`dask.distributed.LocalCluster` with this many single-threaded worker
        processes. ``None`` or ``0`` (and no ``scheduler``) runs serially in this process.
    scheduler : str, optional
        Address of an existing dask scheduler (``tcp://host:8786``); overrides ``workers``.
    threads : int, optional
        Without a cluster, maps with ``threads_ok=True`` run on this many threads (default: the
        CPU count; 1 runs them in this thread).
    progress : bool
        Show a tqdm progress bar per :meth:`map` call.

    Notes
    -----
    Use as a context manager so that a started cluster is closed. Functions must be picklable
    (module-level); the items and shared arguments are sent to workers once.
    """

    def __init__(self, workers: int | None = None, scheduler: str | None = None, *, threads: int | None = None,
                 progress: bool = False):
        if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 0):
            raise ConfigError(f"workers: got {workers!r}; give a whole number of worker processes >= 1 (0 = serial)")
        if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int) or threads < 1):
            raise ConfigError(f"threads: got {threads!r}; give a whole number of threads >= 1")
        self.workers = workers or 0
        self.threads = threads or os.cpu_count() or 1
        self.scheduler = scheduler
        self.progress = progress
        self._client = None
        self._cluster = None
        self.scratch = None

    # ---------------------------------------------------------------- lifecycle
    @property
    def kind(self) -> str:
        """'serial', 'local-cluster' or 'scheduler'."""
        if self.scheduler:
            return "scheduler"
        return "local-cluster" if self.workers > 0 else "serial"

    @property
    def is_distributed(self) -> bool:
        return self.kind != "serial"

    def describe(self) -> dict[str, Any]:
        """What ran where, for the manifest."""
        out: dict[str, Any] = {"kind": self.kind}
        if self.kind == "local-cluster":
            out.update(workers=self.workers, threads_per_worker=1, processes=True)
        elif self.kind == "scheduler":
            out["address"] = self.scheduler
        if self._client is not None:
            try:
                out["n_workers"] = len(self._client.scheduler_info(n_workers=-1)["workers"])
            except Exception:  # noqa: BLE001 - informational only
                out["n_workers"] = None
        return out

    def start(self) -> "Executor":
        if not self.is_distributed or self._client is not None:
            return self
        from dask.distributed import Client, LocalCluster

        if self.scheduler:
            try:
                self._client = Client(self.scheduler, timeout="20s")
            except OSError as exc:
                raise ConfigError(
                    f"scheduler: cannot connect to dask scheduler {self.scheduler!r} ({exc}); "
                    "check the address (tcp://HOST:8786) and that the scheduler is running"
                ) from exc
        else:
            self._cluster = LocalCluster(
                n_workers=self.workers, threads_per_worker=1, processes=True,
                dashboard_address=None, silence_logs=logging.ERROR,
                # no dashboard; its health-check HTTP server on a free port, not a busy 8787
                scheduler_kwargs={"dashboard_address": ":0"},
            )
            self._client = Client(self._cluster)
        log.info("dask client started: %s", self.describe())
        return self

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def __enter__(self) -> "Executor":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def scratch_folder(self, path):
        """Use ``path`` (created now, removed at the end) as :attr:`scratch` inside the block.

        The scratch folder holds what a stage writes for later stages or for the workers instead
        of keeping it in memory or sending it through the scheduler: the per-core least-cost
        searches and, on a cluster, the resistance and core labels each worker reads its windows
        from. On a real cluster it must be on a file system every worker sees (the run puts it in
        its temporary output folder, beside ``--out``).
        """
        from pathlib import Path

        from rasters.atomic import _rmtree, make_folder

        folder = make_folder(Path(path))
        old, self.scratch = self.scratch, folder
        try:
            yield folder
        finally:
            self.scratch = old
            _rmtree(folder)  # a folder this block created; a failure is logged, not hidden

    # ---------------------------------------------------------------- mapping
    def map(
        self,
        func: Callable[..., Any],
        items: Iterable[Any],
        *,
        shared: dict[str, Any] | None = None,
        desc: str | None = None,
        threads_ok: bool = False,
    ) -> list[Any]:
        """``[func(item, **shared) for item in items]``, serially or on the cluster.

        Parameters
        ----------
        func : callable
            Module-level function (picklable for dask).
        items : iterable
            One task per item.
        shared : dict, optional
            Keyword arguments common to every call (large arrays); scattered to the workers once.
        desc : str, optional
            Progress-bar label.
        threads_ok : bool
            ``func`` is thread-safe and releases the GIL: without a cluster it runs on
            :attr:`threads` threads.

        Returns
        -------
        list
            Results in the order of ``items`` whatever order the tasks finish in.
        """
        items = list(items)
        shared = dict(shared or {})
        if not items:
            return []
        bar = self._bar(len(items), desc)
        try:
            if self.is_distributed:
                return self._map_dask(func, items, shared, bar)
            nthreads = min(self.threads, len(items)) if threads_ok else 1
            return self._map_local(func, items, shared, bar, nthreads)
        finally:
            if bar is not None:
                bar.close()

    @staticmethod
    def _map_local(func, items: Sequence[Any], shared: dict[str, Any], bar, nthreads: int) -> list[Any]:
        def one(item):
            result = func(item, **shared)
            if bar is not None:
                bar.update(1)
            return result

        if nthreads <= 1:
            return [one(item) for item in items]
        with ThreadPoolExecutor(max_workers=nthreads) as pool:
            return list(pool.map(one, items))

    def _map_dask(self, func, items: Sequence[Any], shared: dict[str, Any], bar) -> list[Any]:
        from dask.distributed import as_completed

        self.start()
        client = self._client
        # scatter shared arguments once (broadcast: every worker needs them), not once per task
        futures_shared = {k: client.scatter(v, broadcast=True, hash=False) for k, v in shared.items()}
        futures = [client.submit(func, item, pure=False, **futures_shared) for item in items]
        try:
            for fut in as_completed(futures):
                if fut.status == "error":
                    fut.result()  # re-raise the worker's exception here
                if bar is not None:
                    bar.update(1)
            return client.gather(futures)
        finally:
            client.cancel(futures + list(futures_shared.values()))

    def _bar(self, total: int, desc: str | None):
        if not self.progress or total < 2:
            return None
        from tqdm.auto import tqdm

        return tqdm(total=total, desc=desc, unit="task", leave=False)
