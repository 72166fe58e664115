from __future__ import annotations

import itertools

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asylon.engines.linkage import evaluation as ev


def frame(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "left_source": "a",
            "left_id": [r[0] for r in rows],
            "right_source": "b",
            "right_id": [r[1] for r in rows],
            "match_probability": [r[2] for r in rows],
        }
    )


TRUTH = {("a", "1"): "x", ("a", "2"): "y", ("b", "1"): "x", ("b", "2"): "y", ("b", "3"): "z"}


@pytest.mark.parametrize(
    ("rows", "threshold", "expected"),
    [
        ([("1", "1", 0.9), ("2", "2", 0.8)], 0.5, (1.0, 1.0)),
        ([("1", "1", 0.9), ("2", "3", 0.8)], 0.5, (0.5, 0.5)),
        ([("1", "1", 0.9), ("2", "2", 0.4)], 0.5, (1.0, 0.5)),
        ([], 0.5, (1.0, 0.0)),
    ],
)
def test_score_pairs(
    rows: list[tuple[str, str, float]], threshold: float, expected: tuple[float, float]
) -> None:
    s = ev.score_pairs(frame(rows), TRUTH, 2, threshold=threshold)
    assert (s.precision, s.recall) == expected


@settings(max_examples=60, derandomize=True)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["1", "2"]),
            st.sampled_from(["1", "2", "3"]),
            st.sampled_from([0.1, 0.5, 0.7, 0.9]),
        ),
        max_size=6,
        unique_by=lambda r: (r[0], r[1]),
    )
)
def test_recall_at_precision_matches_brute_force(rows: list[tuple[str, str, float]]) -> None:
    pairs = frame(rows)
    best = 0.0
    for t in sorted({r[2] for r in rows}):
        s = ev.score_pairs(pairs, TRUTH, 2, threshold=t)
        if s.true_positives + s.false_positives and s.precision >= 0.99:
            best = max(best, s.recall)
    assert ev.recall_at_precision(pairs, TRUTH, 2) == pytest.approx(best)


def test_true_pair_count_matches_enumeration() -> None:
    truth = pd.Series(list("aabbbcd"))
    pairs = sum(1 for x, y in itertools.combinations(truth, 2) if x == y)
    assert ev.true_pair_count(truth) == pairs
