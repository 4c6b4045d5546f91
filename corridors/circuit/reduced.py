"""The network reduced onto a few "port" nodes: one factorisation, one solve per port.

For port nodes F (focal nodes, or the boundary nodes of focal regions) the Schur complement
``S = L_FF - L_FI L_II^-1 L_IF`` is an exact |F|-node network: every problem whose sources,
grounds and shorts sit on F can be solved on S, and voltages everywhere follow from the injections
on F. One port per connected component is grounded. With CHOLMOD, the grounded S is read off one
factorisation that eliminates the ports last (:mod:`.schur`, no solves); otherwise it is the
inverse of the grounded Green's function, solved once for each other port (``|F| - components``
solves with one factorisation or one AMG hierarchy).
"""

from __future__ import annotations

import logging
import time

import numpy as np

from ..errors import SolverError
from . import solvers as _solvers
from ._sparse import GroundedMatrix, principal_submatrix
from .schur import GEOMETRIC_ORDER_MIN, SCHUR_MAX_KEEP, cholmod_schur, node_order
from .solvers import choose_method, make_solver

__all__ = ["ReducedNetwork"]

log = logging.getLogger("corridors.circuit")

#: Keep the full solutions (nodes x ports) for voltage maps if they take at most this many bytes.
KEEP_SOLUTIONS_BYTES = 2 * 2**30


