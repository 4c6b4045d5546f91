"""Data loss 1 and 2: dangerous --out targets and --overwrite of folders corridors did not write.

Each case puts user files (the sentinel) where a careless command would delete them and checks
that they survive byte for byte, that the command prints one line and exits 1.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from rasters.atomic import MARKER, check_output_folder, output_folder, read_marker
from rasters.errors import OutputExistsError, UnsafeOutputError

from corridors.cli import main
from .conftest import snapshot


def _cli(args, cwd: Path):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, args)
    finally:
        os.chdir(old)


def _one_line_error(res) -> str:
    assert res.exit_code == 1, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), res.output
    assert "Traceback" not in res.output
    return lines[0]


@pytest.mark.parametrize("out, reason", [
    (".", "current or parent folder"),
    ("..", "current or parent folder"),
    ("", "empty"),
    ("sub/..", "current or parent folder"),
])
def test_run_refuses_cwd_parent_and_empty(sentinel, out, reason):
    (sentinel.path / "sub").mkdir()
    for extra in ([], ["--overwrite"]):
        line = _one_line_error(_cli(["run", "--out", out, *extra], cwd=sentinel.path / "sub" if out == ".." else sentinel.path))
        assert reason in line
    shutil.rmtree(sentinel.path / "sub")
    assert sentinel.intact()


def test_run_refuses_root_home_and_ancestors_of_cwd(sentinel, monkeypatch):
    inner = sentinel.path / "data"
    monkeypatch.setenv("HOME", str(sentinel.path))
    for out, reason in [("/", "root of the file system"), (str(sentinel.path), "home folder"),
                        ("~", "home folder"), (str(sentinel.path.parent), "home folder or holds it")]:
        line = _one_line_error(_cli(["run", "--out", out, "--overwrite"], cwd=inner))
        assert reason in line, line
    monkeypatch.setenv("HOME", "/nonexistent-home")
    line = _one_line_error(_cli(["run", "--out", str(sentinel.path), "--overwrite"], cwd=inner))
    assert "current folder or one of its parents" in line
    assert sentinel.intact()


def test_run_refuses_a_folder_holding_its_inputs(tiny, tmp_path):
    inputs = tiny.parent
    before = snapshot(inputs)
    line = _one_line_error(_cli(["run", str(tiny), "--out", str(inputs), "--overwrite"], cwd=tmp_path))
    assert "holds the input" in line
    assert snapshot(inputs) == before


def test_compare_refuses_dangerous_out_and_its_inputs(tiny_run, sentinel, tmp_path):
    a = tmp_path / "a"
    shutil.copytree(tiny_run, a)
    before = snapshot(a)
    for out, reason in [(".", "current or parent folder"), ("", "empty"), (str(a), "is the input")]:
        line = _one_line_error(_cli(["compare", str(a), str(a), "-o", out, "--overwrite"], cwd=sentinel.path))
        assert reason in line, line
    line = _one_line_error(_cli(["compare", str(a), str(a), "-o", str(sentinel.path), "--overwrite"], cwd=tmp_path))
    assert "not written by corridors" in line and "thesis.docx" in line
    assert sentinel.intact() and snapshot(a) == before


def test_overwrite_refuses_folders_without_the_marker(sentinel, tmp_path):
    line = _one_line_error(_cli(["run", "--out", str(sentinel.path), "--overwrite"], cwd=tmp_path))
    assert "not written by corridors" in line and "data" in line and "thesis.docx" in line
    assert sentinel.intact()


def test_overwrite_refuses_user_files_added_to_an_output(tiny_run, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(tiny_run, out)
    (out / "my_notes.txt").write_text("keep me")
    with pytest.raises(OutputExistsError, match="my_notes.txt"):
        with output_folder(out, overwrite=True):
            pass
    assert (out / "my_notes.txt").read_text() == "keep me"


def test_every_command_leaves_the_marker(tiny_run, tmp_path):
    assert read_marker(tiny_run)["command"] == "run"
    assert set(read_marker(tiny_run)["entries"]) == {p.name for p in tiny_run.iterdir()} - {MARKER}
    res = CliRunner().invoke(main, ["compare", str(tiny_run), str(tiny_run), "-o", str(tmp_path / "cmp")])
    assert res.exit_code == 0, res.output
    assert read_marker(tmp_path / "cmp")["command"] == "compare"
    # a marker-bearing folder is replaced with --overwrite
    res = CliRunner().invoke(main, ["compare", str(tiny_run), str(tiny_run), "-o", str(tmp_path / "cmp"), "--overwrite"])
    assert res.exit_code == 0, res.output


def test_symlinked_out_is_resolved_first(tmp_path):
    real = tmp_path / "real"
    link = tmp_path / "link"
    with output_folder(real) as work:
        (work / "a.txt").write_text("1")
    link.symlink_to(real, target_is_directory=True)
    with output_folder(link, overwrite=True) as work:
        (work / "a.txt").write_text("2")
    assert link.is_symlink() and os.readlink(link) == str(real)  # the link itself is kept
    assert (real / "a.txt").read_text() == "2"
    assert check_output_folder(link) == real


def test_mount_point_written_in_place_when_empty_else_refused(tmp_path, monkeypatch):
    mnt = tmp_path / "usb"
    mnt.mkdir()
    monkeypatch.setattr("rasters.atomic.os.path.ismount", lambda p: Path(p) == mnt)
    with output_folder(mnt) as work:
        assert work == mnt  # a mount point cannot be renamed: written where it is
        (work / "a.txt").write_text("1")
    assert (mnt / "a.txt").read_text() == "1" and read_marker(mnt) is not None
    assert sorted(p.name for p in mnt.iterdir()) == [MARKER, "a.txt"]
    with pytest.raises(UnsafeOutputError, match="mount point"):
        with output_folder(mnt, overwrite=True):
            pass
    assert (mnt / "a.txt").read_text() == "1"
    # a failure in an empty mount point removes what was written
    empty = tmp_path / "usb2"
    empty.mkdir()
    monkeypatch.setattr("rasters.atomic.os.path.ismount", lambda p: Path(p) == empty)
    with pytest.raises(RuntimeError):
        with output_folder(empty) as work:
            (work / "half.txt").write_text("x")
            raise RuntimeError("boom")
    assert list(empty.iterdir()) == []


def test_circuitscape_marks_its_files_and_overwrites_only_those(tmp_path):
    (tmp_path / "hab.asc").write_text("ncols 3\nnrows 2\nxllcorner 0\nyllcorner 0\ncellsize 1\n"
                                      "NODATA_value -9999\n1 1 1\n1 1 1\n")
    (tmp_path / "pts.txt").write_text("1 0.5 0.5\n2 2.5 1.5\n")
    ini = tmp_path / "job.ini"
    ini.write_text("data_type = raster\nscenario = pairwise\nhabitat_file = hab.asc\npoint_file = pts.txt\n"
                   "output_file = x.out\n")  # outputs beside the inputs, in the INI's folder
    args = ["circuitscape", str(ini), "--base-dir", str(tmp_path)]
    assert CliRunner().invoke(main, args).exit_code == 0
    marker = read_marker(tmp_path)
    assert marker["command"] == "circuitscape" and marker["files"]["x"] == ["x_resistances.out", "x_resistances_3columns.out"]
    assert CliRunner().invoke(main, args + ["--overwrite"]).exit_code == 0
    assert (tmp_path / "hab.asc").is_file() and (tmp_path / "pts.txt").is_file()
    # a file with an output's name that corridors did not write is never replaced
    (tmp_path / "y_resistances.out").write_text("someone else's result")
    ini.write_text(ini.read_text().replace("x.out", "y.out"))
    res = CliRunner().invoke(main, args + ["--overwrite"])
    assert res.exit_code == 1 and "did not write" in res.output and "y_resistances.out" in res.output
    assert (tmp_path / "y_resistances.out").read_text() == "someone else's result"
