"""Member draws and resistance transforms of the ensemble, against hand-computed values."""

import math

import numpy as np
import pytest
from scipy import stats

from corridors.datasets._uncertainty_toml import FactorRange
from corridors.errors import ConfigError
from corridors.pipeline.uncertainty import MemberDraw, draw_members, member_table, suitability, transform_table
from corridors.pipeline.uncertainty.sampling import class_ranges
from corridors.scenario import ClassFactors, Uncertainty

TABLE = {1: 1.0, 2: 100.0, 3: 2.0}


def test_member_draw_depends_on_seed_and_index_only():
    cfg = Uncertainty(members=5, seed=7, transforms=("table", "linear", "exp:4"), dispersal_low=0.5,
                      dispersal_high=2.0)
    five = draw_members(cfg, TABLE)
    assert draw_members(cfg, TABLE) == five  # reproducible
    ten = draw_members(Uncertainty(members=10, seed=7, transforms=cfg.transforms, dispersal_low=0.5,
                                   dispersal_high=2.0), TABLE)
    assert ten[:5] == five  # the first members do not depend on how many there are
    assert draw_members(Uncertainty(members=5, seed=8), TABLE) != draw_members(Uncertainty(members=5, seed=7), TABLE)
    # member i's generator is SeedSequence(seed).spawn(n)[i]; its uniforms give the factors
    child = np.random.SeedSequence(7).spawn(5)[3]
    u = np.random.default_rng(child).random(len(TABLE) + 2)
    d = five[3]
    assert d.member == 3
    assert d.factors == tuple((c, 0.5 * 4.0 ** u[j]) for j, c in enumerate(sorted(TABLE)))
    assert d.dispersal == pytest.approx(0.5 * 4.0 ** u[-2], rel=1e-15)
    assert d.transform == ("table", "linear", "exp:4")[int(u[-1] * 3)]


def test_loguniform_factors_are_uniform_in_log_and_uniform_ones_in_value():
    cfg = Uncertainty(members=3000, seed=1, classes=(ClassFactors(name="2", low=1.0, high=3.0, distribution="uniform"),))
    draws = draw_members(cfg, TABLE)
    logf = np.array([math.log(d.factor_of[1]) for d in draws])
    # log factor ~ U(log 0.5, log 2): Kolmogorov-Smirnov against that uniform
    assert stats.kstest(logf, stats.uniform(math.log(0.5), math.log(4.0)).cdf).pvalue > 0.01
    assert logf.min() >= math.log(0.5) and logf.max() <= math.log(2.0)
    assert abs(np.mean(logf)) < 0.05  # x0.5 and x2 equally likely around x1
    f2 = np.array([d.factor_of[2] for d in draws])
    assert stats.kstest(f2, stats.uniform(1.0, 2.0).cdf).pvalue > 0.01


def test_fixed_factors_are_exact():
    draws = draw_members(Uncertainty(members=4, factor_low=1.0, factor_high=1.0), TABLE)
    assert all(f == 1.0 for d in draws for _, f in d.factors)
    assert all(d.dispersal == 1.0 and d.transform == "table" for d in draws)
    assert all(member_table(TABLE, d) == TABLE for d in draws)


def test_class_ranges_precedence_scenario_over_profile_over_default():
    cfg = Uncertainty(factor_low=0.5, factor_high=2.0,
                      classes=(ClassFactors(name="forest", low=0.9, high=1.1, distribution="uniform"),))
    profile = {1: FactorRange(0.1, 10.0), 3: FactorRange(0.2, 5.0)}
    assert class_ranges(cfg, TABLE, profile) == {
        1: (0.9, 1.1, "uniform"),  # scenario entry wins over the profile's
        2: (0.5, 2.0, "loguniform"),  # section default
        3: (0.2, 5.0, "loguniform"),  # profile's range, section's distribution
    }
    with pytest.raises(ConfigError, match=r"uncertainty.classes: class 'urban' \(code 4\) is not in the resistance table"):
        class_ranges(Uncertainty(classes=(ClassFactors(name="urban", low=1, high=2),)), TABLE)


def test_suitability_is_conductance_scaled_to_one():
    h = suitability({1: 1.0, 2: 100.0, 3: 2.0, 4: float("nan")})
    assert h[1] == 1.0 and h[2] == 0.0
    assert h[3] == pytest.approx((0.5 - 0.01) / (1 - 0.01), rel=1e-15)  # 0.4949...
    assert math.isnan(h[4])
    assert suitability({1: 3.0, 2: 3.0}) == {1: 1.0, 2: 1.0}


def test_linear_transform_by_hand():
    out = transform_table({1: 1.0, 2: 100.0, 3: 2.0}, "linear")
    # R' = 100 - 99 h with h(2) = 0.49/0.99: 100 - 49 = 51
    assert out == pytest.approx({1: 1.0, 2: 100.0, 3: 51.0}, rel=1e-14)


@pytest.mark.parametrize("c", [0.25, 1.0, 4.0, 32.0])
def test_exponential_transform_is_keeley_formula_on_one_to_hundred(c):
    table = {1: 1.0, 2: 100.0, 3: 2.0, 4: 10.0, 5: float("nan")}
    out = transform_table(table, f"exp:{c}")
    for code in (1, 2, 3, 4):
        h = (1 / table[code] - 0.01) / 0.99
        keeley = 100 - 99 * ((1 - math.exp(-c * h)) / (1 - math.exp(-c)))  # Keeley et al. 2016
        assert out[code] == pytest.approx(keeley, rel=1e-13)
    assert math.isnan(out[5])  # a barrier stays a barrier
    assert out[1] == pytest.approx(1.0) and out[2] == pytest.approx(100.0)


def test_exponential_transform_properties():
    table = {1: 1.0, 2: 200.0, 3: 5.0, 4: 20.0}
    near_linear = transform_table(table, "exp:0.0001")
    assert near_linear == pytest.approx(transform_table(table, "linear"), rel=1e-4)
    # larger c: moderately suitable land gets cheaper (the curve bends towards R_min)
    r = [transform_table(table, f"exp:{c}")[3] for c in (0.25, 1, 4, 16)]
    assert all(a > b for a, b in zip(r, r[1:]))
    assert transform_table(table, "table") == table
    assert transform_table({1: 4.0, 2: 4.0}, "exp:8") == {1: 4.0, 2: 4.0}  # nothing to rescale


def test_member_table_transform_then_factor():
    d = MemberDraw(0, ((1, 2.0), (2, 0.5), (3, 1.0)), 1.0, "linear")
    assert member_table(TABLE, d) == pytest.approx({1: 2.0, 2: 50.0, 3: 51.0}, rel=1e-14)
    with pytest.raises(ConfigError, match="no factor for classes"):
        member_table({**TABLE, 9: 3.0}, d)
