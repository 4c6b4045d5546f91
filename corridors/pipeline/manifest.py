"""``manifest.json``: what went in (files with SHA-256), parameters, versions, timings, platform."""

from __future__ import annotations

import hashlib
import json
import platform
import sys
import time
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

from rasters.atomic import atomic_write_text

__all__ = ["sha256", "file_record", "versions", "Timer", "write_manifest", "MANIFEST_VERSION"]

MANIFEST_VERSION = 1
_PACKAGES = ("corridors", "numpy", "scipy", "numba", "rasterio", "pyproj", "shapely", "geopandas",
             "pyogrio", "pandas", "networkx", "pyamg", "scikit-image", "matplotlib", "dask",
             "distributed", "click", "tqdm")


def sha256(path: str | Path, *, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def file_record(path: str | Path, role: str) -> dict[str, Any]:
    """``{role, path, bytes, sha256}`` of one input file."""
    p = Path(path).resolve()
    return {"role": role, "path": str(p), "bytes": p.stat().st_size, "sha256": sha256(p)}


def versions() -> dict[str, str | None]:
    """Installed versions of corridors and its main dependencies (None when not installed)."""
    out: dict[str, str | None] = {"python": sys.version.split()[0]}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    if out.get("corridors") is None:
        from .._version import __version__

        out["corridors"] = __version__
    return out


class Timer:
    """Wall-clock seconds per named step (``with timer("resistance"): ...``)."""

    def __init__(self) -> None:
        self.steps: dict[str, float] = {}
        self._t0 = time.perf_counter()

    @contextmanager
    def __call__(self, name: str):
        t = time.perf_counter()
        try:
            yield
        finally:
            self.steps[name] = self.steps.get(name, 0.0) + (time.perf_counter() - t)

    @property
    def total(self) -> float:
        return time.perf_counter() - self._t0


def write_manifest(path: str | Path, *, scenario: dict[str, Any], inputs: list[dict[str, Any]],
                   timings: dict[str, float], total_s: float, executor: dict[str, Any],
                   outputs: list[str], extra: dict[str, Any] | None = None) -> Path:
    """Write ``manifest.json`` (UTF-8, sorted keys inside sections, atomic)."""
    data = {
        "manifest_version": MANIFEST_VERSION,
        "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "scenario": scenario,
        "inputs": inputs,
        "parameters": scenario.get("parameters", {}),
        "versions": versions(),
        "timings_s": {k: round(v, 4) for k, v in timings.items()},
        "total_s": round(total_s, 4),
        "executor": executor,
        "platform": {
            "system": platform.system(), "release": platform.release(), "machine": platform.machine(),
            "python": platform.python_implementation() + " " + platform.python_version(),
            "cpu_count": _cpu_count(),
        },
        "seed": None,
        "seed_note": "no random numbers are drawn; ties are broken by id, so reruns are identical",
        "outputs": sorted(outputs),
    }
    if extra:
        data.update(extra)
    return atomic_write_text(path, json.dumps(data, indent=2, default=_default) + "\n")


def _cpu_count() -> int | None:
    import os

    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count()


def _default(o: Any):
    if isinstance(o, Path):
        return str(o)
    if hasattr(o, "item"):
        return o.item()
    if isinstance(o, (set, frozenset, tuple)):
        return sorted(o) if isinstance(o, (set, frozenset)) else list(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")
