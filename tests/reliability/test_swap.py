"""Data loss 3 and 5: replacing an output is a swap; failures, disk full and dead runs' leftovers.

At every instant the old output or the new one is whole: an error (or Ctrl-C) anywhere leaves
the old one as it was and no temporary folder behind; a disk-full or read-only location is one
line; what a killed run left (a temporary folder, the old output moved aside) is cleaned up or
put back by the next run.
"""

from __future__ import annotations

import errno
import json
import os
import shutil

import pytest
from click.testing import CliRunner

import rasters.atomic as atomic
from rasters.atomic import MARKER, OLD_TAG, TMP_TAG, output_folder, read_marker
from rasters.errors import DataFormatError

from corridors.cli import main
from .conftest import snapshot


def _build(out, files: dict[str, str], **kw):
    with output_folder(out, **kw) as work:
        for name, text in files.items():
            (work / name).write_text(text)


def _leftovers(parent):
    return sorted(p.name for p in parent.iterdir() if TMP_TAG in p.name or OLD_TAG in p.name or "lock" in p.name)


def test_replace_swaps_in_the_new_output(tmp_path):
    out = tmp_path / "out"
    _build(out, {"a.txt": "old", "only_old.txt": "x"})
    _build(out, {"a.txt": "new"}, overwrite=True)
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "a.txt"]
    assert (out / "a.txt").read_text() == "new"
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("fail_at", ["build", "aside_to_new", "interrupt_during_build"])
def test_failure_or_ctrl_c_keeps_the_old_output_whole(tmp_path, monkeypatch, fail_at):
    out = tmp_path / "out"
    _build(out, {"a.txt": "old", "b.txt": "old"})
    before = snapshot(out)
    real_rename = os.rename
    calls = []

    def rename(src, dst):
        calls.append((str(src), str(dst)))
        if fail_at == "aside_to_new" and TMP_TAG in str(src):  # old is aside, new not yet in
            raise KeyboardInterrupt
        return real_rename(src, dst)

    monkeypatch.setattr(atomic.os, "rename", rename)
    with pytest.raises((KeyboardInterrupt, RuntimeError)):
        with output_folder(out, overwrite=True) as work:
            (work / "a.txt").write_text("new")
            if fail_at == "build":
                raise RuntimeError("a step failed")
            if fail_at == "interrupt_during_build":
                raise KeyboardInterrupt
    monkeypatch.setattr(atomic.os, "rename", real_rename)
    assert snapshot(out) == before
    assert _leftovers(tmp_path) == []
    if fail_at == "aside_to_new":
        assert any(OLD_TAG in d for _, d in calls)  # the old output really was moved aside and back


def test_disk_full_during_a_run_is_one_line_and_keeps_the_old_output(tiny, tiny_run, tmp_path, monkeypatch):
    out = tmp_path / "out"
    shutil.copytree(tiny_run, out)
    before = snapshot(out)
    import corridors.pipeline.outputs as outputs

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(outputs, "write_ranking", full)
    res = CliRunner().invoke(main, ["run", str(tiny), "--out", str(out), "--overwrite"])
    assert res.exit_code == 1, res.output
    lines = [ln for ln in res.output.splitlines() if ln.startswith("error")]
    assert len(lines) == 1 and "No space left on device" in lines[0] and "previous output is unchanged" in lines[0]
    assert "Traceback" not in res.output
    assert snapshot(out) == before
    assert _leftovers(tmp_path) == []


def test_disk_full_in_an_atomic_file_write_removes_the_temporary_file(tmp_path, monkeypatch):
    p = tmp_path / "a.txt"
    p.write_text("old")
    real = os.fdopen

    class Full:
        def __init__(self, fd, mode):
            self.f = real(fd, mode)

        def __enter__(self):
            return self

        def __exit__(self, *a):
            self.f.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fdopen", Full)
    with pytest.raises(DataFormatError, match="No space left on device.*a.txt is unchanged"):
        atomic.atomic_write_text(p, "new")
    assert p.read_text() == "old" and sorted(x.name for x in tmp_path.iterdir()) == ["a.txt"]


def test_read_only_location_is_one_line(tmp_path, monkeypatch):
    def refuse(path, mode=0o777):
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(atomic.os, "mkdir", refuse)
    res = CliRunner().invoke(main, ["run", "--out", str(tmp_path / "out")])
    assert res.exit_code == 1 and res.output.startswith("error: cannot write") and "Read-only" in res.output
    assert "choose a folder you can write to" in res.output and "Traceback" not in res.output


def test_next_run_removes_temporary_folders_of_dead_runs(tmp_path, caplog):
    out = tmp_path / "out"
    _build(out, {"a.txt": "old"})
    dead_tmp = tmp_path / f".out.{TMP_TAG}999999-dead"
    dead_tmp.mkdir()
    (dead_tmp / "half.gpkg").write_bytes(b"x" * 100)
    dead_old = tmp_path / f".out.{OLD_TAG}999999-dead"
    dead_old.mkdir()
    unrelated = tmp_path / ".other.corridors-tmp-1-x"  # another output's: not ours to touch
    unrelated.mkdir()
    with caplog.at_level("WARNING", logger="corridors.atomic"):
        _build(out, {"a.txt": "new"}, overwrite=True)
    assert not dead_tmp.exists() and not dead_old.exists() and unrelated.exists()
    assert any(str(dead_tmp) in r.getMessage() for r in caplog.records)  # named in the log
    assert (out / "a.txt").read_text() == "new"


def test_old_output_recorded_aside_by_a_dead_run_is_restored(tmp_path, caplog):
    out = tmp_path / "out"
    _build(out, {"a.txt": "old"})
    before = snapshot(out)
    aside = tmp_path / f".out.{OLD_TAG}999999-dead"
    out.rename(aside)  # what a run killed between the two renames leaves
    (tmp_path / f".out.{atomic.LOCK_TAG}").write_text(json.dumps({"pid": 999999, "command": "run", "aside": str(aside)}))
    with caplog.at_level("WARNING", logger="corridors.atomic"):
        with pytest.raises(RuntimeError):
            with output_folder(out, overwrite=True):
                assert snapshot(out) == before  # restored before the new run builds anything
                raise RuntimeError("stop here")
    assert snapshot(out) == before and read_marker(out) is not None
    assert any("restored the previous output" in r.getMessage() for r in caplog.records)
    assert _leftovers(tmp_path) == []
