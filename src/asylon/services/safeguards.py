"""Gathers the facts the safeguards need from storage and applies the pure rules of
:mod:`asylon.domain.safeguards` inside the caller's transaction."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from asylon.db.models import Case, UnsafeFlagRow
from asylon.domain.dates import DateError, PartialDate
from asylon.domain.safeguards import MemberFacts, UnsafeFlag, check_repatriation, check_transfer
from asylon.schemas.cases import CaseCreate


def unsafe_flags(session: Session, countries: set[str] | None = None) -> list[UnsafeFlag]:
    """Active unsafe-country flags, for ``countries`` or for all countries."""
    query = select(UnsafeFlagRow).where(UnsafeFlagRow.active.is_(True))
    if countries is not None:
        query = query.where(UnsafeFlagRow.country.in_(sorted(countries)))
    rows = session.scalars(query)
    return [UnsafeFlag(r.country, r.applies_to, r.reason) for r in rows]


def member_facts(case: Case, *, today: dt.date | None = None) -> list[MemberFacts]:
    today = today or dt.date.today()
    facts = []
    for person in case.persons:
        age = _age(person.date_of_birth, today)
        facts.append(
            MemberFacts(
                ref=person.person_ref,
                nationality=person.nationality,
                age=age,
                needs=frozenset(n.code for n in person.needs),
                is_principal=person.relationship_ == "principal",
                voluntariness_declared=person.voluntariness_declared_at is not None,
                destination=person.destination,
            )
        )
    return facts


def _age(date_of_birth: str | None, today: dt.date) -> int | None:
    if not date_of_birth:
        return None
    try:
        return PartialDate.parse(date_of_birth, today=today).age_on(today)
    except DateError:
        return None


def check_draft_transfer(session: Session, draft: CaseCreate, flags: list[UnsafeFlag] | None = None) -> None:
    """The transfer safeguards for a case not yet stored (registration, import). ``flags``, when given,
    are the active unsafe flags, so a bulk import reads them once."""
    assert draft.pathway_destination is not None
    today = dt.date.today()
    members = [
        MemberFacts(ref=p.person_ref, nationality=p.nationality, age=_age(p.date_of_birth, today),
                    needs=frozenset(str(n) for n in p.needs), is_principal=p.relationship == "principal")
        for p in draft.persons
    ]
    if flags is None:
        flags = unsafe_flags(session, {draft.pathway_destination})
    check_transfer(destination=draft.pathway_destination, members=members, fled=draft.fled_countries,
                   unsafe=flags, family_unity_decision=False)


def check_case_transfer(session: Session, case: Case, destination: str) -> None:
    members = member_facts(case)
    targets = {destination} | {m.destination for m in members if m.destination}
    check_transfer(
        destination=destination,
        members=members,
        fled=case.fled_countries,
        unsafe=unsafe_flags(session, targets),
        family_unity_decision=bool(case.family_unity_decision),
    )


def check_case_repatriation(session: Session, case: Case, target_state: str) -> None:
    return_country = case.pathway_destination or case.origin_country
    check_repatriation(
        target_state=target_state,
        return_country=return_country,
        members=member_facts(case),
        initiated_by=case.pathway_initiated_by,
        unsafe=unsafe_flags(session, {return_country} if return_country else set()),
    )
