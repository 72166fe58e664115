from __future__ import annotations

import pandas as pd
import pytest

from asylon.engines.linkage import evaluation as ev
from asylon.engines.linkage.model import LinkageOptions
from asylon.engines.linkage.probabilistic import dedupe, link
from asylon.engines.linkage.synthetic import dedup_file, generate_people, registrations
from asylon.errors import InvalidFile, InvalidInput

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def linked() -> tuple[pd.DataFrame, pd.DataFrame, object]:
    left, right = registrations(generate_people(1500, seed=21), seed=22)
    result = link(left, right, options=LinkageOptions(keep_from=0.05))
    return left, right, result


def test_links_synthetic_registers_well(linked: tuple) -> None:  # type: ignore[type-arg]
    left, right, result = linked
    truth = ev.truth_lookup([("left", left), ("right", right)])
    scores = ev.score_pairs(
        result.pairs, truth, ev.true_pair_count(left["true_id"], right["true_id"]), threshold=0.95
    )
    assert scores.f1 > 0.85, scores


def test_explanations_add_up_to_the_match_weight(linked: tuple) -> None:  # type: ignore[type-arg]
    _, _, result = linked
    for k in range(0, len(result.pairs), max(1, len(result.pairs) // 25)):
        why = result.explain(k)
        total = why.prior_weight + sum(c.match_weight for c in why.contributions)
        assert total == pytest.approx(why.match_weight, abs=0.01)
        assert {c.comparison for c in why.contributions} == {
            "given",
            "family",
            "dob",
            "sex",
            "nationality",
            "place",
            "household",
        }


def test_clusters_cover_every_record_and_follow_links(linked: tuple) -> None:  # type: ignore[type-arg]
    left, right, result = linked
    assert len(result.clusters) == len(left) + len(right)
    cluster = dict(
        zip(
            zip(result.clusters["source"], result.clusters["record_id"], strict=True),
            result.clusters["cluster_id"],
            strict=True,
        )
    )
    for _, row in result.links().iterrows():
        assert (
            cluster[(row["left_source"], row["left_id"])] == cluster[(row["right_source"], row["right_id"])]
        )


def test_dedupe_finds_duplicates_within_a_register() -> None:
    table = dedup_file(generate_people(1200, seed=31), seed=32)
    result = dedupe(table)
    truth = ev.truth_lookup([("records", table)])
    scores = ev.score_pairs(result.pairs, truth, ev.true_pair_count(table["true_id"]), threshold=0.95)
    assert scores.recall > 0.75 and scores.precision > 0.75, scores


def test_missing_columns_are_refused_before_any_work() -> None:
    frame = pd.DataFrame(
        {"record_id": ["1"], "first_name": ["Ali"], "family_name": ["Hassan"], "date_of_birth": ["1990"]}
    )
    with pytest.raises(InvalidFile, match="--map given_name=first_name"):
        dedupe(frame)


def test_a_register_without_shared_evidence_is_an_error_not_zero_matches() -> None:
    a = pd.DataFrame(
        {
            "record_id": [str(k) for k in range(30)],
            "given_name": [f"Name{k}x" for k in range(30)],
            "family_name": [f"Fam{k}q" for k in range(30)],
            "date_of_birth": [""] * 30,
        }
    )
    with pytest.raises(InvalidInput, match=r"date_of_birth|dob_year"):
        dedupe(a)


def test_same_source_names_are_refused() -> None:
    frame = pd.DataFrame(
        {"record_id": ["1"], "given_name": ["Ali"], "family_name": ["Hassan"], "date_of_birth": ["1990"]}
    )
    with pytest.raises(InvalidInput, match="different names"):
        link(frame, frame, sources=("x", "x"))
