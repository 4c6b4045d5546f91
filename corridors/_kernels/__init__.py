"""Pure Numba kernels: arrays in, arrays out, flat indices, no I/O, no CRS, no nodata sentinels.

Every kernel is compiled through :data:`JIT` so the options live in one place.
"""

import numba

#: Options for serial kernels.
JIT = dict(cache=True, nogil=True)

njit = numba.njit
