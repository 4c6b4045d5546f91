"""Fixtures shared by every test folder.

* Test data, through the one fixture :func:`test_data`: everything a test reads lives in the
  repository - third-party reference cases under ``tests/data/`` (provenance and licences in
  ``tests/data/circuitscape/SOURCE.md``) and the embedded North-East Asia dataset shipped inside
  the package (``corridors/datasets/nea/``). Tests write only to pytest's temporary folders.
* System tools some tests drive (QGIS, chromium): found on the machine, never downloaded; a test
  that needs one is skipped with the reason when it is missing. Set ``CORRIDORS_QGIS_PYTHON`` to
  the Python that carries QGIS's bindings (default ``/usr/bin/python3``, Debian's
  ``python3-qgis``) and ``CORRIDORS_CHROMIUM`` to a chromium binary (default: ``chromium`` or
  ``chromium-browser`` on PATH).
"""

from __future__ import annotations

import importlib.resources
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class TestData:
    """Paths of the test data.

    root : ``tests/data``; circuitscape : the Circuitscape reference cases; jl, py4, omniscape :
    its Circuitscape.jl, Circuitscape 4 (Python) and Omniscape.jl parts.
    """

    root: Path = DATA

    __test__ = False  # not a test class, whatever pytest's name rules say

    @property
    def circuitscape(self) -> Path:
        return self.root / "circuitscape"

    @property
    def jl(self) -> Path:
        return self.circuitscape / "Circuitscape.jl"

    @property
    def py4(self) -> Path:
        return self.circuitscape / "Circuitscape-v4-python"

    @property
    def omniscape(self) -> Path:
        return self.circuitscape / "Omniscape.jl"

    def nea(self, name: str) -> Path:
        """A file of the embedded NEA dataset (inside the installed package)."""
        path = Path(str(importlib.resources.files("corridors.datasets").joinpath("nea", name)))
        if not path.is_file():
            raise FileNotFoundError(f"embedded NEA file {name!r} not found at {path}")
        return path


@pytest.fixture(scope="session")
def test_data() -> TestData:
    """Paths of every data file the tests read (see :class:`TestData`)."""
    return TestData()


TESTS = Path(__file__).resolve().parent
QGIS_SCRIPTS = TESTS / "qgis_scripts"


def _qgis_python() -> tuple[str | None, str]:
    python = os.environ.get("CORRIDORS_QGIS_PYTHON", "/usr/bin/python3")
    if not Path(python).is_file():
        return None, f"no {python} (set CORRIDORS_QGIS_PYTHON to the Python with QGIS's bindings)"
    env = qgis_env()
    try:
        done = subprocess.run([python, "-c", "import qgis.core; print(qgis.core.Qgis.QGIS_VERSION)"],
                              capture_output=True, text=True, timeout=120, env=env)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"{python} cannot start: {exc}"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return None, f"QGIS's Python bindings do not load in {python} ({last}); on Debian: apt-get install qgis python3-qgis"
    return python, done.stdout.strip()


def qgis_env(extra: dict | None = None) -> dict:
    """Environment for a headless QGIS subprocess (no display, own runtime dir, no user site)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update({"QT_QPA_PLATFORM": "offscreen", "PYTHONNOUSERSITE": "1", "XDG_RUNTIME_DIR": str(Path(tempfile.gettempdir()) / "runtime-corridors-qgis")})
    Path(env["XDG_RUNTIME_DIR"]).mkdir(mode=0o700, exist_ok=True)
    env.update(extra or {})
    return env


@dataclass(frozen=True)
class SystemQgis:
    """The Python with QGIS's bindings: ``run`` one of ``tests/qgis_scripts`` headless with it."""

    python: str
    version: str

    def run(self, script: str, *args, timeout: float = 300, env: dict | None = None) -> dict:
        """Run ``script`` and return the JSON it prints on its ``CHECK_RESULT`` line."""
        import json

        done = subprocess.run([self.python, str(QGIS_SCRIPTS / script), *map(str, args)], capture_output=True,
                              text=True, timeout=timeout, env=qgis_env(env))
        lines = [ln for ln in done.stdout.splitlines() if ln.startswith("CHECK_RESULT ")]
        assert lines, f"{script} failed in QGIS (rc {done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
        return json.loads(lines[-1][len("CHECK_RESULT "):])


@pytest.fixture(scope="session")
def system_qgis() -> SystemQgis:
    """The system's QGIS Python (:class:`SystemQgis`); skips, saying why, when there is none."""
    python, info = _qgis_python()
    if python is None:
        pytest.skip(info)
    return SystemQgis(python, info)


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of a chromium binary; skips when there is none."""
    path = os.environ.get("CORRIDORS_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.skip("no chromium on PATH (Debian: apt-get install chromium chromium-driver; "
                    "or set CORRIDORS_CHROMIUM)")
    return path
