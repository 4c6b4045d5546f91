"""Executor: serial and dask.distributed give the same results in the same order."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import _tasks  # noqa: E402

from corridors.errors import ConfigError  # noqa: E402
from corridors.pipeline.executor import Executor  # noqa: E402


@pytest.mark.slow
def test_serial_equals_local_cluster():
    items = list(range(12))
    with Executor() as ex:
        serial = ex.map(_tasks.work, items, shared={"scale": 3.0})
    with Executor(workers=2) as ex:
        assert ex.describe()["kind"] == "local-cluster"
        # workers import the test helper module from the test folder
        ex._client.run(sys.path.insert, 0, str(Path(__file__).parent))
        dist = ex.map(_tasks.work, items, shared={"scale": 3.0})
        with pytest.raises(ValueError, match="task 2 failed"):
            ex.map(_tasks.fail, [1, 2, 3])
    assert dist == serial
    assert [i for _, i in dist] == items


def test_bad_workers_refused():
    with pytest.raises(ConfigError, match="--workers"):
        Executor(workers=-1)


def test_serial_errors_propagate():
    with pytest.raises(ValueError, match="task 2 failed"):
        Executor().map(_tasks.fail, [1, 2, 3])
