"""Field evidence: camera-trap detections and landscape genetics against the modelled corridors.

* :func:`read_detections` reads Camtrap DP 1.0 packages or a plain CSV; :func:`transborder_movements`
  finds individuals seen in two or more countries and tests their crossings against the corridors
  (:func:`validate_corridors`, with a random-placement null model).
* :func:`mantel`, :func:`partial_mantel` and :func:`mlpe` relate genetic to landscape distances
  (:func:`cost_distances`, :func:`resistance_distances`); :func:`rousset_a` and
  :func:`shared_allele_distance` compute genetic distances from genotypes.
* :func:`calibrate` fits a resistance per land-cover class to genetic distances.

Names are imported lazily, so ``import corridors.evidence`` stays cheap.
"""

from __future__ import annotations

import importlib

_LAZY = {
    "mantel": ".matrix_tests", "partial_mantel": ".matrix_tests", "upper_triangle": ".matrix_tests",
    "mlpe": ".mixed_model", "MLPEResult": ".mixed_model", "pair_index": ".mixed_model",
    "Genotypes": ".genetics", "read_genotypes": ".genetics", "read_genetic_matrix": ".genetics",
    "rousset_a": ".genetics", "shared_allele_distance": ".genetics",
    "genetic_distance_from_genotypes": ".genetics",
    "Samples": ".samples", "read_samples": ".samples", "sample_cells": ".samples",
    "cost_distances": ".landscape", "resistance_distances": ".landscape", "landscape_distances": ".landscape",
    "calibrate": ".calibration", "CalibrationResult": ".calibration",
    "write_profile_toml": ".profile_io",
    "read_detections": ".detections", "match_species": ".detections", "Detections": ".detections",
    "transborder_movements": ".movements", "MovementResult": ".movements",
    "validate_corridors": ".movements",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'corridors.evidence' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
