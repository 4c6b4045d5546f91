"""Linear solvers for grounded Laplacians, set up once and reused for every right-hand side.

Methods
-------
``cholmod``  sparse Cholesky (scikit-sparse / SuiteSparse CHOLMOD), the fastest direct path; it
             alone lets focal regions be reduced without solves (:mod:`.schur`).
``cholespy`` the same CHOLMOD supernodal Cholesky through cholespy, which pip installs from wheels
             (Linux x86-64, macOS, Windows; see docs/solvers.md): the default direct solver of a
             pip install. Solves many right-hand sides at once.
``pardiso``  Intel MKL PARDISO through pypardiso (symmetric positive definite mode).
``splu``     SciPy SuperLU in symmetric mode (always available, the slowest and hungriest direct path).
``cg+amg``   conjugate gradients with a multigrid preconditioner (low memory): the grid-aware
             aggregation multigrid of :mod:`.gridmg` (K-cycle, flexible CG) when the unknowns'
             grid positions are given (raster graphs), else a pyamg smoothed-aggregation
             hierarchy (V-cycle, plain CG). Given a :class:`~._sparse.GroundedMatrix` it
             solves on the whole graph Laplacian with the ground held at zero (no copy).
``auto``     direct when the estimated factor fits comfortably in free memory, else ``cg+amg``;
             if ``cg+amg`` then stalls, the solve switches to a direct solver (logged).

The choice and the reason are logged on the ``corridors.circuit`` logger and kept on the solver.

Conjugate gradients on high-contrast grids
------------------------------------------
Resistances spanning 10^8 make the Krylov recurrence drift from the true residual long before
it "converges" (pyamg's own CG reported success or ran 2,000 iterations with a true relative
residual of 18). :func:`pcg_refined` therefore checks the *true* residual ``b - A x`` and
restarts CG on it (iterative refinement) until the residual is below ``rtol * |b|`` or at the
floor double precision can reach (normwise backward error ``|r| <= eps (|A| |x| + |b|)``, the
accuracy a direct solve attains too), and stops early with a clear message when neither the
recurrence nor the refinement makes progress (stall detection) instead of running to the
iteration limit.
"""

from __future__ import annotations

import logging
import math
import time

import numba as nb
import numpy as np
import scipy.sparse as sp

from ..errors import InputError, SolverError
from ..graph_options import SOLVERS
from ._sparse import GroundedMatrix, inf_norm, matvec

__all__ = ["make_solver", "choose_method", "available_methods", "load_backends", "estimate_memory",
           "Solver", "METHODS", "pcg_refined"]

log = logging.getLogger("corridors.circuit")

METHODS = SOLVERS  # defined once, in corridors.graph_options
#: Direct methods, fastest first (``auto`` and Circuitscape's direct names take the first installed).
DIRECT = ("cholmod", "cholespy", "pardiso", "splu")
#: Systems up to this many unknowns always go to a direct solver.
SMALL_SYSTEM = 5000
#: A direct factorisation is chosen automatically only if its estimate is below this share of free RAM.
AUTO_MEMORY_SHARE = 0.5
#: Default relative residual for conjugate gradients (resistances then agree with direct to ~1e-9).
CG_RTOL = 1e-10
#: Iteration limit of one cg+amg solve (all refinement steps together).
CG_MAXITER = 2000
#: Recursive-residual iterations without a 10 % improvement after which a CG sweep ends.
CG_STALL_WINDOW = 60
#: Unknowns from which cg+amg uses the grid multigrid when grid positions are known.
GRID_MG_MIN = 2000


def _usable_cores() -> int:
    import os

    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


_FALLBACK_LOCK = __import__("threading").Lock()

#: Threads that solve the right-hand sides of one cg+amg call side by side (GIL-free kernels).
CG_THREADS = max(1, min(4, _usable_cores()))


