"""vectors: protected areas, country borders, border reserves, candidate pairs, vector export.

pyogrio/fiona are imported only inside this package.
"""

__all__: list[str] = []

# Marker checked by tests: PyPI has an unrelated package called ``vectors``.
__corridors_package__ = True
