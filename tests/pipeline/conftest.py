"""One default North-East Asia run per test session, shared by the pipeline tests."""

import pytest


@pytest.fixture(scope="session")
def default_run(tmp_path_factory):
    from corridors.pipeline import run_scenario

    out = tmp_path_factory.mktemp("runs") / "baseline"
    result = run_scenario(None, out, progress=False)
    return result


#: the species profiles with a [flyway] table (migratory birds): their runs are flyway runs
FLYWAY_SPECIES = ("white_naped_crane", "hooded_crane", "black_faced_spoonbill")


@pytest.fixture(scope="session")
def flyway_run(tmp_path_factory):
    """``flyway_run(species)``: that bird's run from ``corridors run SCENARIO.toml --out DIR`` (a
    scenario file naming only the profile), made once per session; a namespace with ``out``,
    ``output`` (what the command printed) and ``seconds`` (wall time of the command)."""
    import time
    from types import SimpleNamespace

    from click.testing import CliRunner

    from corridors.cli import main

    root = tmp_path_factory.mktemp("flyway")
    done = {}

    def run(species: str):
        if species not in done:
            toml = root / f"{species}.toml"
            toml.write_text(f'name = "{species}-flyway"\n\n[species]\nprofile = "{species}"\n', encoding="utf-8")
            t = time.perf_counter()
            res = CliRunner().invoke(main, ["run", str(toml), "--out", str(root / species)])
            seconds = time.perf_counter() - t
            assert res.exit_code == 0, f"{species}: {res.output}\n{res.exception!r}"
            done[species] = SimpleNamespace(out=root / species, output=res.output, seconds=seconds, species=species)
        return done[species]

    return run
