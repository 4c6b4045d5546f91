"""Pure Numba kernels: arrays in, arrays out, flat indices, no I/O, no CRS, no nodata sentinels.

Every kernel is compiled through :data:`JIT` / :data:`JIT_PARALLEL` so the options live in one place.
"""

import numba

#: Options for serial kernels.
JIT = dict(cache=True, nogil=True)
#: Options for kernels whose outermost loop is a ``prange`` with no shared scratch buffers.
JIT_PARALLEL = dict(cache=True, nogil=True, parallel=True)

njit = numba.njit
