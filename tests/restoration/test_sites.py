"""Restoration sites: greedy non-overlapping windows per link and their description."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from affine import Affine

from corridors.restoration import (
    SITE_COLUMNS,
    barrier_network,
    describe_windows,
    disk_offsets,
    restoration_sites,
    select_windows,
)
from corridors.restoration.barrier import link_scores
from rasters import Grid
from rasters.errors import CRSError, InputError

LAEA = "+proj=laea +lat_0=45 +lon_0=115 +ellps=WGS84 +units=m +no_defs"
CS = 1000.0


def wall_scores(radii=(1,)):
    import corridors

    res = np.ones((9, 15))
    res[:, 7] = 100.0
    a = np.zeros(res.shape, bool)
    a[:, 0] = True
    b = np.zeros(res.shape, bool)
    b[:, -1] = True
    ca = corridors.cost_distance(res, a)
    cb = corridors.cost_distance(res, b)
    lcd = ca[b].min()
    return link_scores(ca, cb, lcd, tuple(float(r) for r in radii), cellsize=1.0, restored_resistance=1.0)


def cells_of(w, cellsize=1.0, shape=None):
    out = set()
    for dr, dc in disk_offsets(w.radius, cellsize):
        r, c = w.row + dr, w.col + dc
        if shape is None or (0 <= r < shape[0] and 0 <= c < shape[1]):
            out.add((r, c))
    return out


def test_wall_sites_by_hand():
    """Radius 1 (a plus of 5 cells) on the wall column: every centre on it gains 99. Greedy by
    cell index takes row 0; rows 1 and 2 share cell (1, 7) or (0, 7) with it; takes 3, then 6;
    rows 7 and 8 share (7, 7). Of the windows beside the wall (gain 49.5) only (8, 6) shares no
    cell with those three ((8, 8) would share (8, 7) with it)."""
    ws = select_windows(wall_scores(), top=5, cellsize=1.0)
    assert [(w.row, w.col) for w in ws] == [(0, 7), (3, 7), (6, 7), (8, 6)]
    assert [w.gain for w in ws] == pytest.approx([99.0, 99.0, 99.0, 49.5])
    assert ws[0].per_unit == pytest.approx(49.5)


def brute_greedy(scores, top, rank_by):
    cands = []
    nr, nc = scores.improvement.shape[1:]
    for k, r in enumerate(scores.radii):
        for i in range(nr):
            for j in range(nc):
                g = scores.improvement[k, i, j]
                if g > 0:
                    key = g if rank_by == "gain" else g / (2 * r)
                    cands.append((-key, r, i * nc + j, k, i, j))
    cands.sort()
    taken, out = set(), []
    for _, r, _, k, i, j in cands:
        cells = {(i + dr, j + dc) for dr, dc in disk_offsets(r)}
        if cells & taken:
            continue
        taken |= cells
        out.append((i + scores.rows.start, j + scores.cols.start, r))
        if len(out) == top:
            break
    return out


@pytest.mark.parametrize("rank_by", ["gain", "per_unit"])
@pytest.mark.parametrize("seed", [0, 1])
def test_greedy_matches_brute_force(seed, rank_by):
    import corridors

    rng = np.random.default_rng(seed)
    res = rng.uniform(1, 40, (14, 16))
    a = np.zeros(res.shape, bool)
    a[0:3, 0:2] = True
    b = np.zeros(res.shape, bool)
    b[10:13, 14:16] = True
    ca = corridors.cost_distance(res, a)
    cb = corridors.cost_distance(res, b)
    sc = link_scores(ca, cb, ca[b].min(), (1.0, 2.0, 3.0), cellsize=1.0, restored_resistance=1.0)
    ws = select_windows(sc, top=6, cellsize=1.0, rank_by=rank_by)
    assert [(w.row, w.col, w.radius) for w in ws] == brute_greedy(sc, 6, rank_by)
    assert len(ws) >= 2
    for i, w in enumerate(ws):  # pairwise disjoint cell sets
        for v in ws[i + 1:]:
            assert not (cells_of(w) & cells_of(v))


def small_world():
    """A 10 x 20 km grid of 1 km cells: west half 'AAA', east half 'BBB'; a wall of resistance 50
    on column 10 (the border); cores at both ends; land cover forest west, cropland east."""
    res = np.ones((10, 20))
    res[:, 10] = 50.0
    t = Affine(CS, 0, 0, 0, -CS, 10 * CS)
    grid = Grid(res, t, LAEA, None, "res")
    cores = np.zeros(res.shape, np.int32)
    cores[:, 0] = 1
    cores[:, -1] = 2
    lc = np.where(np.arange(20)[None, :] < 10, 1, 3).repeat(10, axis=0).astype(np.uint8)
    lc[0, 10] = 255  # one nodata cell
    lcg = Grid(lc, t, LAEA, 255, "lc")
    countries = gpd.GeoDataFrame({"iso3": ["AAA", "BBB"]},
                                 geometry=[shapely.box(0, 0, 10.8 * CS, 10 * CS),
                                           shapely.box(10.8 * CS, 0, 20 * CS, 10 * CS)], crs=LAEA)
    gaps = gpd.GeoDataFrame({"Gap_ID": [7]}, geometry=[shapely.box(8 * CS, 0, 13 * CS, 3 * CS)], crs=LAEA)
    links = pd.DataFrame({"Link_ID": [4], "From_Core": [1], "To_Core": [2], "From_PA": ["P1"], "To_PA": ["P2"]})
    return grid, Grid(cores, t, LAEA, 0, "cores"), lcg, countries, gaps, links


def test_restoration_sites_end_to_end():
    grid, cores, lcg, countries, gaps, links = small_world()
    out = restoration_sites(grid, cores, links, radii=[CS, 2 * CS], top=2, landcover=lcg,
                            classes={1: "forest", 3: "cropland"}, countries=countries, gaps=gaps)
    s = out.sites
    assert list(s.columns) == SITE_COLUMNS + ["geometry"]
    assert len(s) == 2 and s["Link_ID"].tolist() == [4, 4] and s["Site_Rank"].tolist() == [1, 2]
    assert s["Site_ID"].tolist() == [1, 2]
    first = s.iloc[0]
    # LCD: 19 steps, 17 at resistance 1 and 2 at (1 + 50) / 2, x 1000 m
    assert first["CW_Dist"] == pytest.approx(68_000.0)
    # gain on the wall: 49 per cell step restored = 49,000 cost units, at both radii; the smaller
    # radius wins the tie, and the first is the lowest cell index: row 0, column 10
    assert first["Gain"] == pytest.approx(49_000.0) and first["Radius_m"] == CS
    assert (first["Row"], first["Col"]) == (0, 10)
    assert first["CW_After"] == pytest.approx(19_000.0)
    assert first["Gain_Pct"] == pytest.approx(100 * 49 / 68)
    assert first["Gain_Unit"] == pytest.approx(49_000.0 / 2000.0)
    assert first["ISO3"] == "AAA"  # centre x = 10.5 km, the border at 10.8 km
    # window of (0, 10), r = 1 cell: cells (0, 9) forest, (0, 10) nodata, (0, 11) cropland, (1, 10)
    # cropland: valid cells forest 1, cropland 2
    assert first["LC_Main"] == "cropland" and first["LC_Share"] == pytest.approx(2 / 3)
    assert first["LC_Mix"] == "cropland 67%; forest 33%"
    assert first["Countries"] == "AAA;BBB"
    assert not first["In_Gap"] and first["Gap_Share"] == 0.0 and first["Gap_IDs"] == ""
    second = s.iloc[1]
    assert second["Col"] == 10 and second["Row"] == 3
    # window of (3, 10): cells (2..4, 10), (3, 9), (3, 11); gap box covers rows 7..9 -> none; the
    # circle (y from 5.5 to 7.5 km) does not reach the gap's top at y = 3 km either
    assert not second["In_Gap"]
    assert isinstance(out.improvement, Grid) and out.improvement.transform == grid.transform
    net = barrier_network(grid, cores, [(1, 2)], radii=[CS, 2 * CS])
    np.testing.assert_allclose(out.improvement.values, net.improvement.max(axis=0), rtol=1e-6)
    np.testing.assert_allclose(out.per_unit.values, net.best(per_unit=True)[0], rtol=1e-6)
    assert out.lcd == {4: pytest.approx(68_000.0)}


def test_describe_gap_membership_and_countries():
    grid, cores, lcg, countries, gaps, links = small_world()
    from corridors.restoration import Window

    w = Window(row=8, col=10, radius=CS, gain=1.0, per_unit=0.5, lcd=10.0)
    s = describe_windows({4: [w]}, grid, links=links, countries=countries, gaps=gaps)
    rec = s.iloc[0]
    # cells (7..9, 10), (8, 9), (8, 11): all centres inside the gap box x 8-13 km, y 0-3 km
    assert rec["In_Gap"] and rec["Gap_Share"] == 1.0 and rec["Gap_IDs"] == "7"
    assert (rec["From_PA"], rec["To_PA"]) == ("P1", "P2")
    mask = np.zeros(grid.shape, bool)
    mask[9, 10] = True
    s2 = describe_windows({4: [w]}, grid, gaps=mask)
    assert s2.iloc[0]["In_Gap"] and s2.iloc[0]["Gap_Share"] == pytest.approx(1 / 5)
    w2 = Window(row=5, col=15, radius=CS, gain=1.0, per_unit=0.5, lcd=10.0)
    s3 = describe_windows({1: [w2]}, grid, countries=countries)
    assert s3.iloc[0]["ISO3"] == "BBB" and s3.iloc[0]["Countries"] == "BBB"


def test_gap_share_from_polygons_equals_the_rasterized_mask():
    """Gap_Share from gap polygons (tested at each window's cell centres) equals the share read
    from ``rasters.rasterize``'s mask of the same polygons, for a slanted polygon that cuts
    through windows, and for gaps_of_link with the link's own gaps only."""
    import rasters

    grid, cores, lcg, countries, gaps, links = small_world()
    from corridors.restoration import Window

    x0, y0 = grid.transform.c, grid.transform.f
    slanted = shapely.Polygon([(x0 + 6300, y0 - 2100), (x0 + 12700, y0 - 7300), (x0 + 11100, y0 - 11900),
                               (x0 + 5200, y0 - 9600)])
    poly = gpd.GeoDataFrame({"Gap_ID": ["9"], "Links": ["4"]}, geometry=[slanted], crs=grid.crs)
    mask = rasters.rasterize([slanted], grid, values=1, fill=0).values.astype(bool)
    windows = {4: [Window(row=r, col=c, radius=rad * CS, gain=1.0, per_unit=0.5, lcd=10.0)
                   for r, c, rad in ((4, 7, 2), (8, 10, 1), (9, 6, 3), (2, 12, 2))]}
    by_mask = describe_windows(windows, grid, gaps=mask)["Gap_Share"].to_numpy()
    assert ((by_mask > 0) & (by_mask < 1)).sum() >= 2  # windows the slanted edge cuts through
    for of_link in (False, True):
        by_poly = describe_windows(windows, grid, gaps=poly, gaps_of_link=of_link)["Gap_Share"].to_numpy()
        np.testing.assert_array_equal(by_poly, by_mask)


def test_gaps_of_link_counts_only_the_links_own_gaps():
    """With ``gaps_of_link``, a site of link 4 is in a gap only if the gap's ``Links`` lists 4."""
    grid, cores, lcg, countries, gaps, links = small_world()
    from corridors.restoration import Window

    w = Window(row=8, col=10, radius=CS, gain=1.0, per_unit=0.5, lcd=10.0)
    for listed, inside in (("4", True), ("3;4", True), ("12", False), ("14;40", False)):
        s = describe_windows({4: [w]}, grid, gaps=gaps.assign(Links=listed), gaps_of_link=True)
        rec = s.iloc[0]
        assert rec["In_Gap"] == inside and rec["Gap_Share"] == (1.0 if inside else 0.0)
        assert rec["Gap_IDs"] == ("7" if inside else "")
    with pytest.raises(InputError, match="'Links' column"):
        describe_windows({4: [w]}, grid, gaps=gaps, gaps_of_link=True)
    with pytest.raises(InputError, match="not a gap mask"):
        describe_windows({4: [w]}, grid, gaps=np.zeros(grid.shape, bool), gaps_of_link=True)
    with pytest.raises(InputError, match="Link_IDs"):
        describe_windows({4: [w]}, grid, gaps=gaps.assign(Links="a;b"), gaps_of_link=True)


def test_site_errors():
    grid, cores, lcg, countries, gaps, links = small_world()
    with pytest.raises(CRSError, match="reproject"):
        describe_windows({}, grid, countries=countries.to_crs("EPSG:4326"))
    with pytest.raises(InputError, match="Link_ID"):
        restoration_sites(grid, cores, links.drop(columns="Link_ID"), radii=[CS])
    with pytest.raises(InputError, match="Grid"):
        restoration_sites(grid.values, cores, links, radii=[CS])
    with pytest.raises(InputError, match="top"):
        restoration_sites(grid, cores, links, radii=[CS], top=0)
    with pytest.raises(InputError, match="rank_by"):
        restoration_sites(grid, cores, links, radii=[CS], rank_by="best")


def test_rank_by_per_unit_prefers_small_windows():
    sc = wall_scores(radii=(1, 2, 3))
    ws = select_windows(sc, top=1, cellsize=1.0, rank_by="per_unit")
    assert ws[0].radius == 1.0
    ana_gain = select_windows(sc, top=1, cellsize=1.0, rank_by="gain")
    assert ana_gain[0].radius == 1.0  # equal gain 99 at every radius: the tie goes to r = 1


def test_best_over_radii_equals_the_whole_stack_formulas():
    """The radius-at-a-time reduction gives what the (radii x grid) array formulas give, ties
    (equal scores per unit diameter) going to the smaller radius as np.argmax's first index."""
    from corridors.restoration.sites import _best_over_radii

    rng = np.random.default_rng(5)
    radii = (1000.0, 2000.0, 3000.0, 4000.0)
    combined = rng.random((len(radii), 30, 40)) * (rng.random((len(radii), 30, 40)) < 0.6)
    combined[1, 0, 0], combined[0, 0, 0] = 2.0, 1.0  # per unit diameter tie: 1/2000 == 2/4000
    combined[:, 1, 1] = 0.0  # no gain anywhere: NaN radius
    per_unit = combined / (2.0 * np.asarray(radii))[:, None, None]
    k = np.argmax(per_unit, axis=0)
    want_pu = np.take_along_axis(per_unit, k[None], axis=0)[0]
    want_r = np.asarray(radii)[k].astype(np.float32)
    want_r[want_pu <= 0] = np.nan
    imp, pu, r = _best_over_radii(combined, radii)
    np.testing.assert_array_equal(imp, combined.max(axis=0).astype(np.float32))
    np.testing.assert_array_equal(pu, want_pu.astype(np.float32))
    np.testing.assert_array_equal(r, want_r)
    assert r[0, 0] == 1000.0 and np.isnan(r[1, 1])


@pytest.mark.parametrize("combine", ["max", "sum"])
def test_tiled_scores_equal_the_whole_array(combine, monkeypatch):
    """Crops combined in small tiles (crossing tile edges) give the whole (radii x grid) array's
    results, zero / NaN where no crop reaches."""
    from corridors.restoration.sites import _best_over_radii, _TiledScores

    monkeypatch.setattr(_TiledScores, "TILE", 7)
    rng = np.random.default_rng(11)
    radii, shape = (1000.0, 2000.0, 3000.0), (30, 44)
    whole = np.zeros((len(radii),) + shape)
    tiled = _TiledScores(len(radii), shape)
    for _ in range(6):
        r0, c0 = int(rng.integers(0, 25)), int(rng.integers(0, 38))
        rows, cols = slice(r0, min(r0 + int(rng.integers(1, 15)), 30)), slice(c0, min(c0 + int(rng.integers(1, 15)), 44))
        scores = rng.random((len(radii), rows.stop - rows.start, cols.stop - cols.start))
        sub = whole[:, rows, cols]
        if combine == "max":
            np.maximum(sub, scores, out=sub)
        else:
            sub += scores
        tiled.add(rows, cols, scores, combine)
    tiled.add(slice(3, 3), slice(0, 5), np.zeros((len(radii), 0, 5)), combine)  # an empty crop
    got_all = (tiled.improvement_over_radii(), tiled.per_unit_over_radii(radii), tiled.best_radius_over_radii(radii))
    for got, want in zip(got_all, _best_over_radii(whole, radii)):
        np.testing.assert_array_equal(got, want)
    assert len(tiled.tiles) < (30 // 7 + 1) * (44 // 7 + 1) or whole.all()


@pytest.mark.parametrize("max_cost", [60.0, np.inf])
def test_windowed_searches_score_as_the_whole_grid(max_cost):
    """Each link's scores from the cores' window searches, placed on the grid, equal those from
    whole-grid searches (barrier.core_distances), with a bound that crops the windows and without."""
    from corridors.leastcost._inputs import surface
    from corridors.restoration.barrier import _pairs_and_labels, core_distances, link_scores
    from corridors.restoration.sites import _windowed_core_distances

    rng = np.random.default_rng(2)
    res = rng.uniform(1.0, 2.0, (100, 200))
    res[rng.random(res.shape) < 0.05] = np.nan
    cores = np.zeros(res.shape, np.int16)
    cores[10:13, 10:14], cores[10:13, 40:44], cores[80:83, 150:154], cores[80:83, 180:184] = 1, 2, 3, 4
    res[cores > 0] = 1.0
    surf = surface(res, cellsize=1.0)
    dense, plist = _pairs_and_labels(cores, [(1, 2), (3, 4), (2, 3)], surf)
    radii = (1.0, 2.0, 3.0)
    full = list(core_distances(surf, dense, plist, max_cost=max_cost))
    win = list(_windowed_core_distances(surf, dense, plist, max_cost, 2 * 3))
    scored = 0
    for (pair, lcd, cwd_a, cwd_b), (pair2, lcd2, (u0, v0), wa, wb) in zip(full, win, strict=True):
        assert pair == pair2
        if not lcd < max_cost:  # not a viable link: the run never scores it
            assert not lcd2 < max_cost
            continue
        assert lcd == lcd2
        assert (wa.size < res.size) == np.isfinite(max_cost)  # the bound crops the windows
        a = link_scores(cwd_a, cwd_b, lcd, radii, cellsize=1.0, restored_resistance=1.0)
        b = link_scores(wa, wb, lcd, radii, cellsize=1.0, restored_resistance=1.0)
        whole_a = np.zeros((3,) + res.shape)
        whole_a[:, a.rows, a.cols] = a.improvement
        whole_b = np.zeros((3,) + res.shape)
        whole_b[:, b.rows.start + u0:b.rows.stop + u0, b.cols.start + v0:b.cols.stop + v0] = b.improvement
        assert whole_a.max() > 0
        np.testing.assert_array_equal(whole_a, whole_b)
        scored += 1
    assert scored == (2 if np.isfinite(max_cost) else 3)
