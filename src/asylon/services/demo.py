"""Seeding the demo world into an empty database, through the same paths real data takes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from asylon.db import statistics
from asylon.db.engine import transaction
from asylon.db.models import Organisation, Situation
from asylon.demo.world import DEMO_PASSWORD, World, generate_world
from asylon.schemas.cases import CaseCreate
from asylon.services import accounts
from asylon.services.imports import apply_drafts
from asylon.services.interchange.reader import ParsedCase

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class SeedResult:
    seeded: bool
    organisations: int
    households: int
    persons: int


def is_empty(session: Session) -> bool:
    return (session.scalar(select(func.count()).select_from(Organisation)) or 0) == 0


def seed_demo(engine: Engine, *, seed: int = 2026, households: int = 3000, progress: Progress | None = None) -> SeedResult:
    """Seed the demo world if the database has no organisations yet; otherwise do nothing."""
    with transaction(engine) as session:
        if not is_empty(session):
            return SeedResult(False, 0, 0, 0)
        world = generate_world(seed=seed, households=households)
        _seed(session, world, progress)
        persons = sum(len(h["persons"]) for _, h in world.households)
    statistics.refresh(engine)
    return SeedResult(True, len(world.organisations), len(world.households), persons)


def _seed(session: Session, world: World, progress: Progress | None) -> None:
    orgs = {
        spec.slug: accounts.create_organisation(session, slug=spec.slug, name=spec.name, kind=spec.kind,
                                                country=spec.country)
        for spec in world.organisations
    }
    actors = {}
    # One hash for the shared demo password: hashing it for each of the demo users would take seconds.
    shared_hash = accounts.hash_password(DEMO_PASSWORD)
    for user in world.users:
        created = accounts.create_user(session, organisation=orgs[user.org], email=user.email,
                                       display_name=user.display_name, role=user.role, password_hash=shared_hash)
        if user.role == "admin":
            actors[user.org] = accounts.actor_for(created)
    for spec in world.situations:
        session.add(Situation(code=spec.code, name=spec.name, countries=list(spec.countries)))
    session.flush()
    by_org: dict[str, list[ParsedCase]] = {}
    for index, (org, payload) in enumerate(world.households):
        by_org.setdefault(org, []).append(ParsedCase(CaseCreate.model_validate(payload), index + 1))
        if progress and index % 500 == 0:
            progress("generating", index, len(world.households))
    done = 0
    for org, parsed in by_org.items():
        apply_drafts(session, actor=actors[org], parsed=parsed, filename="demo world", fmt="json", sha256="demo")
        done += len(parsed)
        if progress:
            progress("writing", done, len(world.households))
