"""Registering cases and persons, correcting and erasing them. Every change writes an event in the same
transaction. Status and pathway changes live in :mod:`asylon.services.pathways`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from asylon.db.base import utcnow
from asylon.db.models import Case, CaseEvent, Person, PersonNeed, Situation
from asylon.domain.dates import PartialDate
from asylon.domain.organisations import Role
from asylon.domain.pathways import PATHWAY_MACHINES, PathwayKind
from asylon.domain.safeguards import UnsafeFlag
from asylon.errors import Conflict, InvalidInput, NotFound, Problem
from asylon.schemas.cases import CaseCreate, CaseUpdate, Erasure, PersonCreate, PersonFields, PersonUpdate
from asylon.services.actors import Actor
from asylon.services.names import search_key
from asylon.services.safeguards import check_case_transfer, check_draft_transfer
from asylon.services.visibility import access_for

# Fields a person-level erasure blanks. The fact that the person existed (reference, relationship, the
# case they belong to, their events) stays, so history and statistics remain true.
PERSONAL_FIELDS = (
    "given_name",
    "family_name",
    "name_original",
    "name_script",
    "date_of_birth",
    "dob_precision",
    "place_of_birth",
    "occupation",
)


def record_event(
    session: Session, actor: Actor, case: Case, kind: str, data: dict[str, Any], reason: str = ""
) -> CaseEvent:
    event = CaseEvent(
        case_id=case.id,
        organisation_id=actor.organisation_id,
        actor_user_id=actor.user_id,
        kind=kind,
        data=data,
        reason=reason,
    )
    session.add(event)
    return event


def load_case(session: Session, actor: Actor, case_id: int, *, for_change: bool = False) -> Case:
    """The case if the actor may see it (and, with ``for_change``, change it); otherwise NotFound."""
    access = access_for(session, actor)
    case = session.scalars(
        select(Case)
        .where(Case.id == case_id, access.case_filter)
        .options(selectinload(Case.persons).selectinload(Person.needs))
    ).first()
    if case is None:
        raise NotFound("case", case_id)
    if for_change:
        actor.require(Role.CASEWORKER, "changing a case")
        if not access.can_change(case):
            raise NotFound("case", case_id)
    return case


def resolve_situation(session: Session, code: str | None, *, field: str = "situation") -> int | None:
    if code is None:
        return None
    situation_id = session.scalar(select(Situation.id).where(Situation.code == code))
    if situation_id is None:
        known = session.scalars(select(Situation.code).order_by(Situation.code).limit(20)).all()
        raise InvalidInput(
            Problem(f"unknown situation '{code}'", field=field, value=code, fix=f"use one of: {', '.join(known)}")
        )
    return situation_id


def person_values(data: PersonFields) -> dict[str, Any]:
    values = data.model_dump(exclude={"needs", "person_ref", "relationship", "reason"}, exclude_unset=False)
    if data.date_of_birth is not None:
        values["dob_precision"] = str(PartialDate.parse(data.date_of_birth).precision)
    else:
        values["dob_precision"] = None
    values["search_key"] = search_key(data.given_name, data.family_name, data.name_original)
    return values


def apply_person(person: Person, values: dict[str, Any]) -> None:
    for key, value in values.items():
        setattr(person, key, value)
    person.search_key = search_key(person.given_name, person.family_name, person.name_original)


def set_needs(person: Person, case: Case, needs: list[str]) -> None:
    wanted = sorted(set(needs))
    current = {n.code: n for n in person.needs}
    for code in list(current):
        if code not in wanted:
            person.needs.remove(current[code])
    for code in wanted:
        if code not in current:
            person.needs.append(PersonNeed(code=code, case=case))


def new_person(case: Case, data: PersonCreate) -> Person:
    person = Person(**new_person_values(data))
    person.needs = [PersonNeed(code=str(code), case=case) for code in sorted(set(data.needs))]
    return person


def case_snapshot(case: Case) -> dict[str, Any]:
    """The case as plain data, for events and for comparing an import with what is stored."""
    return {
        "case_number": case.case_number,
        "situation": case.situation.code if case.situation else None,
        "country_of_asylum": case.country_of_asylum,
        "origin_country": case.origin_country,
        "fled_countries": list(case.fled_countries),
        "legal_status": case.legal_status,
        "pathway": case.pathway,
        "pathway_state": case.pathway_state,
        "pathway_destination": case.pathway_destination,
        "registered_on": case.registered_on.isoformat(),
        "persons": [person_snapshot(p) for p in case.persons],
    }


def person_snapshot(person: Person) -> dict[str, Any]:
    return {
        "person_ref": person.person_ref,
        "relationship": person.relationship_,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "name_original": person.name_original,
        "name_script": person.name_script,
        "sex": person.sex,
        "date_of_birth": person.date_of_birth,
        "nationality": person.nationality,
        "place_of_birth": person.place_of_birth,
        "languages": list(person.languages),
        "education": person.education,
        "occupation": person.occupation,
        "needs": sorted(n.code for n in person.needs),
    }


def case_values(data: CaseCreate, *, organisation_id: int, situation_id: int | None) -> dict[str, Any]:
    """The stored columns of a new case (without persons), from validated input."""
    return {
        "organisation_id": organisation_id,
        "case_number": data.case_number,
        "situation_id": situation_id,
        "country_of_asylum": data.country_of_asylum,
        "origin_country": data.origin_country,
        "fled_countries": sorted(set(data.fled_countries)),
        "legal_status": str(data.legal_status),
        "pathway": str(data.pathway),
        "pathway_state": data.pathway_state or PATHWAY_MACHINES[data.pathway].initial,
        "pathway_destination": data.pathway_destination,
        "pathway_initiated_by": "person",
        "registered_on": data.registered_on or dt.date.today(),
        "size": len(data.persons),
    }


def new_person_values(data: PersonCreate) -> dict[str, Any]:
    """The stored columns of a new person (without needs), from validated input."""
    return {"person_ref": data.person_ref, "relationship_": str(data.relationship), **person_values(data)}


def check_new_case(session: Session, data: CaseCreate, flags: list[UnsafeFlag] | None = None) -> None:
    """Apply the safeguards to a case about to be registered with a transfer destination."""
    if data.pathway_destination and data.pathway is not PathwayKind.VOLUNTARY_REPATRIATION:
        check_draft_transfer(session, data, flags)


def build_case(session: Session, actor: Actor, data: CaseCreate, *, situation_id: int | None) -> Case:
    """A new, unsaved case from validated input, checked against the safeguards."""
    check_new_case(session, data)
    case = Case(**case_values(data, organisation_id=actor.organisation_id, situation_id=situation_id))
    case.persons = [new_person(case, p) for p in data.persons]
    return case


def register_case(session: Session, *, actor: Actor, data: CaseCreate, reason: str = "", source: str = "api") -> Case:
    """Register a household with its members.

    Raises :class:`Conflict` if the organisation already has a case with that number.
    """
    actor.require(Role.CASEWORKER, "registering a case")
    exists = session.scalar(
        select(Case.id).where(Case.organisation_id == actor.organisation_id, Case.case_number == data.case_number)
    )
    if exists is not None:
        raise Conflict(f"case number {data.case_number} is already registered by your organisation (case {exists})")
    case = build_case(session, actor, data, situation_id=resolve_situation(session, data.situation))
    session.add(case)
    session.flush()
    record_event(session, actor, case, "case.registered", {"source": source, "case": case_snapshot(case)}, reason)
    return case


def update_case(session: Session, *, actor: Actor, case_id: int, data: CaseUpdate) -> Case:
    case = load_case(session, actor, case_id, for_change=True)
    changes: dict[str, Any] = {}
    values = data.model_dump(exclude_unset=True, exclude={"reason"})
    if "situation" in values:
        new_id = resolve_situation(session, values.pop("situation"))
        if new_id != case.situation_id:
            changes["situation_id"] = [case.situation_id, new_id]
            case.situation_id = new_id
    for key, value in values.items():
        if key == "fled_countries":
            value = sorted(set(value or []))
        if getattr(case, key) != value:
            changes[key] = [getattr(case, key), value]
            setattr(case, key, value)
    if changes:
        if "fled_countries" in changes and case.pathway_destination:
            check_case_transfer(session, case, case.pathway_destination)
        case.updated_at = utcnow()
        record_event(session, actor, case, "case.updated", {"changes": changes}, data.reason)
    return case


def find_person(case: Case, person_ref: str) -> Person:
    for person in case.persons:
        if person.person_ref == person_ref:
            return person
    raise NotFound("person", f"{person_ref} in case {case.id}")


def add_person(session: Session, *, actor: Actor, case_id: int, data: PersonCreate, reason: str = "") -> Person:
    case = load_case(session, actor, case_id, for_change=True)
    if any(p.person_ref == data.person_ref for p in case.persons):
        raise Conflict(f"case {case_id} already has a person {data.person_ref}")
    if data.relationship == "principal":
        raise Conflict("the case already has a principal applicant; add this person with another relationship")
    person = new_person(case, data)
    case.persons.append(person)
    case.size = len(case.persons)
    if case.pathway_destination and case.pathway != PathwayKind.VOLUNTARY_REPATRIATION:
        check_case_transfer(session, case, case.pathway_destination)
    session.flush()
    case.updated_at = utcnow()
    record_event(session, actor, case, "person.added", {"person": person_snapshot(person)}, reason)
    return person


def correct_person(session: Session, *, actor: Actor, case_id: int, person_ref: str, data: PersonUpdate) -> Person:
    case = load_case(session, actor, case_id, for_change=True)
    person = find_person(case, person_ref)
    if person.erased_at is not None:
        raise Conflict(f"person {person_ref} was erased; an erased person cannot be corrected")
    given = data.model_dump(exclude_unset=True, exclude={"reason"})
    before = person_snapshot(person)
    needs = given.pop("needs", None)
    relationship = given.pop("relationship", None)
    if relationship is not None:
        if (relationship == "principal") != (person.relationship_ == "principal"):
            raise Conflict("the principal applicant cannot be changed by a correction; register the change of principal")
        person.relationship_ = str(relationship)
    if "date_of_birth" in given:
        dob = given["date_of_birth"]
        given["dob_precision"] = str(PartialDate.parse(dob).precision) if dob else None
    apply_person(person, given)
    if needs is not None:
        set_needs(person, case, [str(n) for n in needs])
    after = person_snapshot(person)
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changes:
        if case.pathway_destination and case.pathway != PathwayKind.VOLUNTARY_REPATRIATION:
            check_case_transfer(session, case, case.pathway_destination)
        case.updated_at = utcnow()
        record_event(
            session, actor, case, "person.corrected", {"person_ref": person_ref, "changes": changes}, data.reason
        )
    return person


def erase_person(session: Session, *, actor: Actor, case_id: int, person_ref: str, data: Erasure) -> Person:
    """Remove a person's personal fields (a data-subject request, or data that should never have been kept).

    The person stays as a member of the case, so counts and history remain true; the erasure event
    records which fields were erased, never their values. Earlier events that carried the values have
    those values blanked too, so nothing personal survives in the history.
    """
    actor.require(Role.ADMIN, "erasing personal data")
    case = load_case(session, actor, case_id, for_change=True)
    person = find_person(case, person_ref)
    if person.erased_at is not None:
        return person
    for field in PERSONAL_FIELDS:
        setattr(person, field, None)
    person.search_key = ""
    person.erased_at = utcnow()
    for event in session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)):
        scrubbed = _scrub(event.data, person_ref)
        if scrubbed != event.data:
            event.data = scrubbed
    case.updated_at = utcnow()
    record_event(
        session, actor, case, "person.erased", {"person_ref": person_ref, "fields": list(PERSONAL_FIELDS)}, data.reason
    )
    return person


def _scrub(value: Any, person_ref: str) -> Any:
    """Blank the personal fields of ``person_ref`` wherever they appear in an event's data."""
    if isinstance(value, dict):
        if value.get("person_ref") == person_ref:
            out = {k: _scrub(v, person_ref) for k, v in value.items()}
            for field in PERSONAL_FIELDS:
                if field in out:
                    out[field] = None
            if "changes" in out and isinstance(out["changes"], dict):
                out["changes"] = {
                    k: ([None, None] if k in PERSONAL_FIELDS or k == "search_key" else v)
                    for k, v in out["changes"].items()
                }
            return out
        return {k: _scrub(v, person_ref) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, person_ref) for v in value]
    return value
