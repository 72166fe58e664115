"""Reading cases: lists with filters and search, one case, its history. Every read passes through
:func:`asylon.services.visibility.access_for`, and what leaves is redacted to the fields it allows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from asylon.db.models import Case, CaseEvent, Person, PersonNeed, Situation
from asylon.schemas.agreements import ALWAYS_SHARED
from asylon.schemas.cases import CaseEventPublic, CasePublic, PersonPublic
from asylon.services.actors import Actor
from asylon.services.names import query_terms
from asylon.services.registry import load_case
from asylon.services.visibility import ALL_FIELDS, Access, access_for

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CaseFilters:
    q: str | None = None
    legal_status: str | None = None
    pathway: str | None = None
    pathway_state: str | None = None
    country_of_asylum: str | None = None
    origin_country: str | None = None
    need: str | None = None
    situation: str | None = None
    updated_since: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


def _filtered(access: Access, filters: CaseFilters) -> Select[Case]:
    query = select(Case).where(access.case_filter)
    if filters.legal_status:
        query = query.where(Case.legal_status == filters.legal_status)
    if filters.pathway:
        query = query.where(Case.pathway == filters.pathway)
    if filters.pathway_state:
        query = query.where(Case.pathway_state == filters.pathway_state)
    if filters.country_of_asylum:
        query = query.where(Case.country_of_asylum == filters.country_of_asylum.upper())
    if filters.origin_country:
        query = query.where(Case.origin_country == filters.origin_country.upper())
    if filters.updated_since:
        query = query.where(Case.updated_at >= filters.updated_since)
    if filters.situation:
        query = query.where(Case.situation.has(Situation.code == filters.situation))
    if filters.need:
        query = query.where(exists().where(PersonNeed.case_id == Case.id, PersonNeed.code == filters.need))
    if filters.q:
        text = filters.q.strip()
        conditions = [Case.case_number == text]
        terms = query_terms(text)
        if terms:
            # Every word of the query must match one of the same person's name forms: as the start of a
            # written word, or as a whole transliteration-aware key.
            person_match = [Person.case_id == Case.id]
            for start, key in terms:
                options = [Person.search_key.contains(start, autoescape=True)]
                if key:
                    options.append(Person.search_key.contains(key, autoescape=True))
                person_match.append(or_(*options))
            conditions.append(exists().where(*person_match))
        query = query.where(or_(*conditions))
    return query


def list_cases(
    session: Session, *, actor: Actor, filters: CaseFilters, limit: int = 50, offset: int = 0
) -> Page[CasePublic]:
    access = access_for(session, actor)
    query = _filtered(access, filters)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = session.scalars(
        query.options(
            selectinload(Case.persons).selectinload(Person.needs),
            selectinload(Case.organisation),
            selectinload(Case.situation),
        )
        .order_by(Case.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return Page([to_public(access, c) for c in rows], total, limit, offset)


def iter_cases(session: Session, *, actor: Actor, filters: CaseFilters, batch: int = 500) -> Iterator[CasePublic]:
    """Every visible case, in id order, in batches (for exports of any size)."""
    access = access_for(session, actor)
    last_id = 0
    while True:
        rows = session.scalars(
            _filtered(access, filters)
            .where(Case.id > last_id)
            .options(selectinload(Case.persons).selectinload(Person.needs), selectinload(Case.organisation),
                     selectinload(Case.situation))
            .order_by(Case.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        for case in rows:
            yield to_public(access, case)
        last_id = rows[-1].id
        session.expunge_all()


def get_case(session: Session, *, actor: Actor, case_id: int) -> CasePublic:
    case = load_case(session, actor, case_id)
    return to_public(access_for(session, actor), case)


def case_history(session: Session, *, actor: Actor, case_id: int) -> list[CaseEventPublic]:
    case = load_case(session, actor, case_id)
    # Another organisation sees that and when the case changed, never what changed or who changed it:
    # event data is not among the fields an agreement can name.
    own = case.organisation_id == actor.organisation_id
    events = session.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id)
        .options(selectinload(CaseEvent.organisation), selectinload(CaseEvent.actor))
        .order_by(CaseEvent.id)
    ).all()
    return [
        CaseEventPublic(
            id=e.id,
            at=e.at,
            kind=e.kind,
            organisation=e.organisation.slug,
            actor=e.actor.display_name if e.actor and own else None,
            data=e.data if own else {},
            reason=e.reason if own else "",
        )
        for e in events
    ]


def to_public(access: Access, case: Case) -> CasePublic:
    fields = access.fields_for(case)
    shown_all = fields == ALL_FIELDS
    persons = [
        PersonPublic(
            person_ref=p.person_ref,
            relationship=p.relationship_,
            given_name=p.given_name,
            family_name=p.family_name,
            name_original=p.name_original,
            name_script=p.name_script,
            sex=p.sex,
            date_of_birth=p.date_of_birth,
            dob_precision=p.dob_precision,
            nationality=p.nationality,
            place_of_birth=p.place_of_birth,
            languages=list(p.languages),
            education=p.education,
            occupation=p.occupation,
            needs=[n.code for n in p.needs],
            destination=p.destination,
            voluntariness_declared_at=p.voluntariness_declared_at,
            erased=p.erased_at is not None,
        )
        for p in case.persons
        if shown_all or access.person_visible(case, p)
    ]
    public = CasePublic(
        id=case.id,
        organisation=case.organisation.slug,
        case_number=case.case_number,
        situation=case.situation.code if case.situation else None,
        country_of_asylum=case.country_of_asylum,
        origin_country=case.origin_country,
        fled_countries=list(case.fled_countries),
        legal_status=case.legal_status,
        pathway=case.pathway,
        pathway_state=case.pathway_state,
        pathway_destination=case.pathway_destination,
        pathway_initiated_by=case.pathway_initiated_by,
        family_unity_decision=case.family_unity_decision,
        registered_on=case.registered_on,
        size=case.size,
        version=case.version,
        updated_at=case.updated_at,
        persons=persons,
    )
    return public if fields == ALL_FIELDS else redact(public, fields)


def redact(public: CasePublic, fields: frozenset[str]) -> CasePublic:
    """Keep only ``fields`` (``case.<name>`` or ``person.<name>``); identifiers and structure always stay."""
    keep_always = ALWAYS_SHARED
    data: dict[str, Any] = public.model_dump()
    for key in list(data):
        if key not in keep_always and f"case.{key}" not in fields:
            data[key] = [] if isinstance(data[key], list) else None
    for person in data["persons"]:
        for key in list(person):
            if key not in keep_always and f"person.{key}" not in fields:
                person[key] = [] if isinstance(person[key], list) else None
    return CasePublic.model_validate(data)
