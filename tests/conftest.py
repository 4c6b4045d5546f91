"""Fixtures shared by every test folder: the system tools some tests drive (QGIS, chromium).

Both are found on the machine, never downloaded; a test that needs one is skipped with the reason
when it is missing. Set ``CORRIDORS_QGIS_PYTHON`` to the Python that carries QGIS's bindings
(default ``/usr/bin/python3``, Debian's ``python3-qgis``) and ``CORRIDORS_CHROMIUM`` to a
chromium binary (default: ``chromium`` or ``chromium-browser`` on PATH).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

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
    env.update({"QT_QPA_PLATFORM": "offscreen", "PYTHONNOUSERSITE": "1", "XDG_RUNTIME_DIR": "/tmp/runtime-corridors-qgis"})
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
