"""Label rasters in one pass each: which labels occur, relabelling, cells per label.

Arrays in, arrays out (flat). Written as loops so that no index array of the grid's size is ever
made (numpy's ``bincount`` and fancy indexing first convert the labels to 8-byte integers).
"""

from __future__ import annotations

import numpy as np

from . import JIT, njit


@njit(**JIT)
def labels_present(labels, top):
    """bool (top + 1,): which values 0..top occur in the non-negative integer array ``labels``."""
    seen = np.zeros(top + 1, np.bool_)
    for i in range(labels.size):
        seen[labels[i]] = True
    return seen


@njit(**JIT)
def relabel(labels, lut, out):
    """``out[i] = lut[labels[i]]`` (``out`` preallocated, any integer type)."""
    for i in range(labels.size):
        out[i] = lut[labels[i]]
    return out


@njit(**JIT)
def label_counts(labels, res, nlabels):
    """Cells of each label, and how many of them are passable (resistance ``< inf``), in one pass.

    Parameters
    ----------
    labels : integer array (n,)
        0 = no label, 1..nlabels.
    res : float array (n,)
    nlabels : int

    Returns
    -------
    total, passable : int64 (nlabels + 1,)
    """
    total = np.zeros(nlabels + 1, np.int64)
    passable = np.zeros(nlabels + 1, np.int64)
    for i in range(labels.size):
        k = labels[i]
        if k > 0:
            total[k] += 1
            if res[i] < np.inf:
                passable[k] += 1
    return total, passable


@njit(**JIT)
def group_sums(group, values, ngroups):
    """Compensated (Kahan) sum and count of the non-NaN ``values`` of each group, in the order the
    values come.

    Parameters
    ----------
    group : int array (n,)
        Group of each value, 0..ngroups-1.
    values : float64 array (n,)
    ngroups : int

    Returns
    -------
    sums : float64 (ngroups,), counts : int64 (ngroups,)

    Notes
    -----
    The summation pandas' ``groupby(...).sum()`` / ``.mean()`` use on large frames (Kahan,
    value order), written out so that the result does not depend on the library's choice of
    algorithm for the frame's size.
    """
    sums = np.zeros(ngroups)
    comp = np.zeros(ngroups)
    counts = np.zeros(ngroups, np.int64)
    for i in range(values.size):
        v = values[i]
        if np.isnan(v):
            continue
        g = group[i]
        y = v - comp[g]
        t = sums[g] + y
        comp[g] = (t - sums[g]) - y
        sums[g] = t
        counts[g] += 1
    return sums, counts


@njit(**JIT)
def touching_pairs(label2d, diagonals):
    """Keys ``a << 32 | b`` (``a < b``) of distinct non-zero labels in neighbouring cells (right and
    down; with ``diagonals`` both diagonals too), possibly repeated: the caller takes ``np.unique``.
    """
    nr, nc = label2d.shape
    out = np.empty(1024, np.int64)
    m = 0
    last = np.int64(-1)
    nshift = 4 if diagonals else 2
    dr = np.array([0, 1, 1, 1])
    dc = np.array([1, 0, 1, -1])
    for s in range(nshift):
        for r in range(nr - dr[s]):
            for c in range(nc):
                c2 = c + dc[s]
                if c2 < 0 or c2 >= nc:
                    continue
                a = np.int64(label2d[r, c])
                b = np.int64(label2d[r + dr[s], c2])
                if a == b or a <= 0 or b <= 0:
                    continue
                key = (min(a, b) << 32) + max(a, b)
                if key == last:
                    continue
                last = key
                if m == out.size:
                    bigger = np.empty(2 * out.size, np.int64)
                    bigger[:m] = out[:m]
                    out = bigger
                out[m] = key
                m += 1
    return out[:m]
