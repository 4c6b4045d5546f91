"""Compiled ASCII-grid formatting (exactly Python's %.10g), the writer pool, GeoTIFF by name."""

import threading

import numpy as np
import pytest

from corridors.circuitscape._numfmt import format_grid_body
from corridors.circuitscape.config import config_from_dict
from corridors.circuitscape.map_pool import MapPool
from corridors.circuitscape.writers import GridMeta, ascii_grid_bytes, ascii_grid_text, fmt


def _python_body(g):
    return "".join("".join(fmt(x) + " " for x in row.tolist()) + "\n" for row in g).encode()


def test_format_matches_python_on_hard_values():
    rng = np.random.default_rng(7)
    n = 40_000
    cases = [
        10 ** rng.uniform(-25, 25, n) * rng.choice([-1, 1], n),
        rng.integers(-10**7, 10**7, n).astype(float),
        rng.integers(0, 2**24, n) / 2.0 ** rng.integers(0, 14, n),  # exact binary fractions: ties
        np.round(rng.uniform(0, 1, n), 11),
        10 ** rng.uniform(-300, 300, n),  # beyond the exact powers of ten, and the fallback range
    ]
    special = np.array([0.0, -0.0, 1.0, -9999.0, 0.5, 1234567890.5, 1234567891.5, 9.9999999995,
                        9.99999999949, 1e-5, 1e-4, 0.0001234, 1e10, 9999999999.5, 1e16, 123456789012.0,
                        np.nan, np.inf, -np.inf, 5e-324, 1e308, 2.5, 0.125, 99999.99999,
                        0.000099999999995, 1e-300, -1.5e-7])
    for v in cases:
        g = v.reshape(200, -1)
        assert format_grid_body(g) == _python_body(g)
    assert format_grid_body(special[None, :]) == _python_body(special[None, :])


def test_ascii_bytes_equal_text_writer():
    meta = GridMeta(2, 3, 10.0, 20.5, 30.0)
    v = np.array([[0, 0.5, -9999], [1e-9, 2, 1 / 3]])
    assert ascii_grid_bytes(v, meta) == ascii_grid_text(v, meta).encode("ascii")


def test_pool_writes_in_workers_and_raises_the_first_error():
    seen = []
    lock = threading.Lock()

    def ok(i):
        with lock:
            seen.append((i, threading.current_thread().name))

    with MapPool(2) as pool:
        for i in range(10):
            pool.submit(ok, i)
    assert sorted(i for i, _ in seen) == list(range(10))
    assert all(name.startswith("corridors-maps") for _, name in seen)

    def bad():
        raise OSError("disk full")

    pool = MapPool(2)
    pool.submit(bad)
    with pytest.raises(OSError, match="disk full"):
        for _ in range(50):
            pool.submit(ok, 0)
        pool.close()
    inline = MapPool(0)
    inline.submit(ok, 99)
    assert seen[-1][0] == 99


def test_tif_output_name_asks_for_geotiff(tmp_path):
    base = {"data_type": "raster", "scenario": "pairwise", "habitat_file": "h.asc",
            "point_file": "p.txt"}
    cfg = config_from_dict({**base, "output_file": "out/job.tif"}, base_dir=tmp_path)
    assert cfg.maps_as_tif and cfg.output_prefix.name == "job"
    cfg = config_from_dict({**base, "output_file": "out/job.out"}, base_dir=tmp_path)
    assert not cfg.maps_as_tif and cfg.output_prefix.name == "job"
    cfg = config_from_dict({**base, "output_file": "out/job.out", "write_as_tif": "True"}, base_dir=tmp_path)
    assert cfg.maps_as_tif
