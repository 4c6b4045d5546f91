"""The ensemble through the stages and through ``run_scenario`` on small synthetic worlds.

Done-when of issue 15: a member with zero spread reproduces the deterministic ranking exactly;
with every factor fixed to 1 the ensemble's P_top10 is exactly 0 or 1 as the deterministic ranks
say; two mirror-image links perturbed symmetrically get equal probabilities within sampling
error; the same seed gives byte-identical rank_uncertainty.csv serially and on a dask cluster
(test_ensemble_dask.py).
"""

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from corridors.parallel import Executor
from corridors.pipeline import run_scenario
from corridors.pipeline.stages import load_inputs
from corridors.pipeline.uncertainty import MemberDraw, resistance_stages, run_ensemble, run_member
from corridors.pipeline.uncertainty.member import member_table, portable_inputs
from corridors.scenario import ClassFactors


def _unit_draw(table, member=0):
    return MemberDraw(member, tuple((c, 1.0) for c in sorted(table)), 1.0, "table")


def test_zero_spread_member_reproduces_the_deterministic_ranking(ladder_world):
    _, scenario, det = ladder_world
    sc = scenario.resolved()
    inputs = load_inputs(sc)
    assert len(det.ranking) > 10
    member = run_member(_unit_draw(inputs.table), inputs=portable_inputs(inputs), scenario=sc)
    pd.testing.assert_frame_equal(member.links, det.ranking[["From_PA", "To_PA", "Rank"]].reset_index(drop=True),
                                  check_exact=True)
    # the member's chain of stages gives the run's whole ranking table, every column exactly
    inputs_m = dataclasses.replace(inputs, table=member_table(inputs.table, _unit_draw(inputs.table)))
    with Executor(threads=1) as ex:
        r = resistance_stages(inputs_m, sc, ex)
    pd.testing.assert_frame_equal(r.ranking.reset_index(drop=True), det.ranking.reset_index(drop=True),
                                  check_exact=True)
    assert member.note == ""
    assert np.array_equal(member.corridor_cells, np.flatnonzero(np.isfinite(r.corridors.mosaic.values)))


@pytest.fixture(scope="module")
def fixed_run(ladder_world, tmp_path_factory, with_uncertainty):
    """The ladder world with every factor fixed to 1, three members, all outputs and the report."""
    d, scenario, _ = ladder_world
    sc = with_uncertainty(scenario, members=3, seed=5, factor_low=1.0, factor_high=1.0)
    sc = dataclasses.replace(sc, outputs=dataclasses.replace(sc.outputs, report=True, cogs=True))
    out = tmp_path_factory.mktemp("fixed") / "out"
    return out, run_scenario(sc, out, progress=False)


def test_fixed_factors_give_certain_probabilities_matching_the_ranks(fixed_run):
    out, result = fixed_run
    ranking = pd.read_csv(out / "ranking.csv")
    unc = pd.read_csv(out / "rank_uncertainty.csv")
    assert len(unc) == len(ranking) > 10
    assert unc["From_PA"].tolist() == ranking["From_PA"].tolist()
    assert unc["To_PA"].tolist() == ranking["To_PA"].tolist()
    assert unc["Rank"].tolist() == ranking["Rank"].tolist()
    assert set(unc["P_top10"]) == {0.0, 1.0}
    assert (unc["P_top10"] == (ranking["Rank"] <= 10).astype(float)).all()
    assert (unc["P_viable"] == 1.0).all()
    for col in ("Rank_p05", "Rank_p50", "Rank_p95"):
        assert (unc[col] == ranking["Rank"]).all()
    members = pd.read_csv(out / "ensemble_members.csv")
    assert (members["Spearman"] == 1.0).all() and (members["N_Viable"] == len(ranking)).all()
    pd.testing.assert_frame_equal(result.rank_uncertainty.astype({"Rank": "int64"}), unc, check_exact=True)


def test_fixed_factors_give_a_frequency_of_the_deterministic_corridors(fixed_run):
    import rasters

    out, _ = fixed_run
    freq = rasters.read(out / "corridor_frequency.tif")
    mosaic = rasters.read(out / "corridor_mosaic.tif")
    v = np.asarray(freq.values)
    assert freq.values.dtype == np.float32 and np.nanmin(v) == 0.0 and np.nanmax(v) == 1.0
    assert np.array_equal(v == 1.0, np.isfinite(np.asarray(mosaic.values)))


def test_ensemble_outputs_are_written(fixed_run):
    import pyogrio
    import rasterio

    out, result = fixed_run
    for name in ("rank_uncertainty.csv", "ensemble_members.csv", "corridor_frequency.tif", "corridor_frequency.qml",
                 "robust_corridors.qml", "uncertainty_ranks.png", "uncertainty_frequency.png"):
        assert (out / name).is_file(), name
        assert name in result.files
    with rasterio.open(out / "corridor_frequency.tif") as src:
        assert src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
    robust = pyogrio.read_dataframe(out / "corridors.gpkg", layer="robust_corridors")
    mosaic_cells = int(np.isfinite(np.asarray(__import__("rasters").read(out / "corridor_mosaic.tif").values)).sum())
    assert robust["Cells"].sum() == mosaic_cells  # every corridor cell is in all members
    assert robust.geometry.area.sum() == pytest.approx(mosaic_cells * 1e6)
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "How sure is the ranking?" in report and "alt='rank intervals per link'" in report
    assert "src='uncertainty_ranks.png'" not in report  # inline: the page stays self-contained
    assert "corridor_frequency" in (out / "corridors.qgs").read_text(encoding="utf-8")
    log = (out / "corridors.log").read_text(encoding="utf-8")
    assert "uncertainty: 3 members" in log


