"""Rank probabilities and corridor frequency on hand-made member results."""

import numpy as np
import pandas as pd
import pytest
from affine import Affine

import rasters
from corridors.pipeline.uncertainty import corridor_frequency, rank_uncertainty, robust_corridors
from corridors.pipeline.uncertainty.member import MemberResult


def _ranking(*pairs):
    return pd.DataFrame({"From_PA": [a for a, _ in pairs], "To_PA": [b for _, b in pairs],
                         "Rank": np.arange(1, len(pairs) + 1)})


def test_rank_table_by_hand():
    det = _ranking(("A", "B"), ("A", "C"), ("B", "D"))
    members = [
        _ranking(("C", "A"), ("A", "B")),  # A-C given the other way round: the same link; B-D not viable
        _ranking(("A", "B"), ("B", "D"), ("E", "F")),  # E-F: not in the deterministic run
        _ranking(),  # nothing viable
    ]
    t = rank_uncertainty(det, members).set_index(["From_PA", "To_PA"])
    assert list(t.index) == [("A", "B"), ("A", "C"), ("B", "D"), ("E", "F")]
    # ranks r_m: not viable -> N_m + 1 (N = 2, 3, 0)
    expect = {("A", "B"): [2, 1, 1], ("A", "C"): [1, 4, 1], ("B", "D"): [3, 2, 1], ("E", "F"): [3, 3, 1]}
    viable = {("A", "B"): 2, ("A", "C"): 1, ("B", "D"): 1, ("E", "F"): 1}
    for key, r in expect.items():
        x = sorted(r)  # numpy's linear percentile of 3 values: x0 + 0.1 (x1 - x0), x1, x1 + 0.9 (x2 - x1)
        assert t.loc[key, "Rank_p05"] == pytest.approx(x[0] + 0.1 * (x[1] - x[0]))
        assert t.loc[key, "Rank_p50"] == x[1]
        assert t.loc[key, "Rank_p95"] == pytest.approx(x[1] + 0.9 * (x[2] - x[1]))
        assert t.loc[key, "P_viable"] == viable[key] / 3
        assert t.loc[key, "P_top10"] == viable[key] / 3  # every viable rank here is <= 10
    assert list(t["Rank"].astype("float64").fillna(-1)) == [1, 2, 3, -1]


def test_top10_cut_and_not_viable_never_counts_as_top():
    det = _ranking(*[(f"A{i}", f"B{i}") for i in range(12)])
    member = _ranking(*[(f"A{i}", f"B{i}") for i in range(11)])  # A11-B11 not viable: rank 12
    t = rank_uncertainty(det, [member, _ranking()]).set_index("From_PA")
    assert t.loc["A9", "P_top10"] == 0.5 and t.loc["A10", "P_top10"] == 0.0  # rank 11 is not top 10
    # in the empty member every link has rank 1 (N + 1) but is not viable: not a top-10 link
    assert t.loc["A11", "P_top10"] == 0.0 and t.loc["A11", "P_viable"] == 0.0


def test_columns_and_names_from_the_reserves():
    import geopandas as gpd
    import shapely

    pas = gpd.GeoDataFrame({"pa_id": ["A", "B"], "name": ["Alpha", "Beta"], "iso3": ["RUS", "CHN"]},
                           geometry=[shapely.Point(0, 0), shapely.Point(1, 1)])
    t = rank_uncertainty(_ranking(("A", "B")), [_ranking(("B", "A"))], pas)
    assert list(t.columns) == ["Rank", "From_PA", "To_PA", "From_Name", "To_Name", "From_ISO3", "To_ISO3",
                               "P_top10", "P_viable", "Rank_p05", "Rank_p50", "Rank_p95"]
    assert t.iloc[0][["From_PA", "To_PA", "From_Name", "To_ISO3"]].tolist() == ["A", "B", "Alpha", "CHN"]


def _grid(shape):
    return rasters.Grid(np.ones(shape, np.float32), Affine(1000.0, 0, 0, 0, -1000.0, 5000.0), "EPSG:32652",
                        None, "r")


def test_corridor_frequency_and_robust_patches_by_hand():
    shape = (4, 5)
    cells = [np.array([0, 1, 2, 7]), np.array([0, 1, 7, 19]), np.array([0, 1, 2, 7, 19])]
    res = [MemberResult(i, _ranking(), c) for i, c in enumerate(cells)]
    valid = np.ones(shape, bool)
    valid[3, 0] = False
    counts, freq = corridor_frequency(res, shape, valid)
    expect = np.zeros(20, np.int32)
    expect[[0, 1, 7]] = 3
    expect[[2, 19]] = 2
    assert np.array_equal(counts.ravel(), expect)
    assert freq.dtype == np.float32 and np.isnan(freq[3, 0])
    assert freq[0, 0] == 1.0 and freq[0, 2] == np.float32(2 / 3) and freq[1, 0] == 0.0
    g = _grid(shape)
    robust = robust_corridors(counts, 3, 1.0, g)
    # cells in every member: (0,0), (0,1) one patch; (1,2) another (4-connectivity: diagonal from (0,1))
    assert robust["Cells"].tolist() == [2, 1]
    assert robust["Area_km2"].tolist() == [2.0, 1.0]
    assert robust.geometry.area.tolist() == [2e6, 1e6]
    assert robust["Freq_Min"].tolist() == [1.0, 1.0]
    two_thirds = robust_corridors(counts, 3, 2 / 3, g)
    assert two_thirds["Cells"].sum() == 5
    assert robust_corridors(counts, 3, 1.0, g).crs == g.crs


def test_robust_share_counts_exactly_at_the_threshold():
    """9 of 10 members is 90 %: the comparison must not lose it to float32 rounding of 0.9."""
    counts = np.array([[9, 8]], np.int32)
    out = robust_corridors(counts, 10, 0.9, _grid((1, 2)))
    assert out["Cells"].tolist() == [1]
    assert out.iloc[0]["Freq_Mean"] == 0.9


def test_no_robust_cells_gives_an_empty_layer():
    out = robust_corridors(np.zeros((2, 2), np.int32), 4, 0.9, _grid((2, 2)))
    assert len(out) == 0 and list(out.columns) == ["Robust_ID", "Cells", "Area_km2", "Freq_Mean", "Freq_Min",
                                                   "geometry"]
