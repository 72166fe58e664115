"""The corrective allocation mechanism of the 2016 Dublin recast proposal (COM(2016) 270, Articles 34-36).

As asylon reads the proposal: each state's *reference number* is its reference-key share (50% population,
50% GDP) of all applications in the Union over the last 12 months. When a state's applications exceed
``threshold`` (150%) of its reference number, the applications above that level are allocated to the states
whose applications are below 100% of their reference numbers, in proportion to their key shares. The
proposal does not say what happens when receivers fill up; asylon fills no receiver beyond its reference
number (shares of the remaining receivers are renormalised, "water-filling"), and reports what cannot be
placed as ``unplaced``. Whole applicants are apportioned by largest remainder.

    >>> result = corrective_allocation({"AAA": 0.5, "BBB": 0.3, "CCC": 0.2}, {"AAA": 1000, "BBB": 100, "CCC": 100})
    >>> result.triggered, result.received
    (('AAA',), {'BBB': 60, 'CCC': 40})
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from asylon.engines.fairshare.apportion import hamilton
from asylon.errors import InvalidInput, Problem, ProblemCollector

__all__ = ["CorrectiveResult", "corrective_allocation"]


@dataclass(frozen=True, slots=True)
class CorrectiveResult:
    reference: dict[str, float]
    percent_of_reference: dict[str, float]
    triggered: tuple[str, ...]
    excess: dict[str, int]
    received: dict[str, int]
    unplaced: int


def corrective_allocation(
    shares: Mapping[str, float],
    applications: Mapping[str, int],
    *,
    threshold: float = 1.5,
) -> CorrectiveResult:
    """Which states trigger the mechanism, how many applicants they pass on, and who receives them."""
    problems = ProblemCollector()
    for state in shares:
        if state not in applications:
            problems.add(
                f"{state}: no number of applications",
                field="applications",
                value=state,
                fix="give one per state",
            )
    for state, count in applications.items():
        if state not in shares:
            problems.add(f"{state}: applications given but no key share", field="applications", value=state)
        elif count < 0:
            problems.add(f"{state}: applications are negative ({count})", field="applications", value=state)
    if not math.isfinite(threshold) or threshold < 1:
        problems.add(
            f"threshold {threshold} is below 1", field="threshold", fix="use 1.5 (150%) as in the proposal"
        )
    problems.raise_if_any()
    states = tuple(shares)
    key = np.array([shares[s] for s in states], dtype=np.float64)
    if key.sum() <= 0:
        raise InvalidInput(Problem("all key shares are 0", field="shares"))
    key = key / key.sum()
    apps = np.array([applications[s] for s in states], dtype=np.float64)
    reference = key * apps.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = np.where(reference > 0, apps / reference * 100.0, np.inf)
    over = apps > threshold * reference
    excess = np.where(over, np.ceil(apps - threshold * reference), 0).astype(np.int64)
    to_place = int(excess.sum())
    room = np.where(apps < reference, np.floor(reference - apps), 0).astype(np.int64)
    received = np.zeros(len(states), dtype=np.int64)
    left = to_place
    # Water-filling: share by key among receivers with room left; a receiver that would pass its
    # reference number takes only its room, and the rest is shared again among the others.
    while left > 0:
        open_ = (room - received) > 0
        if not open_.any():
            break
        weights = np.where(open_, key, 0.0)
        give = hamilton(weights, left)
        give = np.minimum(give, room - received)
        if give.sum() == 0:
            break
        received += give
        left -= int(give.sum())
    return CorrectiveResult(
        reference={s: float(r) for s, r in zip(states, reference, strict=True)},
        percent_of_reference={s: float(p) for s, p in zip(states, percent, strict=True)},
        triggered=tuple(s for s, o in zip(states, over, strict=True) if o),
        excess={s: int(e) for s, e in zip(states, excess, strict=True) if e > 0},
        received={s: int(r) for s, r in zip(states, received, strict=True) if r > 0},
        unplaced=left,
    )
