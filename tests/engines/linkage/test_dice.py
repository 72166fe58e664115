from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asylon.engines.linkage.dice import HAVE_NUMBA, dice_above, dice_pairs


def brute_dice(a: np.ndarray, b: np.ndarray) -> float:
    x = np.unpackbits(a.view(np.uint8)).astype(bool)
    y = np.unpackbits(b.view(np.uint8)).astype(bool)
    total = x.sum() + y.sum()
    return 0.0 if total == 0 else 2 * (x & y).sum() / total


matrices = st.integers(1, 4).flatmap(
    lambda words: st.tuples(
        st.lists(st.lists(st.integers(0, 2**64 - 1), min_size=words, max_size=words), min_size=1, max_size=8),
        st.lists(st.lists(st.integers(0, 2**64 - 1), min_size=words, max_size=words), min_size=1, max_size=8),
    )
)


@pytest.mark.slow
@settings(max_examples=60, derandomize=True, deadline=None)
@given(matrices, st.floats(0.0, 1.0))
def test_kernels_agree_with_brute_force(
    data: tuple[list[list[int]], list[list[int]]], threshold: float
) -> None:
    a = np.array(data[0], dtype=np.uint64)
    b = np.array(data[1], dtype=np.uint64)
    i, j = np.meshgrid(np.arange(len(a)), np.arange(len(b)), indexing="ij")
    i, j = i.ravel(), j.ravel()
    expected = np.array([brute_dice(a[x], b[y]) for x, y in zip(i, j, strict=True)])
    for use_numba in (True, False):
        assert np.allclose(dice_pairs(a, b, i, j, use_numba=use_numba), expected)
        ii, jj, ss = dice_above(a, b, threshold, use_numba=use_numba)
        want = {
            (int(x), int(y))
            for x, y, s in zip(i, j, expected, strict=True)
            if s >= threshold - 1e-12 and s > 0
        }
        got = {(int(x), int(y)) for x, y in zip(ii, jj, strict=True)}
        # the boundary may differ by float rounding only
        assert got - want == set() or all(
            abs(expected[x * len(b) + y] - threshold) < 1e-9 for x, y in got - want
        )
        assert want - got == set() or all(
            abs(expected[x * len(b) + y] - threshold) < 1e-9 for x, y in want - got
        )
        assert np.allclose(ss, [expected[x * len(b) + y] for x, y in zip(ii, jj, strict=True)])


def test_numba_is_used_when_installed() -> None:
    pytest.importorskip("numba")
    assert HAVE_NUMBA


def test_lengths_must_agree() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        dice_pairs(np.zeros((1, 2), np.uint64), np.zeros((1, 3), np.uint64), np.array([0]), np.array([0]))
