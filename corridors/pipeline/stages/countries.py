"""Stage: the per-country table - what each country holds of the ranked corridors, its protection
gaps, and the links it shares with each neighbour."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["COUNTRY_COLUMNS", "PROTCONN_COLUMNS", "summarise_countries"]

COUNTRY_COLUMNS = ["ISO3", "Name", "Links", "Gap_km2", "N_Gaps", "Corr_km2", "Unprot_km2", "Unprot_Shr",
                   "CW_Dist", "Crossings", "Shared"]
#: ProtConn and its fractions per country (:func:`corridors.graphs.protconn_by_country`)
PROTCONN_COLUMNS = ["Prot", "ProtConn", "ProtUnconn", "RelConn", "ProtConn_Prot", "ProtConn_Trans",
                    "ProtConn_Unprot", "ProtConn_Within", "ProtConn_Contig", "ProtConn_Bound"]


def summarise_countries(ranking, border_account, gaps, inputs, links, scenario) -> pd.DataFrame:
    """One row per country whose reserves are nodes of the network (``inputs.countries`` order).

    ProtConn columns (:data:`PROTCONN_COLUMNS`, Saura et al. 2017, 2018; % of the country's
    area, the fractions in % of ProtConn): the country's legal reserves, with the species' median
    dispersal distance (metres, edge-to-edge Euclidean) and the reserves abroad within
    ``ranking.protconn_transboundary`` as stepping stones.

    ``Links``: ranked links with an end in the country; ``Gap_km2``/``N_Gaps``: its protection
    gaps (:func:`~.gaps.unprotected_stretches`, each gap belongs to one country, so the column adds
    up to the total gap area); ``Corr_km2``/``Unprot_km2``/``Unprot_Shr``: ranked corridors' area in
    the country, its unprotected part and share (corridors that overlap count once per link);
    ``CW_Dist``: the country's part of the links' cost-weighted distances (cost units);
    ``Crossings``: border crossings of ranked links on its borders; ``Shared``: ranked links with
    each neighbour, ``ISO3:count`` joined by ';'.
    """
    from ...graphs import protconn_by_country
    from .nodes import legal_reserves

    split = border_account.by_country
    cross = border_account.crossings
    gp = gaps.gaps
    codes = set(links.nodes["iso3"].astype(str))
    mine = inputs.countries[inputs.countries["iso3"].astype(str).isin(codes)]
    pc = protconn_by_country(legal_reserves(inputs.pas), mine, median_dispersal=float(inputs.profile.median_dispersal_m),
                             transboundary=scenario.ranking.protconn_transboundary or None)
    rows = []
    for iso, name in zip(mine["iso3"].astype(str), mine["name"].astype(str)):
        ends = (ranking["From_ISO3"] == iso) | (ranking["To_ISO3"] == iso)
        mine = split[split["ISO3"] == iso]
        other = np.where(ranking.loc[ends, "From_ISO3"] == iso, ranking.loc[ends, "To_ISO3"],
                         ranking.loc[ends, "From_ISO3"])
        shared = pd.Series(other, dtype=str).value_counts().sort_index()
        corr = float(mine["Corr_km2"].sum())
        unprot = float(mine["Unprot_km2"].sum())
        rows.append({"ISO3": iso, "Name": name, "Links": int(ends.sum()),
                     "Gap_km2": float(gp.loc[gp["ISO3"] == iso, "Area_km2"].sum()),
                     "N_Gaps": int((gp["ISO3"] == iso).sum()), "Corr_km2": corr, "Unprot_km2": unprot,
                     "Unprot_Shr": unprot / corr if corr > 0 else 0.0, "CW_Dist": float(mine["CW_Dist"].sum()),
                     "Crossings": int(((cross["Side_A"] == iso) | (cross["Side_B"] == iso)).sum()),
                     "Shared": ";".join(f"{k}:{v}" for k, v in shared.items()),
                     **{c: float(pc.at[iso, c]) for c in PROTCONN_COLUMNS}})
    return pd.DataFrame(rows, columns=COUNTRY_COLUMNS + PROTCONN_COLUMNS)
