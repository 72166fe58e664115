"""Consent: a person's agreement to share their record with one recipient for one purpose.

Consent is recorded by the organisation that owns the case (with the date it was given and how), and
withdrawn the same way. :mod:`asylon.services.visibility` reads it on every disclosure under an
agreement whose legal basis is consent, so a withdrawal takes effect on the next read, feed event or
webhook delivery, with nothing cached in between.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from asylon.db.base import utcnow
from asylon.db.models import Consent, Person
from asylon.domain.organisations import Role
from asylon.errors import Conflict, NotFound
from asylon.schemas.agreements import ConsentCreate, ConsentPublic, ConsentWithdrawal
from asylon.services.accounts import get_organisation
from asylon.services.actors import Actor
from asylon.services.registry import find_person, load_case, record_event


def record_consent(session: Session, *, actor: Actor, data: ConsentCreate) -> Consent:
    """Record that a person of one of the actor's cases consented to ``data.purpose`` for ``data.recipient``."""
    actor.require(Role.CASEWORKER, "recording consent")
    case = load_case(session, actor, data.case_id, for_change=True)
    person = find_person(case, data.person_ref)
    recipient = get_organisation(session, data.recipient)
    consent = Consent(
        organisation_id=actor.organisation_id,
        case_id=case.id,
        person_id=person.id,
        purpose=str(data.purpose),
        recipient_organisation_id=recipient.id,
        given_on=data.given_on,
        method=data.method,
        recorded_by_user_id=actor.user_id,
    )
    session.add(consent)
    session.flush()
    record_event(session, actor, case, "consent.recorded",
                 {"person_ref": person.person_ref, "purpose": consent.purpose, "recipient": recipient.slug,
                  "given_on": data.given_on.isoformat(), "method": data.method})
    return consent


def withdraw_consent(session: Session, *, actor: Actor, data: ConsentWithdrawal) -> Consent:
    """Withdraw a consent at once; disclosures already made stay in the access log."""
    actor.require(Role.CASEWORKER, "withdrawing consent")
    consent = session.scalar(select(Consent).where(Consent.id == data.consent_id,
                                                   Consent.organisation_id == actor.organisation_id))
    if consent is None:
        raise NotFound("consent", data.consent_id)
    if consent.withdrawn_at is not None:
        raise Conflict(f"consent {consent.id} was already withdrawn on {consent.withdrawn_at:%Y-%m-%d}")
    consent.withdrawn_at = utcnow()
    consent.withdrawal_method = data.method
    case = load_case(session, actor, consent.case_id, for_change=True)
    person = session.get_one(Person, consent.person_id)
    record_event(session, actor, case, "consent.withdrawn",
                 {"person_ref": person.person_ref, "purpose": consent.purpose, "method": data.method})
    return consent


def list_consents(session: Session, *, actor: Actor, case_id: int) -> list[ConsentPublic]:
    case = load_case(session, actor, case_id)
    if case.organisation_id != actor.organisation_id:
        raise NotFound("case", case_id)
    refs = {p.id: p.person_ref for p in case.persons}
    rows = session.scalars(select(Consent).where(Consent.case_id == case.id)
                           .options(selectinload(Consent.recipient)).order_by(Consent.id))
    return [to_public(c, refs[c.person_id]) for c in rows]


def to_public(consent: Consent, person_ref: str) -> ConsentPublic:
    return ConsentPublic(
        id=consent.id, case_id=consent.case_id, person_ref=person_ref, purpose=consent.purpose,
        recipient=consent.recipient.slug, given_on=consent.given_on, method=consent.method,
        recorded_at=consent.recorded_at, withdrawn_at=consent.withdrawn_at,
        withdrawal_method=consent.withdrawal_method,
    )
