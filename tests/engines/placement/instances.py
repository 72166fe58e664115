"""Small random placement instances for property and brute-force tests (seeded)."""

from __future__ import annotations

import numpy as np

from asylon.engines.placement.model import (
    Case,
    Destination,
    FamilyUnityDecision,
    Override,
    PlacementProblem,
    ScoreTable,
)

COUNTRIES = ("AA", "BB", "CC", "DD")
NATIONALITIES = ("AA", "XX", "YY")
LANGUAGES = ("ar", "en", "de")


def _subset(rng: np.random.Generator, items: tuple[str, ...], p: float) -> frozenset[str]:
    return frozenset(x for x in items if rng.random() < p)


def random_problem(seed: int, n_cases: int, n_dests: int, *, pins: bool = True) -> PlacementProblem:
    rng = np.random.default_rng(seed)
    dests = []
    for j in range(n_dests):
        services = {s: int(rng.integers(0, 4)) for s in ("med", "big", "interpreter_ar") if rng.random() < 0.6}
        dests.append(Destination(
            f"d{j}", COUNTRIES[int(rng.integers(len(COUNTRIES)))], int(rng.integers(0, 13)), services,
            frozenset() if rng.random() < 0.5 else frozenset({LANGUAGES[int(rng.integers(3))]}),
            frozenset() if rng.random() < 0.8 else frozenset({NATIONALITIES[int(rng.integers(3))]}),
        ))
    pairs = [(i, j) for i in range(n_cases) for j in range(n_dests) if rng.random() < 0.7]
    scored: dict[int, list[int]] = {}
    for i, j in pairs:
        scored.setdefault(i, []).append(j)
    cases = []
    for i in range(n_cases):
        tie = None
        if pins and rng.random() < 0.06 and scored.get(i):
            tie = f"d{scored[i][int(rng.integers(len(scored[i])))]}"
        cases.append(Case(
            f"c{i}", int(rng.integers(1, 6)), needs=_subset(rng, ("med", "big"), 0.2),
            nationality=NATIONALITIES[int(rng.integers(3))], fled=_subset(rng, COUNTRIES, 0.15),
            unsafe=_subset(rng, COUNTRIES, 0.1), languages=_subset(rng, LANGUAGES, 0.5),
            tie=tie,
            family_group=("F1", "F2")[int(rng.integers(2))] if rng.random() < 0.3 else None,
        ))
    table = ScoreTable(np.array([p[0] for p in pairs], dtype=np.int64), np.array([p[1] for p in pairs], dtype=np.int64),
                       np.round(rng.uniform(0.0, 2.0, size=len(pairs)), 3))
    overrides = []
    if pins and rng.random() < 0.2 and n_cases:
        overrides.append(Override(f"c{int(rng.integers(n_cases))}", f"d{int(rng.integers(n_dests))}", "cw1",
                                  "medical follow-up near relatives"))
    decisions = [FamilyUnityDecision("F1", "lead", "adult son chose to live apart")] if rng.random() < 0.2 and any(
        c.family_group == "F1" for c in cases) else []
    quotas = {COUNTRIES[int(rng.integers(4))]: int(rng.integers(0, 15))} if rng.random() < 0.3 else {}
    return PlacementProblem(cases, dests, table, quotas, overrides, decisions)
