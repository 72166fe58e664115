"""The optimiser's answer equals the best of all placements, enumerated, on small instances."""

from __future__ import annotations

import itertools

import pytest

from asylon.engines.placement.model import Assignment, PlacementOptions
from asylon.engines.placement.static import place
from asylon.errors import InvalidInput, SafeguardRefused

from .instances import random_problem
from .oracle import total_score, violations


def _brute_force(problem) -> float:  # type: ignore[no-untyped-def]
    options = [None, *[d.destination_id for d in problem.destinations]]
    best = float("-inf")
    for combo in itertools.product(options, repeat=len(problem.cases)):
        assignments = [Assignment(c.case_id, d, None, "optimised") for c, d in zip(problem.cases, combo, strict=True)]
        # Pinned cases carry their who/why through the engine; the oracle checks destinations only here.
        pinned = {o.case_id: o for o in problem.overrides}
        assignments = [
            Assignment(a.case_id, a.destination_id, None, "override", pinned[a.case_id].reason, pinned[a.case_id].actor)
            if a.case_id in pinned else a for a in assignments]
        if not violations(problem, assignments):
            best = max(best, total_score(problem, assignments))
    return best


@pytest.mark.parametrize("seed", range(40))
def test_optimum_matches_brute_force(seed: int) -> None:
    n_cases, n_dests = 2 + seed % 5, 1 + seed % 3
    problem = random_problem(1000 + seed, n_cases, n_dests)
    best = _brute_force(problem)
    try:
        result = place(problem, PlacementOptions(mip_gap=0.0))
    except (InvalidInput, SafeguardRefused):
        assert best == float("-inf") or problem.overrides or any(c.tie for c in problem.cases)
        return
    assert result.total_score == pytest.approx(best, abs=1e-6)
    assert result.bound >= best - 1e-6
