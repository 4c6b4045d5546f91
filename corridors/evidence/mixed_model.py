"""MLPE: linear mixed model for pairwise distances (Clarke, Rothery & Raybould 2002), fitted by ML.

For the pair k = (i, j) of samples i and j,

    y_k = x_k' beta + tau_i + tau_j + e_k,    tau ~ N(0, tau2) per sample,  e ~ N(0, sigma2),

so Var(y) = sigma2 (I + lambda Z Z') with lambda = tau2 / sigma2 and Z the pairs x samples
incidence matrix (two ones per row). Two pairs that share a sample are correlated with
rho = tau2 / (2 tau2 + sigma2) = lambda / (1 + 2 lambda), in [0, 0.5): Clarke et al.'s
parameterisation. This is the model ResistanceGA fits with lme4 by replacing the random-effect
design of ``(1 | pop1)`` with Z (Peterman 2018, Methods in Ecology and Evolution 9:1638;
van Strien, Keller & Holderegger 2012, Molecular Ecology 21:4010).

The fit maximises the likelihood (ML, not REML: models with different fixed effects are
compared by AICc). beta and sigma2 are profiled out in closed form (generalised least squares);
lambda is found by a grid over rho and Brent's method. With the eigendecomposition
Z'Z = Q diag(d) Q' (samples x samples), (I + lambda Z Z')^-1 = I - lambda Z Q diag(1/(1 + lambda d)) Q' Z'
and log|I + lambda Z Z'| = sum log(1 + lambda d), so no pairs x pairs matrix is ever formed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, sparse, stats

from ..errors import InputError

__all__ = ["mlpe", "MLPEResult", "pair_index"]

_RHO_MAX = 0.5 - 1e-9
_GRID = np.linspace(0.0, 0.499, 41)


@dataclass(frozen=True)
class MLPEResult:
    """A fitted MLPE model (see :func:`mlpe`).

    Attributes
    ----------
    names : tuple of str
        Names of the fixed effects (``"intercept"`` first when an intercept was added).
    coefficients, standard_errors : ndarray (p,)
        ML estimates of beta and their standard errors,
        ``sqrt(diag(sigma2 (X' W X)^-1))`` with ``W = (I + lambda Z Z')^-1`` at the ML variances.
    loglik : float
        Maximised log-likelihood (natural log).
    k : int
        Parameters counted in AIC: p fixed effects + 2 variances + ``extra_parameters``.
    aic, aicc : float
        ``AIC = -2 loglik + 2k``; ``AICc = AIC + 2k(k + 1) / (n - k - 1)`` with n = number of
        samples (NaN when n <= k + 1). Using the samples, not the pairs, as n follows ResistanceGA
        (Peterman 2018): pairs are not independent observations.
    sigma2, tau2 : float
        Residual variance and per-sample effect variance (units of y squared).
    rho : float
        Correlation of two pairs that share a sample, ``tau2 / (2 tau2 + sigma2)``.
    r2_marginal : float
        Share of the variance explained by the fixed effects,
        ``var(X beta) / (var(X beta) + 2 tau2 + sigma2)`` (Nakagawa & Schielzeth 2013, Methods in
        Ecology and Evolution 4:133; each pair carries two sample effects, hence 2 tau2).
    n_samples, n_pairs : int
    """

    names: tuple
    coefficients: np.ndarray
    standard_errors: np.ndarray
    loglik: float
    k: int
    aic: float
    aicc: float
    sigma2: float
    tau2: float
    rho: float
    r2_marginal: float
    n_samples: int
    n_pairs: int

    def conf_int(self, level: float = 0.95) -> np.ndarray:
        """Wald confidence intervals, shape (p, 2): ``beta -/+ z_(1+level)/2 x se``."""
        if not 0 < level < 1:
            raise InputError(f"level = {level!r}; give a confidence level between 0 and 1, e.g. 0.95")
        z = stats.norm.ppf(0.5 + level / 2)
        return np.column_stack([self.coefficients - z * self.standard_errors,
                                self.coefficients + z * self.standard_errors])

    def coefficient(self, name: str) -> float:
        """The estimate of the fixed effect ``name``."""
        return float(self.coefficients[self.names.index(name)])

    def aicc_with(self, extra_parameters: int) -> float:
        """AICc of the same fit counting ``extra_parameters`` more (e.g. fitted resistances)."""
        return _aicc(self.loglik, self.k + int(extra_parameters), self.n_samples)


def _aicc(loglik: float, k: int, n: int) -> float:
    if n - k - 1 <= 0:
        return float("nan")
    return -2.0 * loglik + 2.0 * k + 2.0 * k * (k + 1) / (n - k - 1)


def pair_index(n: int) -> np.ndarray:
    """The pairs ``(i, j)``, ``i < j``, of ``n`` samples in the order of :func:`upper_triangle`."""
    iu, ju = np.triu_indices(int(n), 1)
    return np.column_stack([iu, ju])


class _Profile:
    """Profiled ML log-likelihood of MLPE as a function of rho (precomputed once per data set)."""

    def __init__(self, y: np.ndarray, X: np.ndarray, pairs: np.ndarray, n: int):
        npairs = y.size
        rows = np.repeat(np.arange(npairs), 2)
        z = sparse.csr_matrix((np.ones(2 * npairs), (rows, pairs.ravel())), shape=(npairs, n))
        ztz = (z.T @ z).toarray()
        d, q = np.linalg.eigh(ztz)
        self.d = np.clip(d, 0.0, None)
        a = np.column_stack([X, y])
        self.aa = a.T @ a
        self.b = q.T @ (z.T @ a)  # samples x (p + 1)
        self.p = X.shape[1]
        self.npairs = npairs

    def parts(self, rho: float):
        lam = rho / (1.0 - 2.0 * rho)
        w = lam / (1.0 + lam * self.d)
        g = self.aa - (self.b * w[:, None]).T @ self.b  # A' V^-1 A (V without sigma2)
        p = self.p
        xtwx, xtwy, ytwy = g[:p, :p], g[:p, p], g[p, p]
        try:
            beta = np.linalg.solve(xtwx, xtwy)
        except np.linalg.LinAlgError:
            raise InputError("the predictors are collinear (X'X is singular); drop a column") from None
        rss = max(float(ytwy - xtwy @ beta), 0.0)
        logdet = float(np.sum(np.log1p(lam * self.d)))
        return lam, beta, rss, logdet, xtwx

    def loglik(self, rho: float) -> float:
        _, _, rss, logdet, _ = self.parts(rho)
        n = self.npairs
        if rss <= 0:
            return math.inf
        return -0.5 * n * (math.log(2 * math.pi * rss / n) + 1.0) - 0.5 * logdet


def _as_inputs(y, X, pairs, intercept, names):
    yv = np.asarray(y, dtype=np.float64)
    if yv.ndim != 1:
        raise InputError(f"y must be a vector of pairwise values, got shape {yv.shape}; "
                         "use upper_triangle(matrix) for a square matrix")
    npairs = yv.size
    if X is None:
        xm = np.zeros((npairs, 0))
    else:
        xm = np.asarray(X, dtype=np.float64)
        if xm.ndim == 1:
            xm = xm[:, None]
        if xm.ndim != 2 or xm.shape[0] != npairs:
            raise InputError(f"X must have one row per pair ({npairs}), got shape {xm.shape}")
    if names is None:
        names = [f"x{i + 1}" for i in range(xm.shape[1])] if xm.shape[1] != 1 else ["x"]
    names = list(names)
    if len(names) != xm.shape[1]:
        raise InputError(f"names: {len(names)} names for {xm.shape[1]} columns of X")
    if intercept:
        xm = np.column_stack([np.ones(npairs), xm])
        names = ["intercept", *names]
    if xm.shape[1] == 0:
        raise InputError("no fixed effect: give X or keep intercept=True")
    pr = np.asarray(pairs)
    if pr.ndim != 2 or pr.shape != (npairs, 2):
        raise InputError(f"pairs must have shape ({npairs}, 2) (two sample indices per value of y), got {pr.shape}")
    if not np.issubdtype(pr.dtype, np.integer):
        if not np.all(pr == np.round(pr)):
            raise InputError("pairs must hold whole sample indices")
        pr = pr.astype(np.int64)
    if pr.min() < 0:
        raise InputError(f"pairs: sample index {int(pr.min())} < 0")
    if np.any(pr[:, 0] == pr[:, 1]):
        k = int(np.flatnonzero(pr[:, 0] == pr[:, 1])[0])
        raise InputError(f"pairs row {k} pairs sample {int(pr[k, 0])} with itself")
    labels, inv = np.unique(pr.ravel(), return_inverse=True)
    pr = inv.reshape(pr.shape)
    for arr, what in ((yv, "y"), (xm, "X")):
        if not np.all(np.isfinite(arr)):
            raise InputError(f"{what} holds NaN or infinite values; remove those pairs (and their rows of pairs)")
    return yv, xm, pr, labels.size, tuple(names)


def mlpe(y, X=None, *, pairs, intercept: bool = True, names=None, extra_parameters: int = 0) -> MLPEResult:
    """Fit an MLPE model (maximum likelihood population effects) to pairwise data.

    Parameters
    ----------
    y : array_like (N,)
        Pairwise response, e.g. genetic distance, one value per pair.
    X : array_like (N,) or (N, p), optional
        Pairwise predictors (e.g. standardised resistance distance); None fits the intercept only.
    pairs : array_like of int (N, 2)
        The two samples of each pair (any integer labels; :func:`pair_index` gives them for the
        upper triangle of an n x n matrix).
    intercept : bool
        Add an intercept column (named ``"intercept"``).
    names : sequence of str, optional
        Names of the columns of X (default ``"x"``, or ``"x1"``, ``"x2"`` ...).
    extra_parameters : int
        Parameters estimated outside this fit (e.g. resistances fitted by
        :func:`corridors.evidence.calibrate`), added to k for AIC and AICc.

    Returns
    -------
    MLPEResult

    Notes
    -----
    Model, likelihood and algorithm in the module docstring; Clarke, Rothery & Raybould (2002),
    Journal of Agricultural, Biological and Environmental Statistics 7:361-372. Log-likelihood
    ``-N/2 (log(2 pi sigma2) + 1) - 1/2 log|I + lambda Z Z'|`` at the ML sigma2 = RSS_W / N.
    Standard errors are conditional on the estimated variances (as lme4's). Time
    O(n^3 + N p) for n samples and N pairs; memory O(n^2 + N p).
    """
    yv, xm, pr, n, names = _as_inputs(y, X, pairs, intercept, names)
    p = xm.shape[1]
    if yv.size <= p + 2:
        raise InputError(f"{yv.size} pairs are too few for {p} fixed effects and 2 variances")
    prof = _Profile(yv, xm, pr, n)
    ll_grid = np.array([prof.loglik(r) for r in _GRID])
    if np.isinf(ll_grid).any():
        raise InputError("the model fits y exactly (zero residual); check y is not a copy of X")
    best = int(np.argmax(ll_grid))
    lo = _GRID[max(best - 1, 0)]
    hi = _GRID[best + 1] if best + 1 < _GRID.size else _RHO_MAX
    opt = optimize.minimize_scalar(lambda r: -prof.loglik(r), bounds=(lo, hi), method="bounded",
                                   options={"xatol": 1e-10})
    cands = [(ll_grid[best], _GRID[best]), (-opt.fun, float(opt.x))]
    ll, rho = max(cands, key=lambda t: t[0])
    lam, beta, rss, _, xtwx = prof.parts(rho)
    sigma2 = rss / yv.size
    tau2 = lam * sigma2
    cov = sigma2 * np.linalg.inv(xtwx)
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    fixed = xm @ beta
    var_f = float(np.var(fixed))
    r2 = var_f / (var_f + 2 * tau2 + sigma2) if (var_f + 2 * tau2 + sigma2) > 0 else 0.0
    k = p + 2 + int(extra_parameters)
    return MLPEResult(
        names=names, coefficients=beta, standard_errors=se, loglik=float(ll), k=k,
        aic=float(-2.0 * ll + 2.0 * k), aicc=float(_aicc(ll, k, n)), sigma2=float(sigma2), tau2=float(tau2),
        rho=float(tau2 / (2 * tau2 + sigma2)) if (2 * tau2 + sigma2) > 0 else 0.0,
        r2_marginal=float(r2), n_samples=int(n), n_pairs=int(yv.size),
    )
