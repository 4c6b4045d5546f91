"""Mantel and partial Mantel tests between distance matrices (permutations, seeded)."""

from __future__ import annotations

import numpy as np

from ..errors import InputError

__all__ = ["mantel", "partial_mantel", "upper_triangle"]

#: Permutations done per vectorised batch (memory: batch x pairs float64).
_BATCH = 64


def upper_triangle(matrix, name: str = "matrix") -> np.ndarray:
    """Values above the diagonal of a square symmetric distance matrix, row by row.

    Parameters
    ----------
    matrix : array_like (n, n)
        Symmetric, finite off the diagonal (the diagonal is ignored).
    name : str
        Used in error messages.

    Returns
    -------
    ndarray of float64, shape (n (n - 1) / 2,)
        ``matrix[i, j]`` for ``i < j`` in row-major order (as ``numpy.triu_indices(n, 1)``).
    """
    m = np.asarray(matrix, dtype=np.float64)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise InputError(f"{name}: a distance matrix must be square, got shape {m.shape}")
    n = m.shape[0]
    if n < 3:
        raise InputError(f"{name}: need at least 3 samples for a matrix test, got {n}")
    iu, ju = np.triu_indices(n, 1)
    upper, lower = m[iu, ju], m.T[iu, ju]
    if not np.all(np.isfinite(upper)) or not np.all(np.isfinite(lower)):
        k = int(np.flatnonzero(~(np.isfinite(upper) & np.isfinite(lower)))[0])
        raise InputError(f"{name}: entry ({iu[k]}, {ju[k]}) is not a finite number; fill every pair")
    scale = max(float(np.max(np.abs(upper))), 1e-300)
    bad = np.abs(upper - lower) > 1e-9 * scale
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{name}: not symmetric: [{iu[k]}, {ju[k]}] = {upper[k]!r} but [{ju[k]}, {iu[k]}] = {lower[k]!r}"
        )
    return upper


def _standardised(values: np.ndarray, name: str) -> np.ndarray:
    sd = values.std()
    if not sd > 0:
        raise InputError(f"{name}: all pairwise values are equal ({values[0]!r}); a correlation needs variation")
    return (values - values.mean()) / sd


def _check_permutations(permutations) -> int:
    if isinstance(permutations, bool) or not isinstance(permutations, (int, np.integer)) or permutations < 1:
        raise InputError(f"permutations = {permutations!r}; give a whole number >= 1 (999 is usual)")
    return int(permutations)


def _permuted_r(za_matrix: np.ndarray, zb: np.ndarray, permutations: int, rng) -> np.ndarray:
    """Pearson r of ``zb`` with the upper triangle of ``za_matrix`` under random relabelling.

    Relabelling the samples permutes the off-diagonal values among themselves, so their mean and
    standard deviation stay those of the unpermuted matrix: r is a plain dot product.
    """
    n = za_matrix.shape[0]
    iu, ju = np.triu_indices(n, 1)
    npairs = iu.size
    out = np.empty(permutations)
    done = 0
    while done < permutations:
        k = min(_BATCH, permutations - done)
        perms = np.stack([rng.permutation(n) for _ in range(k)])
        vals = za_matrix[perms[:, iu], perms[:, ju]]  # (k, pairs)
        out[done:done + k] = vals @ zb / npairs
        done += k
    return out


def _p_value(r_obs: float, r_perm: np.ndarray) -> float:
    # ties (the identity permutation, symmetric designs) count as at least as extreme
    return float((1 + np.count_nonzero(r_perm >= r_obs - 1e-12)) / (r_perm.size + 1))


