"""corridors.memory: the allocator settings apply on glibc and change no result."""

import ctypes.util
import sys

import numpy as np
import pytest

from corridors.memory import release_free_memory, tune_allocator


@pytest.mark.skipif(not sys.platform.startswith("linux") or ctypes.util.find_library("c") is None,
                    reason="glibc only")
def test_tune_allocator_applies_on_glibc():
    assert tune_allocator() is True


def test_release_keeps_live_arrays():
    a = np.arange(1 << 20, dtype=np.float64)
    b = np.ones(1 << 19)
    del b
    release_free_memory()
    assert a[-1] == (1 << 20) - 1 and a.sum() == (1 << 20) * ((1 << 20) - 1) / 2
