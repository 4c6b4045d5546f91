"""Block reductions of a 2-D array (display copies of big rasters): one pass, NaN skipped."""

import numpy as np

from . import JIT, njit


@njit(**JIT)
def block_extreme(values, k, want_max):
    """Max (``want_max``) or min of each k x k block of finite values; NaN where a block has none.

    Blocks at the right and bottom edges may be partial. ``values``: 2-D float array.
    """
    rows, cols = values.shape
    h = (rows + k - 1) // k
    w = (cols + k - 1) // k
    out = np.full((h, w), np.nan, dtype=np.float32)
    for r in range(rows):
        br = r // k
        for c in range(cols):
            v = values[r, c]
            if not np.isfinite(v):
                continue
            bc = c // k
            cur = out[br, bc]
            if np.isnan(cur) or (v > cur if want_max else v < cur):
                out[br, bc] = v
    return out
