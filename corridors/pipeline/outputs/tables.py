"""The run's tables as CSV: ``ranking.csv`` (every ranked link with each raw metric, normalised
component, weight and the score), ``domestic_links.csv``, ``adjoining.csv`` (reserves that share
a border segment), ``link_countries.csv`` (each link split by country) and ``countries.csv``
(per country)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from rasters.atomic import atomic_write_text

__all__ = ["RANKING_COLUMNS", "DOMESTIC_COLUMNS", "LINK_COLUMNS", "write_ranking", "write_table"]

#: ranking.csv columns (all within Shapefile's 10 characters; Linkage Mapper names where they match)
LINK_COLUMNS = [
    "Link_ID", "From_PA", "To_PA", "From_Name", "To_Name", "From_ISO3", "To_ISO3", "Link_Info",
    "From_Core", "To_Core", "Euc_Dist", "CW_Dist", "LCP_Length", "cwd2Euc_R", "cwd2Path_R",
    "Thru_Core", "Corr_km2", "Eff_Resist", "CF_Central", "CF_Area", "dPCnum", "dPC", "dECA",
    "Pop_Expo", "Land_Press", "Unprot_Shr",
]
RANKING_COLUMNS = [
    "Rank", *LINK_COLUMNS,
    "N_Import", "W_Import", "N_Central", "W_Central", "N_Press", "W_Press", "N_Unprot", "W_Unprot",
    "N_Feas", "W_Feas", "Score",
]
#: domestic_links.csv: the same measures, no rank (domestic links are stepping stones)
DOMESTIC_COLUMNS = LINK_COLUMNS


def write_table(path: Path, table: pd.DataFrame) -> Path:
    """A table as CSV (full float precision, atomic)."""
    return atomic_write_text(path, table.to_csv(index=False, float_format=None))


def write_ranking(path: Path, ranking: pd.DataFrame) -> Path:
    """``ranking.csv`` with every score component (full float precision, so it recomputes exactly)."""
    df = ranking[RANKING_COLUMNS]
    return atomic_write_text(path, df.to_csv(index=False, float_format=None))