def mantel(a, b, *, permutations: int = 999, seed: int = 0) -> tuple[float, float]:
    """Mantel test of a positive association between two distance matrices.

    Parameters
    ----------
    a, b : array_like (n, n)
        Symmetric distance matrices over the same samples in the same order (e.g. genetic and
        landscape distance); only the pairs above the diagonal are used.
    permutations : int
        Random relabellings of the samples of ``a`` (rows and columns together).
    seed : int
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same p.

    Returns
    -------
    (r, p) : (float, float)
        ``r`` = Pearson correlation of the upper triangles,
        ``r = sum((a_k - mean a)(b_k - mean b)) / (N sd_a sd_b)`` over the N = n(n-1)/2 pairs;
        ``p`` = one-sided permutation p-value for r > 0,
        ``(1 + #{r_perm >= r}) / (permutations + 1)``.

    Notes
    -----
    Mantel (1967), Cancer Research 27:209-220; permutation scheme as in Legendre & Legendre
    (2012), Numerical Ecology, 3rd ed., section 10.5. The test asks whether the two matrices are
    related; it does not measure a slope, and pairwise values are not independent, so use
    :func:`corridors.evidence.mlpe` to compare models. Time O(permutations x N).
    """
    permutations = _check_permutations(permutations)
    va, vb = upper_triangle(a, "a"), upper_triangle(b, "b")
    if va.size != vb.size:
        raise InputError(f"a and b differ in size: {np.shape(a)} vs {np.shape(b)}")
    za, zb = _standardised(va, "a"), _standardised(vb, "b")
    r = float(za @ zb / za.size)
    n = np.shape(a)[0]
    zmat = np.zeros((n, n))
    iu, ju = np.triu_indices(n, 1)
    zmat[iu, ju] = za
    zmat[ju, iu] = za
    r_perm = _permuted_r(zmat, zb, permutations, np.random.default_rng(seed))
    return r, _p_value(r, r_perm)


def partial_mantel(a, b, c, *, permutations: int = 999, seed: int = 0) -> tuple[float, float]:
    """Partial Mantel test: association of ``a`` and ``b`` with ``c`` held constant.

    Parameters
    ----------
    a, b, c : array_like (n, n)
        Symmetric distance matrices over the same samples (e.g. genetic distance, landscape
        distance, Euclidean distance).
    permutations, seed
        As for :func:`mantel`; the samples of ``a`` are relabelled.

    Returns
    -------
    (r, p) : (float, float)
        ``r = (r_ab - r_ac r_bc) / sqrt((1 - r_ac^2)(1 - r_bc^2))`` (the Pearson correlation of the
        residuals of a and b regressed on c, over the upper triangles); one-sided ``p`` for r > 0
        as in :func:`mantel`.

    Notes
    -----
    Smouse, Long & Sokal (1986), Systematic Zoology 35:627-632. Partial Mantel tests are known
    to be too liberal when the matrices are spatially autocorrelated (Guillot & Rousset 2013,
    Methods in Ecology and Evolution 4:336-344); read p as indicative and prefer MLPE.
    """
    permutations = _check_permutations(permutations)
    va, vb, vc = (upper_triangle(m, nm) for m, nm in ((a, "a"), (b, "b"), (c, "c")))
    if not va.size == vb.size == vc.size:
        raise InputError(f"a, b and c differ in size: {np.shape(a)}, {np.shape(b)}, {np.shape(c)}")
    za, zb, zc = _standardised(va, "a"), _standardised(vb, "b"), _standardised(vc, "c")
    npairs = za.size
    r_bc = float(zb @ zc / npairs)
    if abs(r_bc) >= 1 - 1e-12:
        raise InputError("b and c are perfectly correlated; a partial test cannot separate them")

    def partial(r_ab, r_ac):
        return (r_ab - r_ac * r_bc) / np.sqrt((1 - r_ac ** 2) * (1 - r_bc ** 2))

    r_ab, r_ac = float(za @ zb / npairs), float(za @ zc / npairs)
    if abs(r_ac) >= 1 - 1e-12:
        raise InputError("a and c are perfectly correlated; a partial test cannot separate them")
    r = float(partial(r_ab, r_ac))
    n = np.shape(a)[0]
    zmat = np.zeros((n, n))
    iu, ju = np.triu_indices(n, 1)
    zmat[iu, ju] = za
    zmat[ju, iu] = za
    # the same relabellings for both correlations: draw them from two identically seeded streams
    p_ab = _permuted_r(zmat, zb, permutations, np.random.default_rng(seed))
    p_ac = _permuted_r(zmat, zc, permutations, np.random.default_rng(seed))
    with np.errstate(invalid="ignore", divide="ignore"):
        r_perm = partial(p_ab, np.clip(p_ac, -1 + 1e-12, 1 - 1e-12))
    return r, _p_value(r, r_perm)
