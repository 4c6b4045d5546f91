"""Solver selection, memory refusal and agreement between methods."""

import logging

import numpy as np
import pytest
import scipy.sparse as sp

from corridors.circuit import available_methods, build_graph, make_solver
from corridors.errors import InputError, SolverError


def _system(n=40):
    rng = np.random.default_rng(2)
    g = build_graph(rng.uniform(1, 3, (n, n)), neighbours=8)
    return g.laplacian[1:, 1:].tocsr()


@pytest.mark.parametrize("method", available_methods())
def test_methods_agree_with_dense(method):
    a = _system(20)
    b = np.random.default_rng(0).normal(size=(a.shape[0], 3))
    x = make_solver(a, method).solve(b)
    np.testing.assert_allclose(x, np.linalg.solve(a.toarray(), b), rtol=1e-8, atol=1e-10)
    x1 = make_solver(a, method).solve(b[:, 0])
    assert x1.shape == (a.shape[0],)


def test_auto_picks_direct_small_and_iterative_when_memory_short(caplog):
    a = _system(80)
    with caplog.at_level(logging.INFO, logger="corridors.circuit"):
        s = make_solver(a, "auto")
    assert s.method in ("cholmod", "cholespy", "pardiso", "splu")
    assert "solver" in caplog.text
    s2 = make_solver(a, "auto", memory_limit=int(5e6))  # 5 MB: half of it cannot hold the factor
    assert s2.method == "cg+amg" and "more than" in s2.reason


def test_refuses_direct_that_does_not_fit_and_bad_names():
    a = _system(80)
    with pytest.raises(SolverError, match="cg\\+amg"):
        make_solver(a, "splu", memory_limit=1000)
    with pytest.raises(SolverError, match="no solver fits"):
        make_solver(a, "auto", memory_limit=1000)
    with pytest.raises(InputError, match="unknown solver"):
        make_solver(a, "lu")


def test_cg_failure_is_reported():
    a = sp.csr_matrix(np.array([[1.0, 2.0], [2.0, 1.0]]))  # indefinite: CG must not pretend
    s = make_solver(a, "cg+amg")
    with pytest.raises(SolverError):
        s.solve(np.array([1.0, 0.0]))
