"""Accuracy of predicted links against ground truth (benchmarks and tests).

Truth is a column giving each record's true entity; a true pair is two records with the same entity
(across the two files for linkage, within the file for dedup).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from asylon.engines.linkage.model import Scores

__all__ = ["recall_at_precision", "score_pairs", "true_pair_count"]


def true_pair_count(left_truth: pd.Series, right_truth: pd.Series | None = None) -> int:
    """Number of true pairs: within one file (dedup) or across two (linkage).

    >>> true_pair_count(pd.Series(["a", "a", "a", "b"]))
    3
    >>> true_pair_count(pd.Series(["a", "b"]), pd.Series(["a", "a", "c"]))
    2
    """
    left_counts = left_truth.value_counts()
    if right_truth is None:
        return int((left_counts * (left_counts - 1) // 2).sum())
    right_counts = right_truth.value_counts()
    both = left_counts.index.intersection(right_counts.index)
    return int((left_counts[both] * right_counts[both]).sum())


def _pair_truth(pairs: pd.DataFrame, truth_of: dict[tuple[str, str], str]) -> np.ndarray:
    left = [truth_of.get((s, i)) for s, i in zip(pairs["left_source"], pairs["left_id"], strict=True)]
    right = [truth_of.get((s, i)) for s, i in zip(pairs["right_source"], pairs["right_id"], strict=True)]
    return np.array([a is not None and a == b for a, b in zip(left, right, strict=True)], dtype=bool)


def truth_lookup(
    tables: Iterable[tuple[str, pd.DataFrame]], *, id_column: str = "record_id", truth_column: str = "true_id"
) -> dict[tuple[str, str], str]:
    """(source, record id) → true entity, from the tables' truth columns."""
    out: dict[tuple[str, str], str] = {}
    for source, table in tables:
        out.update(
            zip(((source, str(i)) for i in table[id_column]), table[truth_column].astype(str), strict=True)
        )
    return out


def score_pairs(
    pairs: pd.DataFrame,
    truth_of: dict[tuple[str, str], str],
    total_true: int,
    *,
    threshold: float | None = None,
    column: str = "match_probability",
) -> Scores:
    """Precision/recall/F1 of ``pairs`` (at or above ``threshold`` in ``column`` if given).

    >>> pairs = pd.DataFrame({"left_source": ["a"], "left_id": ["1"], "right_source": ["a"], "right_id": ["2"],
    ...                       "match_probability": [0.99]})
    >>> str(score_pairs(pairs, {("a", "1"): "x", ("a", "2"): "x"}, total_true=2))
    'P=1.0000 R=0.5000 F1=0.6667'
    """
    chosen = pairs if threshold is None else pairs[pairs[column] >= threshold]
    hits = _pair_truth(chosen, truth_of)
    tp = int(hits.sum())
    fp = len(chosen) - tp
    fn = total_true - tp
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / total_true if total_true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, tp, fp, fn)


def best_f1(
    pairs: pd.DataFrame,
    truth_of: dict[tuple[str, str], str],
    total_true: int,
    *,
    column: str = "match_probability",
) -> tuple[float, Scores]:
    """The threshold giving the best F1, and the scores there (an upper bound; report it as such)."""
    order = pairs.sort_values(column, ascending=False, kind="stable")
    hits = _pair_truth(order, truth_of)
    tp = np.cumsum(hits)
    k = np.arange(1, len(order) + 1)
    precision = tp / k
    recall = tp / max(total_true, 1)
    f1 = np.where(precision + recall > 0, 2 * precision * recall / np.maximum(precision + recall, 1e-12), 0)
    if len(order) == 0:
        return 1.0, Scores(1.0, 0.0, 0.0, 0, 0, total_true)
    i = int(np.argmax(f1))
    t = float(order[column].to_numpy()[i])
    return t, score_pairs(pairs, truth_of, total_true, threshold=t, column=column)


def recall_at_precision(
    pairs: pd.DataFrame,
    truth_of: dict[tuple[str, str], str],
    total_true: int,
    *,
    min_precision: float = 0.99,
    column: str = "match_probability",
) -> float:
    """The highest recall any threshold reaches while precision stays at or above ``min_precision``."""
    order = pairs.sort_values(column, ascending=False, kind="stable")
    hits = _pair_truth(order, truth_of)
    if len(order) == 0 or total_true == 0:
        return 0.0
    tp = np.cumsum(hits)
    precision = tp / np.arange(1, len(order) + 1)
    # Only cut between distinct scores: ties go together.
    scores = order[column].to_numpy()
    boundary = np.append(scores[1:] != scores[:-1], True)
    ok = (precision >= min_precision) & boundary
    return float(tp[ok].max() / total_true) if ok.any() else 0.0


def scores_by_group(
    pairs: pd.DataFrame,
    truth_of: dict[tuple[str, str], str],
    group_of: dict[tuple[str, str], str],
    true_by_group: dict[str, int],
    *,
    threshold: float,
    column: str = "match_probability",
) -> dict[str, Scores]:
    """Scores per group (e.g. name origin); a predicted pair belongs to its left record's group.

    >>> pairs = pd.DataFrame({"left_source": ["a"], "left_id": ["1"], "right_source": ["a"], "right_id": ["2"],
    ...                       "match_probability": [0.99]})
    >>> truth = {("a", "1"): "x", ("a", "2"): "x"}
    >>> str(scores_by_group(pairs, truth, {("a", "1"): "SYR", ("a", "2"): "SYR"}, {"SYR": 1}, threshold=0.5)["SYR"])
    'P=1.0000 R=1.0000 F1=1.0000'
    """
    chosen = pairs[pairs[column] >= threshold]
    hits = _pair_truth(chosen, truth_of)
    groups = [
        group_of.get((s, i), "?") for s, i in zip(chosen["left_source"], chosen["left_id"], strict=True)
    ]
    out: dict[str, Scores] = {}
    frame = pd.DataFrame({"group": groups, "hit": hits})
    for group, total in sorted(true_by_group.items()):
        sel = frame[frame["group"] == group]
        tp = int(sel["hit"].sum())
        fp = len(sel) - tp
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / total if total else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[group] = Scores(precision, recall, f1, tp, fp, total - tp)
    return out


def true_pairs_by_group(
    tables: list[pd.DataFrame], *, truth_column: str = "true_id", group_column: str = "origin"
) -> dict[str, int]:
    """True pair counts per group for one table (dedup) or two (linkage)."""
    out: dict[str, int] = {}
    if len(tables) == 1:
        table = tables[0]
        for group, sub in table.groupby(group_column):
            out[str(group)] = true_pair_count(sub[truth_column])
        return out
    left, right = tables
    for group, sub in left.groupby(group_column):
        out[str(group)] = true_pair_count(
            sub[truth_column], right[right[group_column] == group][truth_column]
        )
    return out
