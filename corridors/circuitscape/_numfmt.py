"""Compiled ``%.10g`` formatting of whole grids (Circuitscape's ASCII-grid digits), GIL released.

Python formats about 5 million numbers a second; a 1000 x 1000 pairwise job with maps writes
300 million. :func:`format_grid_rows` writes the rows of an Esri ASCII grid body (every value
followed by a space, every row by a newline, exactly as :func:`~.writers.fmt` joins them) into a
byte buffer in compiled code, one core per call and without the GIL, so several maps are
formatted at once by a thread pool while the solver runs.

Exactness
---------
Each value is rounded to 10 significant digits from its exact binary value, as C's ``printf``
and Python's ``%`` do (round half to even on exact ties). The scaled value ``|x| * 10**(9 - e)``
is formed in double-double arithmetic (Dekker's exact product; ``10**k`` stored as the sum of
two doubles). For ``|k| <= 22`` the power is exact, so the product and the tie decision are
exact; for larger ``|k|`` an exact tie is impossible (``5**|k|`` cannot divide the 11-digit
odd numerator) and the error bound is ~1e-21, so only a fraction within 1e-18 of one half is
left undecided. Such values, NaN and infinities, and magnitudes outside [1e-290, 1e290] are
flagged and re-formatted by Python (:func:`format_grid_body`); the test suite compares with
Python's ``%.10g`` on a million values.
"""

from __future__ import annotations

from fractions import Fraction

import numba as nb
import numpy as np

__all__ = ["format_grid_body", "MAX_CHARS"]

#: Longest ``%.10g`` text plus the separator: ``-1.234567891e-100 ``.
MAX_CHARS = 18

_KMIN, _KMAX = -320, 320


def _power_table():
    hi = np.zeros(_KMAX - _KMIN + 1)
    lo = np.zeros(_KMAX - _KMIN + 1)
    for i, k in enumerate(range(_KMIN, _KMAX + 1)):
        exact = Fraction(10) ** k
        try:
            h = float(exact)
        except OverflowError:
            h = np.inf
        hi[i] = h
        lo[i] = float(exact - Fraction(h)) if np.isfinite(h) and h != 0 else 0.0
    return hi, lo


_P_HI, _P_LO = _power_table()
_POW10 = np.array([10**i for i in range(19)], dtype=np.int64)
_SPLIT = 134217729.0  # 2**27 + 1 (Dekker)


@nb.njit(cache=True, inline="always")
def _two_prod(a, b):
    p = a * b
    t = _SPLIT * a
    ah = t - (t - a)
    al = a - ah
    t = _SPLIT * b
    bh = t - (t - b)
    bl = b - bh
    err = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    return p, err


@nb.njit(cache=True)
def _digits(a, e, phi, plo):
    """``round(a * 10**(9 - e))`` as int64 and whether the rounding was decided (see module)."""
    k = 9 - e
    ph = phi[k - _KMIN]
    pl = plo[k - _KMIN]
    hi, lo = _two_prod(a, ph)
    lo += a * pl
    d0 = np.floor(hi)
    frac = (hi - d0) + lo
    if frac < 0.0:
        d0 -= 1.0
        frac += 1.0
    elif frac >= 1.0:
        d0 += 1.0
        frac -= 1.0
    d = np.int64(d0)
    ok = True
    if frac > 0.5:
        d += 1
    elif frac == 0.5:
        if pl == 0.0:
            d += d & 1  # exact tie: half to even
        else:
            ok = False
    if pl != 0.0 and abs(frac - 0.5) < 1e-18:
        ok = False
    return d, ok


@nb.njit(cache=True)
def _put_int(buf, pos, v, width):
    """Write ``v`` with exactly ``width`` digits (leading zeros kept) at ``pos``."""
    for i in range(width - 1, -1, -1):
        buf[pos + i] = 48 + v % 10
        v //= 10
    return pos + width


