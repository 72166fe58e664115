"""Outcome model quality on the synthetic history; dynamic mode keeps the rules and beats the baselines."""

from __future__ import annotations

import numpy as np
import pytest

import asylon.engines.placement as placement
from asylon.engines.placement.dynamic import DynamicOptions, place_dynamic
from asylon.engines.placement.outcome import OutcomeModel, synthetic_history
from asylon.engines.placement.synthetic import case_scores, generate_year
from asylon.engines.placement.units import build_units

from .oracle import violations


def test_public_api_is_pinned() -> None:
    assert set(placement.__all__) == {
        "Alternative", "Assignment", "Case", "ConstraintPrice", "Destination", "DynamicOptions", "DynamicResult",
        "FamilyUnityDecision", "OutcomeModel", "OutcomeReport", "Override", "PairCheck", "Person", "PlacementOptions",
        "PlacementProblem", "PlacementResult", "ScoreTable", "check_pair", "place", "place_dynamic", "synthetic_history"}


@pytest.mark.slow
def test_outcome_model_is_calibrated_and_recovers_the_hidden_scores() -> None:
    history = synthetic_history(2500, 20, seed=11)
    model, report = OutcomeModel.fit(history, seed=0)
    assert report.auc > 0.62
    assert report.brier < report.brier_baseline
    for predicted, observed, _ in report.reliability:
        assert abs(predicted - observed) < 0.15
    assert {f for f, _ in report.importances[:4]} & {"destination", "education_years", "age", "speaks_local"}
    # Pairs of the same hidden world (the history's own year): model scores should follow the true scores.
    year = generate_year(2500, 20, seed=11, ties=0.0, family_links=0.0)
    t = year.problem.scores
    t = type(t)(t.case[:4000], t.destination[:4000], t.score[:4000])
    for kind in ("expected", "any"):
        ours = model.case_scores(year.problem.cases, year.problem.destinations, t.case, t.destination, kind=kind)
        truth = case_scores(year.world, list(year.problem.cases), list(year.problem.destinations), t.case,
                            t.destination, kind=kind)
        assert np.corrcoef(ours, truth)[0, 1] > 0.8


def test_generated_years_have_the_published_shape() -> None:
    year = generate_year(6000, 40, seed=4)
    sizes = np.array([c.persons for c in year.problem.cases])
    assert abs((sizes == 1).mean() - 0.46) < 0.03
    assert abs(sizes.mean() - 2.6) < 0.15
    assert abs((sizes >= 6).mean() - 0.08) < 0.02
    assert abs(year.compatible_share - 0.63) < 0.03
    ratio = sum(d.capacity for d in year.problem.destinations) / sizes.sum()
    assert 0.98 <= ratio <= 1.5


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1])
def test_dynamic_keeps_every_rule_and_beats_greedy(seed: int) -> None:
    year = generate_year(250, 12, seed=seed)
    units = build_units(year.problem)
    ours = place_dynamic(year.problem, DynamicOptions(hindsight=True), units=units)
    greedy = place_dynamic(year.problem, DynamicOptions(policy="greedy"), units=units)
    rnd = place_dynamic(year.problem, DynamicOptions(policy="random"), units=units)
    for r in (ours, greedy, rnd):
        assert violations(year.problem, r.assignments) == []
    assert ours.hindsight is not None and ours.ratio is not None
    assert ours.total_score <= ours.hindsight + 1e-6
    assert ours.total_score > greedy.total_score > rnd.total_score
    assert ours.ratio > 0.95
    batches = [a.batch for a in ours.assignments if a.batch is not None]
    assert len(set(batches)) > 40  # weekly over a year


def test_dynamic_month_balance_and_fairness_floor_still_keep_the_rules() -> None:
    year = generate_year(150, 8, seed=5)
    r = place_dynamic(year.problem, DynamicOptions(month_balance=0.2, fairness_floor=0.8, policy="potentials"))
    assert violations(year.problem, r.assignments) == []
    assert r.placed_cases > 0


def test_dynamic_with_last_year_keeps_the_rules_and_places_only_this_years_cases() -> None:
    year = generate_year(160, 8, seed=6, arrivals_seed=2)
    last = generate_year(120, 8, seed=6, arrivals_seed=1)
    same = [(d.destination_id, d.country, sorted(d.services), d.languages) for d in year.problem.destinations]
    assert same == [(d.destination_id, d.country, sorted(d.services), d.languages) for d in last.problem.destinations]
    assert [c.persons for c in year.problem.cases] != [c.persons for c in last.problem.cases]
    r = place_dynamic(year.problem, DynamicOptions(history=last.problem, hindsight=True))
    assert violations(year.problem, r.assignments) == []
    assert [a.case_id for a in r.assignments] == [c.case_id for c in year.problem.cases]
    assert r.hindsight is not None and r.total_score <= r.hindsight + 1e-6
    assert r.placed_cases > 0
