"""Inputs and outputs of the linkage engine.

Registers go in as pandas DataFrames (see :mod:`asylon.engines.linkage.records` for the columns); results
come out as :class:`LinkageResult`: scored pairs with the match weight of every comparison, and clusters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = [
    "ComparisonContribution",
    "LinkageOptions",
    "LinkageResult",
    "PairExplanation",
    "Scores",
]


@dataclass(frozen=True, slots=True)
class LinkageOptions:
    """How a probabilistic run trains and which pairs it keeps.

    ``threshold`` is the match probability at which a pair is a link (and joins a cluster); pairs from
    ``keep_from`` up are written out for review. ``u_max_pairs`` bounds the random sample u is estimated
    from; ``seed`` makes training reproducible. ``min_m`` floors every m probability after training, so a
    level EM never saw (a sex code typed wrong) costs a bounded weight rather than vetoing the pair.
    ``memory_limit`` caps DuckDB (it spills to disk beyond it) and sizes the Spark driver when asylon starts
    Spark; ``predict_chunks`` splits scoring into chunks × chunks parts (default: more chunks for larger
    registers). ``backend`` is where Splink runs the SQL: "duckdb" (in-process, the default) or "spark"
    (the session already active in this process, else a local one on ``spark_master``; needs Java 17+).
    The same preset, training and clustering run on both. ``u_chunks`` splits u estimation into that many
    passes, stopping early once every level has been seen 100 times (default: Splink's 10 on DuckDB, 1 on
    Spark, where each pass is a job with a fixed cost); with 1 and ``u_max_pairs`` above the register's pair
    count, training reads every pair and both backends learn the same model.

    >>> LinkageOptions(backend="spark").spark_master
    'local[2]'
    """

    threshold: float = 0.95
    keep_from: float = 0.5
    u_max_pairs: float = 2e6
    em_max_pairs: float | None = 2e6
    seed: int = 1
    min_m: float = 0.002
    memory_limit: str | None = "6GB"
    predict_chunks: int | None = None
    backend: str = "duckdb"
    spark_master: str = "local[2]"
    u_chunks: int | None = None

    def __post_init__(self) -> None:
        if not 0.0 < self.keep_from <= self.threshold < 1.0:
            raise ValueError("need 0 < keep_from <= threshold < 1")
        if self.backend not in ("duckdb", "spark"):
            raise ValueError(f"unknown backend {self.backend!r}: use duckdb or spark")


@dataclass(frozen=True, slots=True)
class ComparisonContribution:
    """One comparison's part in a pair's score: which level it fell in and its match weight (log2 Bayes factor)."""

    comparison: str
    level: str
    match_weight: float
    left: str | None
    right: str | None


@dataclass(frozen=True, slots=True)
class PairExplanation:
    """Why a pair scored what it did: the prior plus the weight of every comparison sums to ``match_weight``."""

    left_id: str
    right_id: str
    match_weight: float
    match_probability: float
    prior_weight: float
    contributions: tuple[ComparisonContribution, ...]


@dataclass(frozen=True, slots=True, eq=False)
class LinkageResult:
    """Scored pairs and clusters from one run.

    ``pairs`` columns: ``left_id``, ``right_id``, ``left_source``, ``right_source``, ``match_weight``,
    ``match_probability``, then for each comparison ``c``: ``w_c`` (its match weight) and ``level_c``
    (the level's label). ``clusters``: ``record_id``, ``source``, ``cluster_id`` (records linked at or
    above ``threshold`` share a cluster). ``model`` is the trained Splink model (JSON-able), ``notes``
    anything the run had to work around.
    """

    pairs: pd.DataFrame
    clusters: pd.DataFrame
    threshold: float
    model: dict[str, Any]
    prior_weight: float
    comparisons: tuple[str, ...]
    notes: tuple[str, ...] = ()
    values: dict[str, tuple[str, str]] = field(default_factory=dict)

    def explain(self, index: int) -> PairExplanation:
        """The explanation of the pair in row ``index`` of :attr:`pairs`."""
        row = self.pairs.iloc[index]
        contributions = []
        for name in self.comparisons:
            lcol, rcol = self.values.get(name, (None, None))
            contributions.append(
                ComparisonContribution(
                    comparison=name,
                    level=str(row[f"level_{name}"]),
                    match_weight=float(row[f"w_{name}"]),
                    left=None if lcol is None or pd.isna(row.get(lcol)) else str(row.get(lcol)),
                    right=None if rcol is None or pd.isna(row.get(rcol)) else str(row.get(rcol)),
                )
            )
        return PairExplanation(
            left_id=str(row["left_id"]),
            right_id=str(row["right_id"]),
            match_weight=float(row["match_weight"]),
            match_probability=float(row["match_probability"]),
            prior_weight=self.prior_weight,
            contributions=tuple(contributions),
        )

    def links(self) -> pd.DataFrame:
        """The pairs at or above the threshold."""
        return self.pairs[self.pairs["match_probability"] >= self.threshold]


@dataclass(frozen=True, slots=True)
class Scores:
    """Precision, recall and F1 of predicted links against the truth."""

    precision: float
    recall: float
    f1: float
    true_positives: int
    false_positives: int
    false_negatives: int

    def __str__(self) -> str:
        return f"P={self.precision:.4f} R={self.recall:.4f} F1={self.f1:.4f}"
