"""The ranking score: components on fixed scales computed by hand, ties, bad input, and a link's
score unchanged when an unrelated link joins the network."""

import numpy as np
import pandas as pd
import pytest

from corridors.errors import ConfigError, InputError
from corridors.graphs import current_flow_betweenness, pc
from corridors.pipeline.stages.ranking import rank_links, score_components

SCALES = dict(importance_scale=1e4, centrality_scale=1e8, pressure_density=50.0, max_cost_distance=100_000.0)
W = {"importance": 1.0, "centrality": 1.0, "pressure": 1.0, "unprotected": 1.0, "feasibility": 1.0}


def _links():
    return pd.DataFrame({
        "Link_ID": [1, 2, 3],
        "dPCnum": [1e4, 0.0, 3e4],          # N_Import 0.5, 0, 0.75
        "CF_Area": [1e8, 3e8, 0.0],         # N_Central 0.5, 0.75, 0
        "Pop_Expo": [500.0, 0.0, 2000.0],   # per km2 of corridor: 50, 0, 100
        "Corr_km2": [10.0, 20.0, 20.0],
        "Land_Press": [0.0, 0.5, 0.2],
        "Unprot_Shr": [0.2, 0.4, 1.0],
        "CW_Dist": [25_000.0, 50_000.0, 150_000.0],  # N_Feas 0.75, 0.5, 0 (clipped)
    })


def test_components_by_hand():
    c = score_components(_links(), **SCALES)
    np.testing.assert_allclose(c["N_Import"], [0.5, 0.0, 0.75])
    np.testing.assert_allclose(c["N_Central"], [0.5, 0.75, 0.0])
    # 1 - (1 - D/(D + 50)) (1 - Land): D = 50 -> 0.5; D = 0, land 0.5 -> 0.5; D = 100 -> 1 - (1/3)(0.8)
    np.testing.assert_allclose(c["N_Press"], [0.5, 0.5, 1 - 0.8 / 3])
    np.testing.assert_allclose(c["N_Unprot"], [0.2, 0.4, 1.0])
    np.testing.assert_allclose(c["N_Feas"], [0.75, 0.5, 0.0])


def test_rank_by_hand():
    out = rank_links(_links(), W, **SCALES)
    score = {1: (0.5 + 0.5 + 0.5 + 0.2 + 0.75) / 5, 2: (0 + 0.75 + 0.5 + 0.4 + 0.5) / 5,
             3: (0.75 + 0 + (1 - 0.8 / 3) + 1.0 + 0) / 5}
    assert out["Link_ID"].tolist() == sorted(score, key=lambda k: -score[k])
    np.testing.assert_allclose(out.set_index("Link_ID")["Score"].loc[[1, 2, 3]], [score[1], score[2], score[3]])
    assert out["Rank"].tolist() == [1, 2, 3]
    assert out["W_Import"].iloc[0] == pytest.approx(0.2)


def test_ties_go_to_lower_cost_then_id():
    links = pd.DataFrame({"Link_ID": [5, 3, 4], "dPCnum": 0.0, "CF_Area": 0.0, "Pop_Expo": 0.0, "Corr_km2": 1.0,
                          "Land_Press": 0.0, "Unprot_Shr": 0.0, "CW_Dist": [20.0, 20.0, 10.0]})
    out = rank_links(links, {**W, "feasibility": 0.0}, **SCALES)  # all scores 0
    assert out["Link_ID"].tolist() == [4, 3, 5]


def test_bad_input_refused():
    bad = _links()
    bad.loc[1, "dPCnum"] = np.nan
    with pytest.raises(InputError, match=r"dPCnum is not a finite number >= 0 for links \[2\]"):
        rank_links(bad, W, **SCALES)
    with pytest.raises(ConfigError, match="all 0"):
        rank_links(_links(), dict.fromkeys(W, 0.0), **SCALES)


def test_an_unrelated_link_changes_no_other_score():
    """Two components: A-B (+ C) and D-E. Adding a link D-E' far away changes nothing of A-B's raw
    values (dPCnum by link removal, area-weighted centrality) nor, the scales being fixed, its score."""
    areas = np.array([100.0, 100.0, 1.0, 50.0, 50.0, 20.0])
    d = np.full((6, 6), np.inf)
    d[0, 1] = d[1, 0] = 10.0
    d[1, 2] = d[2, 1] = 10.0
    d[3, 4] = d[4, 3] = 5.0
    before = pc(areas, d, median_dispersal=10.0, landscape_area=1e4, min_probability=0.0)
    d2 = d.copy()
    d2[4, 5] = d2[5, 4] = 7.0  # the unrelated link
    after = pc(areas, d2, median_dispersal=10.0, landscape_area=1e4, min_probability=0.0)
    keep = [(0, 1), (1, 2)]
    np.testing.assert_allclose(before.link_importances(keep)["dPCnum"], after.link_importances(keep)["dPCnum"],
                               rtol=1e-12)
    e1 = np.array([[0, 1], [1, 2], [3, 4]])
    e2 = np.vstack([e1, [[4, 5]]])
    cf1, _ = current_flow_betweenness(6, e1, [1.0, 2.0, 1.0], areas)
    cf2, _ = current_flow_betweenness(6, e2, [1.0, 2.0, 1.0, 1.0], areas)
    np.testing.assert_allclose(cf1[:2], cf2[:2], rtol=1e-12)
    # the dPC fractions sum to dPC, and A-B between two 100 km2 reserves beats B-C to a 1 km2 one
    imp = before.link_importances(keep).set_index(["i", "j"])
    assert imp.loc[(0, 1), "dPCnum"] > imp.loc[(1, 2), "dPCnum"]
    links = pd.DataFrame({"Link_ID": [1, 2], "dPCnum": imp["dPCnum"].to_numpy(), "CF_Area": cf1[:2],
                          "Pop_Expo": 0.0, "Corr_km2": 1.0, "Land_Press": 0.0, "Unprot_Shr": 0.0, "CW_Dist": 10.0})
    s1 = rank_links(links, W, **SCALES).set_index("Link_ID")["Score"]
    links2 = links.assign(dPCnum=after.link_importances(keep)["dPCnum"].to_numpy(), CF_Area=cf2[:2])
    s2 = rank_links(links2, W, **SCALES).set_index("Link_ID")["Score"]
    pd.testing.assert_series_equal(s1, s2, rtol=1e-12)
