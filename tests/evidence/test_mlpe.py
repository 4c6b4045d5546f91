"""MLPE: agrees with statsmodels' MixedLM and a dense GLS likelihood; recovers a known slope."""

import warnings

import numpy as np
import pytest
from scipy import stats

from corridors.errors import InputError
from corridors.evidence import mlpe, pair_index


def _simulate(n, slope, seed, tau=0.6, sigma=0.5):
    rng = np.random.default_rng(seed)
    pairs = pair_index(n)
    x = rng.normal(size=len(pairs))
    effects = rng.normal(scale=tau, size=n)
    y = 1.0 + slope * x + effects[pairs[:, 0]] + effects[pairs[:, 1]] + rng.normal(scale=sigma, size=len(pairs))
    return y, x, pairs


def _z(pairs, n):
    z = np.zeros((len(pairs), n))
    z[np.arange(len(pairs)), pairs[:, 0]] = 1
    z[np.arange(len(pairs)), pairs[:, 1]] = 1
    return z


def test_agrees_with_statsmodels_mixedlm():
    sm = pytest.importorskip("statsmodels.api")
    n = 20
    y, x, pairs = _simulate(n, 0.4, seed=1)
    fit = mlpe(y, x, pairs=pairs)
    # one group holding every pair; the pair x sample incidence matrix as a variance component
    X = np.column_stack([np.ones_like(x), x])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = sm.MixedLM(y, X, groups=np.zeros(len(y)), exog_vc={"pop": {0: _z(pairs, n)}})
        ref = model.fit(reml=False, method=["lbfgs"])
    assert fit.loglik == pytest.approx(ref.llf, abs=1e-6)
    np.testing.assert_allclose(fit.coefficients, ref.fe_params, rtol=1e-5)
    np.testing.assert_allclose(fit.standard_errors, ref.bse_fe, rtol=1e-3)
    assert fit.sigma2 == pytest.approx(ref.scale, rel=1e-4)
    assert fit.tau2 == pytest.approx(ref.vcomp[0], rel=1e-3)


def test_loglik_is_dense_gaussian_density_at_the_estimates():
    n = 12
    y, x, pairs = _simulate(n, -0.3, seed=2)
    fit = mlpe(y, x, pairs=pairs)
    z = _z(pairs, n)
    cov = fit.sigma2 * np.eye(len(y)) + fit.tau2 * z @ z.T  # Clarke et al.'s pairwise structure
    mean = fit.coefficients[0] + fit.coefficients[1] * x
    assert fit.loglik == pytest.approx(stats.multivariate_normal(mean, cov).logpdf(y), abs=1e-8)
    # GLS at the fitted covariance gives the same coefficients and standard errors
    X = np.column_stack([np.ones_like(x), x])
    vi = np.linalg.inv(cov)
    covb = np.linalg.inv(X.T @ vi @ X)
    np.testing.assert_allclose(fit.coefficients, covb @ X.T @ vi @ y, rtol=1e-8)
    np.testing.assert_allclose(fit.standard_errors, np.sqrt(np.diag(covb)), rtol=1e-8)
    # the maximum: nudging any parameter lowers the dense likelihood
    for dt, ds in [(1.05, 1), (0.95, 1), (1, 1.05), (1, 0.95)]:
        c2 = fit.sigma2 * ds * np.eye(len(y)) + fit.tau2 * dt * z @ z.T
        assert stats.multivariate_normal(mean, c2).logpdf(y) < fit.loglik
    assert fit.rho == pytest.approx(fit.tau2 / (2 * fit.tau2 + fit.sigma2))


def test_aicc_by_hand():
    y, x, pairs = _simulate(15, 0.2, seed=3)
    fit = mlpe(y, x, pairs=pairs)
    k, n = 4, 15
    assert fit.k == k and fit.n_samples == n and fit.n_pairs == 105
    assert fit.aic == pytest.approx(-2 * fit.loglik + 2 * k)
    assert fit.aicc == pytest.approx(-2 * fit.loglik + 2 * k + 2 * k * (k + 1) / (n - k - 1))
    assert fit.aicc_with(2) == pytest.approx(-2 * fit.loglik + 12 + 2 * 6 * 7 / (n - 7))
    var_f = np.var(fit.coefficients[1] * x)
    assert fit.r2_marginal == pytest.approx(var_f / (var_f + 2 * fit.tau2 + fit.sigma2))


def test_known_slope_inside_its_confidence_interval():
    y, x, pairs = _simulate(30, 0.5, seed=4)
    fit = mlpe(y, x, pairs=pairs)
    lo, hi = fit.conf_int(0.95)[1]
    assert lo < 0.5 < hi
    assert fit.coefficient("x") == pytest.approx(0.5, abs=0.1)


def test_interval_coverage_near_nominal():
    inside = 0
    for seed in range(120):
        y, x, pairs = _simulate(15, 0.5, seed=100 + seed)
        lo, hi = mlpe(y, x, pairs=pairs).conf_int(0.95)[1]
        inside += lo < 0.5 < hi
    assert 0.87 <= inside / 120 <= 0.99


def test_no_sample_effect_gives_ordinary_least_squares():
    rng = np.random.default_rng(5)
    pairs = pair_index(10)
    x = rng.normal(size=45)
    y = 2 + 0.3 * x + rng.normal(scale=0.1, size=45)
    fit = mlpe(y, x, pairs=pairs)
    if fit.tau2 == 0:
        ols = np.polyfit(x, y, 1)
        np.testing.assert_allclose(fit.coefficients[::-1], ols, rtol=1e-8)
    assert fit.rho < 0.2


@pytest.mark.parametrize("kw, match", [
    (dict(y=np.zeros((3, 3))), "vector"),
    (dict(pairs=np.zeros((2, 2), int)), "pairs must have shape"),
    (dict(X=np.ones((7, 1))), "one row per pair"),
    (dict(X=np.ones(10)), "collinear"),
])
def test_bad_inputs(kw, match):
    y, x, pairs = _simulate(5, 0.1, seed=0)
    args = dict(y=y, X=x, pairs=pairs)
    args.update(kw)
    with pytest.raises(InputError, match=match):
        mlpe(args["y"], args["X"], pairs=args["pairs"])