def _have(module: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # parent package missing or broken
        return False


def available_methods() -> list:
    """Solver methods usable in this environment, fastest direct first."""
    out = []
    if _have("sksparse.cholmod"):
        out.append("cholmod")
    if _have("cholespy"):
        out.append("cholespy")
    if _have("pypardiso"):
        out.append("pardiso")
    out += ["splu", "cg+amg"]
    return out


def load_backends() -> None:
    """Import the installed direct-solver backends now.

    Their BLAS/OpenMP libraries load with them; until then ``threadpoolctl`` cannot see, and so
    cannot limit, those thread pools (a limit set before the first solve was silently ignored).
    """
    import importlib

    for method, module in (("cholmod", "sksparse.cholmod"), ("cholespy", "cholespy"),
                           ("pardiso", "pypardiso")):
        if method in available_methods():
            importlib.import_module(module)


def available_memory() -> int:
    """Bytes of memory available to this process now (psutil, else /proc/meminfo)."""
    try:
        import psutil

        return int(psutil.virtual_memory().available)
    except Exception:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    raise SolverError("cannot determine available memory; pass method= explicitly")


def _factor_nnz_estimate(a: sp.spmatrix) -> float:
    """Nonzeros of a fill-reducing Cholesky factor of a 2-D grid-like graph, ~ c * n * log2(n).

    Calibrated on 8-neighbour grids (CHOLMOD/METIS: 3.3 n log2 n at 360k-1M unknowns, where rows
    hold about 9 entries); c scales with the mean row length.
    """
    n = _size(a)
    per_row = a.nnz / max(a.shape[0], 1)  # a GroundedMatrix: the whole Laplacian's mean row
    return 0.37 * per_row * n * math.log2(max(n, 2)) + n


def _size(a) -> int:
    """Unknowns of ``a``: its rows, or the kept rows of a :class:`GroundedMatrix`."""
    return a.keep.size if isinstance(a, GroundedMatrix) else a.shape[0]


def estimate_memory(a: sp.spmatrix, method: str) -> int:
    """Estimated peak bytes to set up ``method`` on matrix ``a`` (beyond the matrix itself)."""
    n = _size(a)
    if method == "cg+amg":
        # smoothed aggregation hierarchy + Krylov vectors (11 GB at 16 M unknowns measured)
        return int(700 * n)
    nnz_l = _factor_nnz_estimate(a)
    if method in ("cholmod", "cholespy"):
        return int(12 * nnz_l + 64 * n)
    if method == "pardiso":
        return int(20 * nnz_l + 64 * n)
    if method == "splu":
        return int(40 * nnz_l + 64 * n)  # stores L and U with its own indices
    raise InputError(f"unknown solver method {method!r}; choose one of {', '.join(METHODS)}")


def _gib(b):
    return f"{b / 2**30:.2f} GiB" if b >= 2**30 else f"{b / 2**20:.1f} MiB"


class Solver:
    """A set-up solver: ``solve(b)`` for one (n,) or many (n, k) right-hand sides.

    Attributes
    ----------
    method : str
    reason : str
        Why this method was chosen.
    setup_seconds : float
    estimated_bytes : int
    """

    def __init__(self, a, method, reason, estimated_bytes, rtol=CG_RTOL, grid=None, fallback=False):
        grounded = isinstance(a, GroundedMatrix)
        if grounded and not (method == "cg+amg" and grid is not None and a.keep.size >= GRID_MG_MIN):
            a = a.submatrix()  # only the grid multigrid works on the whole Laplacian
            grounded = False
        self._keep = a.keep if grounded else None
        self.n = a.keep.size if grounded else a.shape[0]
        self.grid = grid
        self.fallback = fallback
        self.preconditioner = None
        self.method = method
        self.reason = reason
        self.estimated_bytes = estimated_bytes
        self.rtol = rtol
        self.iterations = []
        t0 = time.perf_counter()
        try:
            self._setup(a)
        except SolverError:
            raise
        except MemoryError as exc:
            raise SolverError(
                f"{method} ran out of memory setting up a {self.n}-unknown system (estimate "
                f"{_gib(estimated_bytes)}); use solver='cg+amg'"
            ) from exc
        except Exception as exc:
            raise SolverError(f"{method} failed on a {self.n}-unknown system: {exc}") from exc
        self.setup_seconds = time.perf_counter() - t0
        self.grid = None  # only the set-up needs the positions (2 x 8 bytes per unknown)

    def _setup(self, a):
        m = self.method
        if m == "cholmod":
            from sksparse.cholmod import cholesky

            self._factor = cholesky(sp.csc_matrix(a))
        elif m == "cholespy":
            from cholespy import CholeskySolverD, MatrixType

            c = sp.csc_matrix(a)
            c.sort_indices()
            self._chol = CholeskySolverD(self.n, c.indptr.astype(np.int32), c.indices.astype(np.int32),
                                         np.ascontiguousarray(c.data, dtype=np.float64), MatrixType.CSC)
        elif m == "pardiso":
            import pypardiso

            self._upper = sp.triu(a, format="csr")
            self._upper.sort_indices()
            self._pardiso = pypardiso.PyPardisoSolver(mtype=2)  # real symmetric positive definite
            self._pardiso.factorize(self._upper)
        elif m == "splu":
            from scipy.sparse.linalg import splu

            self._lu = splu(sp.csc_matrix(a), permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0,
                            options=dict(SymmetricMode=True))
        elif m == "cg+amg":
            self._a = a if self._keep is not None else sp.csr_matrix(a)
            self._anorm = inf_norm(self._a)
            if self.grid is not None and self.n >= GRID_MG_MIN:
                from .gridmg import GridMultigrid

                if self._keep is not None:  # unknowns are rows of the whole Laplacian
                    rows = np.zeros(a.shape[0], dtype=np.int64)
                    cols = np.zeros(a.shape[0], dtype=np.int64)
                    rows[self._keep], cols[self._keep] = self.grid
                    self._mg = GridMultigrid(a.lap, rows, cols, active=a.active)
                else:
                    self._mg = GridMultigrid(self._a, *self.grid)
                self._flexible = self._mg.cycle == "k"  # the K-cycle is not a fixed operator
                self.preconditioner = (f"grid aggregation multigrid ({self._mg.cycle.upper()}-cycle), "
                                       f"{len(self._mg.levels)} levels, "
                                       f"operator complexity {self._mg.operator_complexity:.2f}")
            else:
                import pyamg

                # symmetric strength with a low threshold and a first-degree Jacobi prolongation
                # smoother: measured the fewest CG iterations on grids with resistances over
                # 1 .. 1e8 (evolution strength and classical Ruge-Stueben needed 2-3x more)
                ml = pyamg.smoothed_aggregation_solver(
                    self._a, symmetry="symmetric", strength=("symmetric", {"theta": 0.1}),
                    smooth=("jacobi", {"omega": 4.0 / 3.0, "degree": 1}))
                self._mg = ml.aspreconditioner(cycle="V").matvec
                self._flexible = False
                self.preconditioner = f"pyamg smoothed aggregation, {len(ml.levels)} levels"
        else:
            raise InputError(f"unknown solver method {m!r}; choose one of {', '.join(METHODS)}")

    def solve(self, b: np.ndarray) -> np.ndarray:
        """Solve ``A x = b``; ``b`` of shape (n,) or (n, k); returns float64 of the same shape."""
        b = np.asarray(b, dtype=np.float64)
        if b.shape[0] != self.n:
            raise InputError(f"right-hand side has {b.shape[0]} rows, the system has {self.n}")
        if self.n == 0:
            return np.zeros_like(b)
        m = self.method
        if m == "cholmod":
            return self._factor(b)
        if m == "cholespy":
            bb = np.ascontiguousarray(b)
            x = np.zeros_like(bb)
            self._chol.solve(bb, x)
            return x
        if m == "pardiso":
            x = self._pardiso.solve(self._upper, b if b.ndim == 2 else b[:, None])
            return x if b.ndim == 2 else x[:, 0]
        if m == "splu":
            return self._lu.solve(b)
        cols = b if b.ndim == 2 else b[:, None]
        out = np.empty_like(cols)
        workers = min(cols.shape[1], CG_THREADS)
        # threads left to each right-hand side: big systems' row blocks side by side
        self._threads = max(1, CG_THREADS // workers)
        if hasattr(self._mg, "threads"):
            self._mg.threads = self._threads
        if workers > 1:  # the kernels release the GIL: right-hand sides solve side by side
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(workers, thread_name_prefix="corridors-cg") as pool:
                for k, x in enumerate(pool.map(lambda j: self._cg(np.ascontiguousarray(cols[:, j])),
                                               range(cols.shape[1]))):
                    out[:, k] = x
        else:
            for k in range(cols.shape[1]):
                out[:, k] = self._cg(cols[:, k])
        return out if b.ndim == 2 else out[:, 0]

    def _cg(self, b):
        if not np.any(b):
            return np.zeros_like(b)
        if getattr(self, "_direct", None) is not None:
            return self._direct.solve(b)
        try:
            if self._keep is not None:  # solve on the whole Laplacian's vectors, zero elsewhere
                full = np.zeros(self._a.shape[0])
                full[self._keep] = b
                x, it = pcg_refined(self._a, full, self._mg, rtol=self.rtol, anorm=self._anorm,
                                    maxiter=CG_MAXITER, flexible=self._flexible,
                                    threads=self._threads)
                x = x[self._keep]
            else:
                x, it = pcg_refined(self._a, b, self._mg, rtol=self.rtol, anorm=self._anorm,
                                    maxiter=CG_MAXITER, flexible=self._flexible,
                                    threads=self._threads)
        except SolverError as exc:
            if not self.fallback:
                raise
            with _FALLBACK_LOCK:
                if getattr(self, "_direct", None) is None:
                    method = next(m for m in DIRECT if m in available_methods())
                    log.warning("cg+amg stalled (%s); solver 'auto' switches to %s for this system",
                                exc, method)
                    mat = self._a.submatrix() if self._keep is not None else self._a
                    self._direct = Solver(mat, method, f"cg+amg stalled: {exc}",
                                          estimate_memory(mat, method))
                    self.reason += f"; switched to {method} after cg+amg stalled"
                    self.method = f"cg+amg->{method}"
            return self._direct.solve(b)
        self.iterations.append(it)
        log.debug("cg+amg: %d iterations", it)
        return x

    def __repr__(self):
        return f"Solver({self.method}, n={self.n}, setup {self.setup_seconds:.2f} s)"


@nb.njit(cache=True, nogil=True)
def _cg_update(e, r, p, q, alpha):
    """e += alpha p; r -= alpha q; returns |r| (one pass, no temporaries)."""
    s = 0.0
    for i in range(e.size):
        e[i] += alpha * p[i]
        r[i] -= alpha * q[i]
        s += r[i] * r[i]
    return np.sqrt(s)


@nb.njit(cache=True, nogil=True)
def _cg_direction(p, z, beta):
    for i in range(p.size):
        p[i] = z[i] + beta * p[i]


def pcg_refined(a, b, precond, *, rtol: float = CG_RTOL, maxiter: int = CG_MAXITER,
                anorm: float | None = None, stall_window: int = CG_STALL_WINDOW,
                flexible: bool = False, threads: int = 1):
    """Preconditioned CG with true-residual checks, iterative refinement and stall detection.

    Parameters
    ----------
    a : sparse matrix (n, n), symmetric positive definite, or a :class:`GroundedMatrix`
        (then ``b`` is zero outside its rows and so is ``x``)
    b : ndarray (n,)
    precond : callable
        ``z = precond(r)``, a symmetric positive definite approximation of ``A^-1``.
    rtol : float
        Target ``|b - A x| / |b|`` (2-norms).
    maxiter : int
        CG iterations in all.
    anorm : float, optional
        ``|A|_inf`` (computed if not given), for the attainable-accuracy floor.
    stall_window : int
        A CG sweep ends when its recursive residual has not improved by 10 % in this many
        iterations; the true residual is then recomputed and CG restarted on it.
    flexible : bool
        Flexible CG (Polak-Ribiere ``beta = z_new . (r_new - r_old) / z_old . r_old``, Notay
        2000) for a preconditioner that is not a fixed linear operator (the K-cycle).
    threads : int
        Threads for the matrix-vector products of big systems (same result for any number).

    Returns
    -------
    (x, iterations)

    Raises
    ------
    SolverError
        The true residual stalls above both ``rtol * |b|`` and the floor ``eps (|A| |x| + |b|)``
        (two refinement sweeps in a row gain less than a factor 2), or ``maxiter`` is reached;
        the message gives the residual reached and the iterations used.
    """
    b = np.asarray(b, dtype=np.float64)
    if not isinstance(a, GroundedMatrix):
        a = sp.csr_matrix(a)
    nb = float(np.linalg.norm(b))
    x = np.zeros_like(b)
    if nb == 0:
        return x, 0
    if anorm is None:
        anorm = inf_norm(a)
    eps = np.finfo(np.float64).eps
    # work vectors, allocated once (at 6 M unknowns each is 42 MB): r is updated in place by
    # the CG recurrence and recomputed from x after every sweep
    r = b.copy()
    e, z, p, q = (np.empty_like(b) for _ in range(4))
    rprev = np.empty_like(b) if flexible else None
    into = getattr(precond, "writes_into", False)  # precond(r, out=z): no new vector per step
    total = 0
    best = np.inf
    poor = 0
    while True:
        rn0 = float(np.linalg.norm(r))
        target = rtol * nb
        # one CG sweep on A e = r, from e = 0
        e[:] = 0.0
        z = precond(r, out=z) if into else precond(r)
        p[:] = z
        rz = float(r @ z)
        sweep_best, since = rn0, 0
        while total < maxiter:
            matvec(a, p, q, threads)
            pq = float(p @ q)
            if not pq > 0:
                break  # breakdown (rounding): refine from here
            alpha = rz / pq
            if flexible:
                rprev[:] = r
            rn = _cg_update(e, r, p, q, alpha)
            total += 1
            if rn <= 0.5 * target or rn <= 1e-10 * rn0:
                break
            if rn < 0.9 * sweep_best:
                sweep_best, since = rn, 0
            else:
                since += 1
                if since >= stall_window:
                    break
            z = precond(r, out=z) if into else precond(r)
            rz_new = float(r @ z)
            beta = (rz_new - float(rprev @ z)) / rz if flexible else rz_new / rz
            _cg_direction(p, z, beta)
            rz = rz_new
        x += e
        np.subtract(b, matvec(a, x, q, threads), out=r)  # the true residual
        true = float(np.linalg.norm(r))
        floor = eps * (anorm * np.linalg.norm(x) + nb)
        if not np.isfinite(true):
            raise SolverError(f"cg+amg diverged (non-finite residual after {total} iterations)")
        if true <= rtol * nb or true <= floor:  # floor: as exact as a direct solve
            return x, total
        poor = poor + 1 if true > 0.5 * best else 0
        best = min(best, true)
        if poor >= 2 or total >= maxiter:
            why = "stalled" if poor >= 2 else f"reached {maxiter} iterations"
            raise SolverError(
                f"cg+amg {why}: relative residual {true / nb:.2e} after {total} iterations "
                f"(asked {rtol:.0e}; double precision allows about {floor / nb:.0e}); use a direct "
                "solver (solver='auto', 'cholmod', 'pardiso' or 'splu')"
            )


def choose_method(a, method: str = "auto", *, memory_limit: int | None = None):
    """The solver method :func:`make_solver` would use for ``a``: ``(method, reason, est_bytes)``.

    Raises
    ------
    InputError
        Unknown method name.
    SolverError
        The requested backend is not installed, or nothing fits in memory.
    """
    if method not in METHODS:
        raise InputError(f"unknown solver method {method!r}; choose one of {', '.join(METHODS)}")
    n = _size(a)
    limit = available_memory() if memory_limit is None else int(memory_limit)
    avail = available_methods()
    direct = [m for m in DIRECT if m in avail]
    if method == "auto":
        best = direct[0]
        est = estimate_memory(a, best)
        if n <= SMALL_SYSTEM:
            chosen, why = best, f"small system ({n} unknowns)"
        elif est <= AUTO_MEMORY_SHARE * limit:
            chosen, why = best, (f"{n} unknowns; factor estimate {_gib(est)} fits in "
                                 f"{AUTO_MEMORY_SHARE:.0%} of {_gib(limit)} free")
        else:
            chosen = "cg+amg"
            est = estimate_memory(a, chosen)
            why = (f"{n} unknowns; a {best} factor would need about {_gib(estimate_memory(a, best))}, "
                   f"more than {AUTO_MEMORY_SHARE:.0%} of {_gib(limit)} free")
            if est > limit:
                raise SolverError(
                    f"no solver fits: {n} unknowns need about {_gib(est)} even for cg+amg, "
                    f"{_gib(limit)} free; coarsen the grid or split the study area"
                )
    else:
        chosen = method
        if chosen not in avail:
            raise SolverError(
                f"solver {chosen!r} is not installed here (available: {', '.join(avail)}); "
                + {"cholmod": "pip install scikit-sparse (needs SuiteSparse headers) or use conda",
                   "cholespy": "pip install cholespy (wheels: Linux x86-64, macOS, Windows)"}.get(
                       chosen, "pip install pypardiso (x86_64 only)")
            )
        est = estimate_memory(a, chosen)
        why = "requested"
        if chosen != "cg+amg" and n > SMALL_SYSTEM and est > limit:
            raise SolverError(
                f"a {chosen} factorisation of {n} unknowns needs about {_gib(est)}, but only "
                f"{_gib(limit)} is free; use solver='cg+amg' (about {_gib(estimate_memory(a, 'cg+amg'))})"
            )
    return chosen, why, est


def make_solver(a, method: str = "auto", *, rtol: float = CG_RTOL, memory_limit: int | None = None,
                grid=None, fallback: bool | None = None) -> Solver:
    """Set up a solver for the symmetric positive definite matrix ``a`` (a grounded Laplacian).

    Parameters
    ----------
    a : scipy sparse matrix, shape (n, n), or a :class:`~._sparse.GroundedMatrix`
        A grounded matrix (a principal submatrix not copied) is solved in place by ``cg+amg``
        with the grid multigrid; any other method gets the submatrix copied.
    method : {"auto", "cholmod", "cholespy", "pardiso", "splu", "cg+amg"}
    rtol : float
        Relative residual for ``cg+amg``.
    memory_limit : int or None
        Bytes allowed for the set-up (default: memory available now).
    grid : (rows, cols) int arrays or None
        Grid position of each unknown (raster graphs): ``cg+amg`` then uses the grid
        multigrid of :mod:`.gridmg` instead of a generic AMG hierarchy.
    fallback : bool or None
        Switch to a direct solver (logged) if ``cg+amg`` stalls; default: when ``method`` is
        ``"auto"``.

    Returns
    -------
    Solver

    Raises
    ------
    SolverError
        A direct factorisation was asked for whose estimate exceeds ``memory_limit``, or the
        requested backend is not installed.
    """
    chosen, why, est = choose_method(a, method, memory_limit=memory_limit)
    log.info("solver %s for %d unknowns (%s)", chosen, _size(a), why)
    slv = Solver(a, chosen, why, est, rtol=rtol, grid=grid, fallback=(method == "auto") if fallback is None else fallback)
    if slv.preconditioner:
        log.info("cg+amg preconditioner: %s (set up in %.2f s)", slv.preconditioner, slv.setup_seconds)
    return slv
