"""``run_scenario(..., scratch=DIR)`` / ``corridors run --scratch DIR``: the run's scratch files go
to a new subfolder of DIR (removed at the end, nothing else touched), and a run whose executor
is a cluster reads its windows from the files staged there and ranks as the serial run does."""

import dataclasses
import pickle

import pytest
from click.testing import CliRunner

from corridors.cli import main
from corridors.errors import ConfigError
from corridors.parallel import Executor
from corridors.pipeline import run_scenario
from corridors.scenario import Scenario


class _StagingCluster(Executor):
    """Says it is a dask cluster; runs each task here after a pickle round trip, noting the
    scratch folder it saw and the largest task it was given (with the shared arguments)."""

    def __init__(self):
        super().__init__()
        self.scratches, self.largest, self.funcs = set(), 0, set()

    @property
    def is_distributed(self):
        return True

    def start(self):
        return self

    def map(self, func, items, *, shared=None, desc=None, threads_ok=False):
        shared = dict(shared or {})
        self.scratches.add(self.scratch)
        self.funcs.add(func.__name__)
        blob_shared = pickle.dumps(shared)
        out = []
        for item in items:
            blob = pickle.dumps(item)
            self.largest = max(self.largest, len(blob) + len(blob_shared))
            out.append(func(pickle.loads(blob), **pickle.loads(blob_shared)))
        return out


@pytest.mark.slow
def test_cluster_run_reads_the_staged_grid_from_the_scratch_folder(default_run, tmp_path):
    sc = Scenario.default()
    sc = dataclasses.replace(sc, outputs=dataclasses.replace(sc.outputs, report=False, cogs=False))
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "someone_elses.txt").write_text("keep me")
    ex = _StagingCluster()
    run_scenario(sc, tmp_path / "out", executor=ex, progress=False, scratch=shared)
    assert {"core_search", "solve_link"} <= ex.funcs
    (scratch,) = ex.scratches
    assert scratch.parent == shared and scratch.name.startswith("corridors-scratch-")
    # no task carried the grid (0.5 M cells: 2 MB as float32)
    assert ex.largest < 200_000
    assert sorted(p.name for p in shared.iterdir()) == ["someone_elses.txt"]
    assert (tmp_path / "out" / "ranking.csv").read_text() == (default_run.out / "ranking.csv").read_text()


def test_bad_scratch_folder_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(ConfigError, match="not an existing folder"):
        run_scenario(None, tmp_path / "out", scratch=tmp_path / "missing", progress=False)
    assert not (tmp_path / "out").exists()
    cli = CliRunner().invoke(main, ["run", "--out", str(tmp_path / "out"), "--scratch", str(tmp_path / "nope")])
    assert cli.exit_code != 0 and "not an existing folder" in cli.output
    assert not (tmp_path / "out").exists()
