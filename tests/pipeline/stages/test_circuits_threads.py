"""A link's effective resistance must not depend on the BLAS thread count (serial vs dask workers)."""

import os
import subprocess
import sys

_SCRIPT = """
import numpy as np
from corridors.pipeline.stages.circuits import LinkCircuit, solve_link
rng = np.random.default_rng(7)
r = rng.uniform(1.0, 100.0, (150, 220))
r[60:90, 100] = np.nan
a = np.zeros(r.shape, bool); a[5:25, 5:30] = True
b = np.zeros(r.shape, bool); b[120:145, 180:215] = True
res = solve_link(LinkCircuit(1, slice(0, 150), slice(0, 220), r, a, b))
print(res.eff_resist.hex(), res.solver)
"""


def test_link_resistance_identical_across_blas_thread_counts():
    outs = set()
    for threads in ("1", "2"):
        env = dict(os.environ, OPENBLAS_NUM_THREADS=threads, OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads)
        run = subprocess.run([sys.executable, "-c", _SCRIPT], env=env, capture_output=True, text=True, check=True)
        outs.add(run.stdout)
    assert len(outs) == 1, outs
