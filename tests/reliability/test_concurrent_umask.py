"""Data loss 4 (two runs on one --out) and output permissions under umask 022 and 002."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
import time

import pytest
from click.testing import CliRunner

from rasters.atomic import LOCK_TAG, output_folder
from rasters.errors import OutputLockedError

from corridors.cli import main

HOLDER = r'''
import sys, time
from pathlib import Path
import rasters.atomic as A
out, go = Path(sys.argv[1]), Path(sys.argv[2])
with A.output_folder(out, command="run") as work:
    (work / "first.txt").write_text("first run")
    go.write_text("holding")
    while go.exists():
        time.sleep(0.02)
'''


def _start_holder(out, go):
    code = f"import sys; sys.argv = sys.argv[:1] + {[str(out), str(go)]!r}\n" + HOLDER
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not go.exists():
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline, "the first run never started"
        time.sleep(0.02)
    return proc


def test_second_concurrent_run_fails_at_once_and_the_first_wins(tmp_path):
    out, go = tmp_path / "out", tmp_path / "go"
    first = _start_holder(out, go)
    try:
        t0 = time.monotonic()
        res = CliRunner().invoke(main, ["run", "--out", str(out), "--overwrite"])
        waited = time.monotonic() - t0
        assert res.exit_code == 1, res.output
        assert "is writing this folder" in res.output and f"pid {first.pid}" in res.output, res.output
        assert "Traceback" not in res.output
        assert waited < 30  # at once: no pipeline ran (the default run takes far longer)
        with pytest.raises(OutputLockedError, match="wait for it to finish or choose another output folder"):
            with output_folder(out, command="compare"):
                pass
    finally:
        go.unlink()
        assert first.wait(60) == 0, first.stderr.read()
    assert (out / "first.txt").read_text() == "first run"  # the first run's result is there, whole
    assert not (tmp_path / f".out.{LOCK_TAG}").exists()


def test_two_real_runs_at_once_one_refused(tiny, tmp_path):
    out = tmp_path / "out"
    cmd = [sys.executable, "-c", "import sys; from corridors.cli import main; main(sys.argv[1:])",
           "run", str(tiny), "--out", str(out)]
    lock = tmp_path / f".out.{LOCK_TAG}"
    first = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not lock.exists() and first.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    second = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    out1, err1 = first.communicate(timeout=120)
    results = sorted([(first.returncode, err1), (second.returncode, second.stderr)])
    if first.returncode == 0 and second.returncode == 0:
        pytest.fail("both runs reported success on one --out")  # the bug this guards against
    (ok, _), (refused, msg) = results
    assert ok == 0 and refused == 1
    assert "is writing this folder" in msg or "holds the output of an earlier" in msg, msg
    assert (out / "ranking.csv").is_file()


@pytest.mark.parametrize("umask, dir_mode, file_mode", [(0o022, 0o755, 0o644), (0o002, 0o775, 0o664)])
def test_outputs_honour_the_umask(tiny, tmp_path, umask, dir_mode, file_mode):
    from corridors.pipeline import run_scenario

    old = os.umask(umask)
    try:
        out = tmp_path / "out"
        run_scenario(tiny, out, progress=False)
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == dir_mode
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in out.rglob("*") if p.is_file()}
    wrong = {n: oct(m) for n, m in modes.items() if m != file_mode}
    assert not wrong, f"not {oct(file_mode)} under umask {oct(umask)}: {wrong}"
    assert {"ranking.csv", "corridors.gpkg", "resistance.tif", "manifest.json", "corridors.qgs"} <= set(modes)
