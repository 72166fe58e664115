"""Static placement: every case at once, exact MIP on HiGHS with a certified gap and explanations."""

from __future__ import annotations

import time

import numpy as np

from .explanation import Explainer
from .formulation import select
from .model import PlacementOptions, PlacementProblem, PlacementResult
from .solver import solve
from .units import Units, build_units
from .validation import check


def place(problem: PlacementProblem, options: PlacementOptions | None = None) -> PlacementResult:
    """Place every case of ``problem``: ties and overrides fixed, the rest optimised.

    Raises :class:`~asylon.errors.InvalidInput` for bad data or impossible ties, and
    :class:`~asylon.errors.SafeguardRefused` for an override that breaks a safeguard.

    >>> from asylon.engines.placement.model import Case, Destination, PlacementProblem, ScoreTable
    >>> cases = [Case("a", 3), Case("b", 1)]
    >>> dests = [Destination("x", "DE", 3), Destination("y", "FR", 1)]
    >>> t = ScoreTable.from_pairs([("a", "x", 1.0), ("b", "x", 0.9), ("b", "y", 0.5)],
    ...                           case_ids=["a", "b"], destination_ids=["x", "y"])
    >>> r = place(PlacementProblem(cases, dests, t))
    >>> [(a.case_id, a.destination_id) for a in r.assignments], r.total_score
    ([('a', 'x'), ('b', 'y')], 1.5)
    """
    options = options or PlacementOptions()
    started = time.monotonic()
    check(problem)
    units = build_units(problem)
    return place_units(problem, units, options, started=started)


def place_units(
    problem: PlacementProblem, units: Units, options: PlacementOptions, *, started: float | None = None
) -> PlacementResult:
    """:func:`place` on already built :class:`Units` (dynamic mode's hindsight reuses them)."""
    started = time.monotonic() if started is None else started
    placed = np.zeros(len(units.col_unit), dtype=bool)
    for u, pin in units.pins.items():
        placed[units.column_of(u, pin.destination)] = True
    limits = units.limits - np.asarray(units.usage @ placed.astype(np.float64))
    # Every unit goes to the program, pinned ones with room for nothing (their unit row's limit is 0): the
    # program then shares the units' arrays instead of copying them (a 100,000 x 1,000 exercise has 63 M
    # columns).
    unit_ub = np.ones(units.n_units)
    unit_ub[list(units.pins)] = 0.0
    cost = (units.col_score if options.placement_bonus == 0
            else units.col_score + options.placement_bonus * units.persons[units.col_unit])
    sel = select(units, np.arange(units.n_units), limits=limits, cost=cost, unit_ub=unit_ub,
                 fairness_floor=options.fairness_floor, fairness_penalty=options.fairness_penalty)
    sol = solve(sel.program, mip_gap=options.mip_gap, time_limit=options.time_limit, threads=options.threads,
                full_below=options.column_generation_threshold, cpu_time=options.cpu_time)
    placed[sel.columns[sol.x]] = True
    fixed = float(cost[placed].sum() - cost[sel.columns[sol.x]].sum())
    prices = sol.relaxation.y[: sel.n_resources] if len(sol.relaxation.y) else np.zeros(len(units.limits))
    explainer = Explainer(problem, units, placed, prices, runner_ups=options.runner_ups, explain=options.explain)
    assignments = explainer.assignments()
    objective = sol.objective + fixed
    bound = sol.bound + fixed
    lp_bound = sol.lp_bound + fixed
    placed_units = units.col_unit[placed]
    notes = []
    excluded = len(units.eligibility.refused_case)
    if excluded:
        notes.append(f"{excluded} scored pairs refused by safeguards or compatibility")
    return PlacementResult(
        assignments=tuple(assignments),
        objective=objective,
        bound=bound,
        gap=max(0.0, (bound - objective) / max(abs(bound), 1e-9)),
        total_score=float(units.col_score[placed].sum()),
        placed_cases=sum(len(units.members[u]) for u in placed_units),
        placed_persons=int(units.persons[placed_units].sum()),
        unplaced_cases=sum(1 for a in assignments if a.destination_id is None),
        status=sol.status,
        seconds=time.monotonic() - started,
        excluded_pairs=excluded,
        columns=sol.columns,
        notes=tuple(notes),
        lp_bound=lp_bound,
        proven=sol.proven,
    )
