"""Shared helpers for the benchmark suite: machine details, statistics, child processes, memory.

Nothing here imports the engine, so ``run.py`` can describe the machine and start sections
without paying for numba imports in the parent process.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

#: Packages whose versions go into every result file (missing ones are reported as None).
PACKAGES = ("corridors", "numpy", "scipy", "numba", "scikit-image", "pyamg", "scikit-sparse",
            "pypardiso", "xarray", "xarray-spatial", "rasterio", "geopandas", "shapely", "pyproj",
            "psutil", "pytest")

#: Environment variables that set thread counts; recorded with every result.
THREAD_VARS = ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


# ---------------------------------------------------------------------------------- machine
def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def meminfo_bytes(key: str) -> int | None:
    """A ``/proc/meminfo`` entry (``"MemTotal"``, ``"MemAvailable"``) in bytes; None off Linux."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def loglog_slope(xs, ys) -> float | None:
    """Least-squares slope of log y against log x over the pairs where both are > 0 (missing
    values skipped); None with fewer than two such points or no spread in x."""
    pts = [(math.log(x), math.log(y)) for x, y in zip(xs, ys, strict=True) if x and y and x > 0 and y > 0]
    if len(pts) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    den = sum((p[0] - mx) ** 2 for p in pts)
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / den if den else None


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def package_versions() -> dict:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def machine_info() -> dict:
    """CPU, cores, RAM, OS, Python, package versions, thread settings, date and git commit."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        usable = os.cpu_count()
    dirty = _git("status", "--porcelain", "--untracked-files=no")
    ram = meminfo_bytes("MemTotal")
    return {
        "date_utc": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "cpu": _cpu_model(),
        "logical_cpus": os.cpu_count(),
        "usable_cpus": usable,
        "ram_gib": round(ram / 2**30, 1) if ram else None,
        "os": platform.platform(),
        "python": platform.python_version(),
        "packages": package_versions(),
        "thread_env": {k: os.environ.get(k) for k in THREAD_VARS},
        "load_average_at_start": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(dirty) if dirty is not None else None,
        "argv": shown_argv(sys.argv),
    }


# ------------------------------------------------------------------------------- statistics
def spread(samples) -> dict:
    """Median, min, max and count of a list of seconds (or any numbers); None entries dropped."""
    xs = [float(x) for x in samples if x is not None]
    if not xs:
        return {"median": None, "min": None, "max": None, "n": 0}
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "n": len(xs)}


def fmt_spread(s: dict | None, unit: str = "s", digits: int = 3) -> str:
    """``0.148 s (0.140-0.160, n=5)``; an em dash when missing."""
    if not s or s.get("median") is None:
        return "—"
    m, lo, hi = s["median"], s["min"], s["max"]
    g = f"{{:.{digits}g}}"
    if s["n"] == 1:
        return f"{g.format(m)} {unit} (n=1)"
    return f"{g.format(m)} {unit} ({g.format(lo)}–{g.format(hi)}, n={s['n']})"


def ratio(peer: dict | None, ours: dict | None) -> float | None:
    """Median peer time over median own time (> 1: ours is faster)."""
    if not peer or not ours or not peer.get("median") or not ours.get("median"):
        return None
    return peer["median"] / ours["median"]


def fmt_ratio(r: float | None) -> str:
    return "—" if r is None else f"{r:.2f}x"


# --------------------------------------------------------------------------- child processes
def run_child(cmd: list[str], *, env: dict | None = None, timeout: float | None = None,
              cwd: Path | None = None) -> dict:
    """Run ``cmd``; return exit code, wall seconds, peak RSS (bytes) and its output.

    The peak is ``ru_maxrss`` from ``wait4`` on this child: on Linux the largest resident set of
    the child or of any descendant it waited for, so every child gets its own figure. After
    ``timeout`` seconds the child's whole process group is killed and ``timed_out`` is True.
    """
    import tempfile
    import threading

    with tempfile.TemporaryFile("w+") as fout, tempfile.TemporaryFile("w+") as ferr:
        t0 = time.perf_counter()
        # its own process group, so a timeout also stops the workers it started (and only those)
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=fout, stderr=ferr, text=True,
                                start_new_session=True)
        killed = threading.Event()

        def kill():
            killed.set()
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer:
            timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            if timer:
                timer.cancel()
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        fout.seek(0)
        ferr.seek(0)
        out, err = fout.read(), ferr.read()
    return {"returncode": proc.returncode, "timed_out": killed.is_set(), "wall_s": wall,
            "peak_rss_bytes": usage.ru_maxrss * 1024,  # Linux reports KiB
            # user + system CPU of the child and every descendant it waited for (dask workers too)
            "cpu_s": usage.ru_utime + usage.ru_stime,
            "stdout": out, "stderr": err}


# ----------------------------------------------------------------------------------- memory
def _status_kib(key: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


class PeakRSS:
    """Peak resident memory of a block of code in this process (Linux: exact, via VmHWM).

    On entry the kernel's high-water mark is reset (``/proc/self/clear_refs`` = 5) so the peak
    read on exit belongs to the block; ``extra_bytes`` is that peak minus the resident size on
    entry. Where the reset is not allowed a psutil sampling thread (every 1 ms) is used instead
    and ``method`` says so.

    Examples
    --------
    >>> with PeakRSS() as m:
    ...     work()
    >>> m.peak_bytes, m.extra_bytes
    """

    def __enter__(self):
        self.method = "VmHWM"
        self.start_bytes = (_status_kib("VmRSS") or 0) * 1024
        try:
            Path("/proc/self/clear_refs").write_text("5")
        except OSError:
            self.method = "psutil-sampling"
            self._start_sampler()
        self.t0 = time.perf_counter()
        self.c0 = time.process_time()
        return self

    def _start_sampler(self):
        import threading

        import psutil

        proc = psutil.Process()
        self._peak = proc.memory_info().rss
        self._done = threading.Event()

        def sample():
            while not self._done.is_set():
                self._peak = max(self._peak, proc.memory_info().rss)
                time.sleep(0.001)

        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
        self.cpu_seconds = time.process_time() - self.c0  # all threads of this process
        if self.method == "VmHWM":
            self.peak_bytes = (_status_kib("VmHWM") or 0) * 1024
        else:
            self._done.set()
            self._thread.join()
            self.peak_bytes = self._peak
        self.extra_bytes = max(0, self.peak_bytes - self.start_bytes)
        return False


# ------------------------------------------------------------------------------------- files
def shown_argv(argv: list[str]) -> list[str]:
    """``argv`` as recorded in results: absolute paths outside the repository become
    ``<outside>/<name>``, so results name no machine's folders."""
    repo = Path(__file__).resolve().parents[1]
    out = []
    for a in argv:
        p = Path(a)
        if p.is_absolute() and repo not in p.resolve().parents:
            a = f"<outside>/{p.name}"
        out.append(a)
    return out


def write_atomic(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file in the same folder, then rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    tmp.replace(path)
    return path


def _strict(o):
    """Recursively replace non-finite floats by the strings "inf", "-inf", "nan" (strict JSON)."""
    import math

    if isinstance(o, float) and not math.isfinite(o):
        return "nan" if math.isnan(o) else ("inf" if o > 0 else "-inf")
    if isinstance(o, dict):
        return {k: _strict(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_strict(v) for v in o]
    return o


def dump_json(obj) -> str:
    """Strict JSON (non-finite floats as strings), numpy scalars and paths converted."""
    def default(o):
        try:
            import numpy as np

            if isinstance(o, np.generic):
                return _strict(o.item())
            if isinstance(o, np.ndarray):
                return _strict(o.tolist())
        except ImportError:
            pass
        if isinstance(o, Path):
            return str(o)
        raise TypeError(f"not JSON serialisable: {type(o).__name__}")

    return json.dumps(_strict(obj), indent=2, default=default, allow_nan=False)
