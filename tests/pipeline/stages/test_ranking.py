"""The ranking score against hand-computed values."""

import numpy as np
import pandas as pd
import pytest

from corridors.pipeline.stages.ranking import rank_links


def test_rank_by_hand():
    links = pd.DataFrame({
        "Link_ID": [1, 2, 3],
        "CW_Dist": [100.0, 300.0, 200.0],
        "Eff_Resist": [4.0, 2.0, 3.0],
        "CF_Central": [1.0, 1.0, 3.0],
        "Unprot_Shr": [0.5, 1.0, 0.0],
    })
    w = {"cost": 2.0, "resistance": 1.0, "centrality": 1.0, "unprotected": 0.0}
    out = rank_links(links, w)
    # N_Cost: 1, 0, 0.5 ; N_Resist: 0, 1, 0.5 ; N_Central: 0, 0, 1 ; weights 0.5, 0.25, 0.25, 0
    expected = {1: 0.5 * 1 + 0 + 0, 2: 0 + 0.25 * 1 + 0, 3: 0.5 * 0.5 + 0.25 * 0.5 + 0.25 * 1}
    got = dict(zip(out["Link_ID"], out["Score"]))
    for k, v in expected.items():
        assert got[k] == pytest.approx(v, abs=1e-12)
    assert out["Link_ID"].tolist() == [3, 1, 2]
    assert out["Rank"].tolist() == [1, 2, 3]
    assert out["W_Cost"].iloc[0] == pytest.approx(0.5)


def test_ties_go_to_lower_cost_then_id():
    links = pd.DataFrame({"Link_ID": [5, 4, 6], "CW_Dist": [10.0, 10.0, 10.0], "Eff_Resist": [1.0] * 3,
                          "CF_Central": [0.0] * 3, "Unprot_Shr": [0.0] * 3})
    out = rank_links(links, {"cost": 1, "resistance": 1, "centrality": 1, "unprotected": 1})
    assert out["Link_ID"].tolist() == [4, 5, 6]
    assert np.all(out["N_Cost"] == 1.0)  # all equal -> 1


def test_non_finite_component_refused():
    links = pd.DataFrame({"Link_ID": [1], "CW_Dist": [np.nan], "Eff_Resist": [1.0], "CF_Central": [0.0], "Unprot_Shr": [0.0]})
    with pytest.raises(ValueError, match="CW_Dist is not finite"):
        rank_links(links, {"cost": 1, "resistance": 1, "centrality": 1, "unprotected": 1})
