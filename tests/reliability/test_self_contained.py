"""The repository is self-contained: no file names a folder of the machine it was written on."""

from __future__ import annotations

import re
import shutil
import subprocess

from .conftest import REPO

#: where to look when the tree is not a git checkout (an unpacked sdist)
ROOTS = ("tests", "corridors", "rasters", "vectors", "benchmarks")

# an absolute path outside the repository: a shared folder, a temporary folder, a home folder,
# a Windows drive, or the old "beside the repository" reference lookup
_SEP = "/"
PATTERN = re.compile(
    r"(?<![\w.~$<>-])" + _SEP + r"(?:work|tmp|home|Users|root|mnt|media|scratch|shared|srv|opt|data|var" + _SEP + r"tmp)(?=[/\s'\"`)]|$)"
    r"|\.\./shared|[A-Za-z]:\\\\(?:Users|Documents)|CORRIDORS_REFERENCE" + "_DIR"
)


def _candidate_files():
    """Every file git tracks (README, docs, examples and anything committed by mistake, such as a
    run folder, included); outside a git checkout the package and test folders."""
    if (REPO / ".git").exists() and shutil.which("git"):
        out = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z"], capture_output=True, check=True).stdout
        return [REPO / name for name in sorted(out.decode().split("\0")) if name]
    return [p for root in ROOTS for p in sorted((REPO / root).rglob("*"))]


def _text_files():
    for p in _candidate_files():
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".tif", ".gz", ".gpkg"):
            try:
                yield p, p.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue  # binary data


def test_no_file_names_an_absolute_path_outside_the_repository():
    hits = []
    for p, text in _text_files():
        for n, line in enumerate(text.splitlines(), 1):
            if PATTERN.search(line):
                hits.append(f"{p.relative_to(REPO)}:{n}: {line.strip()[:120]}")
    assert not hits, "absolute paths outside the repository:\n" + "\n".join(hits[:30])


def test_the_pattern_catches_what_it_should():
    s = _SEP  # the examples are assembled so that this file does not match itself
    for bad in [f"REF = Path('{s}work{s}shared{s}reference')", f'base_dir="{s}tmp"', f"x = '{s}home{s}ana{s}d.tif'",
                f"see ..{s}shared{s}reference", f"{s}tmp{s}bfull{s}big.json", "CORRIDORS_REFERENCE" + "_DIR"]:
        assert PATTERN.search(bad), bad
    for ok in ["tests/data/circuitscape", f"a{s}tmp{s}b", "<outside>/big.json", "'/vsigzip/'", "x // 2"]:
        assert not PATTERN.search(ok), ok
