"""PyPI has unrelated packages called ``rasters`` and ``vectors``: make sure we import ours."""

import pathlib

import corridors
import rasters
import vectors


def test_top_level_packages_are_ours():
    root = pathlib.Path(corridors.__file__).resolve().parent.parent
    for mod in (rasters, vectors, corridors):
        assert getattr(mod, "__corridors_package__", False), mod.__file__
        assert pathlib.Path(mod.__file__).resolve().parent.parent == root


def test_error_tree_inherits_builtins():
    from corridors import errors

    assert issubclass(errors.MissingClassesError, ValueError)
    assert issubclass(errors.DataFormatError, OSError)
    assert issubclass(errors.SolverError, RuntimeError)
    for name in errors.__all__:
        assert issubclass(getattr(errors, name), errors.CorridorsError)
