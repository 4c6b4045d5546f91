"""Border accounting: cost and length split by country, crossings and corridor width, by hand
and against scikit-image's cost distances."""

import numpy as np
import pandas as pd
import pyogrio
import pytest

from corridors.pipeline.stages.border_accounting import path_cost_by_label

from .conftest import BORDER_X, CELL, Y0


def test_path_cost_by_label_by_hand():
    res = np.array([[1.0, 3.0, 9.0], [2.0, 4.0, 5.0]])
    lab = np.array([[1, 1, 2], [1, 2, 2]])
    path = np.array([(0, 0), (0, 1), (1, 2)])  # a straight step, then a diagonal one
    cost, length = path_cost_by_label(path, res, lab, 10.0, 2)
    d = 10.0 * np.sqrt(2.0)
    # step 1: (1 + 3)/2 * 10, both cells in label 1; step 2: (3 + 5)/2 * d, half to 1, half to 2
    assert cost.tolist() == pytest.approx([0.0, 20.0 + 3 * d / 2, 5 * d / 2])
    assert length.tolist() == pytest.approx([0.0, 10.0 + d / 2, d / 2])
    assert cost.sum() == pytest.approx(20.0 + 4 * d)  # the path's own cost


def test_one_link_crosses_once_on_the_border(two_country_world):
    d, result = two_country_world
    r = result.ranking
    assert len(r) == 1 and r["CW_Dist"].iloc[0] == pytest.approx(27 * CELL)
    cross = pyogrio.read_dataframe(d / "out" / "corridors.gpkg", layer="crossings")
    assert len(cross) == 1
    c = cross.iloc[0]
    # along the path from From_PA to To_PA (nodes are sorted by pa_id: CB in China first)
    assert (r["From_PA"].iloc[0], r["To_PA"].iloc[0]) == ("CB", "RA")
    assert (c["Border"], c["Side_A"], c["Side_B"], c["Method"]) == ("CHN-RUS", "CHN", "RUS", "border")
    assert c.geometry.x == pytest.approx(BORDER_X)
    row = (Y0 - c.geometry.y) / CELL - 0.5
    assert 10 <= row <= 14 and row == int(row)  # on a row of the reserves, at a cell centre's height
    assert c["Resist"] == 1.0


def test_cost_and_length_split_by_country(two_country_world):
    d, _ = two_country_world
    split = pd.read_csv(d / "out" / "link_countries.csv").set_index("ISO3")
    # 27 steps from col 6 to col 33: cells 6..19 in Russia, 20..33 in China, half a step each side
    assert split.loc["RUS", "CW_Dist"] == pytest.approx(13.5 * CELL)
    assert split.loc["CHN", "CW_Dist"] == pytest.approx(13.5 * CELL)
    assert split.loc["RUS", "Length_km"] == pytest.approx(13.5)
    assert split["Cost_Shr"].sum() == pytest.approx(1.0)
    assert split["Cur_Shr"].sum() == pytest.approx(1.0)
    # uniform land: the corridor is symmetric about the border
    assert split.loc["RUS", "Corr_km2"] == split.loc["CHN", "Corr_km2"]


def test_width_at_the_crossing_matches_skimage_corridor(two_country_world):
    from skimage.graph import MCP_Geometric

    d, _ = two_country_world
    cost = np.ones((30, 40))
    a = [(r, c) for r in range(10, 15) for c in range(2, 7)]
    b = [(r, c) for r in range(10, 15) for c in range(33, 38)]
    ca, _ = MCP_Geometric(cost, sampling=(CELL, CELL)).find_costs(a)
    cb, _ = MCP_Geometric(cost, sampling=(CELL, CELL)).find_costs(b)
    nlcc = ca + cb - (ca + cb).min()
    corridor = nlcc <= 3000.0
    # the border runs on the edge between cols 19 and 20: inside the corridor polygon where
    # either cell is a corridor cell
    on_border = corridor[:, 19] | corridor[:, 20]
    rows = np.flatnonzero(on_border)
    assert np.all(np.diff(rows) == 1)  # one piece
    cross = pyogrio.read_dataframe(d / "out" / "corridors.gpkg", layer="crossings")
    assert cross["Width_km"].iloc[0] == pytest.approx(rows.size * CELL / 1000.0)


def test_country_table_adds_up(two_country_world):
    d, _ = two_country_world
    t = pd.read_csv(d / "out" / "countries.csv", keep_default_na=False).set_index("ISO3")
    assert t.loc["RUS", "Shared"] == "CHN:1" and t.loc["CHN", "Shared"] == "RUS:1"
    assert t["Crossings"].tolist() == [1, 1]
    split = pd.read_csv(d / "out" / "link_countries.csv")
    assert t["CW_Dist"].sum() == pytest.approx(split["CW_Dist"].sum())
    gaps = pyogrio.read_dataframe(d / "out" / "corridors.gpkg", layer="gaps")
    assert t["Gap_km2"].sum() == pytest.approx(gaps.area.sum() / 1e6)
