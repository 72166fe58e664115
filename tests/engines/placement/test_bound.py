"""The reported bound: HiGHS's proof when it solved the whole integer program, the LP bound otherwise."""

from __future__ import annotations

import pytest

from asylon.engines.placement.files import summary
from asylon.engines.placement.model import Case, Destination, PlacementOptions, PlacementProblem, ScoreTable
from asylon.engines.placement.static import place
from asylon.engines.placement.synthetic import generate_year

from .instances import random_problem
from .test_bruteforce import _brute_force


def _lumpy() -> PlacementProblem:
    """Two households of 3 for one place of 4: the LP splits one household, the integer optimum cannot."""
    cases = [Case("a", 3), Case("b", 3)]
    dests = [Destination("x", "DE", 4)]
    t = ScoreTable.from_pairs([("a", "x", 1.0), ("b", "x", 0.9)], case_ids=["a", "b"], destination_ids=["x"])
    return PlacementProblem(cases, dests, t)


def test_proven_optimum_reports_its_own_bound_and_keeps_the_lp_bound() -> None:
    r = place(_lumpy())
    assert r.objective == pytest.approx(1.0)
    # LP: a whole (1.0) and a third of b (0.3) -> 1.3; HiGHS proves 1.0 optimal.
    assert r.lp_bound == pytest.approx(1.3)
    assert r.lp_gap == pytest.approx(0.3 / 1.3)
    assert r.proven
    assert r.bound == pytest.approx(1.0) and r.gap == pytest.approx(0.0)
    s = summary(r)
    assert s["lp_bound"] == pytest.approx(1.3) and s["bound"] == pytest.approx(1.0) and s["gap"] == pytest.approx(0.0)


@pytest.mark.parametrize("seed", range(25))
def test_bound_is_never_below_the_optimum(seed: int) -> None:
    problem = random_problem(2000 + seed, 2 + seed % 5, 1 + seed % 3, pins=False)
    best = _brute_force(problem)
    r = place(problem, PlacementOptions(mip_gap=1e-3))
    assert r.bound >= best - 1e-6
    assert r.lp_bound >= r.bound - 1e-9
    assert 0.0 <= r.gap <= r.lp_gap + 1e-12
    if r.proven:
        assert r.gap <= 1e-3 + 1e-9


def test_cpu_time_limit_gives_a_feasible_answer() -> None:
    year = generate_year(300, 10, seed=5)
    r = place(year.problem, PlacementOptions(time_limit=30.0, cpu_time=True, explain=False))
    assert r.objective <= r.bound + 1e-6 and r.gap <= 1e-3
