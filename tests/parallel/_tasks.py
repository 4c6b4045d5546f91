"""Module-level functions for executor tests (dask pickles them by reference)."""

import numpy as np


def work(item, *, scale):
    rng = np.random.default_rng(item)
    return float(rng.random() * scale), item


def fail(item):
    if item == 2:
        raise ValueError("task 2 failed on purpose")
    return item
