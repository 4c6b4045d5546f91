"""Calibration recovers known class resistances; on noise it finds no support over distance."""

import numpy as np
import pytest

from corridors.datasets import load_profile, species_profile
from corridors.errors import InputError
from corridors.evidence import calibrate, write_profile_toml


def _check_recovery(result, truth):
    fitted = result.resistance
    order = sorted(truth, key=truth.get)
    assert sorted(fitted, key=fitted.get) == order
    for a in truth:
        for b in truth:
            if a < b:
                ratio = (fitted[a] / fitted[b]) / (truth[a] / truth[b])
                assert 0.5 <= ratio <= 2.0, (a, b, fitted)
    assert result.supported and result.delta_aicc_vs_distance > 10


@pytest.mark.parametrize("seed", [0, 1])
def test_recovers_cost_surface(landscape, seed):
    truth = {1: 1.0, 2: 5.0, 3: 25.0}
    grid, xy, gen = landscape(seed, truth=truth, kind="cost")
    result = calibrate(grid, xy, gen, classes=[1, 2, 3], distance="cost", seed=0, maxiter=8)
    _check_recovery(result, truth)
    assert result.n_evaluations == len(result.evaluations) + 1
    table = result.table.set_index("surface")
    assert table.loc["calibrated", "k"] == 6 and table.loc["distance only", "k"] == 4
    assert table.loc["calibrated", "delta_aicc"] == 0


def test_recovers_resistance_surface(landscape):
    truth = {1: 1.0, 2: 5.0, 3: 25.0}
    grid, xy, gen = landscape(0, truth=truth, kind="resistance")
    result = calibrate(grid, xy, gen, classes=[1, 2, 3], distance="resistance", seed=0, maxiter=8)
    _check_recovery(result, truth)


@pytest.mark.parametrize("kind, seed", [("cost", 0), ("cost", 1), ("cost", 2), ("resistance", 0)])
def test_pure_noise_has_no_support(landscape, kind, seed):
    grid, xy, gen = landscape(seed, size=24, nsamples=20, kind=kind, pure_noise=True)
    result = calibrate(grid, xy, gen, classes=[1, 2, 3], distance=kind, seed=0, maxiter=4,
                       single_class_log10=(1.0,), profiles=[])
    assert result.delta_aicc_vs_distance < 2
    assert not result.supported


def test_reproducible_with_seed(landscape):
    grid, xy, gen = landscape(3, size=20, nsamples=15)
    kw = dict(classes=[1, 2, 3], distance="cost", seed=5, maxiter=2, profiles=[])
    a, b = calibrate(grid, xy, gen, **kw), calibrate(grid, xy, gen, **kw)
    assert a.resistance == b.resistance
    assert a.table.drop(columns="note").equals(b.table.drop(columns="note"))


@pytest.mark.slow
def test_dask_executor_gives_the_serial_result(landscape):
    from corridors.parallel import Executor

    grid, xy, gen = landscape(4, size=16, nsamples=12)
    kw = dict(classes=[1, 2, 3], distance="cost", seed=1, maxiter=1, polish_rounds=1, profiles=[],
              single_class_log10=(1.0,))
    serial = calibrate(grid, xy, gen, **kw)
    with Executor(2) as ex:
        parallel = calibrate(grid, xy, gen, executor=ex, **kw)
    assert parallel.resistance == serial.resistance
    np.testing.assert_array_equal(parallel.table["loglik"], serial.table["loglik"])


def test_profile_toml_loads_back(landscape, tmp_path):
    truth = {1: 1.0, 2: 5.0, 3: 25.0}
    grid, xy, gen = landscape(0, truth=truth)
    result = calibrate(grid, xy, gen, classes=[1, 2, 3], distance="cost", seed=0, maxiter=3)
    base = species_profile("amur_tiger")
    path = write_profile_toml(result, tmp_path / "tiger_fit.toml", base=base)
    prof = load_profile(path)
    assert prof.name == "tiger_fit" and prof.scientific_name == base.scientific_name
    assert prof.resistance[1] == base.resistance[1]  # reference keeps the base value
    assert prof.resistance[3] / prof.resistance[2] == pytest.approx(result.ratio(3, 2))
    for code in (4, 5, 6, 7):  # not fitted: base values and sources
        assert prof.resistance[code] == base.resistance[code]
    assert prof.sources["resistance"]["cropland"].startswith("calibrated: MLPE")
    assert "dAICc" in prof.notes
    # fitted values are no longer assumptions; the base's assumptions for unfitted classes stay marked
    assert "resistance.cropland" not in prof.assumed and "resistance.wetland" not in prof.assumed
    assert {"resistance.urban", "resistance.water", "max_cost_distance"} <= set(prof.assumed)


@pytest.mark.parametrize("kw, match", [
    (dict(classes=[1, 2]), r"class code\(s\) \[3\]"),
    (dict(classes=[1, 2, 3, 9]), r"do not occur"),
    (dict(classes=[1, 2, 3], distance="euclid"), "distance"),
    (dict(classes=[1, 2, 3], reference=5), "reference"),
    (dict(classes=[1, 2, 3], distance="cost", solver="lu"), "solver: got 'lu'"),
    (dict(classes=[1, 2, 3], neighbours=6), "neighbours: got 6"),
])
def test_bad_arguments(landscape, kw, match):
    grid, xy, gen = landscape(0, size=12, nsamples=6)
    with pytest.raises(InputError, match=match):
        calibrate(grid, xy, gen, **kw)


def test_sample_outside_grid_named(landscape):
    grid, xy, gen = landscape(0, size=12, nsamples=6)
    xy = xy.copy()
    xy[2] = (0.0, 0.0)
    with pytest.raises(InputError, match="sample '3' at .* lies outside"):
        calibrate(grid, xy, gen, classes=[1, 2, 3])


def test_small_population_and_reference_by_name(landscape):
    grid, xy, gen = landscape(2, size=16, nsamples=10)
    r = calibrate(grid, xy, gen, classes=[1, 2, 3], distance="cost", popsize=3, maxiter=1, polish_rounds=0,
                  reference="wetland")
    assert r.reference == 2 and r.resistance[2] == 1.0
    assert r.settings["population"] == 6  # fewer than the candidate surfaces: a seeded subset
    assert (r.evaluations["stage"] == "evolution").sum() <= 6
