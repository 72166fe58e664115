"""Data-sharing agreements: drafting, approval by an admin of every party, suspension, termination.

Lifecycle (``AGREEMENT_MACHINE``): draft → active (once every party has approved) → suspended ⇄ active,
and any of them → terminated (final). An active or suspended agreement past ``valid_until`` is expired:
that is read from the dates (:func:`effective_status`), so expiry needs no job to run. Terms never
change after drafting; a change of terms is a new agreement. What an agreement opens is decided in one
place, :mod:`asylon.services.visibility`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from asylon.db.base import utcnow
from asylon.db.models import Agreement, AgreementEvent, AgreementParty, Organisation, Situation
from asylon.domain.organisations import Role
from asylon.domain.statemachine import StateMachine
from asylon.errors import Conflict, InvalidInput, NotFound, Problem
from asylon.schemas.agreements import (
    AgreementAction,
    AgreementCreate,
    AgreementEventPublic,
    AgreementPublic,
    AgreementStatus,
    PartyPublic,
)
from asylon.services.actors import Actor

AGREEMENT_MACHINE = StateMachine(
    "agreement",
    "draft",
    {
        "draft": {"active", "terminated"},
        "active": {"suspended", "terminated"},
        "suspended": {"active", "terminated"},
        "terminated": set(),
    },
)


def effective_status(agreement: Agreement, today: dt.date | None = None) -> AgreementStatus:
    """The status as it holds today: ``expired`` once past ``valid_until`` unless drafted or terminated.

    >>> # effective_status(agreement, dt.date(2030, 1, 1)) -> AgreementStatus.EXPIRED
    """
    today = today or dt.datetime.now(dt.UTC).date()
    if agreement.status in ("active", "suspended") and agreement.valid_until < today:
        return AgreementStatus.EXPIRED
    return AgreementStatus(agreement.status)


def create_agreement(session: Session, *, actor: Actor, data: AgreementCreate) -> Agreement:
    """Draft an agreement between ``data.parties`` (the actor's organisation among them)."""
    actor.require(Role.ADMIN, "drafting a data-sharing agreement")
    orgs = {o.slug: o for o in session.scalars(select(Organisation).where(Organisation.slug.in_(data.parties)))}
    missing = [slug for slug in data.parties if slug not in orgs]
    if missing:
        raise InvalidInput(Problem(f"unknown organisations: {', '.join(missing)}", field="parties",
                                   fix="use organisation slugs from GET /api/v1/organisations"))
    if actor.organisation_slug not in orgs:
        raise InvalidInput(Problem("your organisation must be a party to an agreement it drafts", field="parties",
                                   fix=f"add '{actor.organisation_slug}' to parties"))
    if data.situations:
        known = set(session.scalars(select(Situation.code).where(Situation.code.in_(data.situations))))
        unknown = [s for s in data.situations if s not in known]
        if unknown:
            raise InvalidInput(Problem(f"unknown situations: {', '.join(unknown)}", field="situations"))
    agreement = Agreement(
        title=data.title,
        purpose=str(data.purpose),
        legal_basis=str(data.legal_basis),
        legal_reference=data.legal_reference,
        categories=list(data.categories),
        fields=sorted(set(data.fields)),
        situations=sorted(set(data.situations)),
        countries=sorted(set(data.countries)),
        valid_from=data.valid_from,
        valid_until=data.valid_until,
        status="draft",
        created_by_organisation_id=actor.organisation_id,
    )
    agreement.parties = [AgreementParty(organisation_id=orgs[slug].id) for slug in data.parties]
    agreement.history = [_event(actor, "drafted")]
    session.add(agreement)
    session.flush()
    return agreement


def _event(actor: Actor, kind: str, reason: str = "") -> AgreementEvent:
    return AgreementEvent(organisation_id=actor.organisation_id, actor_user_id=actor.user_id, kind=kind,
                          reason=reason)


def load_agreement(session: Session, actor: Actor, agreement_id: int) -> Agreement:
    """The agreement if the actor's organisation is a party to it; otherwise NotFound."""
    agreement = session.scalars(
        select(Agreement)
        .join(AgreementParty, AgreementParty.agreement_id == Agreement.id)
        .where(Agreement.id == agreement_id, AgreementParty.organisation_id == actor.organisation_id)
        .options(selectinload(Agreement.parties).selectinload(AgreementParty.organisation),
                 selectinload(Agreement.history).selectinload(AgreementEvent.organisation))
    ).first()
    if agreement is None:
        raise NotFound("agreement", agreement_id)
    return agreement


def act(session: Session, *, actor: Actor, data: AgreementAction) -> Agreement:
    """Approve (as the actor's organisation), suspend, resume or terminate an agreement."""
    actor.require(Role.ADMIN, f"{data.action} a data-sharing agreement")
    agreement = load_agreement(session, actor, data.agreement_id)
    now = utcnow()
    if data.action == "approve":
        if agreement.status != "draft":
            raise Conflict(f"agreement {agreement.id} is {agreement.status}; only a draft awaits approval")
        party = next(p for p in agreement.parties if p.organisation_id == actor.organisation_id)
        if party.approved_at is None:
            party.approved_at = now
            party.approved_by_user_id = actor.user_id
            agreement.history.append(_event(actor, "approved", data.reason))
        if all(p.approved_at is not None for p in agreement.parties):
            agreement.status = "active"
            agreement.history.append(_event(actor, "activated"))
    else:
        target = {"suspend": "suspended", "resume": "active", "terminate": "terminated"}[data.action]
        if effective_status(agreement) is AgreementStatus.EXPIRED and target == "active":
            raise InvalidInput(Problem(f"agreement {agreement.id} expired on {agreement.valid_until}",
                                       fix="draft a new agreement with new dates"))
        AGREEMENT_MACHINE.check(agreement.status, target)
        agreement.status = target
        agreement.history.append(_event(actor, {"active": "resumed"}.get(target, target), data.reason))
    agreement.status_reason = data.reason
    agreement.updated_at = now
    return agreement


def list_agreements(session: Session, *, actor: Actor) -> list[Agreement]:
    return list(session.scalars(
        select(Agreement)
        .join(AgreementParty, AgreementParty.agreement_id == Agreement.id)
        .where(AgreementParty.organisation_id == actor.organisation_id)
        .options(selectinload(Agreement.parties).selectinload(AgreementParty.organisation),
                 selectinload(Agreement.history).selectinload(AgreementEvent.organisation))
        .order_by(Agreement.id)
    ).unique())


def to_public(agreement: Agreement, today: dt.date | None = None) -> AgreementPublic:
    return AgreementPublic(
        id=agreement.id,
        title=agreement.title,
        purpose=agreement.purpose,
        legal_basis=agreement.legal_basis,
        legal_reference=agreement.legal_reference,
        categories=list(agreement.categories),
        fields=list(agreement.fields),
        situations=list(agreement.situations),
        countries=list(agreement.countries),
        valid_from=agreement.valid_from,
        valid_until=agreement.valid_until,
        status=effective_status(agreement, today),
        status_reason=agreement.status_reason,
        parties=[PartyPublic(organisation=p.organisation.slug, approved_at=p.approved_at) for p in agreement.parties],
        history=[AgreementEventPublic(at=e.at, organisation=e.organisation.slug, kind=e.kind, reason=e.reason)
                 for e in agreement.history],
    )


def drafting_choices(session: Session) -> tuple[list[Organisation], list[str]]:
    """The organisations an agreement may bind and the situation codes it may name (for drafting forms)."""
    organisations = list(session.scalars(select(Organisation).order_by(Organisation.name)))
    return organisations, list(session.scalars(select(Situation.code).order_by(Situation.code)))
