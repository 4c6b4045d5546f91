"""Where the tests find their data: the one fixture, :func:`test_data`.

Everything a test reads lives in the repository: third-party reference cases under
``tests/data/`` (provenance and licences in ``tests/data/circuitscape/SOURCE.md``) and the
embedded North-East Asia dataset shipped inside the package (``corridors/datasets/nea/``).
Tests write only to pytest's temporary folders.
"""

from __future__ import annotations

import importlib.resources
from dataclasses import dataclass
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class TestData:
    """Paths of the test data.

    root : ``tests/data``; circuitscape : the Circuitscape reference cases; jl, py4, omniscape :
    its Circuitscape.jl, Circuitscape 4 (Python) and Omniscape.jl parts.
    """

    root: Path = DATA

    __test__ = False  # not a test class, whatever pytest's name rules say

    @property
    def circuitscape(self) -> Path:
        return self.root / "circuitscape"

    @property
    def jl(self) -> Path:
        return self.circuitscape / "Circuitscape.jl"

    @property
    def py4(self) -> Path:
        return self.circuitscape / "Circuitscape-v4-python"

    @property
    def omniscape(self) -> Path:
        return self.circuitscape / "Omniscape.jl"

    def nea(self, name: str) -> Path:
        """A file of the embedded NEA dataset (inside the installed package)."""
        path = Path(str(importlib.resources.files("corridors.datasets").joinpath("nea", name)))
        if not path.is_file():
            raise FileNotFoundError(f"embedded NEA file {name!r} not found at {path}")
        return path


@pytest.fixture(scope="session")
def test_data() -> TestData:
    """Paths of every data file the tests read (see :class:`TestData`)."""
    return TestData()
