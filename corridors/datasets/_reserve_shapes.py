"""Approximate, area-true reserve shapes grown from a representative point (no boundary data needed).

Where no boundary polygon can be shipped, each reserve is grown on a fine grid (the land-cover
grid's cells cut ``factor`` x ``factor``) from the cell of its representative point:

1. **Competitive growth.** Every reserve grows at once, by cost distance from its seed cells, a
   cell joining the first reserve that reaches it, until the reserve holds its quota of cells
   (reported area / cell area). Steps cost the step length times the mean of the two cells'
   habitat multipliers (:data:`HABITAT_COSTS`), so a reserve spreads over land like its habitat
   (forest for a forest reserve, water and marsh for a lake reserve) before other land. A reserve
   never enters another country (the country polygons rasterised on the fine grid, cell centre
   inside) or a cell another reserve holds.
2. **Shared borders.** Reserves listed as adjoining are first joined by a *spine* of cells: for
   two reserves of two countries, the least-cost path from each seed to the point of their
   common land border closest to both seeds (smallest sum of distances); for two reserves of one
   country, the least-cost path between their seeds, split in proportion to the square roots of
   their quotas; for a reserve adjoining a fixed shape (the DMZ strip), the path to the nearest
   cell next to it. The spine cells are the reserve's first cells, so the two outlines meet.
3. **Nesting.** A reserve inside another one of the same country (``within``) grows at the same
   time as its parent; the parent grows only its own part (its area less its children's) and
   its shape is its own part plus its children's, joined to each child by a spine, so the child
   lies inside the parent and the parent is in one piece.
4. **Area.** The grown cells are turned into polygons and clipped to the country polygon; quotas
   are rescaled by target / obtained area and the growth rerun, ``iterations`` times.

The shapes are approximations: they have the right country, the right area, the right
neighbours and a plausible extent, not the real boundary. Use real polygons (the WDPA) wherever
they can be had.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from skimage.graph import MCP_Geometric

from ..errors import InputError

__all__ = [
    "HABITAT_COSTS",
    "TERRAIN_SCALE_M",
    "smooth_roughness",
    "FineGrid",
    "ReserveSpec",
    "GrowthResult",
    "grow_reserves",
    "cells_to_polygon",
    "border_meeting_point",
]

#: Cost multiplier of each land-cover class (1 forest, 2 wetland, 3 cropland, 4 urban, 5 water,
#: 6 grassland, 7 bare) for growing a reserve of each habitat type. Assumptions (not measured):
#: a reserve's boundary encloses its own habitat first, farmland and towns last, and only lake
#: and wetland reserves spread over open water; every class stays passable so that a reserve
#: cut by a border river or a strip of farmland can still reach its quota.
HABITAT_COSTS: Mapping[str, tuple[float, ...]] = {
    #            forest wetl. crop urban water grass bare
    "forest":   (1.0, 2.0, 4.0, 20.0, 10.0, 2.0, 3.0),
    "mountain": (1.0, 2.0, 4.0, 20.0, 10.0, 1.0, 1.0),
    "steppe":   (2.0, 1.5, 4.0, 20.0, 10.0, 1.0, 1.5),
    "desert":   (3.0, 2.0, 4.0, 20.0, 10.0, 1.0, 1.0),
    "wetland":  (2.0, 1.0, 3.0, 20.0, 1.5, 1.5, 3.0),
    "lake":     (2.0, 1.0, 3.0, 20.0, 1.0, 1.5, 3.0),
    "coast":    (1.5, 1.0, 3.0, 20.0, 2.0, 1.5, 2.0),
}

#: Terrain term of the step cost: a cell at elevation z costs ``1 + d / scale`` times more, with
#: ``d = |z - z_seed|`` for lake, wetland and coast reserves (they stay on the basin floor),
#: ``d = max(0, z_seed - z)`` for mountain reserves (they stay on the massif) and ``|z - z_seed|``
#: for the others. Scales in metres; assumptions chosen so that 100-300 m of relief matters.
TERRAIN_SCALE_M: Mapping[str, float] = {
    "lake": 100.0, "wetland": 100.0, "coast": 100.0, "steppe": 300.0, "desert": 300.0,
    "forest": 400.0, "mountain": 300.0,
}

_SQRT2 = math.sqrt(2.0)


def smooth_roughness(shape: tuple[int, int], *, sigma_cells: float, strength: float, seed: int) -> np.ndarray:
    """A smooth random cost multiplier ``exp(strength * N)``, N a unit-variance Gaussian field.

    White noise from ``numpy.random.default_rng(seed)`` smoothed with a Gaussian kernel of
    ``sigma_cells`` and rescaled to unit variance; float32. Deterministic for a given seed.
    """
    from scipy.ndimage import gaussian_filter

    rng = np.random.default_rng(seed)
    field_ = gaussian_filter(rng.standard_normal(shape).astype(np.float32), sigma_cells, mode="wrap")
    field_ /= max(float(field_.std()), 1e-12)
    return np.exp(strength * field_).astype(np.float32)


@dataclass(frozen=True)
class FineGrid:
    """The fine grid the shapes grow on.

    Attributes
    ----------
    country : numpy.ndarray
        int16 (rows, cols): 1-based index into ``iso3`` of the country whose polygon holds the
        cell centre, 0 for none (sea, outside the study area).
    landcover : numpy.ndarray
        uint8 (rows, cols), land-cover class of the cell (1..7).
    x0, y0 : float
        Map coordinates of the upper-left corner (metres).
    cell : float
        Cell size, metres.
    iso3 : tuple of str
    elevation : numpy.ndarray, optional
        float32 (rows, cols), metres; steers growth along the terrain (:data:`TERRAIN_SCALE_M`).
    roughness : numpy.ndarray, optional
        float32 (rows, cols) cost multiplier > 0, a smooth seeded random field that breaks the
        octagons a uniform cost distance would draw (:func:`smooth_roughness`).
    """

    country: np.ndarray
    landcover: np.ndarray
    x0: float
    y0: float
    cell: float
    iso3: tuple[str, ...]
    elevation: np.ndarray | None = None
    roughness: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return self.country.shape  # type: ignore[return-value]

    def code(self, iso3: str) -> int:
        try:
            return self.iso3.index(iso3) + 1
        except ValueError:
            raise InputError(f"country {iso3!r} is not on the fine grid (it has {list(self.iso3)})") from None

    def rowcol(self, x: float, y: float) -> tuple[int, int]:
        return int(math.floor((self.y0 - y) / self.cell)), int(math.floor((x - self.x0) / self.cell))

    def centre(self, row, col):
        return self.x0 + (np.asarray(col) + 0.5) * self.cell, self.y0 - (np.asarray(row) + 0.5) * self.cell

    def inside(self, row: int, col: int) -> bool:
        return 0 <= row < self.shape[0] and 0 <= col < self.shape[1]


@dataclass(frozen=True)
class ReserveSpec:
    """What :func:`grow_reserves` needs of one reserve.

    Attributes
    ----------
    pa_id : str
    iso3 : str
        One country.
    x, y : float
        Representative point, map coordinates (metres).
    target_km2 : float
        Area to reach (land part of the reported area).
    habitat : str
        Key of :data:`HABITAT_COSTS`.
    within : str
        pa_id of the reserve this one lies inside, or "".
    adjoins : tuple of str
        pa_ids it shares a border segment with (cross-border or domestic).
    """

    pa_id: str
    iso3: str
    x: float
    y: float
    target_km2: float
    habitat: str
    within: str = ""
    adjoins: tuple[str, ...] = ()


@dataclass
class GrowthResult:
    """Output of :func:`grow_reserves`.

    Attributes
    ----------
    labels : numpy.ndarray
        int32 (rows, cols): label of the reserve whose own part holds the cell (0 = none); labels
        1..len(fixed) are the fixed shapes, then the grown reserves in spec order.
    pa_ids : tuple of str
        Grown reserves, in spec order.
    cells : dict
        pa_id -> flat cell indices of the whole shape (a nested reserve's cells are a subset of
        its parent's).
    seed_shift_m : dict
        pa_id -> distance from the representative point to the seed cell's centre (metres);
        large where the point fell outside its country on the fine grid and was moved.
    spines : dict
        pa_id -> flat cell indices of its spines.
    notes : dict
        pa_id -> list of messages (quota not reached, spine cut short, ...).
    """

    labels: np.ndarray
    pa_ids: tuple[str, ...]
    cells: dict = field(default_factory=dict)
    seed_shift_m: dict = field(default_factory=dict)
    spines: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)


def _neighbours(fine: FineGrid):
    """(drow, dcol, length in metres) of the 8 neighbours."""
    c = fine.cell
    return [(-1, 0, c), (1, 0, c), (0, -1, c), (0, 1, c),
            (-1, -1, c * _SQRT2), (-1, 1, c * _SQRT2), (1, -1, c * _SQRT2), (1, 1, c * _SQRT2)]


def _multipliers(habitat: str) -> np.ndarray:
    try:
        m = HABITAT_COSTS[habitat]
    except KeyError:
        raise InputError(f"unknown habitat {habitat!r}; choose one of {sorted(HABITAT_COSTS)}") from None
    out = np.full(256, 20.0)
    out[1:8] = m
    return out


def _competitive_growth(fine: FineGrid, labels: np.ndarray, grow: Sequence[int], quota: np.ndarray,
                        country_of: np.ndarray, mult: np.ndarray,
                        transit: Mapping[int, frozenset] | None = None,
                        terrain: Mapping[int, tuple[bool, float]] | None = None) -> np.ndarray:
    """Grow labels ``grow`` from the cells they already hold; ``labels`` is modified and returned.

    ``quota[k]`` cells at most for label k; a cell may join label k only when its country is
    ``country_of[k]`` and it is unlabelled. Label k may pass through (not claim) cells of the
    labels in ``transit[k]`` (its nested reserves), so that their spines never shut it in.
    Costs: step length x mean over the two cells of ``mult[k, class]`` x terrain term
    (``terrain[k] = (up_only, scale)``, see :data:`TERRAIN_SCALE_M`; elevation relative to the
    median of k's starting cells) x ``fine.roughness``.
    Ties are broken by push order (deterministic).
    """
    nrows, ncols = fine.shape
    flat_labels = labels.reshape(-1)
    country = fine.country.reshape(-1)
    lc = fine.landcover.reshape(-1)
    counts = np.bincount(flat_labels, minlength=len(quota)).astype(np.int64)
    nbrs = _neighbours(fine)
    elev = None if fine.elevation is None else fine.elevation.reshape(-1)
    rough = None if fine.roughness is None else fine.roughness.reshape(-1)
    z0 = {}
    for k in grow:
        cells = np.flatnonzero(flat_labels == k)
        z0[k] = float(np.median(elev[cells])) if elev is not None and len(cells) else 0.0

    def cell_cost(k, c, mk, up_only, scale):
        m = mk[lc[c]]
        if elev is not None:
            dz = z0[k] - float(elev[c]) if up_only else abs(float(elev[c]) - z0[k])
            m *= 1.0 + max(dz, 0.0) / scale
        if rough is not None:
            m *= float(rough[c])
        return m

    heap: list = []
    seq = 0
    push = heapq.heappush
    for k in grow:
        for c in np.flatnonzero(flat_labels == k).tolist():
            heap.append((0.0, seq, k, c, True))
            seq += 1
    heapq.heapify(heap)
    open_labels = {k for k in grow if counts[k] < quota[k]}
    transit = transit or {}
    terrain = terrain or {}
    terrain = {k: terrain.get(k, (False, 1e30)) for k in grow}
    passed: set = set()
    while heap and open_labels:
        cost, _, k, c, is_source = heapq.heappop(heap)
        if counts[k] >= quota[k]:
            continue
        if not is_source:
            here = flat_labels[c]
            if here in transit.get(k, ()):
                if (k, c) in passed:
                    continue
                passed.add((k, c))  # through a nested reserve's cell without claiming it
            elif here != 0:
                continue
            else:
                flat_labels[c] = k
                counts[k] += 1
                if counts[k] >= quota[k]:
                    open_labels.discard(k)
                    continue
        r, col = divmod(c, ncols)
        mk = mult[k]
        up_only, scale = terrain[k]
        m0 = cell_cost(k, c, mk, up_only, scale)
        for dr, dc, length in nbrs:
            rr, cc = r + dr, col + dc
            if rr < 0 or rr >= nrows or cc < 0 or cc >= ncols:
                continue
            n = rr * ncols + cc
            if country[n] != country_of[k]:
                continue
            if flat_labels[n] != 0 and flat_labels[n] not in transit.get(k, ()):
                continue
            push(heap, (cost + length * 0.5 * (m0 + cell_cost(k, n, mk, up_only, scale)), seq, k, n, False))
            seq += 1
    return labels


def border_meeting_point(line, xa: float, ya: float, xb: float, yb: float, step: float) -> tuple[float, float]:
    """The point of ``line`` (a border) with the smallest sum of distances to a and b.

    The line is sampled every ``step`` metres (its vertices and points in between).
    """
    pts = shapely.get_coordinates(shapely.segmentize(line, step))
    if len(pts) == 0:
        raise InputError("border_meeting_point: empty border line")
    d = np.hypot(pts[:, 0] - xa, pts[:, 1] - ya) + np.hypot(pts[:, 0] - xb, pts[:, 1] - yb)
    i = int(np.argmin(d))
    return float(pts[i, 0]), float(pts[i, 1])


def _nearest_cell(fine: FineGrid, x: float, y: float, ok, radius_cells: int) -> int | None:
    """Flat index of the cell nearest (x, y) among cells where ``ok(rows, cols)`` holds."""
    r0, c0 = fine.rowcol(x, y)
    r_lo, r_hi = max(r0 - radius_cells, 0), min(r0 + radius_cells + 1, fine.shape[0])
    c_lo, c_hi = max(c0 - radius_cells, 0), min(c0 + radius_cells + 1, fine.shape[1])
    if r_lo >= r_hi or c_lo >= c_hi:
        return None
    rows, cols = np.mgrid[r_lo:r_hi, c_lo:c_hi]
    good = ok(rows, cols)
    if not good.any():
        return None
    cx, cy = fine.centre(rows[good], cols[good])
    d = np.hypot(cx - x, cy - y)
    # ties: smallest flat index (deterministic)
    flat = rows[good] * fine.shape[1] + cols[good]
    order = np.lexsort((flat, d))
    return int(flat[order[0]])


def _path(fine: FineGrid, start: int, end: int, passable: np.ndarray, mult: np.ndarray,
          margin_cells: int) -> list[int] | None:
    """Least-cost path (8-neighbour, skimage MCP_Geometric) from ``start`` to ``end`` in a window."""
    ncols = fine.shape[1]
    (r1, c1), (r2, c2) = divmod(start, ncols), divmod(end, ncols)
    r_lo = max(min(r1, r2) - margin_cells, 0)
    r_hi = min(max(r1, r2) + margin_cells + 1, fine.shape[0])
    c_lo = max(min(c1, c2) - margin_cells, 0)
    c_hi = min(max(c1, c2) + margin_cells + 1, ncols)
    win = passable[r_lo:r_hi, c_lo:c_hi]
    costs = np.where(win, mult[fine.landcover[r_lo:r_hi, c_lo:c_hi]], np.inf)
    costs[r1 - r_lo, c1 - c_lo] = mult[fine.landcover[r1, c1]]
    costs[r2 - r_lo, c2 - c_lo] = mult[fine.landcover[r2, c2]]
    mcp = MCP_Geometric(costs, fully_connected=True)
    cum, _ = mcp.find_costs([(r1 - r_lo, c1 - c_lo)], [(r2 - r_lo, c2 - c_lo)])
    if not np.isfinite(cum[r2 - r_lo, c2 - c_lo]):
        return None
    return [(r + r_lo) * ncols + (c + c_lo) for r, c in mcp.traceback((r2 - r_lo, c2 - c_lo))]


def grow_reserves(
    fine: FineGrid,
    specs: Sequence[ReserveSpec],
    *,
    borders: Mapping[frozenset, object],
    fixed: Mapping[str, np.ndarray] | None = None,
    quota_scale: Mapping[str, float] | None = None,
    spine_margin_m: float = 30_000.0,
    snap_radius_m: float = 20_000.0,
) -> GrowthResult:
    """Grow every reserve of ``specs`` on ``fine`` (see the module notes for the method).

    A reserve with nested reserves (``within``) grows only its *own part*, of quota
    ``target - sum(targets of its direct children)``, at the same time as its children; its shape
    is its own part plus its descendants', joined to each child by a spine, so a child always lies
    inside its parent.

    Parameters
    ----------
    fine : FineGrid
    specs : sequence of ReserveSpec
        Unique ``pa_id``; a ``within`` parent must be in ``specs`` and in the same country.
    borders : mapping
        frozenset({iso3_a, iso3_b}) -> shapely line of their land border, same CRS.
    fixed : mapping, optional
        pa_id -> flat cell indices of shapes that are not grown (the DMZ strip); other reserves
        can adjoin them.
    quota_scale : mapping, optional
        pa_id -> factor applied to the target (area correction between iterations).
    spine_margin_m : float
        Margin of the window a spine's least-cost path is searched in, metres.
    snap_radius_m : float
        A representative point whose cell is not in its country is moved to the nearest free cell
        of its country within this radius (metres); farther is an error.

    Returns
    -------
    GrowthResult
        ``cells[pa_id]`` holds the reserve's whole shape (own part and descendants).
    """
    fixed = dict(fixed or {})
    ids = [s.pa_id for s in specs]
    by_id, children = _check_specs(specs, fixed)
    labels_all = list(fixed) + ids           # label k = index + 1
    lab = {pid: k + 1 for k, pid in enumerate(labels_all)}
    quota, country_of, mult = _label_tables(fine, specs, by_id, children, lab, dict(quota_scale or {}))
    notes: dict[str, list[str]] = {pid: [] for pid in ids}
    result = GrowthResult(labels=np.zeros(fine.shape, dtype=np.int32), pa_ids=tuple(ids))

    labels = np.zeros(fine.shape, dtype=np.int32)
    flat = labels.reshape(-1)
    for pid, cells in fixed.items():
        flat[np.asarray(cells, dtype=np.int64)] = lab[pid]
    seed = _plant_seeds(fine, specs, lab, flat, snap_radius_m, result.seed_shift_m)

    spines: dict[str, list[int]] = {pid: [] for pid in ids}
    family = {pid: {pid, *_descendants(pid, specs)} for pid in ids}
    margin = int(math.ceil(spine_margin_m / fine.cell))
    _grow_spines(fine, specs, by_id, children, family, fixed, borders, lab, seed, flat, spines, notes, margin,
                 mult, quota)

    for s in specs:  # a quota is never below what seed and spines hold already
        k = lab[s.pa_id]
        quota[k] = max(quota[k], int((flat == k).sum()))
    transit = {lab[pid]: frozenset(lab[m] for m in family[pid] - {pid}) for pid in ids if len(family[pid]) > 1}
    terrain = {lab[s.pa_id]: (s.habitat == "mountain", TERRAIN_SCALE_M[s.habitat]) for s in specs}
    _competitive_growth(fine, labels, [lab[s.pa_id] for s in specs], quota, country_of, mult, transit, terrain)
    result.labels = labels
    own_cells = {s.pa_id: np.flatnonzero(flat == lab[s.pa_id]) for s in specs}
    for s in specs:
        parts = [own_cells[m] for m in sorted(family[s.pa_id])]
        result.cells[s.pa_id] = np.unique(np.concatenate(parts))
        got, want = len(own_cells[s.pa_id]), quota[lab[s.pa_id]]
        if got < want:
            notes[s.pa_id].append(f"reached {got} of {want} cells (no more free land of {s.iso3} within reach)")
        result.spines[s.pa_id] = np.asarray(spines[s.pa_id], dtype=np.int64)
    result.notes = notes
    return result


def _check_specs(specs, fixed) -> tuple[dict, dict[str, list[str]]]:
    """Check ids and nesting; (pa_id -> spec, pa_id -> its direct children)."""
    ids = [s.pa_id for s in specs]
    if len(set(ids)) != len(ids):
        raise InputError("grow_reserves: duplicated pa_id in specs")
    by_id = {s.pa_id: s for s in specs}
    clash = sorted(set(ids) & set(fixed))
    if clash:
        raise InputError(f"grow_reserves: {clash} are both fixed and grown")
    for s in specs:
        if s.within and (s.within not in by_id or by_id[s.within].iso3 != s.iso3):
            raise InputError(f"reserve {s.pa_id}: within = {s.within!r} must be a grown reserve of {s.iso3}")
    children: dict[str, list[str]] = {pid: [] for pid in ids}
    for s in specs:
        if s.within:
            children[s.within].append(s.pa_id)
    return by_id, children


def _label_tables(fine, specs, by_id, children, lab, quota_scale):
    """Per label: quota (cells of its own part), country code and habitat cost multipliers (label x class)."""
    cell_km2 = fine.cell**2 / 1e6
    nlab = len(lab) + 1
    quota = np.zeros(nlab, dtype=np.int64)
    country_of = np.zeros(nlab, dtype=np.int64)
    mult = np.full((nlab, 256), 20.0)
    for s in specs:
        k = lab[s.pa_id]
        own = s.target_km2 - sum(by_id[c].target_km2 for c in children[s.pa_id])
        if own <= 0:
            raise InputError(
                f"reserve {s.pa_id}: its nested reserves {children[s.pa_id]} are larger than it "
                f"({s.target_km2:g} km2); fix the areas or the 'within' column"
            )
        quota[k] = max(1, int(round(own * quota_scale.get(s.pa_id, 1.0) / cell_km2)))
        country_of[k] = fine.code(s.iso3)
        mult[k] = _multipliers(s.habitat)
    return quota, country_of, mult


def _plant_seeds(fine, specs, lab, flat, snap_radius_m, seed_shift_m) -> dict[str, int]:
    """Label each reserve's seed cell in ``flat``; pa_id -> seed cell (shift from the point in ``seed_shift_m``).

    The seed is the cell of the representative point, or the nearest free cell of the reserve's
    country within ``snap_radius_m``.
    """
    nrows, ncols = fine.shape
    seed = {}
    snap = int(math.ceil(snap_radius_m / fine.cell))
    for s in specs:
        code = fine.code(s.iso3)
        r, c = fine.rowcol(s.x, s.y)
        if fine.inside(r, c) and fine.country[r, c] == code and flat[r * ncols + c] == 0:
            cell_idx = r * ncols + c
        else:
            grid = flat.reshape(nrows, ncols)
            cell_idx = _nearest_cell(fine, s.x, s.y, lambda rr, cc: (fine.country[rr, cc] == code)
                                     & (grid[rr, cc] == 0), snap)
            if cell_idx is None:
                raise InputError(
                    f"reserve {s.pa_id}: no free cell of {s.iso3} within {snap_radius_m:g} m of its point "
                    f"({s.x:.0f}, {s.y:.0f}); check lon/lat and iso3"
                )
        cx, cy = fine.centre(*divmod(cell_idx, ncols))
        seed_shift_m[s.pa_id] = float(math.hypot(float(cx) - s.x, float(cy) - s.y))
        seed[s.pa_id] = cell_idx
        flat[cell_idx] = lab[s.pa_id]
    return seed


def _grow_spines(fine, specs, by_id, children, family, fixed, borders, lab, seed, flat, spines, notes, margin,
                 mult, quota) -> None:
    """Claim the spines: parent-child first (they keep a parent in one piece), then the listed adjacencies."""
    links = [(s.within, s.pa_id) for s in specs if s.within]
    for s in sorted(specs, key=lambda t: t.pa_id):
        links += [(s.pa_id, o) for o in sorted(s.adjoins)]
    done = set()
    for a_id, b_id in links:
        pair = frozenset((a_id, b_id))
        if pair in done:
            continue
        done.add(pair)
        s = by_id[a_id]
        if b_id in fixed:
            _spine_to_fixed(fine, s, lab, seed, fixed[b_id], flat, spines, notes, margin, mult)
            continue
        if b_id not in by_id:
            raise InputError(f"reserve {a_id}: adjoins {b_id!r}, which is not among the reserves")
        o = by_id[b_id]
        if b_id in family[a_id] - {a_id, *children[a_id]} or a_id in family[b_id] - {b_id, *children[b_id]}:
            continue  # an ancestor and a deeper descendant: joined through the generation between
        if o.iso3 == s.iso3:
            _spine_domestic(fine, s, o, lab, seed, flat, spines, notes, margin, mult, quota)
        else:
            line = borders.get(frozenset((s.iso3, o.iso3)))
            if line is None:
                notes[a_id].append(f"adjoins {b_id} but {s.iso3} and {o.iso3} share no land border")
                continue
            px, py = border_meeting_point(line, s.x, s.y, o.x, o.y, fine.cell)
            for a in (s, o):
                _spine_to_point(fine, a, px, py, lab, seed, flat, spines, notes, margin, mult)


def _descendants(pa_id: str, specs) -> list[str]:
    out, frontier = [], [pa_id]
    while frontier:
        kids = [s.pa_id for s in specs if s.within in frontier]
        out += kids
        frontier = kids
    return out


def _claim(path, s, lab, flat, spines) -> None:
    k = lab[s.pa_id]
    for c in path:
        if flat[c] in (0, k):
            flat[c] = k
            spines[s.pa_id].append(c)


def _passable_for(fine, s, lab, flat):
    code = fine.code(s.iso3)
    k = lab[s.pa_id]
    grid = flat.reshape(fine.shape)
    return (fine.country == code) & ((grid == 0) | (grid == k))


def _spine_to_point(fine, s, px, py, lab, seed, flat, spines, notes, margin, mult) -> None:
    passable = _passable_for(fine, s, lab, flat)
    end = _nearest_cell(fine, px, py, lambda rr, cc: passable[rr, cc], 10)
    if end is None:
        notes[s.pa_id].append(f"no free cell of {s.iso3} within 10 cells of the border point ({px:.0f}, {py:.0f})")
        return
    path = _path(fine, seed[s.pa_id], end, passable, mult[lab[s.pa_id]], margin)
    if path is None:
        notes[s.pa_id].append(f"no path within {s.iso3} from its seed to the border point ({px:.0f}, {py:.0f})")
        return
    _claim(path, s, lab, flat, spines)


def _spine_domestic(fine, s, o, lab, seed, flat, spines, notes, margin, mult, quota) -> None:
    passable = _passable_for(fine, s, lab, flat) | _passable_for(fine, o, lab, flat)
    path = _path(fine, seed[s.pa_id], seed[o.pa_id], passable, mult[lab[s.pa_id]], margin)
    if path is None:
        notes[s.pa_id].append(f"no path within {s.iso3} to {o.pa_id}")
        return
    qa, qb = math.sqrt(quota[lab[s.pa_id]]), math.sqrt(quota[lab[o.pa_id]])
    cut = int(round(len(path) * qa / (qa + qb)))
    _claim(path[:cut], s, lab, flat, spines)
    _claim(path[cut:], o, lab, flat, spines)


def _spine_to_fixed(fine, s, lab, seed, cells, flat, spines, notes, margin, mult) -> None:
    cells = np.asarray(cells, dtype=np.int64)
    ncols = fine.shape[1]
    rows, cols = np.divmod(cells, ncols)
    cx, cy = fine.centre(rows, cols)
    d = np.hypot(cx - s.x, cy - s.y)
    j = int(np.lexsort((cells, d))[0])
    _spine_to_point(fine, s, float(cx[j]), float(cy[j]), lab, seed, flat, spines, notes, margin, mult)


def cells_to_polygon(fine: FineGrid, cells: np.ndarray):
    """Union of the cells' squares (runs of a row merged first), a (Multi)Polygon in map units."""
    cells = np.unique(np.asarray(cells, dtype=np.int64))
    if len(cells) == 0:
        return shapely.MultiPolygon()
    ncols = fine.shape[1]
    rows, cols = np.divmod(cells, ncols)
    # runs of consecutive columns in a row
    brk = np.flatnonzero((np.diff(rows) != 0) | (np.diff(cols) != 1)) + 1
    starts = np.concatenate([[0], brk])
    ends = np.concatenate([brk, [len(cells)]]) - 1
    x0 = fine.x0 + cols[starts] * fine.cell
    x1 = fine.x0 + (cols[ends] + 1) * fine.cell
    ytop = fine.y0 - rows[starts] * fine.cell
    boxes = shapely.box(x0, ytop - fine.cell, x1, ytop)
    return shapely.union_all(boxes) if len(boxes) > 1 else boxes[0]
