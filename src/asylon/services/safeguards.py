"""Gathers the facts the safeguards need from storage and applies the pure rules of
:mod:`asylon.domain.safeguards` inside the caller's transaction."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from asylon.db.models import Case, UnsafeFlagRow
from asylon.domain.dates import DateError, PartialDate
from asylon.domain.safeguards import MemberFacts, UnsafeFlag, check_repatriation, check_transfer


def unsafe_flags(session: Session, countries: set[str]) -> list[UnsafeFlag]:
    rows = session.scalars(
        select(UnsafeFlagRow).where(UnsafeFlagRow.active.is_(True), UnsafeFlagRow.country.in_(sorted(countries)))
    )
    return [UnsafeFlag(r.country, r.applies_to, r.reason) for r in rows]


def member_facts(case: Case, *, today: dt.date | None = None) -> list[MemberFacts]:
    today = today or dt.date.today()
    facts = []
    for person in case.persons:
        age = None
        if person.date_of_birth:
            try:
                age = PartialDate.parse(person.date_of_birth, today=today).age_on(today)
            except DateError:
                age = None
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
