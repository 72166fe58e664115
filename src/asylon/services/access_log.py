"""The access log: every disclosure of a person's record to another organisation, and the per-person report.

Rows are gathered by :meth:`asylon.services.visibility.Access.fields_for` into the reading session and
written, in a transaction of their own, when that session's transaction ends (read sessions are never
committed, so the log cannot ride on them). A read that fails half-way still logs what it had disclosed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event, insert, select
from sqlalchemy.orm import Session, SessionTransaction, selectinload

from asylon.db.engine import transaction
from asylon.db.models import AccessLogEntry, Organisation
from asylon.domain.organisations import Role
from asylon.schemas.agreements import DisclosurePublic
from asylon.services.actors import Actor
from asylon.services.registry import find_person, load_case

_KEY = "asylon.disclosures"


def pending(session: Session) -> list[dict[str, Any]]:
    """The disclosures this session has made and not yet logged (the list to append to)."""
    rows: list[dict[str, Any]] | None = session.info.get(_KEY)
    if rows is None:
        rows = session.info[_KEY] = []
        event.listen(session, "after_transaction_end", _flush_at_end)
    return rows


def pending_any(session: Session) -> bool:
    """Whether the session holds disclosures still to be logged (closing it will write them)."""
    return bool(session.info.get(_KEY))


def _flush_at_end(session: Session, transaction_: SessionTransaction) -> None:
    if transaction_.parent is not None:
        return
    rows = session.info.get(_KEY)
    if not rows:
        return
    batch = list(rows)
    rows.clear()
    bind = session.get_bind()
    write(bind if isinstance(bind, Engine) else bind.engine, batch)


def write(engine: Engine, rows: list[dict[str, Any]]) -> None:
    """Write disclosure rows in their own transaction."""
    if rows:
        with transaction(engine, write=True) as session:
            session.execute(insert(AccessLogEntry), rows)


def person_report(session: Session, *, actor: Actor, case_id: int, person_ref: str) -> list[DisclosurePublic]:
    """Every disclosure of one person's record (a data-subject access request), oldest first.

    Only the owning organisation may ask; the report names recipients, never other persons.
    """
    actor.require(Role.CASEWORKER, "reading a person's access report")
    case = load_case(session, actor, case_id)
    if case.organisation_id != actor.organisation_id:
        from asylon.errors import NotFound

        raise NotFound("case", case_id)
    person = find_person(case, person_ref)
    entries = session.scalars(
        select(AccessLogEntry)
        .where(AccessLogEntry.person_id == person.id)
        .options(selectinload(AccessLogEntry.recipient), selectinload(AccessLogEntry.recipient_user))
        .order_by(AccessLogEntry.id)
    ).all()
    return [
        DisclosurePublic(
            at=e.at,
            channel=e.channel,
            recipient=e.recipient.slug,
            recipient_user=e.recipient_user.email if e.recipient_user else None,
            agreements=[int(a) for a in e.agreement_ids],
            purpose=e.purpose,
            fields=list(e.fields),
            event_id=e.event_id,
        )
        for e in entries
    ]


def organisation_slugs(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Organisation.id, Organisation.slug)).tuples().all())
