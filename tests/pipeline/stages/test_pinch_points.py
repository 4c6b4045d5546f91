"""Pinch points against a hand-made current map."""

import numpy as np

from corridors.pipeline.stages.pinch_points import pinch_points


def test_pinch_points_by_hand():
    # 7 x 7 current map, window 3 (a cell must be the maximum of its 3 x 3 neighbourhood)
    cur = np.array([
        [9.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0],  # (0, 6): grid corner, padding counts as 0
        [9.0, 5.0, 0.0, 0.0, 0.0, 0.0, 0.0],  # (1, 1): the 9s beside it are outside the corridor
        [9.0, 0.0, 0.0, 0.0, 8.0, 0.0, 0.0],  # (2, 4): protected maximum, never reported
        [9.0, 0.0, 0.0, 7.0, 0.0, 0.0, 0.0],  # (3, 3): diagonal to 8 (window edge): suppressed
        [9.0, 0.0, 0.0, 0.0, 0.0, 6.0, 0.0],  # (4, 5): two rows from 8, just outside: kept
        [9.0, 4.0, 4.0, 0.0, 0.0, 0.0, 0.0],  # (5, 1) = (5, 2): plateau, both kept, by column
        [9.0, 0.0, 0.0, 0.0, 3.0, 0.0, np.nan],  # (6, 4): bottom edge; NaN counts as 0
    ])
    corridor = np.ones((7, 7), bool)
    corridor[:, 0] = False
    protected = np.zeros((7, 7), bool)
    protected[2, 4] = True
    want = [(4, 5, 6.0), (1, 1, 5.0), (5, 1, 4.0), (5, 2, 4.0), (6, 4, 3.0), (0, 6, 2.0)]
    assert pinch_points(cur, corridor, protected, window=3, top=10) == want
    # top cuts inside the plateau: the lower column goes first
    assert pinch_points(cur, corridor, protected, window=3, top=3) == want[:3]
    assert pinch_points(cur, corridor, protected, window=3, top=0) == []
    # unprotected, the 8 is the top pinch point
    assert pinch_points(cur, corridor, np.zeros((7, 7), bool), window=3, top=1) == [(2, 4, 8.0)]
