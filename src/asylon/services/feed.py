"""The event feed: case events as a transactional outbox, read in order and filtered by agreements.

Every change to a case writes a :class:`~asylon.db.models.CaseEvent` in the same transaction as the
change, so the events table *is* the outbox: its id is a global, ordered cursor. Two consumers read it:

- the server-sent-events stream (:class:`FeedHub`, one stream per subscriber, resumable from a cursor),
- webhooks (:mod:`asylon.services.webhooks`), pushed, signed, retried, with a dead-letter list.

Both show an event to an organisation only if :func:`asylon.services.visibility.access_for` lets it see
the case now, and send the case redacted to the agreed fields; the change itself (``data``) goes only
to the owning organisation. Each delivery to another organisation is written to the access log.

Ordering: on PostgreSQL ids are taken from a sequence when rows are inserted, so a transaction can
commit id 11 while id 10 is still in flight. :class:`OutboxReader` therefore stops at a gap until every
transaction that was running when it first saw the gap has ended (``pg_current_snapshot``), after which
the gap is either filled or was a rollback. SQLite serialises writers, so its ids commit in order.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, selectinload

from asylon.db.engine import session_factory
from asylon.db.models import Case, CaseEvent, Person
from asylon.schemas.agreements import FeedEventPublic, FeedPage
from asylon.services import access_log
from asylon.services.actors import Actor
from asylon.services.caseviews import to_public
from asylon.services.visibility import Access, access_for

KEEPALIVE_SECONDS = 15.0


class OutboxReader:
    """Reads committed events after a cursor, in id order, never skipping one that may still commit.

    On PostgreSQL, when a later id is visible but an earlier one is not, the reader notes which
    transactions were in flight (``pg_current_snapshot``, less those of other databases where
    ``pg_stat_activity`` shows them) and waits until all of them have ended: the missing id then either
    appears or belonged to a rollback. This relies on every event being written after some other row of
    its transaction (the case it records), so its transaction already has an id when it takes the event
    id. The wait is per reader; a new reader (after a restart) simply waits again.
    """

    def __init__(self) -> None:
        self._gap: tuple[int, frozenset[int]] | None = None  # (first missing id, transactions in flight)

    def read(self, session: Session, after: int, limit: int = 500) -> list[CaseEvent]:
        # Whether the awaited transactions have ended is read *before* the events, so one that commits
        # in between shows its event below rather than being taken for a rollback.
        settled = self._gap is not None and not (self._gap[1] & _in_flight(session))
        rows = session.scalars(
            select(CaseEvent).where(CaseEvent.id > after).order_by(CaseEvent.id).limit(limit)
        ).all()
        out: list[CaseEvent] = []
        expected = after + 1
        for row in rows:
            if row.id != expected and session.get_bind().dialect.name == "postgresql":
                if not (settled and self._gap is not None and self._gap[0] == expected):
                    if self._gap is None or self._gap[0] != expected:
                        self._gap = (expected, _in_flight(session))
                    break
                self._gap = None
            out.append(row)
            expected = row.id + 1
        return out


def _in_flight(session: Session) -> frozenset[int]:
    """Ids (32-bit) of transactions in flight that may belong to this database."""
    if session.get_bind().dialect.name != "postgresql":
        return frozenset()  # SQLite: one writer at a time, ids commit in order
    rows = session.execute(text(
        "SELECT (x::text::bigint % 4294967296) FROM pg_snapshot_xip(pg_current_snapshot()) AS x "
        "EXCEPT SELECT backend_xid::text::bigint FROM pg_stat_activity "
        "WHERE datname IS DISTINCT FROM current_database() AND backend_xid IS NOT NULL"
    )).scalars()
    return frozenset(int(r) for r in rows)


def head(session: Session) -> int:
    """The newest event id (0 when there is none)."""
    return int(session.scalar(select(func.max(CaseEvent.id))) or 0)


def _cases(session: Session, ids: set[int]) -> dict[int, Case]:
    rows = session.scalars(
        select(Case).where(Case.id.in_(sorted(ids))).options(
            selectinload(Case.persons).selectinload(Person.needs),
            selectinload(Case.organisation),
            selectinload(Case.situation),
        )
    ).all()
    return {c.id: c for c in rows}


def render(access: Access, event: CaseEvent, case: Case) -> FeedEventPublic | None:
    """The event as ``access.actor`` may receive it, or None if they may not see the case now."""
    if not access.can_see(case):
        return None
    own = case.organisation_id == access.actor.organisation_id
    access.event_id = event.id
    public = to_public(access, case)
    return FeedEventPublic(id=event.id, at=event.at, kind=event.kind, case_id=case.id,
                           organisation=case.organisation.slug, case=public, data=event.data if own else None)


def render_batch(
    session: Session, access: Access, events: list[CaseEvent]
) -> list[tuple[int, FeedEventPublic | None]]:
    cases = _cases(session, {e.case_id for e in events})
    return [(e.id, render(access, e, cases[e.case_id]) if e.case_id in cases else None) for e in events]


def read_page(session: Session, *, actor: Actor, after: int = 0, limit: int = 100,
              purpose: str | None = None) -> FeedPage:
    """The next events after ``after`` that ``actor`` may see (the polling form of the stream).

    The returned cursor moves past events the actor may not see, so a poll never stalls on them.
    """
    access = access_for(session, actor, purpose=purpose, channel="feed")
    events = OutboxReader().read(session, after, limit)
    shown = [e for _, e in render_batch(session, access, events) if e is not None]
    return FeedPage(events=shown, cursor=events[-1].id if events else after)


def recent(session: Session, *, actor: Actor, purpose: str | None = None, limit: int = 50,
           window: int = 2000, channel: str = "web") -> FeedPage:
    """The newest ``limit`` events ``actor`` may see among the last ``window``, newest first (a page's list).

    Visibility is decided before rendering, so only the events shown are disclosed (and logged). The
    cursor is the newest event id: a live stream continues from there.
    """
    access = access_for(session, actor, purpose=purpose, channel=channel)
    newest = head(session)
    events = session.scalars(
        select(CaseEvent).where(CaseEvent.id > newest - window).order_by(CaseEvent.id.desc())
    ).all()
    cases = _cases(session, {e.case_id for e in events})
    chosen = [e for e in events if e.case_id in cases and access.can_see(cases[e.case_id])][:limit]
    shown = [render(access, e, cases[e.case_id]) for e in chosen]
    return FeedPage(events=[e for e in shown if e is not None], cursor=newest)


def sse(event: FeedEventPublic) -> str:
    """One server-sent event: its id is the cursor a client resumes from (``Last-Event-ID``)."""
    return f"id: {event.id}\nevent: {event.kind}\ndata: {event.model_dump_json()}\n\n"


@dataclass
class _Group:
    """Subscribers of one organisation with one purpose see the same events: render each once."""

    actor: Actor
    purpose: str | None
    reader: OutboxReader = field(default_factory=OutboxReader)
    start: int = -1  # results cover event ids in (start, upto]
    upto: int = -1
    results: dict[int, tuple[FeedEventPublic | None, list[dict[str, Any]]]] = field(default_factory=dict)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    members: int = 0


@dataclass
class _Follower:
    """One subscriber's own state: its reader (for gaps) and whether it has reached the shared window."""

    reader: OutboxReader = field(default_factory=OutboxReader)
    live: bool = False


class FeedHub:
    """Fans the outbox out to server-sent-event subscribers of one process.

    One poller watches the newest event id; each (organisation, purpose) group renders new events once,
    and each subscriber sends them from its own cursor. Disclosures are logged per subscriber, in batches.
    """

    CACHE = 2000

    def __init__(self, engine: Engine, *, poll_interval: float = 0.05) -> None:
        self.engine = engine
        self.poll_interval = poll_interval
        self._head = 0
        self._changed: asyncio.Condition | None = None
        self._task: asyncio.Task[None] | None = None
        self._groups: dict[tuple[int, str | None], _Group] = {}
        self._log: list[dict[str, Any]] = []

    def _read(self, fn: Callable[[Session], Any]) -> Any:
        with session_factory(self.engine, write=False)() as session:
            return fn(session)

    async def _poll(self) -> None:
        assert self._changed is not None
        while True:
            try:
                newest = await asyncio.to_thread(self._read, head)
                if self._log:
                    rows, self._log = self._log, []
                    await asyncio.to_thread(access_log.write, self.engine, rows)
            except Exception:
                newest = self._head
            if newest != self._head:
                self._head = newest
                async with self._changed:
                    self._changed.notify_all()
            await asyncio.sleep(self.poll_interval)

    def _ensure_started(self) -> None:
        if self._task is None or self._task.done():
            self._changed = asyncio.Condition()
            self._task = asyncio.get_running_loop().create_task(self._poll())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        if self._log:
            rows, self._log = self._log, []
            await asyncio.to_thread(access_log.write, self.engine, rows)

    def _render_range(self, group: _Group, after: int, reader: OutboxReader) -> tuple[
            int, list[tuple[int, FeedEventPublic | None, list[dict[str, Any]]]]]:
        with session_factory(self.engine, write=False)() as session:
            access = access_for(session, group.actor, purpose=group.purpose, channel="feed")
            events = reader.read(session, after)
            out = []
            rows = access_log.pending(session)
            for event_id, public in render_batch(session, access, events):
                taken = list(rows)
                rows.clear()  # logged per subscriber when sent, not here
                out.append((event_id, public, taken))
            return (events[-1].id if events else after), out

    async def _next(self, group: _Group, cursor: int, follower: _Follower) -> tuple[
            int, list[tuple[FeedEventPublic | None, list[dict[str, Any]]]]]:
        async with group.lock:
            # Only a follower that has caught up takes shared renders: every render it is then given was
            # made after it caught up, so nothing rendered before a suspension or a withdrawal reaches
            # a subscriber that connects afterwards.
            if follower.live and group.start <= cursor <= group.upto:
                if group.upto < self._head:
                    upto, fresh = await asyncio.to_thread(self._render_range, group, group.upto, group.reader)
                    for event_id, public, rows in fresh:
                        group.results[event_id] = (public, rows)
                    group.upto = upto
                    if len(group.results) > self.CACHE:
                        for old in sorted(group.results)[: len(group.results) - self.CACHE]:
                            del group.results[old]
                        group.start = min(group.results) - 1
                ids = sorted(i for i in group.results if i > cursor)
                return group.upto, [group.results[i] for i in ids]
        # A new or resuming subscriber renders on its own until it reaches the shared window.
        upto, fresh = await asyncio.to_thread(self._render_range, group, cursor, follower.reader)
        async with group.lock:
            if group.start < 0:
                group.start = group.upto = cursor
            if group.start <= cursor <= group.upto < upto:  # contiguous with the window: extend it
                for event_id, public, rows in fresh:
                    group.results[event_id] = (public, rows)
                group.upto = upto
            if group.start <= upto <= group.upto:
                follower.live = True
        return upto, [(public, rows) for _, public, rows in fresh]

    def _beyond(self, cursor: int) -> bool:
        return self._head > cursor

    async def subscribe(self, actor: Actor, *, purpose: str | None, after: int) -> AsyncIterator[str]:
        """Server-sent events for ``actor`` from cursor ``after``, forever (until the client goes away)."""
        self._ensure_started()
        assert self._changed is not None
        key = (actor.organisation_id, purpose)
        group = self._groups.setdefault(key, _Group(actor, purpose))
        group.members += 1
        cursor = after
        follower = _Follower()
        try:
            yield ": connected\n\n"
            while True:
                upto, batch = await self._next(group, cursor, follower)
                for public, rows in batch:
                    if public is not None:
                        yield sse(public)
                        self._log.extend(r | {"recipient_user_id": actor.user_id} for r in rows)
                moved = upto > cursor
                cursor = max(cursor, upto)
                if cursor < self._head:
                    if not moved:  # waiting on a gap (an uncommitted event before newer ones)
                        await asyncio.sleep(self.poll_interval)
                    continue
                async with self._changed:
                    try:
                        await asyncio.wait_for(self._changed.wait_for(partial(self._beyond, cursor)),
                                               KEEPALIVE_SECONDS)
                    except TimeoutError:
                        yield ": keepalive\n\n"
        finally:
            group.members -= 1
            if group.members == 0:
                self._groups.pop(key, None)


def payload(event: FeedEventPublic) -> bytes:
    """The JSON body a webhook carries."""
    return json.dumps(event.model_dump(mode="json"), separators=(",", ":"), ensure_ascii=False).encode()
