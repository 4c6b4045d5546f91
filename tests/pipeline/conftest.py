"""One default North-East Asia run per test session, shared by the pipeline tests."""

import pytest


@pytest.fixture(scope="session")
def default_run(tmp_path_factory):
    from corridors.pipeline import run_scenario

    out = tmp_path_factory.mktemp("runs") / "baseline"
    result = run_scenario(None, out, progress=False)
    return result
