"""Reclassification tables, the > 0 check and combination rules, with hand-computed grids."""

import numpy as np
import pytest
from affine import Affine
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import rasters

NAN = np.nan


def _codes():
    v = np.array([[1, 2, 3], [3, 255, 1], [2, 2, 1]], dtype=np.uint8)
    return rasters.Grid(v, Affine(10, 0, 0, 0, -10, 30), None, 255, "landcover.tif")


EXPECTED = np.array([[10, 100, NAN], [NAN, NAN, 10], [100, 100, 10]], dtype=np.float32)


def test_reclassify_dict_by_hand():
    r = rasters.reclassify(_codes(), {1: 10, 2: 100.0, 3: "barrier"})
    assert r.dtype == np.float32 and np.isnan(r.nodata)
    np.testing.assert_array_equal(r.values, EXPECTED)
    assert r.transform == _codes().transform
    r64 = rasters.reclassify(_codes(), {"1": 10, "2": 100, "3": float("nan")}, dtype=np.float64)
    assert r64.dtype == np.float64
    np.testing.assert_array_equal(r64.values, EXPECTED.astype(np.float64))


def test_reclassify_from_csv_toml_and_txt(tmp_path):
    csv = tmp_path / "table.csv"
    csv.write_text("code,name,resistance\n1,forest,10\n2,cropland,100\n\n3,water,barrier\n")
    toml_a = tmp_path / "a.toml"
    toml_a.write_text('[classes]\n1 = 10\n2 = 100.0\n3 = "barrier"\n')
    toml_b = tmp_path / "b.toml"
    toml_b.write_text(
        '[[class]]\ncode = 1\nresistance = 10\nname = "forest"\n'
        '[[class]]\ncode = 2\nresistance = 100\n'
        '[classes]\n3 = "nodata"\n'
    )
    txt = tmp_path / "reclass.txt"
    txt.write_text("# code resistance\n1 10\n2\t100\n3 missing\n")
    for table in (csv, toml_a, toml_b, txt, str(csv)):
        np.testing.assert_array_equal(rasters.reclassify(_codes(), table).values, EXPECTED)


def test_omniscape_reclass_reference(test_data):
    omniscape = test_data.omniscape
    """Omniscape's own reclass test: its table plus identity for the codes it leaves alone."""
    lc = rasters.read(f"{omniscape}/input/discrete_resistance.asc")
    table, _ = rasters.load_reclass_table(f"{omniscape}/input/reclass.txt")
    assert table[1] == 3 and table[4] == 1 and np.isnan(table[5])
    # Omniscape keeps unlisted codes as they are; we require them listed
    with pytest.raises(rasters.MissingClassesError) as err:
        rasters.reclassify(lc, table)
    assert err.value.missing == [6, 7, 8, 9, 10]
    full = {**table, **{c: float(c) for c in err.value.missing}}
    out = rasters.reclassify(lc, full, dtype=np.float64)
    expected = rasters.read(f"{omniscape}/output_verify/test_reclass/classified_resistance.asc")
    np.testing.assert_array_equal(out.nodata_mask, expected.nodata_mask)
    np.testing.assert_array_equal(out.values[out.valid_mask], expected.values[expected.valid_mask])


def test_missing_codes_are_all_listed(tmp_path):
    v = np.array([[1, 9, 3], [7, 255, 1], [12, 2, 1]], dtype=np.uint8)
    g = rasters.Grid(v, Affine(1, 0, 0, 0, -1, 3), None, 255, "lc.tif")
    table = tmp_path / "t.csv"
    table.write_text("code,resistance\n1,5\n2,8\n")
    with pytest.raises(rasters.MissingClassesError) as err:
        rasters.reclassify(g, table)
    assert err.value.missing == [3, 7, 9, 12]
    msg = str(err.value)
    assert "lc.tif: 4 land-cover code(s)" in msg and "3, 7, 9, 12" in msg and str(table) in msg
    assert "add a resistance" in msg
    assert isinstance(err.value, ValueError)
    # nodata (255) is not a class: not reported
    assert 255 not in err.value.missing


def test_table_errors_name_the_code_and_source(tmp_path):
    with pytest.raises(rasters.ResistanceValueError, match="code 2 is 0.0; resistance must be > 0"):
        rasters.reclassify(_codes(), {1: 1, 2: 0, 3: 4})
    with pytest.raises(rasters.ResistanceValueError, match="code 1 is -3"):
        rasters.load_reclass_table({1: -3})
    bad = tmp_path / "bad.csv"
    bad.write_text("code,resistance\n1,5\n2,-1\n")
    with pytest.raises(rasters.ResistanceValueError, match=r"bad.csv line 3: resistance for code 2"):
        rasters.load_reclass_table(bad)
    header = tmp_path / "header.csv"
    header.write_text("class,cost\n1,5\n")
    with pytest.raises(rasters.InputError, match="'code' and 'resistance'"):
        rasters.load_reclass_table(header)
    dup = tmp_path / "dup.csv"
    dup.write_text("code,resistance\n1,5\n1,6\n")
    with pytest.raises(rasters.InputError, match="code 1 is given twice"):
        rasters.load_reclass_table(dup)
    word = tmp_path / "word.toml"
    word.write_text('[classes]\n1 = "high"\n')
    with pytest.raises(rasters.InputError, match="'high' for code 1 is not a number"):
        rasters.load_reclass_table(word)
    extra = tmp_path / "extra.toml"
    extra.write_text('[resistances]\n1 = 5\n')
    with pytest.raises(rasters.InputError, match="unknown top-level keys"):
        rasters.load_reclass_table(extra)
    with pytest.raises(rasters.DataFormatError, match="no such reclassification table"):
        rasters.load_reclass_table(tmp_path / "none.csv")
    with pytest.raises(rasters.InputError, match="inf"):
        rasters.load_reclass_table({1: float("inf")})


