"""A small placement world: households of one organisation and destinations in three countries.

Scores are given explicitly (score source ``given``) so tests know which destination is best; one test
uses the outcome model.
"""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import Engine

from asylon.services.actors import Actor
from tests.support.world import case_payload, register


def household(number: str, persons: int = 2, *, nationality: str = "SYR", needs: tuple[str, ...] = (),
              fled: tuple[str, ...] = ("SYR",)) -> dict[str, Any]:
    """Payload overrides for a household of ``persons`` (a principal and children)."""
    members: list[dict[str, Any]] = [
        {"person_ref": "P1", "relationship": "principal", "given_name": "Amal", "family_name": number,
         "sex": "F", "date_of_birth": "1988-04-02", "nationality": nationality, "languages": ["ara"],
         "education": "secondary", "needs": list(needs)}]
    for k in range(2, persons + 1):
        members.append({"person_ref": f"P{k}", "relationship": "child", "sex": "M", "date_of_birth": "2016",
                        "nationality": nationality, "languages": ["ara"]})
    return {"persons": members, "fled_countries": list(fled), "origin_country": nationality}


def add_cases(engine: Engine, actor: Actor, spec: dict[str, dict[str, Any]]) -> dict[str, int]:
    """Register households by number; returns their ids."""
    return {number: register(engine, actor, number, **overrides) for number, overrides in spec.items()}


DESTINATIONS: list[dict[str, Any]] = [
    {"code": "DEU-HH", "name": "Hamburg", "country": "DEU", "capacity": 6,
     "services": {"single-parent": 2, "medical": 1}, "languages": [], "unemployment_rate": 0.06,
     "population": 1_900_000},
    {"code": "FRA-LY", "name": "Lyon", "country": "FRA", "capacity": 4, "services": {"single-parent": 1},
     "unemployment_rate": 0.08, "population": 520_000},
    {"code": "SYR-DM", "name": "Damascus", "country": "SYR", "capacity": 20, "services": {"single-parent": 5}},
]


def exercise_body(ids: dict[str, int], *, scores: dict[tuple[str, str], float] | None = None,
                  **extra: Any) -> dict[str, Any]:
    """An exercise over ``ids`` with given scores (default: Hamburg 1.0, Lyon 0.5, Damascus 2.0)."""
    if scores is None:
        scores = {}
        for number in ids:
            scores |= {(number, "DEU-HH"): 1.0, (number, "FRA-LY"): 0.5, (number, "SYR-DM"): 2.0}
    body: dict[str, Any] = {
        "title": "Relocation round 1",
        "cases": [{"case_id": case_id} for case_id in ids.values()],
        "destinations": copy.deepcopy(DESTINATIONS),
        "score_source": "given",
        "scores": [{"case_id": ids[n], "destination": d, "score": s} for (n, d), s in scores.items()],
    }
    body.update(extra)
    return body


__all__ = ["DESTINATIONS", "add_cases", "case_payload", "exercise_body", "household"]
