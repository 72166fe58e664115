"""Discussion threads per situation and per case, with mentions that notify users.

Who may read and write a thread:

- a case thread: the organisations that may see the case — the owner, and others through an agreement
  for the purpose the request declares (the same :func:`~asylon.services.visibility.access_for` check
  as every other read; a thread on a case you may not see does not exist for you);
- a situation thread: the organisation that opened it, organisations with cases in the situation, and
  parties to an active agreement that covers the situation (or covers every situation).

``@user@example.org`` in a message notifies that user if their organisation may read the thread.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session, selectinload

from asylon.db.base import utcnow
from asylon.db.models import (
    Agreement,
    AgreementParty,
    Case,
    Notification,
    Situation,
    Thread,
    ThreadMessage,
    User,
)
from asylon.domain.organisations import Role
from asylon.errors import NotFound
from asylon.schemas.agreements import MessagePublic, NotificationPublic, ThreadCreate, ThreadPublic
from asylon.services.accounts import actor_for
from asylon.services.actors import Actor
from asylon.services.registry import load_case, resolve_situation
from asylon.services.visibility import access_for

MENTION = re.compile(r"(?<![\w.+-])@([\w.+-]+@[\w-]+(?:\.[\w-]+)+)")


def _situation_orgs(session: Session, situation_id: int, opener: int) -> set[int]:
    code = session.scalar(select(Situation.code).where(Situation.id == situation_id))
    orgs = {opener}
    orgs |= set(session.scalars(select(Case.organisation_id).where(Case.situation_id == situation_id).distinct()))
    today = dt.datetime.now(dt.UTC).date()
    for agreement in session.scalars(select(Agreement).where(
            Agreement.status == "active", Agreement.valid_from <= today, Agreement.valid_until >= today)):
        if not agreement.situations or code in agreement.situations:
            orgs |= set(session.scalars(select(AgreementParty.organisation_id)
                                        .where(AgreementParty.agreement_id == agreement.id)))
    return orgs


def may_read(session: Session, actor: Actor, thread: Thread) -> bool:
    if thread.case_id is not None:
        case = session.get(Case, thread.case_id)
        return case is not None and access_for(session, actor).can_see(case)
    assert thread.situation_id is not None
    return actor.organisation_id in _situation_orgs(session, thread.situation_id, thread.organisation_id)


def load_thread(session: Session, actor: Actor, thread_id: int) -> Thread:
    thread = session.get(Thread, thread_id)
    if thread is None or not may_read(session, actor, thread):
        raise NotFound("thread", thread_id)
    return thread


def open_thread(session: Session, *, actor: Actor, data: ThreadCreate) -> Thread:
    """Open a thread on a situation or a case the actor may see, with its first message."""
    actor.require(Role.CASEWORKER, "opening a discussion")
    situation_id = None
    if data.case_id is not None:
        load_case(session, actor, data.case_id)  # NotFound unless visible for the declared purpose
    else:
        situation_id = resolve_situation(session, data.situation)
    thread = Thread(title=data.title, case_id=data.case_id, situation_id=situation_id,
                    organisation_id=actor.organisation_id, created_by_user_id=actor.user_id)
    session.add(thread)
    session.flush()
    _post(session, actor, thread, data.body)
    return thread


def post_message(session: Session, *, actor: Actor, thread_id: int, body: str) -> ThreadMessage:
    actor.require(Role.CASEWORKER, "writing in a discussion")
    return _post(session, actor, load_thread(session, actor, thread_id), body)


def _post(session: Session, actor: Actor, thread: Thread, body: str) -> ThreadMessage:
    message = ThreadMessage(thread_id=thread.id, organisation_id=actor.organisation_id,
                            author_user_id=actor.user_id, body=body)
    session.add(message)
    session.flush()
    emails = {m.lower() for m in MENTION.findall(body)}
    if emails:
        for user in session.scalars(select(User).where(User.email.in_(sorted(emails)), User.active)):
            if user.id != actor.user_id and may_read(session, actor_for(user), thread):
                session.add(Notification(user_id=user.id, kind="mention", thread_id=thread.id, message_id=message.id))
    return message


def _visible_threads(session: Session, actor: Actor, where: ColumnElement[bool]) -> list[Thread]:
    return [t for t in session.scalars(select(Thread).where(where).order_by(Thread.id)) if may_read(session, actor, t)]


def list_threads(session: Session, *, actor: Actor, case_id: int | None = None,
                 situation: str | None = None) -> list[ThreadPublic]:
    if case_id is not None:
        load_case(session, actor, case_id)
        where: ColumnElement[bool] = Thread.case_id == case_id
    elif situation is not None:
        where = Thread.situation_id == resolve_situation(session, situation)
    else:
        where = or_(Thread.organisation_id == actor.organisation_id, Thread.situation_id.is_not(None))
    return [to_public(session, t, messages=False) for t in _visible_threads(session, actor, where)]


def get_thread(session: Session, *, actor: Actor, thread_id: int) -> ThreadPublic:
    return to_public(session, load_thread(session, actor, thread_id), messages=True)


def to_public(session: Session, thread: Thread, *, messages: bool) -> ThreadPublic:
    from asylon.db.models import Organisation

    slug = session.scalar(select(Organisation.slug).where(Organisation.id == thread.organisation_id)) or ""
    situation = session.scalar(select(Situation.code).where(Situation.id == thread.situation_id)) \
        if thread.situation_id else None
    shown: list[MessagePublic] = []
    if messages:
        rows = session.scalars(select(ThreadMessage).where(ThreadMessage.thread_id == thread.id)
                               .options(selectinload(ThreadMessage.organisation), selectinload(ThreadMessage.author))
                               .order_by(ThreadMessage.id))
        shown = [MessagePublic(id=m.id, thread_id=m.thread_id, organisation=m.organisation.slug,
                               author=m.author.display_name if m.author else None, body=m.body,
                               created_at=m.created_at) for m in rows]
    return ThreadPublic(id=thread.id, title=thread.title, situation=situation, case_id=thread.case_id,
                        organisation=slug, created_at=thread.created_at, messages=shown)


def notifications(session: Session, *, actor: Actor, unread_only: bool = False) -> list[NotificationPublic]:
    query = select(Notification).where(Notification.user_id == actor.user_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return [NotificationPublic(id=n.id, kind=n.kind, thread_id=n.thread_id, message_id=n.message_id,
                               created_at=n.created_at, read_at=n.read_at)
            for n in session.scalars(query.order_by(Notification.id.desc()).limit(200))]


def mark_read(session: Session, *, actor: Actor, ids: list[int]) -> int:
    query = select(Notification).where(Notification.user_id == actor.user_id, Notification.read_at.is_(None))
    if ids:
        query = query.where(Notification.id.in_(ids))
    rows = list(session.scalars(query))
    now = utcnow()
    for row in rows:
        row.read_at = now
    return len(rows)
