"""The one atomic text writer: content, replacement, and nothing left behind on failure."""

import pytest

from rasters.atomic import atomic_write_text
from corridors.errors import DataFormatError


def test_writes_replaces_and_cleans_up(tmp_path):
    p = tmp_path / "a.txt"
    assert atomic_write_text(p, "é\nline 2\n") == p
    assert p.read_bytes() == "é\nline 2\n".encode("utf-8")
    atomic_write_text(p, "new\n")
    assert p.read_text(encoding="utf-8") == "new\n"
    # an encoding failure mid-write keeps the old file and leaves no temporary file
    with pytest.raises(UnicodeEncodeError):
        atomic_write_text(p, "ok then é", encoding="ascii")
    assert p.read_text(encoding="utf-8") == "new\n"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["a.txt"]


def test_missing_folder_is_a_data_format_error(tmp_path):
    with pytest.raises(DataFormatError, match="nowhere"):
        atomic_write_text(tmp_path / "nowhere" / "a.txt", "x")
