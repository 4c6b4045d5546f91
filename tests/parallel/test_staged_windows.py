"""On a cluster with a scratch folder the per-core searches and the per-link circuits read their
windows of the resistance from the staged GeoTIFF: what is submitted holds no grid-sized array,
and the results are those of the in-memory run.

A stand-in executor says it is distributed and runs every task in this process after a pickle
round trip (what dask would send), recording the pickled size of each task with its shared
arguments.
"""

import pickle

import numpy as np
import pytest
from affine import Affine

import corridors
import rasters
from corridors.leastcost.linkage import core_search
from corridors.leastcost.windows import RasterWindows
from corridors.parallel import Executor
from corridors.pipeline.stages.circuits import LinkCircuit, LinkWindow, link_tasks, solve_circuits, solve_link
from corridors.pipeline.stages.corridors import CorridorWindow


class _PicklingCluster:
    """Claims to be a dask cluster; each task and the shared arguments go through pickle."""

    is_distributed = True

    def __init__(self, scratch):
        self.scratch = scratch
        self.sent = []  # (func name, pickled bytes of item + shared)

    def map(self, func, items, *, shared=None, desc=None, threads_ok=False):
        shared = dict(shared or {})
        blob_shared = pickle.dumps(shared)
        out = []
        for item in items:
            blob = pickle.dumps(item)
            self.sent.append((func.__name__, len(blob) + len(blob_shared)))
            out.append(func(pickle.loads(blob), **pickle.loads(blob_shared)))
        return out


def _landscape(seed=3, shape=(120, 160)):
    rng = np.random.default_rng(seed)
    res = rng.uniform(1.0, 20.0, shape).astype(np.float32)
    res[rng.random(shape) < 0.05] = np.nan  # barriers
    cores = np.zeros(shape, np.int32)
    for k, (r, c) in enumerate([(10, 10), (15, 120), (90, 30), (100, 140), (60, 80)], start=1):
        cores[r:r + 5, c:c + 6] = 10 * k
        res[r:r + 5, c:c + 6] = 1.0
    return res, cores


def test_per_core_searches_receive_paths_not_the_grid(tmp_path):
    res, cores = _landscape()
    kw = dict(cellsize=100.0, adjacency="both", max_cost_distance=120000.0, corridor_width=5000.0)
    ex = _PicklingCluster(tmp_path)
    staged = corridors.linkage_network(res, cores, executor=ex, scratch=tmp_path, **kw)
    plain = corridors.linkage_network(res, cores, workers=1, **kw)
    assert isinstance(staged.staged, RasterWindows) and plain.staged is None
    assert staged.staged.res_path.startswith(str(tmp_path))
    # the worker-side source is the file: its windows are the grid's, value for value
    got, lab = staged.staged.read((0, res.shape[0]), (0, res.shape[1]))
    assert np.array_equal(got, res, equal_nan=True) and got.dtype == res.dtype
    assert ex.sent and all(name == core_search.__name__ for name, _ in ex.sent)
    # each task: the core's cells (30 int64) plus the window parameters and two paths
    assert max(size for _, size in ex.sent) < res.nbytes / 20
    assert len(staged.links) >= 4
    assert staged.links.equals(plain.links) and staged.dropped.equals(plain.dropped)
    for lid in plain.paths:
        assert np.array_equal(staged.paths[lid], plain.paths[lid])
    for k in plain.core_ids:
        assert np.array_equal(staged.cost_distance(k), plain.cost_distance(k))


def test_without_scratch_the_arrays_are_sent_once_per_map(tmp_path):
    """The contrast that makes the size bound above meaningful: in-memory windows ship the grid."""
    res, cores = _landscape()
    ex = _PicklingCluster(None)
    corridors.linkage_network(res, cores, executor=ex, cellsize=100.0, max_cost_distance=6000.0)
    assert min(size for _, size in ex.sent) > res.nbytes


def _window(link_id, rows, cols, seed):
    rng = np.random.default_rng(seed)
    shape = (rows.stop - rows.start, cols.stop - cols.start)
    nlcc = np.where(rng.random(shape) < 0.7, rng.uniform(0, 50, shape), np.inf).astype(np.float32)
    a = np.zeros(shape, bool)
    b = np.zeros(shape, bool)
    a[1:4, 1:4] = True
    b[-4:-1, -4:-1] = True
    nlcc[a | b] = np.inf  # reserve cells join the circuit through their own masks
    return CorridorWindow(link_id, rows, cols, nlcc, a, b)


def test_link_window_reads_the_circuit_of_link_tasks(tmp_path):
    res, cores = _landscape()
    grid = rasters.Grid(res, Affine(100.0, 0, 0.0, 0, -100.0, 12000.0), "EPSG:3857", None, "resistance")
    files = RasterWindows.write(tmp_path, res, (cores > 0).astype(np.int16), grid)
    windows = [_window(1, slice(5, 41), slice(7, 60), 1), _window(2, slice(70, 119), slice(100, 160), 2)]
    for w, want in zip(windows, link_tasks(grid, windows)):
        task = LinkWindow.of(w, files.res_path)
        # 3 bits a window cell instead of the float64 window: far below the window's bytes
        assert len(pickle.dumps(task)) < want.resistance.nbytes / 4
        got = task.load()
        assert isinstance(got, LinkCircuit) and (got.rows, got.cols) == (want.rows, want.cols)
        assert np.array_equal(got.resistance, want.resistance, equal_nan=True)
        assert np.array_equal(got.core_a, want.core_a) and np.array_equal(got.core_b, want.core_b)
        assert np.isnan(got.resistance).sum() > 0  # the mask was applied
        one, two = solve_link(want), solve_link(task)
        assert one.eff_resist == two.eff_resist
        assert np.array_equal(one.current, two.current, equal_nan=True)


@pytest.mark.slow
def test_pipeline_circuits_on_a_cluster_read_the_staged_grid(tmp_path):
    """find_links -> build_corridors -> solve_circuits on the default scenario: with a staging
    cluster stand-in no task carries a grid-sized array and the results equal the serial run."""
    from corridors.pipeline.stages import build_corridors, build_nodes, build_resistance, find_links, load_inputs
    from corridors.scenario import Scenario

    sc = Scenario.default().resolved()
    inputs = load_inputs(sc)
    grid = build_resistance(inputs, sc.edits).grid
    nodes = build_nodes(inputs, sc.parameters)
    p = sc.parameters
    results = {}
    for kind, ex in (("serial", Executor()), ("staged", _PicklingCluster(tmp_path))):
        links = find_links(grid, nodes, inputs.borders, p, ex)
        cors = build_corridors(links, grid, p.corridor_width, inputs.pas)
        results[kind] = solve_circuits(grid, cors, p.graph, ex, links.linkage.staged), ex
    (serial, _), (staged, ex) = results["serial"], results["staged"]
    names = {name for name, _ in ex.sent}
    assert names == {"core_search", "solve_link"}
    assert max(size for _, size in ex.sent) < grid.values.nbytes / 20
    assert serial.eff_resist == staged.eff_resist and len(serial.results) > 10
    for a, b in zip(serial.results, staged.results):
        assert np.array_equal(a.current, b.current, equal_nan=True)