@nb.njit(cache=True)
def _format_one(x, buf, pos, phi, plo):
    """Write ``%.10g`` of ``x`` at ``buf[pos:]``; return (new pos, ok). ``-0`` is written ``0``."""
    if x == 0.0:
        buf[pos] = 48
        return pos + 1, True
    a = abs(x)
    if not (a >= 1e-290 and a <= 1e290):  # also NaN and inf
        return pos, False
    e = np.int64(np.floor(np.log10(a)))
    d, ok = _digits(a, e, phi, plo)
    if d >= 10_000_000_000:
        e += 1
        d, ok = _digits(a, e, phi, plo)
    elif d < 1_000_000_000:
        e -= 1
        d, ok = _digits(a, e, phi, plo)
        if d >= 10_000_000_000:  # the estimate was right after all: 9.9999999995e.. rounds up
            e += 1
            d, ok = _digits(a, e, phi, plo)
    if not ok or d < 1_000_000_000 or d >= 10_000_000_000:
        return pos, False
    # strip trailing zeros of the 10 significant digits
    nd = 10
    while nd > 1 and d % 10 == 0:
        d //= 10
        nd -= 1
    if x < 0:
        buf[pos] = 45
        pos += 1
    if -4 <= e < 10:
        if e >= 0:
            if nd <= e + 1:  # integer: digits then zeros
                pos = _put_int(buf, pos, d, nd)
                for _ in range(e + 1 - nd):
                    buf[pos] = 48
                    pos += 1
            else:
                ip = d // _POW10[nd - e - 1]
                fp = d - ip * _POW10[nd - e - 1]
                pos = _put_int(buf, pos, ip, e + 1)
                buf[pos] = 46
                pos = _put_int(buf, pos + 1, fp, nd - e - 1)
        else:
            buf[pos] = 48
            buf[pos + 1] = 46
            pos += 2
            for _ in range(-e - 1):
                buf[pos] = 48
                pos += 1
            pos = _put_int(buf, pos, d, nd)
    else:
        lead = d // _POW10[nd - 1]
        buf[pos] = 48 + lead
        pos += 1
        if nd > 1:
            buf[pos] = 46
            pos = _put_int(buf, pos + 1, d - lead * _POW10[nd - 1], nd - 1)
        buf[pos] = 101
        buf[pos + 1] = 45 if e < 0 else 43
        pos += 2
        ae = -e if e < 0 else e
        pos = _put_int(buf, pos, ae, 3 if ae >= 100 else 2)
    return pos, True


@nb.njit(cache=True, nogil=True)
def _format_rows(values, phi, plo, buf, bad):
    """Format every row of ``values`` into ``buf``; returns bytes used. ``bad`` flags cells."""
    nrows, ncols = values.shape
    pos = 0
    nbad = 0
    for i in range(nrows):
        for j in range(ncols):
            start = pos
            pos, ok = _format_one(values[i, j], buf, pos, phi, plo)
            if not ok:
                pos = start
                bad[i] = True
                nbad += 1
            buf[pos] = 32
            pos += 1
        buf[pos] = 10
        pos += 1
    return pos, nbad


def _python_row(row) -> bytes:
    out = []
    for x in row.tolist():
        s = "%.10g" % x
        out.append("0" if s == "-0" else s)
    return ("".join(s + " " for s in out) + "\n").encode("ascii")


def format_grid_body(values) -> bytes:
    """The body of an Esri ASCII grid: ``%.10g`` of each value, a space after each, rows by ``\\n``.

    Identical to ``"".join("".join(fmt(x) + " " for x in row) + "\\n" for row in values)``.
    Releases the GIL while it formats (call it from worker threads to format maps in parallel).
    """
    v = np.ascontiguousarray(values, dtype=np.float64)
    if v.ndim != 2:
        raise ValueError(f"expected a 2-D grid, got shape {v.shape}")
    buf = np.empty(v.size * MAX_CHARS + v.shape[0], dtype=np.uint8)
    bad = np.zeros(v.shape[0], dtype=np.bool_)
    used, nbad = _format_rows(v, _P_HI, _P_LO, buf, bad)
    if not nbad:
        return buf[:used].tobytes()
    # rare cells (NaN, inf, extreme magnitudes, undecidable rounding): redo their rows in Python
    parts = []
    pos = 0
    for i in range(v.shape[0]):
        end = pos + (buf[pos:used] == 10).argmax() + 1
        parts.append(_python_row(v[i]) if bad[i] else buf[pos:end].tobytes())
        pos = end
    return b"".join(parts)
