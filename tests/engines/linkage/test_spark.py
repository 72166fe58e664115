"""The Spark backend runs the same preset as DuckDB and finds the same pairs.

Both backends train on every pair of a small register (u from all pairs in one pass, EM on the same
blocks), so the models, scores, levels and clusters must agree, not only the accuracy.
"""

from __future__ import annotations

import pandas as pd
import pytest

from asylon.engines.linkage import evaluation as ev
from asylon.engines.linkage.model import LinkageOptions, LinkageResult
from asylon.engines.linkage.probabilistic import dedupe
from asylon.engines.linkage.synthetic import dedup_file, generate_people
from asylon.errors import ConfigurationError

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def register() -> pd.DataFrame:
    return dedup_file(generate_people(220, seed=51), seed=52)


@pytest.fixture(scope="module")
def both(spark_ready: None, register: pd.DataFrame) -> dict[str, LinkageResult]:
    return {
        backend: dedupe(register, options=LinkageOptions(keep_from=0.05, u_chunks=1, backend=backend))
        for backend in ("duckdb", "spark")
    }


def test_spark_scores_the_same_pairs_as_duckdb(both: dict[str, LinkageResult]) -> None:
    duck, spark = both["duckdb"].pairs, both["spark"].pairs
    assert len(duck) > 50
    key = ["left_id", "right_id"]
    assert set(map(tuple, spark[key].to_numpy())) == set(map(tuple, duck[key].to_numpy()))
    joined = duck.merge(spark, on=key, suffixes=("_duck", "_spark"))
    # Summation order differs between the engines; anything beyond rounding is a different model.
    assert (joined["match_weight_duck"] - joined["match_weight_spark"]).abs().max() < 1e-6
    for name in both["duckdb"].comparisons:
        assert (joined[f"level_{name}_duck"] == joined[f"level_{name}_spark"]).all(), name
        assert (joined[f"w_{name}_duck"] - joined[f"w_{name}_spark"]).abs().max() < 1e-3, name


def test_spark_clusters_and_accuracy_match_duckdb(
    both: dict[str, LinkageResult], register: pd.DataFrame
) -> None:
    pd.testing.assert_frame_equal(both["duckdb"].clusters, both["spark"].clusters)
    truth = ev.truth_lookup([("records", register)])
    total = ev.true_pair_count(register["true_id"])
    duck, spark = (ev.score_pairs(both[b].pairs, truth, total, threshold=0.95) for b in ("duckdb", "spark"))
    assert duck.f1 == spark.f1 and duck.f1 > 0.75, (duck, spark)


def test_spark_explanations_show_the_values_compared(both: dict[str, LinkageResult]) -> None:
    why = both["spark"].explain(0)
    dob = next(c for c in why.contributions if c.comparison == "dob")
    assert dob.left is not None and dob.left.isdigit()  # a year, not "1990.0"
    assert why.prior_weight + sum(c.match_weight for c in why.contributions) == pytest.approx(
        why.match_weight, abs=0.01
    )


def test_without_java_spark_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    from asylon.engines.linkage.backends import spark

    monkeypatch.setattr(SparkSession, "getActiveSession", classmethod(lambda cls: None))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ConfigurationError, match="default-jre-headless"):
        spark.spark_session("local[1]")


def test_an_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="use duckdb or spark"):
        LinkageOptions(backend="postgres")