def test_a_run_without_uncertainty_writes_none_of_it(ladder_world):
    d, _, det = ladder_world
    names = {p.name for p in (d / "out").iterdir()}
    assert not names & {"rank_uncertainty.csv", "ensemble_members.csv", "corridor_frequency.tif",
                        "robust_corridors.qml", "uncertainty_ranks.png"}
    assert det.rank_uncertainty is None and "uncertainty" not in det.timings
    assert "[uncertainty]" not in (d / "out" / "scenario.resolved.toml").read_text(encoding="utf-8")


class _Recording(Executor):
    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.maps = []

    def map(self, func, items, *, shared=None, desc=None, threads_ok=False):
        items = list(items)
        self.maps.append((desc, len(items)))
        return super().map(func, items, shared=shared, desc=desc, threads_ok=threads_ok)


def _mirror_stages(mirror_world, with_uncertainty, **kw):
    _, scenario = mirror_world
    sc = with_uncertainty(scenario, **kw).resolved()
    inputs = load_inputs(sc)
    with Executor(threads=1) as ex:
        r = resistance_stages(inputs, sc, ex)
    return sc, inputs, r


def test_mirror_links_perturbed_symmetrically_have_equal_probabilities(mirror_world, with_uncertainty):
    """A-B crosses wetland where its mirror image A-C crosses grassland; both classes get the same
    factor distribution, the rest is fixed: each link is first in half the members, within
    sampling error, and its rank distribution is the other's."""
    members = 40
    spread = (ClassFactors(name="wetland", low=0.5, high=2.0), ClassFactors(name="grassland", low=0.5, high=2.0))
    sc, inputs, r = _mirror_stages(mirror_world, with_uncertainty, members=members, seed=3, factor_low=1.0,
                                   factor_high=1.0, classes=spread)
    assert sorted(zip(r.ranking["From_PA"], r.ranking["To_PA"])) == [("A", "B"), ("A", "C")]
    ex = _Recording(threads=1, progress=True)
    with ex:
        ens = run_ensemble(r, ex)
    assert ex.maps == [("uncertainty members", members)]  # the executor's bar counts the members
    t = ens.table.set_index("To_PA")
    se = math.sqrt(0.25 / members)  # binomial standard error of a share near 1/2
    first = {to: float(np.mean([res.links.set_index("To_PA").loc[to, "Rank"] == 1 for res in ens.results]))
             for to in ("B", "C")}
    assert first["B"] + first["C"] == 1.0
    assert abs(first["B"] - first["C"]) <= 3 * 2 * se
    assert abs(t.loc["B", "Rank_p50"] - t.loc["C", "Rank_p50"]) <= 1
    assert t.loc["B", "P_viable"] == t.loc["C", "P_viable"] == 1.0
    # which one is first follows the factors: the link over the cheaper strip
    for d, res in zip(ens.draws, ens.results):
        f = d.factor_of
        best = res.links.set_index("Rank").loc[1, "To_PA"]
        assert best == ("B" if f[2] < f[6] else "C")


def test_mirrored_draws_give_mirrored_ranks(mirror_world, with_uncertainty):
    """Swapping the two classes' factors swaps the two links' ranks, member by member."""
    sc, inputs, _ = _mirror_stages(mirror_world, with_uncertainty, members=1)
    portable = portable_inputs(inputs)
    for f_wet, f_grass in ((0.6, 1.7), (1.9, 0.8)):
        draw = MemberDraw(0, ((1, 1.0), (2, f_wet), (6, f_grass)), 1.0, "table")
        mirror = MemberDraw(1, ((1, 1.0), (2, f_grass), (6, f_wet)), 1.0, "table")
        a = run_member(draw, inputs=portable, scenario=sc).links.set_index("To_PA")["Rank"]
        b = run_member(mirror, inputs=portable, scenario=sc).links.set_index("To_PA")["Rank"]
        assert a["B"] == b["C"] and a["C"] == b["B"]


def test_member_without_viable_links_is_kept(mirror_world, with_uncertainty):
    """A dispersal limit so low that nothing is viable: the member has no links and says why."""
    sc, inputs, r = _mirror_stages(mirror_world, with_uncertainty, members=2, dispersal_low=1e-3, dispersal_high=1e-3)
    with Executor(threads=1) as ex:
        ens = run_ensemble(r, ex)
    assert all(len(res.links) == 0 and "no viable transboundary link" in res.note for res in ens.results)
    assert (ens.table["P_viable"] == 0.0).all() and (ens.table["P_top10"] == 0.0).all()
    assert (ens.members["N_Viable"] == 0).all() and ens.members["Note"].str.contains("max_cost_distance").all()
    assert int(ens.counts.sum()) == 0 and len(ens.robust) == 0


def test_other_member_errors_are_raised(mirror_world, with_uncertainty, monkeypatch):
    """Only 'no viable link' is an outcome of a member; any other error stops the run."""
    from corridors.errors import ConfigError, InputError
    from corridors.pipeline.uncertainty import member

    sc, inputs, _ = _mirror_stages(mirror_world, with_uncertainty, members=1)
    draw = _unit_draw(inputs.table)
    for exc in (InputError("Eff_Resist is not finite for links [3]"), ConfigError("no viable link, but a config error")):
        def fail(*a, exc=exc, **kw):
            raise exc

        monkeypatch.setattr(member, "resistance_stages", fail)
        with pytest.raises(type(exc), match=str(exc)[:12]):
            member.run_member(draw, inputs=inputs, scenario=sc)
