"""What varies between ensemble members: a factor per land-cover class, a factor on the dispersal
limit and a resistance transform, drawn from the scenario's ``[uncertainty]`` with a seed.

Draws
-----
Member ``i`` gets its own generator, ``numpy.random.default_rng(SeedSequence(seed, spawn_key=(i,)))``
(what ``SeedSequence(seed).spawn(n)[i]`` gives), and takes ``k + 2`` uniforms ``u`` from it, ``k``
the number of classes in the resistance table: ``u[j]`` for the ``j``-th class code in ascending
order, ``u[k]`` for the dispersal factor, ``u[k + 1]`` for the transform. So a member's draw
depends only on the seed and its index (the first 50 members of a 100-member ensemble are the
50-member ensemble), never on the order in which members run or on the executor.

A factor between ``low`` and ``high`` is ``low * (high / low) ** u`` ('loguniform': uniform in
log factor, so x0.5 and x2 are equally likely around x1) or ``low + (high - low) * u`` ('uniform');
``low == high`` gives exactly ``low``. The dispersal factor is log-uniform; the transform is
``transforms[floor(u * len(transforms))]``.

A member's resistance table is ``R_m(c) = T_m(R)(c) * f_m(c)``: the transform ``T_m`` of the
scenario's table, then the class factor. Barrier classes (NaN) stay barriers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ...errors import ConfigError
from ...scenario._uncertainty import parse_transform

__all__ = ["MemberDraw", "class_ranges", "draw_members", "transform_table", "member_table", "suitability"]


@dataclass(frozen=True)
class MemberDraw:
    """One member's perturbation.

    member : index (0-based); factors : ((code, factor), ...) for every class of the table, by
    code; dispersal : factor on ``max_cost_distance``; transform : 'table', 'linear' or 'exp:C'.
    """

    member: int
    factors: tuple[tuple[int, float], ...]
    dispersal: float
    transform: str

    @property
    def factor_of(self) -> dict[int, float]:
        return dict(self.factors)


def class_ranges(cfg, codes, profile_ranges=None) -> dict[int, tuple[float, float, str]]:
    """``{code: (low, high, distribution)}`` for every code of the table.

    Precedence: the scenario's ``[[uncertainty.classes]]`` entry, then the species profile's
    ``[resistance_uncertainty]`` (``profile_ranges``: {code: FactorRange}), then the section's
    ``factor_low``/``factor_high``; an entry without a distribution takes the section's.

    Raises
    ------
    ConfigError
        A scenario class that is not in the resistance table.
    """
    codes = sorted(int(c) for c in codes)
    out = {c: (cfg.factor_low, cfg.factor_high, cfg.distribution) for c in codes}
    for code, fr in (profile_ranges or {}).items():
        if code in out:
            out[code] = (fr.low, fr.high, fr.distribution or cfg.distribution)
    for entry in cfg.classes:
        if entry.code not in out:
            raise ConfigError(f"uncertainty.classes: class {entry.name!r} (code {entry.code}) is not in the "
                              f"resistance table (codes {codes}); remove it or give a table that has it")
        out[entry.code] = (entry.low, entry.high, entry.distribution or cfg.distribution)
    return out


def _factor(u: float, low: float, high: float, distribution: str) -> float:
    if low == high:
        return float(low)
    if distribution == "loguniform":
        return float(low * (high / low) ** u)
    return float(low + (high - low) * u)


def draw_members(cfg, codes, profile_ranges=None) -> list[MemberDraw]:
    """The ``cfg.members`` draws of an ``[uncertainty]`` section (see the module docstring)."""
    ranges = class_ranges(cfg, codes, profile_ranges)
    order = sorted(ranges)
    transforms = list(cfg.transforms)
    draws = []
    for i in range(cfg.members):
        rng = np.random.default_rng(np.random.SeedSequence(cfg.seed, spawn_key=(i,)))
        u = rng.random(len(order) + 2)
        factors = tuple((c, _factor(float(u[j]), *ranges[c])) for j, c in enumerate(order))
        disp = _factor(float(u[-2]), cfg.dispersal_low, cfg.dispersal_high, "loguniform")
        pick = transforms[min(int(u[-1] * len(transforms)), len(transforms) - 1)]
        draws.append(MemberDraw(i, factors, disp, pick))
    return draws


def suitability(table: dict) -> dict:
    """Habitat suitability 0..1 of each class: its conductance ``1/R`` scaled to 0..1.

    ``h(c) = (1/R(c) - 1/R_max) / (1/R_min - 1/R_max)`` over the finite resistances of the table:
    1 for the cheapest class, 0 for the dearest; barriers (NaN) stay NaN; 1 everywhere when every
    class has the same resistance.
    """
    finite = [float(v) for v in table.values() if np.isfinite(v)]
    if not finite:
        return {c: math.nan for c in table}
    lo, hi = min(finite), max(finite)
    out = {}
    for c, v in table.items():
        if not np.isfinite(v):
            out[c] = math.nan
        elif hi == lo:
            out[c] = 1.0
        else:
            out[c] = (1.0 / v - 1.0 / hi) / (1.0 / lo - 1.0 / hi)
    return out


def transform_table(table: dict, spec: str) -> dict:
    """The resistance table rescaled by a transform of the suitability (:func:`suitability`).

    Parameters
    ----------
    table : {code: resistance}
        Resistances > 0 (NaN: barrier).
    spec : str
        ``'table'``: unchanged. ``'linear'``: ``R' = R_max - (R_max - R_min) * h``.
        ``'exp:C'``: ``R' = R_max - (R_max - R_min) * (1 - exp(-C h)) / (1 - exp(-C))``.

    Returns
    -------
    dict
        ``{code: R'}``; ``R_min`` and ``R_max`` (the table's cheapest and dearest finite
        resistance) map to themselves, barriers stay NaN.

    Notes
    -----
    Keeley, Beier & Gagnon (2016, Landscape Ecology 31:2151-2162) turn a suitability ``h`` (0..1)
    into a resistance with ``R = 100 - 99 * (1 - exp(-c h)) / (1 - exp(-c))`` (1 for the best
    habitat, 100 for the worst; c = 0.25 is nearly linear, larger c makes moderately suitable land
    cheap and only the least suitable dear; formula and c = 0.25 ... 32 as quoted by Keeley et al.
    2017, doi:10.1016/j.landurbplan.2017.01.007). Here the range 1..100 is the table's own
    ``R_min..R_max``, so that ``max_cost_distance`` keeps its meaning (R_min = 1, R_max = 100 is
    their formula exactly); the suitability is the conductance scaled to 0..1, since the profiles
    give resistances, not suitabilities.
    """
    kind, c = parse_transform(spec)
    if kind == "table":
        return dict(table)
    finite = [float(v) for v in table.values() if np.isfinite(v)]
    lo, hi = (min(finite), max(finite)) if finite else (math.nan, math.nan)
    if not finite or hi == lo:
        return dict(table)
    h = suitability(table)
    out = {}
    for code, v in table.items():
        if not np.isfinite(v):
            out[code] = v
            continue
        shape = h[code] if kind == "linear" else (1.0 - math.exp(-c * h[code])) / (1.0 - math.exp(-c))
        out[code] = hi - (hi - lo) * shape
    return out


def member_table(table: dict, draw: MemberDraw) -> dict:
    """Member ``draw``'s table: ``transform_table(table, draw.transform)[c] * factor(c)``."""
    factors = draw.factor_of
    missing = sorted(set(table) - set(factors))
    if missing:
        raise ConfigError(f"ensemble member {draw.member}: no factor for classes {missing} of the resistance "
                          "table; draw the members from the same table")
    base = transform_table(table, draw.transform)
    return {code: base[code] * factors[code] if np.isfinite(base[code]) else base[code] for code in table}
