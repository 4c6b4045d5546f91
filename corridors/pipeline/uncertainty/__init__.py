"""How sure is the ranking? A resistance-uncertainty ensemble (the scenario's ``[uncertainty]``).

Every resistance value and dispersal distance of a species profile is an assumption; following
Beier, Majka & Newell (2009, Ecological Applications 19:2067-2077), who recommend testing how
least-cost corridors respond to uncertain resistances, the ensemble reruns the
resistance-dependent stages with perturbed resistances (:mod:`.sampling`), one member each
(:mod:`.member`), and summarises how often each link is viable and in the top 10, its rank
interval, and how often each cell lies in a corridor (:mod:`.summary`).
"""

from .ensemble import Ensemble, ensemble_from_members, run_ensemble
from .member import MemberResult, resistance_stages, run_member
from .sampling import MemberDraw, draw_members, member_table, suitability, transform_table
from .summary import RANK_UNCERTAINTY_COLUMNS, TOP, corridor_frequency, rank_uncertainty, robust_corridors

__all__ = [
    "run_ensemble", "Ensemble", "ensemble_from_members",
    "resistance_stages", "run_member", "MemberResult",
    "draw_members", "MemberDraw", "member_table", "transform_table", "suitability",
    "rank_uncertainty", "corridor_frequency", "robust_corridors", "RANK_UNCERTAINTY_COLUMNS", "TOP",
]
