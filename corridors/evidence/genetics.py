"""Genetic distances between individuals: a user matrix, or computed from a genotype table.

Genotype table (CSV): a ``sample`` column and one column per locus, each genotype written
``allele/allele`` (diploid; allele labels are any text, e.g. microsatellite sizes ``152/156``);
an empty cell, ``NA``, ``0/0``, ``-`` or ``?`` is a missing genotype::

    sample,Pti01,Pti02,Pti03
    T001,152/156,201/201,88/92
    T002,152/152,,88/88

Distance matrix (CSV): a header row with a corner cell and the sample ids, then one row per
sample (its id first); symmetric with a zero diagonal::

    sample,T001,T002,T003
    T001,0,0.21,0.35
    ...
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError
from ._tables import join_problems, read_rows

__all__ = ["Genotypes", "read_genotypes", "read_genetic_matrix", "rousset_a", "shared_allele_distance",
           "GENETIC_STATISTICS", "genetic_distance_from_genotypes"]

_MISSING = {"", "na", "nan", "0/0", "-", "?", "-/-", "?/?"}


@dataclass(frozen=True)
class Genotypes:
    """Diploid genotypes of n individuals at L loci.

    Attributes
    ----------
    ids : tuple of str
        Sample ids, in file order.
    loci : tuple of str
    alleles : ndarray of int32, shape (n, L, 2)
        Allele codes per locus (0, 1, ... in order of first appearance); -1 = missing genotype.
    source : str
    """

    ids: tuple
    loci: tuple
    alleles: np.ndarray
    source: str = ""


def read_genotypes(path) -> Genotypes:
    """Read a genotype table (format in the module docstring).

    Raises
    ------
    InputError
        No ``sample`` column, a duplicated sample id, a genotype that is not ``a/b``; every bad
        cell is listed with its line and column.
    """
    path = Path(path)
    header, records = read_rows(path)
    low = [h.lower() for h in header]
    if "sample" not in low:
        raise InputError(f"{path}: line 1: no 'sample' column; the header is {header}")
    sc = low.index("sample")
    loci = [h for k, h in enumerate(header) if k != sc]
    if not loci:
        raise InputError(f"{path}: line 1: no locus columns beside 'sample'")
    codes: list[dict[str, int]] = [{} for _ in loci]
    ids, rows, problems, seen = [], [], [], {}
    for line, rec in records:
        if len(rec) != len(header):
            problems.append(f"{path}: line {line}: {len(rec)} cells, the header has {len(header)}")
            continue
        sid = rec[sc].strip()
        if not sid:
            problems.append(f"{path}: line {line}: empty sample id")
            continue
        if sid in seen:
            problems.append(f"{path}: line {line}: sample {sid!r} repeats line {seen[sid]}")
            continue
        seen[sid] = line
        row = np.full((len(loci), 2), -1, np.int32)
        for li, cell in enumerate(c for k, c in enumerate(rec) if k != sc):
            text = cell.strip()
            if text.lower() in _MISSING:
                continue
            parts = [p.strip() for p in text.split("/")]
            if len(parts) != 2 or not all(parts) or any(p.lower() in _MISSING for p in parts):
                problems.append(f"{path}: line {line}: locus {loci[li]!r} genotype {text!r} is not 'allele/allele' "
                                "(diploid; leave the cell empty when missing)")
                continue
            for h, p in enumerate(parts):
                row[li, h] = codes[li].setdefault(p, len(codes[li]))
        ids.append(sid)
        rows.append(row)
    if problems:
        raise InputError(join_problems(problems))
    if len(ids) < 3:
        raise InputError(f"{path}: {len(ids)} samples; pairwise analyses need at least 3")
    return Genotypes(tuple(ids), tuple(loci), np.stack(rows), str(path))


def rousset_a(genotypes: Genotypes) -> np.ndarray:
    """Rousset's a between every pair of individuals (multilocus).

    Per locus l, with H_b(ij) the share of the four gene pairs of i and j that differ, H_w(i) =
    1 for a heterozygote and 0 for a homozygote, and H_o(l) the mean H_w over the individuals
    typed at l,

        a_ij = (sum_l H_b(ij) - 1/4 sum_l (H_w(i) + H_w(j)) - 1/2 sum_l H_o(l)) / sum_l H_o(l)

    over the polymorphic loci typed in both i and j (the sums make a ratio of sums, weighting
    loci by their heterozygosity).

    Returns
    -------
    ndarray (n, n)
        Dimensionless; zero diagonal. Rises about linearly with log distance under isolation by
        distance in two dimensions, like F_ST / (1 - F_ST) between populations.

    Notes
    -----
    Rousset (2000), Journal of Evolutionary Biology 13:58-62, "a" between individuals, in the
    form SPAGeDi computes it (Hardy & Vekemans 2002, Molecular Ecology Notes 2:618-620:
    ``(Hb - Hw/2 - Ho/2) / Ho`` with Hw the mean of the pair's two within-individual values).
    Time O(n^2 L); memory O(n^2).
    """
    al = genotypes.alleles
    n, nloc, _ = al.shape
    num = np.zeros((n, n))
    den = np.zeros((n, n))
    for li in range(nloc):
        g = al[:, li, :]
        typed = (g >= 0).all(axis=1)
        if np.unique(g[typed]).size < 2:
            continue  # monomorphic (or untyped) locus: no information
        hw = (g[:, 0] != g[:, 1]).astype(float)
        ho = hw[typed].mean()
        diff = (g[:, None, :, None] != g[None, :, None, :]).mean(axis=(2, 3))
        both = typed[:, None] & typed[None, :]
        num += np.where(both, diff - 0.25 * (hw[:, None] + hw[None, :]) - 0.5 * ho, 0.0)
        den += np.where(both, ho, 0.0)
    off = ~np.eye(n, dtype=bool)
    if np.any(den[off] <= 0):
        i, j = np.argwhere((den <= 0) & off)[0]
        raise InputError(
            f"{genotypes.source}: samples {genotypes.ids[i]!r} and {genotypes.ids[j]!r} share no typed "
            "polymorphic locus with heterozygotes; Rousset's a is undefined for them (drop one, or use 'dps')"
        )
    out = np.zeros((n, n))
    out[off] = num[off] / den[off]
    return out


def shared_allele_distance(genotypes: Genotypes) -> np.ndarray:
    """Proportion-of-shared-alleles distance D_PS between every pair of individuals.

    ``D_PS(ij) = 1 - (1 / L_ij) sum_l sum_u min(c_iu, c_ju) / 2`` with c_iu the copies (0, 1, 2)
    of allele u in individual i at locus l, over the L_ij loci typed in both.

    Returns
    -------
    ndarray (n, n)
        In [0, 1]: 0 for identical genotypes, 1 for no allele in common; zero diagonal.

    Notes
    -----
    Bowcock et al. (1994), Nature 368:455-457 (as ``adegenet::propShared``, distance = 1 - it).
    Time O(n^2 L K) for K alleles per locus.
    """
    al = genotypes.alleles
    n, nloc, _ = al.shape
    shared = np.zeros((n, n))
    count = np.zeros((n, n))
    for li in range(nloc):
        g = al[:, li, :]
        typed = (g >= 0).all(axis=1)
        if not typed.any():
            continue
        k = int(g.max()) + 1
        c = np.zeros((n, k))
        rows = np.flatnonzero(typed)
        for h in range(2):
            np.add.at(c, (rows, g[rows, h]), 1.0)
        s = np.minimum(c[:, None, :], c[None, :, :]).sum(axis=2) / 2.0
        both = typed[:, None] & typed[None, :]
        shared += np.where(both, s, 0.0)
        count += both
    off = ~np.eye(n, dtype=bool)
    if np.any(count[off] == 0):
        i, j = np.argwhere((count == 0) & off)[0]
        raise InputError(f"{genotypes.source}: samples {genotypes.ids[i]!r} and {genotypes.ids[j]!r} "
                         "share no typed locus; D_PS is undefined for them")
    out = np.zeros((n, n))
    out[off] = 1.0 - shared[off] / count[off]
    return out


#: Statistic name -> function of a :class:`Genotypes`.
GENETIC_STATISTICS = {"rousset_a": rousset_a, "dps": shared_allele_distance}


def genetic_distance_from_genotypes(genotypes: Genotypes, statistic: str = "rousset_a") -> np.ndarray:
    """Pairwise genetic distance by name: ``"rousset_a"`` (:func:`rousset_a`) or ``"dps"``."""
    try:
        fn = GENETIC_STATISTICS[statistic]
    except KeyError:
        raise InputError(f"genetic statistic {statistic!r}; choose one of {sorted(GENETIC_STATISTICS)}") from None
    return fn(genotypes)


def read_genetic_matrix(path) -> tuple[tuple, np.ndarray]:
    """Read a square genetic distance matrix (format in the module docstring).

    Returns
    -------
    (ids, matrix) : tuple of str, ndarray (n, n) in the header's order

    Raises
    ------
    InputError
        Row ids that differ from the header's, a cell that is not a number, asymmetry or a
        non-zero diagonal (each with the line).
    """
    path = Path(path)
    header, records = read_rows(path)
    ids = header[1:]
    if len(ids) < 3:
        raise InputError(f"{path}: line 1: {len(ids)} sample ids in the header; need at least 3")
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise InputError(f"{path}: line 1: sample id {dup!r} appears twice in the header")
    pos = {s: k for k, s in enumerate(ids)}
    m = np.full((len(ids), len(ids)), np.nan)
    seen: dict[str, int] = {}
    problems = []
    for line, rec in records:
        sid = rec[0].strip()
        if sid not in pos:
            problems.append(f"{path}: line {line}: row id {sid!r} is not in the header")
            continue
        if sid in seen:
            problems.append(f"{path}: line {line}: row {sid!r} repeats line {seen[sid]}")
            continue
        seen[sid] = line
        if len(rec) != len(header):
            problems.append(f"{path}: line {line}: {len(rec)} cells, the header has {len(header)}")
            continue
        for k, cell in enumerate(rec[1:]):
            try:
                v = float(cell)
            except ValueError:
                problems.append(f"{path}: line {line}: column {ids[k]!r}: {cell!r} is not a number")
                continue
            if not np.isfinite(v):
                problems.append(f"{path}: line {line}: column {ids[k]!r}: {cell!r} is not finite")
                continue
            m[pos[sid], k] = v
    missing = [s for s in ids if s not in seen]
    if missing:
        problems.append(f"{path}: no row for sample(s) {missing}")
    if not problems:
        scale = max(float(np.nanmax(np.abs(m))), 1e-300)
        for i in range(len(ids)):
            if abs(m[i, i]) > 1e-9 * scale:
                problems.append(f"{path}: line {seen[ids[i]]}: diagonal of {ids[i]!r} is {m[i, i]!r}, not 0")
            for j in range(i + 1, len(ids)):
                if abs(m[i, j] - m[j, i]) > 1e-9 * scale:
                    problems.append(f"{path}: line {seen[ids[i]]}: [{ids[i]}, {ids[j]}] = {m[i, j]!r} but "
                                    f"[{ids[j]}, {ids[i]}] = {m[j, i]!r} (line {seen[ids[j]]}); the matrix must be symmetric")
    if problems:
        raise InputError(join_problems(problems))
    np.fill_diagonal(m, 0.0)
    return tuple(ids), m
