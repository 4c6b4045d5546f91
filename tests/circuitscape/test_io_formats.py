"""Text readers and writers: Circuitscape's exact formats, and their error messages."""

import numpy as np
import pytest
from affine import Affine

from corridors.circuitscape.readers import (
    cells_from_xy,
    read_focal_list,
    read_graph,
    read_included_pairs,
    read_node_list,
    read_source_strengths,
)
from corridors.circuitscape.writers import (
    GridMeta,
    ascii_grid_text,
    atomic_write_text,
    fmt,
    resistances_2col_text,
    resistances_3col_text,
    resistances_matrix_text,
)
from corridors.errors import DataFormatError, InputError
from rasters import Grid


def test_number_format_is_ten_significant_digits():
    assert [fmt(x) for x in (0.0, -0.0, 1.0, -1.0, 3.75, 1.0494552838, 2.664535259e-15, 1234567.891234)] == [
        "0", "0", "1", "-1", "3.75", "1.049455284", "2.664535259e-15", "1234567.891"]


def test_resistance_files():
    ids = [1, 2, 5]
    m = np.array([[0, 2.5, -1], [2.5, 0, 1 / 3], [-1, 1 / 3, 0]])
    assert resistances_matrix_text(ids, m) == (
        "0 1 2 5\n1 0 2.5 -1\n2 2.5 0 0.3333333333\n5 -1 0.3333333333 0\n")
    assert resistances_3col_text(ids, m) == "1 2 2.5\n1 5 -1\n2 5 0.3333333333\n"
    assert resistances_2col_text([1, 3], [5.111268653613246, -1]) == "1 5.111268654\n3 -1\n"


def test_ascii_grid_text_matches_circuitscape_layout():
    g = Grid(np.zeros((2, 3)), Affine(1.0, 0, 1.0, 0, -1.0, 3.0), None, -9999)
    meta = GridMeta.from_grid(g)
    assert (meta.xllcorner, meta.yllcorner, meta.cellsize) == (1.0, 1.0, 1.0)
    text = ascii_grid_text(np.array([[0, 0.5, -9999], [1e-9, 2, 3]]), meta)
    assert text == (
        "ncols         3\nnrows         2\nxllcorner     1.0\nyllcorner     1.0\n"
        "cellsize      1.0\nNODATA_value  -9999\n0 0.5 -9999 \n1e-09 2 3 \n")


def test_atomic_write_leaves_no_temporary(tmp_path):
    p = atomic_write_text(tmp_path / "sub" / "a.txt", "x\n")
    assert p.read_text() == "x\n"
    assert [q.name for q in p.parent.iterdir()] == ["a.txt"]


def test_focal_list_and_ceil_rule(tmp_path):
    f = tmp_path / "pts.txt"
    f.write_text("1 1.5 9.5\n2 0.2 0.2\n-9 5 5\n2 9.99 1.01\n")
    t = read_focal_list(f)
    assert t[:, 0].tolist() == [1, 2, 2]  # negative id dropped, repeated id kept (a region)
    # 10 x 10 grid, xll = yll = 0, cellsize 1: row = ceil(10 - y) - 1, col = ceil(x) - 1
    r, c = cells_from_xy(t[:, 1], t[:, 2], shape=(10, 10), xll=0.0, yll=0.0, cellsize=1.0)
    assert r.tolist() == [0, 9, 8] and c.tolist() == [1, 0, 9]
    with pytest.raises(InputError, match="At least one focal node location falls outside of habitat map"):
        cells_from_xy([10.5], [3.0], shape=(10, 10), xll=0.0, yll=0.0, cellsize=1.0, source="pts.txt")


def test_included_pairs_list_form(tmp_path):
    f = tmp_path / "pairs.txt"
    f.write_text("mode include\n1 5\n6 1\n2 2\n")
    p = read_included_pairs(f)
    assert p.mode == "include" and p.pairs == {(1, 5), (1, 6)}
    assert p.included([1, 5, 6, 7]) == {(1, 5), (1, 6)}
    f.write_text("mode exclude\n1 5\n")
    assert read_included_pairs(f).included([1, 5, 6]) == {(1, 6), (5, 6)}
    f.write_text("mode maybe\n1 5\n")
    with pytest.raises(DataFormatError, match="expected 'mode include' or 'mode exclude'"):
        read_included_pairs(f)


def test_included_pairs_matrix_form(tmp_path):
    f = tmp_path / "m.txt"
    # min 2 max 50: keep 2 <= v <= 50 (upper triangle read)
    f.write_text("min\t2\nmax\t50\n0 1 2 3\n1 0 2 70\n2 2 0 1\n3 70 1 0\n")
    assert read_included_pairs(f).pairs == {(1, 2)}
    f.write_text("min 2\nmax 50\n0 1 2\n1 0 2\n")
    with pytest.raises(DataFormatError, match="lists 2 ids but 1 rows follow"):
        read_included_pairs(f)


def test_other_lists(tmp_path):
    f = tmp_path / "s.txt"
    f.write_text("1 0.1\n2 0.2\n")
    assert read_source_strengths(f) == {1: 0.1, 2: 0.2}
    f.write_text("1 0.1\n1 0.2\n")
    with pytest.raises(DataFormatError, match="id 1 is listed twice"):
        read_source_strengths(f)
    g = tmp_path / "g.txt"
    g.write_text("0 1 2.5\n1 2\n")
    with pytest.raises(DataFormatError, match="line 2: expected 3 columns"):
        read_graph(g)
    g.write_text("0 1.5 2.5\n")
    with pytest.raises(DataFormatError, match="node ids must be whole numbers"):
        read_graph(g)
    n = tmp_path / "n.txt"
    n.write_text("5\n3\n5\n")
    assert read_node_list(n).tolist() == [3, 5]
    with pytest.raises(DataFormatError, match="file not found"):
        read_node_list(tmp_path / "missing.txt")


def test_txt_named_grid_is_read_as_a_grid(tmp_path):
    from corridors.circuitscape.readers import is_text_list

    (tmp_path / "pts.txt").write_text("1 0.5 0.5\n2 1.5 0.5\n")
    (tmp_path / "grid.txt").write_text("ncols 2\nnrows 1\nxllcorner 0\nyllcorner 0\ncellsize 1\n1 2\n")
    assert is_text_list(tmp_path / "pts.txt") and not is_text_list(tmp_path / "grid.txt")
    assert not is_text_list(tmp_path / "pts.asc")
