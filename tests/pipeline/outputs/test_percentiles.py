"""Percentiles of a raster read strip by strip, and the legends built from them, against numpy on
the whole array."""

import numpy as np
import pytest
from affine import Affine

from corridors.pipeline.outputs.percentiles import strip_percentiles
from corridors.pipeline.outputs.raster_classes import source_classes
from corridors.pipeline.outputs.styles import LAYER_STYLES, raster_classes


@pytest.mark.parametrize("kind", ["lognormal32", "normal32", "ties32", "narrow64", "signed_zero"])
def test_strip_percentiles_equal_numpy_bit_for_bit(kind):
    rng = np.random.default_rng(abs(hash(kind)) % 2**32)
    for _ in range(60):
        n = int(rng.integers(1, 2500))
        v = {"lognormal32": lambda: rng.lognormal(0, 3, n).astype(np.float32),
             "normal32": lambda: rng.normal(0, 1, n).astype(np.float32),
             "ties32": lambda: rng.integers(-3, 4, n).astype(np.float32),
             "narrow64": lambda: rng.normal(5, 1e-9, n),
             "signed_zero": lambda: rng.choice(np.array([-0.0, 0.0, 1.0, -2.0], np.float32), n)}[kind]()
        chunks = np.array_split(v, int(rng.integers(1, 8)))
        for keep in (None, lambda a: a > 0):
            q = [0, 2, 37.5, 98, 100]
            got, m = strip_percentiles(lambda: iter(chunks), q, keep=keep)
            w = v.astype(np.float64)
            w = w[w > 0] if keep else w
            assert m == w.size
            if w.size:
                np.testing.assert_array_equal(np.array(got), np.percentile(w, q))
            else:
                assert got == []


class _Bands:
    """A band source over an array, read in strips of 7 rows (strips() asks by cells)."""

    def __init__(self, values, nodata=None):
        self.values, self.shape, self.dtype = values, values.shape, values.dtype
        self.transform, self.crs, self.nodata, self.name = Affine(1000, 0, 0, 0, -1000, 0), None, nodata, "test"

    def read_rows(self, r0, r1):
        return self.values[r0:r1]


@pytest.mark.parametrize("name", ["current_density", "corridor_mosaic", "barrier_improvement"])
def test_source_classes_equal_raster_classes_on_the_whole_array(name, monkeypatch):
    import rasters.blocks

    whole_strips = rasters.blocks.strips
    calls = []

    def small_strips(source, multiple=1, cells=None):  # strips of 7 rows, not 4 M cells
        calls.append(1)
        return whole_strips(source, multiple, 7 * source.shape[1])

    monkeypatch.setattr(rasters.blocks, "strips", small_strips)
    rng = np.random.default_rng(3)
    v = rng.lognormal(-2, 2, (120, 90)).astype(np.float32)
    v[rng.random(v.shape) < 0.3] = np.nan
    v[:5] = -1.0  # non-positive values, left out on a log scale
    style = LAYER_STYLES[name]
    got = source_classes(_Bands(v), style)
    want = raster_classes(v, style)
    assert got == want and got.mode == "interpolated" and len(calls) == 3  # distinct values, two passes
    empty = np.full((20, 9), np.nan, np.float32)
    empty[:, 0] = -np.arange(20, dtype=np.float32) - 1.0  # many distinct values, none positive
    assert source_classes(_Bands(empty), style, max_exact=4) == raster_classes(empty, style, max_exact=4)