class ReducedNetwork:
    """Exact reduction of a :class:`CircuitGraph` onto port nodes.

    Parameters
    ----------
    graph : CircuitGraph
    ports : array of int
        Node numbers (any order, duplicates ignored).
    solver : str
        Solver method for :func:`make_solver`.
    keep_solutions : bool
        Keep the node x port solutions so voltages need no further solve.
    voltage_calls : int or None
        How many :meth:`voltages` calls the caller expects. When the reduced network was read off
        the factor (no solves), the solutions are kept only if that takes no more solves than
        this (one solve per call otherwise); None keeps them whenever ``keep_solutions``.

    Attributes
    ----------
    ports : ndarray of int64, sorted
    S : ndarray, shape (|F|, |F|)
        Reduced Laplacian (block diagonal by component), siemens.
    port_component : ndarray of int32
    solves : int
        Right-hand sides solved.
    """

    def __init__(self, graph, ports, solver="auto", keep_solutions=False, voltage_calls=None):
        t0 = time.perf_counter()
        self.graph = graph
        self.ports = np.unique(np.asarray(ports, dtype=np.int64))
        nf = self.ports.size
        comp = graph.component
        self.port_component = comp[self.ports]
        comps, first = np.unique(self.port_component, return_index=True)
        self.components = comps
        self.ground_ports = first  # index into ports of each component's grounded port
        is_ground = np.zeros(nf, dtype=bool)
        is_ground[first] = True
        self._free_ports = np.flatnonzero(~is_ground)
        # unknowns: nodes of components that hold ports, minus the grounded ports
        active = np.isin(comp, comps)
        active[self.ports[first]] = False
        self.unknowns = np.flatnonzero(active)
        self.position = np.full(graph.n_nodes, -1, dtype=np.int64)
        self.position[self.unknowns] = np.arange(self.unknowns.size)
        lap = graph.laplacian
        # the grid multigrid solves on the Laplacian itself, the ground held at zero: no copy of
        # the submatrix (0.6 GB at 6 M cells); copied below only for another method
        grounded = solver in ("cg+amg", "auto") and self.unknowns.size >= _solvers.GRID_MG_MIN
        self.matrix = (GroundedMatrix(lap, self.unknowns) if grounded
                       else principal_submatrix(lap, self.unknowns))
        m = self._free_ports.size
        rows = self.position[self.ports[self._free_ports]]
        sfree = None  # grounded reduced Laplacian on the free ports, if read off a factor
        self.solver = None
        if self.unknowns.size:
            method, why, est = choose_method(self.matrix, solver)
            if grounded and method != "cg+amg":  # "auto" chose a direct solver: it needs the copy
                self.matrix = self.matrix.submatrix()
            if method == "cholmod" and 0 < m <= SCHUR_MAX_KEEP:
                log.info("solver cholmod for %d unknowns (%s); reduced network read off the factor",
                         self.unknowns.size, why)
                order = (node_order(graph, self.unknowns)
                         if self.unknowns.size >= GEOMETRIC_ORDER_MIN else None)
                self.solver, sfree = cholmod_schur(self.matrix, rows, order=order, reason=why,
                                                   estimated_bytes=est)
            else:
                self.solver = make_solver(self.matrix, method,
                                          grid=graph.grid_positions(self.unknowns),
                                          fallback=(solver == "auto"))
        self.solutions = None
        self.solves = 0
        keep = (keep_solutions and m and self.unknowns.size * m * 8 <= KEEP_SOLUTIONS_BYTES
                and (sfree is None or voltage_calls is None or m <= voltage_calls))
        if m and (sfree is None or keep):
            green = np.zeros((nf, nf))
            self.solves = m
            if keep:
                # column-major: a voltage map reads only the columns of its injected ports
                self.solutions = np.zeros((self.unknowns.size, m), order="F")
            # solve in chunks so only |F| x |F| stays in memory unless the solutions are kept
            chunk = max(1, min(m, int(2**28 // max(8 * self.unknowns.size, 1))))
            for s in range(0, m, chunk):
                cols = np.arange(s, min(m, s + chunk))
                rhs = np.zeros((self.unknowns.size, cols.size))
                rhs[rows[cols], np.arange(cols.size)] = 1.0
                x = self.solver.solve(rhs)
                green[np.ix_(self._free_ports, self._free_ports[cols])] = x[rows, :]
                if keep:
                    self.solutions[:, cols] = x
            green = 0.5 * (green + green.T)  # symmetric in exact arithmetic
        self.S = np.zeros((nf, nf))
        for c, g in zip(comps, first):
            idx = np.flatnonzero(self.port_component == c)
            free = idx[idx != g]
            if free.size == 0:
                continue
            if sfree is not None:
                loc = np.searchsorted(self._free_ports, free)
                block = sfree[np.ix_(loc, loc)]
            else:
                try:
                    block = np.linalg.inv(green[np.ix_(free, free)])
                except np.linalg.LinAlgError as exc:
                    raise SolverError(f"reduced network of component {c} is singular: {exc}") from exc
            block = 0.5 * (block + block.T)
            self.S[np.ix_(free, free)] = block
            col = -block.sum(axis=0)
            self.S[g, free] = col
            self.S[free, g] = col
            self.S[g, g] = block.sum()
        self.seconds = time.perf_counter() - t0
        log.info("reduced network: %d ports, %d solves with %s in %.2f s", nf, self.solves,
                 self.solver.method if self.solver else "none", self.seconds)

    def port_index(self, nodes) -> np.ndarray:
        """Indices into :attr:`ports` of the given port nodes (they must be ports)."""
        idx = np.searchsorted(self.ports, nodes)
        return idx

    def solve(self, fixed, fixed_values, inject=None, inject_values=None, branches=None):
        """Solve a problem posed on the ports.

        Parameters
        ----------
        fixed : array of int
            Port indices held at ``fixed_values`` volts (each involved component needs one).
        inject : array of int, optional
            Port indices where ``inject_values`` amperes enter.
        branches : (u, v, w) arrays or None
            Extra branches between ports (indices u, v; conductances w in siemens) added to the
            reduced network for this problem only; ``j`` then includes their currents.

        Returns
        -------
        (idx, v, j) : port indices involved (ports of the components of ``fixed``), their
        voltages (V) and net injected currents (A, positive into the network).
        """
        fixed = np.asarray(fixed, dtype=np.int64)
        comps = np.unique(self.port_component[fixed])
        idx = np.flatnonzero(np.isin(self.port_component, comps))
        v = np.zeros(idx.size)
        loc = np.searchsorted(idx, fixed)
        is_fixed = np.zeros(idx.size, dtype=bool)
        is_fixed[loc] = True
        v[loc] = fixed_values
        q = np.zeros(idx.size)
        if inject is not None and len(inject):
            np.add.at(q, np.searchsorted(idx, np.asarray(inject, dtype=np.int64)), inject_values)
        free = np.flatnonzero(~is_fixed)
        s = self.S[np.ix_(idx, idx)]
        if branches is not None:
            u, w_to, cond = (np.asarray(x) for x in branches)
            iu, iv = np.searchsorted(idx, u), np.searchsorted(idx, w_to)
            np.add.at(s, (iu, iv), -cond)
            np.add.at(s, (iv, iu), -cond)
            np.add.at(s, (iu, iu), cond)
            np.add.at(s, (iv, iv), cond)
        if free.size:
            rhs = q[free] - s[np.ix_(free, loc)] @ v[loc]
            v[free] = np.linalg.solve(s[np.ix_(free, free)], rhs)
        j = s @ v
        return idx, v, j

    def voltages(self, idx, v, j) -> np.ndarray:
        """Node voltages (V) of the components touched by ``idx``; other nodes 0.

        ``j`` are the net port injections from :meth:`solve` (sum to zero per component).
        """
        out = np.zeros(self.graph.n_nodes)
        inj = np.zeros(self.ports.size)
        inj[idx] = j
        comps = np.unique(self.port_component[idx])
        jfree = inj[self._free_ports]
        if self.solutions is not None:
            nz = np.flatnonzero(jfree)
            if nz.size * 2 <= jfree.size:  # focal points: only the pair's own ports inject
                x = np.zeros(self.unknowns.size)
                for k in nz:
                    x += jfree[k] * self.solutions[:, k]
            else:
                x = self.solutions @ jfree
        elif self.solver is not None:
            rhs = np.zeros(self.unknowns.size)
            rhs[self.position[self.ports[self._free_ports]]] = jfree
            x = self.solver.solve(rhs)
        else:
            x = np.zeros(0)
        out[self.unknowns] = x
        vport = np.zeros(self.ports.size)
        vport[idx] = v
        if self.graph.n_components == 1:  # the common case: no masks over every node
            out += vport[self.ground_ports[0]]
            return out
        node_comp = self.graph.component
        keep = np.isin(node_comp, comps)
        out[~keep] = 0.0
        # add each component's ground voltage (the Green's function grounds one port per component)
        offset = np.zeros(self.graph.n_components)
        for c, g in zip(self.components, self.ground_ports):
            if c in comps:
                offset[c] = vport[g]
        out[keep] += offset[node_comp[keep]]
        return out
