"""Dice similarity of bit vectors packed as ``uint64`` rows.

Dice(a, b) = 2·|a ∧ b| / (|a| + |b|). Two kernels:

* :func:`dice_pairs` — Dice for given (i, j) candidate pairs (after blocking);
* :func:`dice_above` — every pair of two sets at or above a threshold (the all-pairs comparison
  ``anonlink`` does), for small sets and for benchmarks.

Both use a numba kernel that calls LLVM's ``ctpop`` (one ``popcnt`` instruction per 64 bits) when numba
is installed, and fall back to numpy's ``bitwise_count`` otherwise. numba is optional: hand-writing the
kernel is what makes it as fast as anonlink's C++ (see ``benchmarks/linkage_pprl.py``); the numpy path
is several times slower because it materialises the AND of every pair.

>>> import numpy as np
>>> a = np.array([[0b1011]], dtype=np.uint64); b = np.array([[0b0011]], dtype=np.uint64)
>>> float(dice_pairs(a, b, np.array([0]), np.array([0]))[0])
0.8
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["HAVE_NUMBA", "dice_above", "dice_pairs", "popcounts"]

Bits = npt.NDArray[np.uint64]

try:  # numba is optional; it is untyped, so it is held as Any
    numba: Any = importlib.import_module("numba")
    ir: Any = importlib.import_module("llvmlite.ir")
    types: Any = importlib.import_module("numba.core.types")
    cgutils: Any = importlib.import_module("numba.core.cgutils")
    intrinsic: Any = importlib.import_module("numba.extending").intrinsic
    HAVE_NUMBA = True
except ImportError:  # pragma: no cover - exercised only without numba
    HAVE_NUMBA = False


def popcounts(bits: Bits) -> npt.NDArray[np.int64]:
    """Number of set bits in each row."""
    counts: npt.NDArray[np.int64] = np.bitwise_count(bits).sum(axis=1, dtype=np.int64)
    return counts


def _dice_pairs_numpy(
    a: Bits, b: Bits, i: npt.NDArray[np.int64], j: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    pa, pb = popcounts(a), popcounts(b)
    out = np.empty(len(i), dtype=np.float64)
    step = max(1, 2_000_000 // max(a.shape[1], 1))
    for start in range(0, len(i), step):
        ii, jj = i[start : start + step], j[start : start + step]
        common = np.bitwise_count(a[ii] & b[jj]).sum(axis=1, dtype=np.int64)
        denom = pa[ii] + pb[jj]
        out[start : start + step] = np.where(denom > 0, 2.0 * common / np.maximum(denom, 1), 0.0)
    return out


def _dice_above_numpy(
    a: Bits, b: Bits, threshold: float
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    pa, pb = popcounts(a), popcounts(b)
    rows = max(1, 4_000_000 // max(b.shape[0] * b.shape[1], 1))
    out_i, out_j, out_s = [], [], []
    for start in range(0, a.shape[0], rows):
        block = a[start : start + rows]
        common = np.bitwise_count(block[:, None, :] & b[None, :, :]).sum(axis=2, dtype=np.int64)
        denom = pa[start : start + rows, None] + pb[None, :]
        sims = np.where(denom > 0, 2.0 * common / np.maximum(denom, 1), 0.0)
        ii, jj = np.nonzero(sims >= threshold)
        out_i.append(ii + start)
        out_j.append(jj)
        out_s.append(sims[ii, jj])
    if not out_i:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float64)
    return (
        np.concatenate(out_i).astype(np.int64),
        np.concatenate(out_j).astype(np.int64),
        np.concatenate(out_s),
    )


if HAVE_NUMBA:

    def _ctpop_typing(typingctx: Any, x: Any) -> Any:
        """LLVM's population count on a uint64 (numba has no popcount of its own)."""
        sig = types.uint64(types.uint64)

        def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
            fnty = ir.FunctionType(ir.IntType(64), [ir.IntType(64)])
            fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.ctpop.i64")
            return builder.call(fn, args)

        return sig, codegen

    _ctpop = intrinsic(_ctpop_typing)

    def _row_popcounts_py(bits: Any) -> Any:
        n, w = bits.shape
        out = np.empty(n, dtype=np.int64)
        for r in range(n):
            s = 0
            for k in range(w):
                s += _ctpop(bits[r, k])
            out[r] = s
        return out

    _row_popcounts = numba.njit(cache=True, nogil=True)(_row_popcounts_py)

    @functools.cache
    def _kernels(words: int) -> tuple[Any, Any]:
        """Kernels compiled for a fixed row length: a constant trip count lets LLVM unroll the popcount
        loop, which is worth 3-5x (measured in benchmarks/linkage_pprl.py)."""

        def pairs_kernel(a: Any, b: Any, pa: Any, pb: Any, i: Any, j: Any, out: Any) -> None:
            for p in range(i.shape[0]):
                x = i[p]
                y = j[p]
                s = 0
                for k in range(words):
                    s += _ctpop(a[x, k] & b[y, k])
                d = pa[x] + pb[y]
                out[p] = 2.0 * s / d if d > 0 else 0.0

        def above_kernel(
            a: Any, b: Any, pa: Any, pb: Any, threshold: float, oi: Any, oj: Any, os_: Any
        ) -> int:
            n = a.shape[0]
            m = b.shape[0]
            count = 0
            cap = oi.shape[0]
            for x in range(n):
                px = pa[x]
                for y in range(m):
                    d = px + pb[y]
                    s = 0
                    for k in range(words):
                        s += _ctpop(a[x, k] & b[y, k])
                    if d > 0 and 2.0 * s >= threshold * d:
                        if count >= cap:
                            return -1
                        oi[count] = x
                        oj[count] = y
                        os_[count] = 2.0 * s / d
                        count += 1
            return count

        return numba.njit(nogil=True)(pairs_kernel), numba.njit(nogil=True)(above_kernel)


