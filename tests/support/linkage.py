"""Stored registers for linkage tests: generated households (never real people) registered as cases."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Engine

from asylon.db.engine import transaction
from asylon.engines.linkage.synthetic import dedup_file, generate_people, registrations
from asylon.schemas.cases import CaseCreate
from asylon.services import registry
from asylon.services.actors import Actor


def register_frame(engine: Engine, actor: Actor, frame: pd.DataFrame, prefix: str) -> dict[str, tuple[int, str]]:
    """Register each household of a synthetic register as a case; returns record_id -> (case id, person ref)."""
    placed: dict[str, tuple[int, str]] = {}
    with transaction(engine) as session:
        for number, (_, members) in enumerate(frame.groupby("household_id", sort=True)):
            persons: list[dict[str, Any]] = []
            for k, row in enumerate(members.itertuples(index=False)):
                persons.append({
                    "person_ref": f"P{k + 1}", "relationship": "principal" if k == 0 else "other-relative",
                    "given_name": row.given_name or None, "family_name": row.family_name or None,
                    "date_of_birth": row.date_of_birth or None, "sex": row.sex or "U",
                    "nationality": row.nationality or None, "place_of_birth": row.place_of_birth or None,
                })
            origin = next((p["nationality"] for p in persons if p["nationality"]), None)
            case = registry.register_case(session, actor=actor, data=CaseCreate.model_validate({
                "case_number": f"{prefix}-{number + 1:04d}", "country_of_asylum": "JOR", "origin_country": origin,
                "persons": persons}))
            for k, row in enumerate(members.itertuples(index=False)):
                placed[str(row.record_id)] = (case.id, f"P{k + 1}")
    return placed


def duplicated_register(engine: Engine, actor: Actor, *, people: int = 80, seed: int = 3,
                        prefix: str = "DUP") -> pd.DataFrame:
    """One organisation's register in which some households were registered twice."""
    frame = dedup_file(generate_people(people, seed=seed), seed=seed + 1)
    placed = register_frame(engine, actor, frame, prefix)
    frame["case_id"] = [placed[r][0] for r in frame["record_id"]]
    frame["person_ref"] = [placed[r][1] for r in frame["record_id"]]
    return frame


def two_registers(engine: Engine, left: Actor, right: Actor, *, people: int = 80,
                  seed: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two organisations' registers of overlapping households."""
    frames = registrations(generate_people(people, seed=seed), seed=seed + 1)
    out = []
    for actor, frame, prefix in ((left, frames[0], "L"), (right, frames[1], "R")):
        placed = register_frame(engine, actor, frame, prefix)
        frame = frame.copy()
        frame["case_id"] = [placed[r][0] for r in frame["record_id"]]
        frame["person_ref"] = [placed[r][1] for r in frame["record_id"]]
        out.append(frame)
    return out[0], out[1]
