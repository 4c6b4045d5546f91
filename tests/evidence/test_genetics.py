"""Genetic distances: Rousset's a and D_PS by hand; reading genotype tables and matrices."""

import numpy as np
import pytest

from corridors.errors import InputError
from corridors.evidence import read_genetic_matrix, read_genotypes, rousset_a, shared_allele_distance

TABLE = "sample,L1,L2\nA,1/2,5/5\nB,1/1,5/6\nC,2/3,\n"


@pytest.fixture
def genos(tmp_path):
    p = tmp_path / "g.csv"
    p.write_text(TABLE)
    return read_genotypes(p)


def test_read(genos):
    assert genos.ids == ("A", "B", "C") and genos.loci == ("L1", "L2")
    assert genos.alleles.shape == (3, 2, 2)
    assert (genos.alleles[2, 1] == -1).all()  # missing genotype


def test_rousset_a_by_hand(genos):
    # L1: Hw = (1, 0, 1), Ho = 2/3; Hb(AB) = 1/2, Hb(AC) = 3/4, Hb(BC) = 1
    # L2 (C untyped): Hw = (0, 1), Ho = 1/2; Hb(AB) = 1/2
    ab = ((0.5 - 0.25 * 1 - 1 / 3) + (0.5 - 0.25 * 1 - 0.25)) / (2 / 3 + 1 / 2)
    ac = (0.75 - 0.25 * 2 - 1 / 3) / (2 / 3)
    bc = (1.0 - 0.25 * 1 - 1 / 3) / (2 / 3)
    expected = np.array([[0, ab, ac], [ab, 0, bc], [ac, bc, 0]])
    np.testing.assert_allclose(rousset_a(genos), expected, atol=1e-12)


def test_dps_by_hand(genos):
    # shared alleles / 2 per locus: L1 AB 1/2, AC 1/2, BC 0; L2 AB 1/2
    expected = np.array([[0, 0.5, 0.5], [0.5, 0, 1.0], [0.5, 1.0, 0]])
    np.testing.assert_allclose(shared_allele_distance(genos), expected, atol=1e-12)


def test_rousset_a_grows_with_differentiation():
    rng = np.random.default_rng(0)
    # two demes with different allele frequencies at 20 loci: between-deme a > within-deme a
    rows = []
    for i in range(20):
        deme = i // 10
        p = [0.8, 0.2] if deme == 0 else [0.2, 0.8]
        cells = [f"{a}/{b}" for a, b in rng.choice([1, 2], size=(20, 2), p=p)]
        rows.append(f"S{i}," + ",".join(cells))
    import tempfile, pathlib

    with tempfile.TemporaryDirectory() as d:
        path = pathlib.Path(d) / "g.csv"
        path.write_text("sample," + ",".join(f"L{k}" for k in range(20)) + "\n" + "\n".join(rows) + "\n")
        a = rousset_a(read_genotypes(path))
    within = np.r_[a[:10, :10][np.triu_indices(10, 1)], a[10:, 10:][np.triu_indices(10, 1)]].mean()
    between = a[:10, 10:].mean()
    assert between > within + 0.2


def test_genotype_errors_name_line_and_locus(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("sample,L1,L2\nA,1/2,5\nB,1/1,5/6\nA,2/3,\n")
    with pytest.raises(InputError) as e:
        read_genotypes(p)
    msg = str(e.value)
    assert f"{p}: line 2: locus 'L2' genotype '5'" in msg
    assert f"{p}: line 4: sample 'A' repeats line 2" in msg


def test_matrix_read_and_reorder(tmp_path):
    p = tmp_path / "m.csv"
    p.write_text("id,a,b,c\nb,0.2,0,0.3\na,0,0.2,0.1\nc,0.1,0.3,0\n")
    ids, m = read_genetic_matrix(p)
    assert ids == ("a", "b", "c")
    np.testing.assert_allclose(m, [[0, 0.2, 0.1], [0.2, 0, 0.3], [0.1, 0.3, 0]])


@pytest.mark.parametrize("text, match", [
    ("id,a,b,c\na,0,0.2,0.1\nb,0.25,0,0.3\nc,0.1,0.3,0\n", "must be symmetric"),
    ("id,a,b,c\na,0,x,0.1\nb,0.2,0,0.3\nc,0.1,0.3,0\n", "line 2: column 'b': 'x' is not a number"),
    ("id,a,b,c\na,0,0.2,0.1\nb,0.2,0,0.3\n", r"no row for sample\(s\) \['c'\]"),
    ("id,a,b,c\na,1,0.2,0.1\nb,0.2,0,0.3\nc,0.1,0.3,0\n", "diagonal"),
])
def test_matrix_errors(tmp_path, text, match):
    p = tmp_path / "m.csv"
    p.write_text(text)
    with pytest.raises(InputError, match=match):
        read_genetic_matrix(p)