def test_reclassify_refuses_fractional_codes():
    g = rasters.Grid(np.array([[1.0, 2.5]]), Affine(1, 0, 0, 0, -1, 1), None, None, "cont")
    with pytest.raises(rasters.InputError, match="1 cells are not whole land-cover codes.*col 1: 2.5"):
        rasters.reclassify(g, {1: 1, 2: 2})


def test_reclassify_real_nea_landcover(test_data):
    lc = rasters.read(test_data.nea("landcover_7class_laea5km.tif"))
    table = {1: 1.0, 2: 5.0, 3: 20.0, 4: "barrier", 5: "barrier", 6: 2.0, 7: 10.0}
    r = rasters.reclassify(lc, table)
    assert r.shape == (540, 960)
    # per-class counts carry over exactly
    for code, value in table.items():
        n = np.count_nonzero(lc.values == code)
        if isinstance(value, str):
            continue
        assert np.count_nonzero(r.values == np.float32(value)) == n
    assert np.count_nonzero(np.isnan(r.values)) == np.count_nonzero(np.isin(lc.values, [4, 5]))
    rasters.check_resistance(r)
    with pytest.raises(rasters.MissingClassesError, match="7"):
        rasters.reclassify(lc, {k: v for k, v in table.items() if k != 7})


def test_check_resistance_reports_count_place_and_minimum():
    v = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 0.0], [-2.5, NAN, 0.0]], dtype=np.float32)
    g = rasters.Grid(v, Affine(100, 0, 1000, 0, -100, 5000), None, NAN, "resistance.tif")
    with pytest.raises(rasters.ResistanceValueError) as err:
        rasters.check_resistance(g)
    # first bad cell in row order: row 1, col 2, centre (1000 + 2.5 * 100, 5000 - 1.5 * 100)
    assert str(err.value) == (
        "3 cells <= 0 in resistance.tif; first at row 1, col 2 (x=1250, y=4850); min value -2.5; "
        "resistance must be > 0 or nodata (barrier)"
    )
    rasters.check_resistance(g.with_values(np.where(v > 0, v, NAN)))  # NaN = barrier: fine
    # nodata given as a value is a barrier too, not a bad cell
    rasters.check_resistance(rasters.Grid(np.array([[1, -9999]]), nodata=-9999))
    with pytest.raises(rasters.ResistanceValueError, match="1 infinite cells in inf"):
        rasters.check_resistance(rasters.Grid(np.array([[1.0, np.inf]]), name="inf"))


def _aligned(values, name):
    return rasters.Grid(np.asarray(values, dtype=np.float32), Affine(1, 0, 0, 0, -1, 2), None, NAN, name)


def test_combine_rules_by_hand():
    a = _aligned([[1, 5], [2, NAN]], "a")
    b = _aligned([[3, 4], [2, 7]], "b")
    c = _aligned([[2, 1], [NAN, 1]], "c")
    np.testing.assert_array_equal(rasters.combine([a, b, c], "max").values, [[3, 5], [NAN, NAN]])
    np.testing.assert_array_equal(rasters.combine([a, b, c], "sum").values, [[6, 10], [NAN, NAN]])
    np.testing.assert_array_equal(rasters.combine([a, b, c], "product").values, [[6, 20], [NAN, NAN]])
    np.testing.assert_array_equal(rasters.combine([a, b], "sum").values, [[4, 9], [4, NAN]])
    out = rasters.combine([a, b])
    assert out.name == "max(a, b)" and out.dtype == np.float32
    # integer nodata counts as nodata
    i = rasters.Grid(np.array([[1, 0], [2, 3]], np.int16), a.transform, None, 0, "ints")
    np.testing.assert_array_equal(rasters.combine([a, i], "product").values, [[1, NAN], [4, NAN]])


def test_combine_refusals():
    a = _aligned([[1, 5], [2, 3]], "landcover_r")
    moved = rasters.Grid(a.values, Affine(1, 0, 10, 0, -1, 2), None, NAN, "roads_r")
    with pytest.raises(rasters.AlignmentError, match="'landcover_r' and 'roads_r'"):
        rasters.combine([a, moved])
    with pytest.raises(rasters.InputError, match="max, sum, product"):
        rasters.combine([a, a], "mean")
    with pytest.raises(rasters.InputError, match="at least one"):
        rasters.combine([])


@settings(max_examples=40, deadline=None)
@given(
    codes=arrays(np.int16, (5, 6), elements=st.integers(0, 9)),
    resist=st.lists(st.floats(0.01, 1e4, allow_nan=False), min_size=10, max_size=10),
)
def test_reclassify_equals_a_plain_lookup(codes, resist):
    g = rasters.Grid(codes, Affine(1, 0, 0, 0, -1, 5), None, 0, "random")
    table = {c: r for c, r in enumerate(resist)}  # code 0 is also the nodata: said to be nodata
    out = rasters.reclassify(g, table, dtype=np.float64, nodata_in_table="nodata").values
    for (i, j), c in np.ndenumerate(codes):
        if c == 0:  # nodata
            assert np.isnan(out[i, j])
        else:
            assert out[i, j] == table[int(c)]
