"""Where the circuit modes send each solved map: the result's dicts, a running sum and maximum, or a callback."""

from __future__ import annotations

import numpy as np


class MapSink:
    """Collects the voltage and current maps of each solved pair (pairwise) or id (one-to-all).

    Parameters
    ----------
    shape : tuple of int
        Grid shape (rows, cols).
    voltage_maps, current_maps, cumulative_current, max_current : bool
        Which maps the caller asked for.
    callback : callable or None
        ``f(*key, voltage, current)`` per map instead of storing it (``key`` a pair ``(a, b)``
        or an id); maps not asked for are passed as None.

    Attributes
    ----------
    voltage, current : dict {key: 2-D ndarray}
        Stored maps (empty with a callback).
    cumulative, maximum : 2-D ndarray or None
        Cell-wise sum and maximum of the current maps.
    want_current : bool
        Some current map is needed (stored, summed or maximised).
    wanted : bool
        Some map is needed.
    """

    def __init__(self, shape, voltage_maps, current_maps, cumulative_current, max_current, callback):
        self.want_voltage, self.want_current_maps = voltage_maps, current_maps
        self.want_current = current_maps or cumulative_current or max_current
        self.wanted = voltage_maps or self.want_current
        self.callback = callback
        self.voltage: dict = {}
        self.current: dict = {}
        self.cumulative = np.zeros(shape) if cumulative_current else None
        self.maximum = np.zeros(shape) if max_current else None

    def emit(self, key, volt, curr) -> None:
        """Send the maps of ``key``; ``curr`` may be None only when no current map is wanted."""
        if self.callback is not None:
            args = key if isinstance(key, tuple) else (key,)
            self.callback(*args, volt if self.want_voltage else None, curr if self.want_current_maps else None)
        else:
            if self.want_voltage:
                self.voltage[key] = volt
            if self.want_current_maps:
                self.current[key] = curr
        if self.cumulative is not None:
            np.add(self.cumulative, curr, out=self.cumulative)
        if self.maximum is not None:
            np.maximum(self.maximum, curr, out=self.maximum)