def dice_pairs(
    a: Bits, b: Bits, i: npt.NDArray[np.int64], j: npt.NDArray[np.int64], *, use_numba: bool = True
) -> npt.NDArray[np.float64]:
    """Dice of rows ``a[i[p]]`` and ``b[j[p]]`` for each p."""
    a = np.ascontiguousarray(a, dtype=np.uint64)
    b = np.ascontiguousarray(b, dtype=np.uint64)
    i = np.ascontiguousarray(i, dtype=np.int64)
    j = np.ascontiguousarray(j, dtype=np.int64)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"bit vectors differ in length: {a.shape[1] * 64} and {b.shape[1] * 64} bits")
    if HAVE_NUMBA and use_numba:
        out = np.empty(len(i), dtype=np.float64)
        _kernels(a.shape[1])[0](a, b, _row_popcounts(a), _row_popcounts(b), i, j, out)
        return out
    return _dice_pairs_numpy(a, b, i, j)


def dice_above(
    a: Bits, b: Bits, threshold: float, *, use_numba: bool = True
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Every (i, j, dice) with dice ≥ ``threshold``, comparing each row of ``a`` with each row of ``b``.

    >>> a = np.array([[1], [3]], dtype=np.uint64)
    >>> [x.tolist() for x in dice_above(a, a, 0.6)]
    [[0, 0, 1, 1], [0, 1, 0, 1], [1.0, 0.6666666666666666, 0.6666666666666666, 1.0]]
    """
    a = np.ascontiguousarray(a, dtype=np.uint64)
    b = np.ascontiguousarray(b, dtype=np.uint64)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"bit vectors differ in length: {a.shape[1] * 64} and {b.shape[1] * 64} bits")
    if not (HAVE_NUMBA and use_numba):
        return _dice_above_numpy(a, b, threshold)
    pa, pb = _row_popcounts(a), _row_popcounts(b)
    cap = max(1024, 4 * (a.shape[0] + b.shape[0]))
    while True:
        oi = np.empty(cap, dtype=np.int64)
        oj = np.empty(cap, dtype=np.int64)
        os_ = np.empty(cap, dtype=np.float64)
        n = _kernels(a.shape[1])[1](a, b, pa, pb, float(threshold), oi, oj, os_)
        if n >= 0:
            return oi[:n], oj[:n], os_[:n]
        cap *= 4
