"""Displacement situations: the shared context cases, appeals and discussions belong to."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from asylon.db.models import Situation
from asylon.domain.organisations import Role
from asylon.errors import Conflict
from asylon.schemas.accounts import SituationCreate
from asylon.services.actors import Actor


def create_situation(session: Session, *, actor: Actor, data: SituationCreate) -> Situation:
    actor.require(Role.ADMIN, "creating a situation")
    if session.scalar(select(Situation.id).where(Situation.code == data.code)) is not None:
        raise Conflict(f"a situation '{data.code}' already exists")
    situation = Situation(code=data.code, name=data.name, description=data.description,
                          countries=sorted(set(data.countries)))
    session.add(situation)
    session.flush()
    return situation
