"""Data loss 3 and 5 under kill -9: a child process replacing an output dies at a named point.

The child wraps ``os.rename`` / ``os.unlink`` so that it SIGKILLs itself exactly there; no
cleanup code runs. Afterwards the old output or the new one is whole (byte for byte), and the
next command on the folder restores or cleans up what the dead one left.
"""

from __future__ import annotations

import signal
import sys

import pytest

from rasters.atomic import MARKER, OLD_TAG, TMP_TAG, output_folder

from .conftest import run_child, snapshot

CHILD = r'''
import os, signal, sys
from pathlib import Path
import rasters.atomic as A

point, out = sys.argv[1], Path(sys.argv[2])
die = lambda: os.kill(os.getpid(), signal.SIGKILL)
real_rename, real_unlink = os.rename, os.unlink
removed = [0]

def rename(src, dst):
    real_rename(src, dst)
    if (point == "after_aside" and A.OLD_TAG in str(dst)) or (point == "after_swap" and A.TMP_TAG in str(src)):
        die()

def unlink(p, *a, **k):
    real_unlink(p, *a, **k)
    removed[0] += 1
    if point == "removing_old" and removed[0] == 3:
        die()

os.rename, os.unlink = rename, unlink
with A.output_folder(out, overwrite=True) as work:
    for i in range(6):
        (work / f"f{i}.txt").write_text(f"new {i}")
        if point == "building" and i == 3:
            die()
'''


def _driver(*args: str) -> str:
    return f"import sys; sys.argv = sys.argv[:1] + {list(args)!r}\n" + CHILD


def _old(out):
    with output_folder(out) as work:
        for i in range(6):
            (work / f"f{i}.txt").write_text(f"old {i}")
        (work / "only_old.txt").write_text("gone after a replacement")


def _kill_at(point, out):
    res = run_child(_driver(point, str(out)), cwd=out.parent)
    assert res.returncode == -signal.SIGKILL, (res.returncode, res.stderr)


def _new_files():
    return {f"f{i}.txt" for i in range(6)}


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("point", ["building", "after_aside", "after_swap", "removing_old"])
def test_kill_9_leaves_old_or_new_whole_and_next_run_repairs(tmp_path, point):
    out = tmp_path / "out"
    _old(out)
    old = snapshot(out)
    _kill_at(point, out)
    if point == "building":  # killed before the swap: the old output is untouched
        assert snapshot(out) == old
    elif point == "after_aside":  # between the renames: the old one is aside, recorded in the lock
        assert not out.exists()
        assert [p for p in tmp_path.iterdir() if OLD_TAG in p.name]
        assert OLD_TAG in (tmp_path / ".out.corridors-lock").read_text()
    else:  # the new output is in place and whole, whatever happened to the old one
        got = snapshot(out)
        assert set(got) == _new_files() | {MARKER}
        assert all((out / f).read_text() == f"new {f[1]}" for f in _new_files())

    # the next command on the folder repairs first: restores or removes what the dead one left
    with output_folder(out, overwrite=True) as work:
        if point in ("building", "after_aside"):
            assert snapshot(out) == old  # the old output is back, whole
        else:
            assert set(snapshot(out)) == _new_files() | {MARKER}
        (work / "third.txt").write_text("3")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temporary, old or lock left
    assert set(snapshot(out)) == {"third.txt", MARKER}


RUN_KILLED_AFTER_ASIDE = r'''
import os, signal, sys
import rasters.atomic as A
real = os.rename
def rename(src, dst):
    real(src, dst)
    if A.OLD_TAG in str(dst):
        os.kill(os.getpid(), signal.SIGKILL)
os.rename = rename
from corridors.cli import main
main(["run", {toml!r}, "--out", {out!r}, "--overwrite"])
'''


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_corridors_run_killed_between_the_renames_is_restored_by_the_next_run(tiny, tiny_run, tmp_path, caplog):
    import shutil

    from click.testing import CliRunner

    from corridors.cli import main

    out = tmp_path / "out"
    shutil.copytree(tiny_run, out)
    old = snapshot(out)
    res = run_child(RUN_KILLED_AFTER_ASIDE.format(toml=str(tiny), out=str(out)), cwd=tmp_path)
    assert res.returncode == -signal.SIGKILL, res.stderr
    assert not out.exists()  # the old output is aside (recorded in the lock), the new one never came
    with caplog.at_level("WARNING", logger="corridors.atomic"):
        again = CliRunner().invoke(main, ["run", str(tiny), "--out", str(out), "--overwrite"])
    assert again.exit_code == 0, again.output
    assert any("restored the previous output" in r.getMessage() for r in caplog.records)
    assert set(snapshot(out)) == set(old)  # the new output, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
