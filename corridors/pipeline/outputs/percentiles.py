"""Exact percentiles of a raster read strip by strip, in memory that does not grow with the grid.

``numpy.percentile`` needs every value at once (and sorts a float64 copy: 16 bytes a finite
cell of a float32 raster, at 100 M cells 1.6 GB). The order statistics it interpolates between
are found here in two passes over the strips instead:

1. count the values per bin of the top 16 bits of an order-preserving integer key of each value
   (65 536 bins: a float's sign, exponent and leading mantissa bits);
2. keep only the values in the bins that hold the wanted ranks, sort those, and read the ranks.

The result is then interpolated exactly as ``numpy.percentile(..., method="linear")`` does
(same virtual index, same two-sided lerp), so the numbers are bit for bit numpy's on the
concatenated values (tested against it).
"""

from __future__ import annotations

import numpy as np

__all__ = ["strip_percentiles"]

_BITS = 16  # histogram bins: 2**16 of the key's top bits


def _keys(values: np.ndarray) -> np.ndarray:
    """An unsigned integer per float whose order is the values' order (IEEE 754: flip every bit
    of a negative number, the sign bit of a positive one)."""
    v = np.ascontiguousarray(values)
    u = v.view(np.uint32 if v.dtype == np.float32 else np.uint64)
    sign = np.array(1, u.dtype) << np.array(8 * u.itemsize - 1, u.dtype)
    neg = (u & sign) != 0
    return np.where(neg, ~u, u | sign)


def _bins(values: np.ndarray) -> np.ndarray:
    k = _keys(values)
    return (k >> np.array(8 * k.itemsize - _BITS, k.dtype)).astype(np.int64)


def _lerp(a: float, b: float, t: float) -> float:
    """numpy's ``_lerp`` (``numpy.lib._function_base_impl``): a + (b-a) t, from b for t >= 0.5."""
    d = np.subtract(b, a)
    return float(np.subtract(b, d * (1 - t))) if t >= 0.5 else float(np.add(a, d * t))


def strip_percentiles(strips, q, *, keep=None) -> tuple[list[float], int]:
    """Percentiles ``q`` (0-100) of the values that strips of a raster give, as
    ``numpy.percentile(all values as float64, q)`` would.

    Parameters
    ----------
    strips : callable
        ``strips()`` yields 1-D float arrays (float32 or float64), the values of one strip each;
        called twice (two passes), it must yield the same values both times.
    q : sequence of float
    keep : callable, optional
        ``keep(values) -> bool mask`` of the values to count (e.g. ``values > 0``).

    Returns
    -------
    (list of float, int)
        The percentiles, and how many values were counted (0: no percentile; the list is empty).
    """
    def chosen():
        for v in strips():
            v = np.asarray(v).ravel()
            if v.dtype not in (np.float32, np.float64):
                v = v.astype(np.float64)
            yield v[keep(v)] if keep is not None else v

    counts = np.zeros(1 << _BITS, np.int64)
    for v in chosen():
        counts += np.bincount(_bins(v), minlength=1 << _BITS)
    n = int(counts.sum())
    if n == 0:
        return [], 0
    virtual = [(n - 1) * float(np.true_divide(x, 100)) for x in q]
    lower = [int(np.floor(x)) for x in virtual]
    ranks = sorted({r for lo in lower for r in (lo, min(lo + 1, n - 1))})
    first = np.concatenate([[0], np.cumsum(counts)])  # first rank of each bin
    wanted = sorted({int(np.searchsorted(first, r, side="right") - 1) for r in ranks})
    held = {b: [] for b in wanted}
    for v in chosen():
        b = _bins(v)
        for w in wanted:
            part = v[b == w]
            if part.size:
                held[w].append(part.astype(np.float64))
    sorted_bins = {w: np.sort(np.concatenate(held[w])) for w in wanted}

    def at(rank: int) -> float:
        w = int(np.searchsorted(first, rank, side="right") - 1)
        return float(sorted_bins[w][rank - first[w]])

    out = []
    for x, lo in zip(virtual, lower):
        hi = min(lo + 1, n - 1)
        out.append(_lerp(at(lo), at(hi), x - lo))
    return out, n
