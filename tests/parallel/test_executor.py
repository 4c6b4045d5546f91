"""Executor: serial and dask.distributed give the same results in the same order.

One LocalCluster (2 single-threaded worker processes) serves every dask test in this module.
"""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import _tasks  # noqa: E402

import corridors  # noqa: E402
from corridors.errors import ConfigError  # noqa: E402
from corridors.parallel import Executor  # noqa: E402


class _Recording(Executor):
    """An Executor that notes the label of every map it runs (all in the client process)."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.descs = []

    def map(self, func, items, *, shared=None, desc=None, threads_ok=False):
        self.descs.append(desc)
        return super().map(func, items, shared=shared, desc=desc, threads_ok=threads_ok)


@pytest.fixture(scope="module")
def cluster():
    with _Recording(workers=2) as ex:
        # workers import the test helper module from the test folder
        ex._client.run(sys.path.insert, 0, str(Path(__file__).parent))
        yield ex


@pytest.mark.slow
def test_serial_equals_local_cluster(cluster):
    items = list(range(12))
    with Executor() as ex:
        serial = ex.map(_tasks.work, items, shared={"scale": 3.0})
    assert cluster.describe()["kind"] == "local-cluster"
    assert cluster.describe()["n_workers"] == 2
    dist = cluster.map(_tasks.work, items, shared={"scale": 3.0})
    with pytest.raises(ValueError, match="task 2 failed"):
        cluster.map(_tasks.fail, [1, 2, 3])
    assert dist == serial
    assert [i for _, i in dist] == items


def _random_network():
    rng = np.random.default_rng(29)
    res = rng.uniform(1, 20, (60, 80)).astype(np.float32)
    res[rng.random(res.shape) < 0.06] = np.nan
    cores = np.zeros(res.shape, np.int32)
    for k, (r, c) in enumerate([(3, 3), (40, 8), (5, 60), (50, 70), (28, 38), (15, 25)], start=1):
        cores[r:r + 4, c:c + 5] = 10 * k
        res[r:r + 4, c:c + 5] = 1.0
    return res, cores


@pytest.mark.slow
def test_linkage_per_core_searches_on_dask_equal_threads(cluster):
    res, cores = _random_network()
    kw = dict(cellsize=5.0, adjacency="both", max_cost_distance=900.0, corridor_width=100.0)
    serial = corridors.linkage_network(res, cores, workers=1, **kw)
    dist = corridors.linkage_network(res, cores, executor=cluster, **kw)
    assert len(serial.links) >= 5 and len(serial.dropped) >= 1
    assert serial.links.equals(dist.links) and serial.dropped.equals(dist.dropped)
    assert serial.paths.keys() == dist.paths.keys()
    for lid in serial.paths:
        assert np.array_equal(serial.paths[lid], dist.paths[lid])
    for k in serial.core_ids:
        assert np.array_equal(serial.cost_distance(k), dist.cost_distance(k))
    # an unbounded search from one core matches corridors.cost_distance (a separate code path)
    full = corridors.linkage_network(res, cores, cellsize=5.0, pairs=[(10, 20)], executor=cluster)
    want = corridors.cost_distance(res, cores == 10, cellsize=5.0)
    np.testing.assert_allclose(full.cost_distance(10), want, rtol=1e-6)
    assert full.links["CW_Dist"].iloc[0] == pytest.approx(want[cores == 20].min(), rel=1e-12)


@pytest.mark.slow
def test_pipeline_network_fans_cores_out_to_dask(cluster):
    """find_links on the North-East Asia default: dask per-core searches == threads."""

    from corridors.pipeline.stages import build_nodes, build_resistance, find_links, load_inputs
    from corridors.scenario import Scenario

    sc = Scenario.default().resolved()
    inputs = load_inputs(sc)
    res = build_resistance(inputs, sc.edits).grid
    nodes = build_nodes(inputs, sc.parameters)
    threads = find_links(res, nodes, inputs.borders, sc.parameters, Executor(threads=2))
    cluster.descs.clear()
    dist = find_links(res, nodes, inputs.borders, sc.parameters, cluster)
    assert cluster.descs == ["cost distance (per core)"]
    assert len(threads.links) > 10
    assert threads.links.equals(dist.links) and threads.unlinked.equals(dist.unlinked)
    for lid in threads.linkage.paths:
        assert np.array_equal(threads.linkage.paths[lid], dist.linkage.paths[lid])


def test_bad_workers_refused():
    with pytest.raises(ConfigError, match="workers: got -1"):
        Executor(workers=-1)
    with pytest.raises(ConfigError, match="threads: got 0"):
        Executor(threads=0)


def test_threads_keep_item_order_and_run_only_thread_safe_maps_in_parallel():
    import threading

    seen = set()

    def where(item):
        seen.add(threading.get_ident())
        return item * 2

    ex = Executor(threads=4)
    assert ex.map(where, range(40)) == [2 * i for i in range(40)]
    assert seen == {threading.get_ident()}  # not thread-safe by default: this thread only
    assert ex.map(where, range(40), threads_ok=True) == [2 * i for i in range(40)]
    assert ex.describe()["kind"] == "serial"


def test_serial_errors_propagate():
    with pytest.raises(ValueError, match="task 2 failed"):
        Executor().map(_tasks.fail, [1, 2, 3])
