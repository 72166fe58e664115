"""Checks on a :class:`PlacementProblem` before any solving, each problem named precisely.

Problems about one case carry ``field`` (``persons``, ``tie``, ``override``…) and ``value`` = the case id,
so that a file reader can turn them into "cases.csv, row 7, column tie" messages.
"""

from __future__ import annotations

import numpy as np

from asylon.errors import InvalidInput, ProblemCollector

from .model import PlacementProblem


def check(problem: PlacementProblem) -> None:
    """Raise :class:`InvalidInput` listing every problem with the problem's data, or return.

    >>> from asylon.engines.placement.model import Case, Destination, PlacementProblem, ScoreTable
    >>> empty = ScoreTable.from_pairs([], case_ids=[], destination_ids=[])
    >>> check(PlacementProblem([Case("c1", 1), Case("c1", 2)], [Destination("d", "DE", 3)], empty))
    Traceback (most recent call last):
    ...
    asylon.errors.InvalidInput: field case_id: duplicate case 'c1'; give each case its own id
    """
    found = ProblemCollector()
    case_ids: set[str] = set()
    for case in problem.cases:
        if case.case_id in case_ids:
            found.add(f"duplicate case '{case.case_id}'", field="case_id", value=case.case_id,
                      fix="give each case its own id")
        case_ids.add(case.case_id)
        if case.persons < 1:
            found.add(f"case '{case.case_id}' has {case.persons} persons", field="persons",
                      value=case.case_id, fix="a case has at least one person")
        if case.members and len(case.members) != case.persons:
            found.add(f"case '{case.case_id}' lists {len(case.members)} members but persons is {case.persons}",
                      field="persons", value=case.case_id)
    dest_ids: set[str] = set()
    for dest in problem.destinations:
        if dest.destination_id in dest_ids:
            found.add(f"duplicate destination '{dest.destination_id}'", field="destination_id",
                      value=dest.destination_id, fix="give each destination its own id")
        dest_ids.add(dest.destination_id)
        if dest.capacity < 0:
            found.add(f"destination '{dest.destination_id}' has negative capacity {dest.capacity}",
                      field="capacity", value=dest.destination_id, fix="capacity is a number of persons, 0 or more")
        for service, cap in dest.services.items():
            if cap < 0:
                found.add(f"destination '{dest.destination_id}' has negative capacity {cap} for '{service}'",
                          field=f"cap_{service}", value=dest.destination_id)
    for case in problem.cases:
        if case.tie is not None and case.tie not in dest_ids:
            found.add(f"case '{case.case_id}' is tied to unknown destination '{case.tie}'", field="tie",
                      value=case.case_id, fix="use a destination_id from the destinations")
    for country, quota in problem.quotas.items():
        if quota < 0:
            found.add(f"quota for {country} is negative ({quota})", field="quota", value=country)
    for n, ov in enumerate(problem.overrides):
        if ov.case_id not in case_ids:
            found.add(f"override {n + 1} names unknown case '{ov.case_id}'", field="case_id", value=str(n))
        if ov.destination_id not in dest_ids:
            found.add(f"override {n + 1} names unknown destination '{ov.destination_id}'",
                      field="destination_id", value=str(n))
        if not ov.actor.strip() or not ov.reason.strip():
            found.add(f"override {n + 1} for case '{ov.case_id}' does not say who made it and why",
                      field="actor" if not ov.actor.strip() else "reason", value=str(n),
                      fix="every override records the caseworker (actor) and the reason")
    groups = {c.family_group for c in problem.cases if c.family_group}
    for decision in problem.family_decisions:
        if decision.family_group not in groups:
            found.add(f"family-unity decision names unknown family group '{decision.family_group}'",
                      field="family_group", value=decision.family_group)
        if not decision.actor.strip() or not decision.reason.strip():
            found.add(f"family-unity decision for '{decision.family_group}' does not say who made it and why",
                      field="reason", value=decision.family_group)
    table = problem.scores
    if len(table):
        if table.case.min() < 0 or table.case.max() >= len(problem.cases):
            found.add("score table refers to a case index out of range", field="case_id")
        if table.destination.min() < 0 or table.destination.max() >= len(problem.destinations):
            found.add("score table refers to a destination index out of range", field="destination_id")
        bad = ~np.isfinite(table.score)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            found.add(f"{int(bad.sum())} scores are not finite numbers (first at pair {k + 1})", field="score",
                      fix="scores are finite numbers")
    if found:
        raise InvalidInput(found.problems)

