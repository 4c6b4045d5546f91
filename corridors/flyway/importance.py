"""Per-site importance on a flyway network: dPC, the ranking table, country shares, range sensitivity."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError
from ..graphs import DPC_COLUMNS, pc
from .network import FlywayNetwork

__all__ = ["site_dpc", "site_ranking", "RANKING_COLUMNS", "country_shares", "COUNTRY_COLUMNS",
           "range_sensitivity", "SENSITIVITY_COLUMNS", "RANGE_CHANGES", "UNPROTECTED"]

#: Columns of :func:`site_ranking` (the main job writes them as ``flyway_ranking.csv``).
RANKING_COLUMNS = ("site_id", "name", "iso3", "role", "connections_lost", "critical", "dPC",
                   "protected")

#: Columns of :func:`country_shares`.
COUNTRY_COLUMNS = ("n_sites", "n_critical", "critical_share", "n_unprotected_critical",
                   "unprotected_critical_share", "n_unverified_critical")

#: Columns of :func:`range_sensitivity`.
SENSITIVITY_COLUMNS = ("change", "max_leg_km", "n_legs", "connected_pairs", "n_critical",
                       "critical_sites", "n_unprotected_critical", "unprotected_critical_sites",
                       "max_connections_lost", "max_lost_site")

#: Relative changes of the flight range in :func:`range_sensitivity` (-25 % .. +25 %).
RANGE_CHANGES = (-0.25, -0.125, 0.0, 0.125, 0.25)

#: ``protected`` value of a site with no legal protection (``unknown`` is counted apart).
UNPROTECTED = "no"


def site_dpc(network: FlywayNetwork, *, median_leg_km: float) -> pd.DataFrame:
    """dPC of each site on the network's legs (Saura & Rubio 2010), via :func:`corridors.graphs.pc`.

    Parameters
    ----------
    network : FlywayNetwork
    median_leg_km : float
        Distance (km) at which the probability of flying a leg is 0.5: the species' typical leg.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``site_id`` (the network's order), columns ``dPC``, ``dPCintra``, ``dPCflux``,
        ``dPCconnector`` in % of PC.

    Notes
    -----
    Nodes are the sites with their ``area_km2`` as attribute ``a_i``; links are the legs
    (geodesic km, ``inf`` where the sites are farther apart than ``max_leg_km``), with direct
    probability ``p_ij = exp(-ln 2 * d_ij / median_leg_km)`` and ``p*_ij`` the best product over
    chains of legs. ``PC = sum_i sum_j a_i a_j p*_ij / A_L**2`` and
    ``dPC_k = 100 (PC - PC_-k) / PC`` (Saura & Pascual-Hortal 2007; Saura & Rubio 2010).
    Every leg is kept (``min_probability = 0``): legs are already cut at the flight range.
    ``A_L`` is the total site area; dPC does not depend on it. Unlike
    :meth:`FlywayNetwork.removal_impact`, dPC counts every pair of sites whatever their roles.
    """
    areas = network.sites["area_km2"].to_numpy(float)
    if not (areas > 0).any():
        raise InputError("dPC needs at least one site with area_km2 > 0; every site has area 0")
    result = pc(areas, network.leg_distances(), median_dispersal=median_leg_km,
                landscape_area=float(areas.sum()), min_probability=0.0)
    out = result.dpc.copy()
    out.index = network.sites.index.copy()
    return out[list(DPC_COLUMNS)]


def site_ranking(network: FlywayNetwork, *, median_leg_km: float) -> pd.DataFrame:
    """Per-site ranking table: removal impact, dPC and protection, most important first.

    The network's ``sites`` must also carry ``name``, ``iso3`` and ``protected``.

    Returns
    -------
    pandas.DataFrame
        :data:`RANKING_COLUMNS`, then ``dPCconnector``, ``pairs_before``, ``pairs_lost`` and
        ``breeding_cut_off``; sorted by ``critical`` (True first), ``connections_lost``, ``dPC``
        (both descending), then ``site_id``; a fresh 0..n-1 index.
    """
    need = [c for c in ("name", "iso3", "protected") if c not in network.sites.columns]
    if need:
        raise InputError(f"the network's sites lack column(s) {need} needed for the ranking; "
                         "build it from a site table with name, iso3 and protected")
    impact = network.removal_impact()
    dpc = site_dpc(network, median_leg_km=median_leg_km)
    table = network.sites[["name", "iso3", "protected"]].join(impact).join(dpc)
    table = table.rename_axis("site_id").reset_index()
    table = table.sort_values(["critical", "connections_lost", "dPC", "site_id"],
                              ascending=[False, False, False, True], kind="stable")
    extra = ["dPCconnector", "pairs_before", "pairs_lost", "breeding_cut_off"]
    return table[list(RANKING_COLUMNS) + extra].reset_index(drop=True)


def country_shares(ranking: pd.DataFrame) -> pd.DataFrame:
    """Per country: how many of the critical sites, and of the unprotected ones, it holds.

    Parameters
    ----------
    ranking : pandas.DataFrame
        A :func:`site_ranking` table (``iso3``, ``critical``, ``protected``).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``iso3`` (sorted), :data:`COUNTRY_COLUMNS`::

            critical_share             = n_critical(country) / n_critical(all)
            unprotected_critical_share = n_unprotected_critical(country)
                                         / n_unprotected_critical(all)

        where an unprotected site has ``protected == "no"``; ``n_unverified_critical`` counts the
        critical sites of ``protected == "unknown"`` apart. A transboundary site (``"KOR;PRK"``)
        counts in full for each of its countries, so shares can sum to more than 1. A share is NaN
        when there is no critical (or no unprotected critical) site at all.
    """
    rows = []
    for r in ranking.itertuples(index=False):
        for code in str(r.iso3).split(";"):
            if code.strip():
                rows.append((code.strip(), bool(r.critical), r.protected))
    long = pd.DataFrame(rows, columns=["iso3", "critical", "protected"])
    crit = long["critical"]
    out = pd.DataFrame({
        "n_sites": long.groupby("iso3").size(),
        "n_critical": crit.groupby(long["iso3"]).sum(),
        "n_unprotected_critical": (crit & (long["protected"] == UNPROTECTED)).groupby(long["iso3"]).sum(),
        "n_unverified_critical": (crit & (long["protected"] == "unknown")).groupby(long["iso3"]).sum(),
    }).astype("int64").sort_index()
    n_crit = int(ranking["critical"].sum())
    n_unprot = int((ranking["critical"] & (ranking["protected"] == UNPROTECTED)).sum())
    out["critical_share"] = out["n_critical"] / n_crit if n_crit else np.nan
    out["unprotected_critical_share"] = out["n_unprotected_critical"] / n_unprot if n_unprot else np.nan
    return out[list(COUNTRY_COLUMNS)]


def range_sensitivity(sites: pd.DataFrame, max_leg_km: float, *,
                      changes=RANGE_CHANGES) -> pd.DataFrame:
    """Critical sites and connected pairs as the flight range changes (default -25 % .. +25 %).

    Parameters
    ----------
    sites : pandas.DataFrame
        As :class:`FlywayNetwork` takes it; a ``protected`` column, if present, adds the
        unprotected critical sites (``protected == "no"``).
    max_leg_km : float
        The nominal maximum leg, km.
    changes : sequence of float
        Relative changes of ``max_leg_km`` (``-0.25`` = 25 % shorter); each > -1.

    Returns
    -------
    pandas.DataFrame
        One row per change, :data:`SENSITIVITY_COLUMNS`: ``max_leg_km = nominal * (1 + change)``,
        legs, connected breeding -> wintering pairs, the number and ids (``;``-separated, sorted)
        of critical sites, and of unprotected critical sites (0 and "" without ``protected``),
        and the largest ``connections_lost`` with its site (the first id on ties; "" when no
        pair is lost), which shows how close the network is to losing a site short of it being
        critical.
    """
    nominal = FlywayNetwork(sites, max_leg_km=max_leg_km)  # validates both once
    rows = []
    for change in changes:
        c = float(change)
        if not np.isfinite(c) or c <= -1:
            raise InputError(f"range change {change!r} must be a finite fraction > -1 (e.g. -0.25)")
        km = nominal.max_leg_km * (1.0 + c)
        net = FlywayNetwork(sites, max_leg_km=km)
        imp = net.removal_impact()
        crit = imp.index[imp["critical"]]
        if "protected" in net.sites.columns:
            unprot = [s for s in crit if net.sites.at[s, "protected"] == UNPROTECTED]
        else:
            unprot = []
        worst = float(imp["connections_lost"].max())
        worst_site = str(imp["connections_lost"].idxmax()) if worst > 0 else ""
        rows.append((c, km, net.n_legs, net.n_connected_pairs, len(crit),
                     ";".join(map(str, crit)), len(unprot), ";".join(map(str, unprot)),
                     worst, worst_site))
    return pd.DataFrame(rows, columns=list(SENSITIVITY_COLUMNS))
