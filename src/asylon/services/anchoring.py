"""Anchoring the case history in the transparency log, and proving later that nobody rewrote it.

:func:`anchor_pending_events` commits every case event not yet anchored to the log, in batches: each batch is
one ``event-batch`` leaf (the engine's :func:`~asylon.engines.ledger.anchor_events`) holding only a count and two
Merkle roots over the events' digests. Call it after commits, or run ``asylon audit anchor`` on a schedule.

:func:`audit_history` (``asylon audit verify``) re-derives every batch from the events as they are stored *now*
and compares them with the log, after checking the log itself against its signed checkpoint
(:func:`~asylon.engines.ledger.audit_events`). An event altered, removed, inserted or moved since it was logged
shows as a failing batch, named by its batch number, log leaf and event ids.

What an event's digest covers: its case, organisation, user, time, kind and reason, its data with the personal
fields (:data:`asylon.services.registry.PERSONAL_FIELDS`) blanked, and ``SHA-256(batch salt || JCS(data))``. The
salt is secret and per batch, so the log cannot be used to confirm a guess about anyone's data. A lawful erasure
later blanks personal fields in old events; the audit recognises that case — the event's public part is
unchanged, the case records a ``person.erased`` event after it, and with the personal digest kept at anchoring
time the batch still reproduces its logged leaf — and reports it as explained by the erasure, not as tampering.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from asylon.db.models import CaseEvent, EventAnchor, EventAnchorBatch
from asylon.engines.ledger import NoteVerifier, anchor_events, audit_events, event_digest
from asylon.engines.ledger.commitment import event_batch_leaf
from asylon.engines.ledger.dataintegrity import canonical
from asylon.services.documents import KeyVault, latest_checkpoint, ledger
from asylon.services.registry import PERSONAL_FIELDS

__all__ = ["AnchorResult", "HistoryAudit", "HistoryFinding", "anchor_pending_events", "audit_history"]

BATCH_SIZE = 1_000
_CHUNK = 5_000


@dataclass(frozen=True, slots=True)
class AnchorResult:
    batches: int
    events: int
    leaves: range
    checkpoint: str | None


@dataclass(frozen=True, slots=True)
class HistoryFinding:
    kind: str
    """``event-altered``, ``events-reordered``, ``event-removed``, ``event-inserted``, ``gap``, ``log-tampered``."""
    message: str
    batch_id: int | None = None
    leaf_index: int | None = None
    first_event_id: int | None = None
    last_event_id: int | None = None


@dataclass(slots=True)
class HistoryAudit:
    batches_checked: int = 0
    events_checked: int = 0
    unanchored_events: int = 0
    checkpoint_size: int = 0
    findings: list[HistoryFinding] = field(default_factory=list)
    explained: list[str] = field(default_factory=list)
    """Differences explained by a recorded erasure (not tampering)."""

    @property
    def ok(self) -> bool:
        return not self.findings


def without_personal(value: Any) -> Any:
    """Event data with every person's personal fields blanked (as an erasure would leave them).

    >>> without_personal({"person_ref": "P1", "given_name": "Amina", "sex": "F"})
    {'person_ref': 'P1', 'given_name': None, 'sex': 'F'}
    """
    if isinstance(value, dict):
        out = {k: without_personal(v) for k, v in value.items()}
        if "person_ref" in value:
            for name in PERSONAL_FIELDS:
                if name in out:
                    out[name] = None
            changes = out.get("changes")
            if isinstance(changes, dict):
                out["changes"] = {
                    k: ([None, None] if k in PERSONAL_FIELDS or k == "search_key" else v)
                    for k, v in changes.items()
                }
        return out
    if isinstance(value, list):
        return [without_personal(v) for v in value]
    return value


def personal_digest(salt: bytes, data: Any) -> bytes:
    return hashlib.sha256(salt + canonical(data)).digest()


def _digest(event: CaseEvent, personal: bytes) -> bytes:
    at = event.at if event.at.tzinfo else event.at.replace(tzinfo=dt.UTC)
    return event_digest(
        {
            "v": 1,
            "case": event.case_id,
            "organisation": event.organisation_id,
            "user": event.actor_user_id,
            "at": at.astimezone(dt.UTC).isoformat(),
            "kind": event.kind,
            "reason": event.reason,
            "data": without_personal(event.data),
            "personal": personal.hex(),
        }
    )


def _wait_for_writers(session: Session) -> None:
    # On PostgreSQL ids are handed out before commit, so event 11 may be visible while event 10 is still in
    # flight; anchoring past it would leave 10 out for good. SHARE mode waits for every open writer of
    # case_events to finish and holds new ones back for the few milliseconds anchoring takes. SQLite has one
    # writer at a time, and this session is it.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE case_events IN SHARE MODE"))


def anchor_pending_events(
    session: Session, *, vault: KeyVault, batch_size: int = BATCH_SIZE, limit: int | None = None
) -> AnchorResult:
    """Commit every case event not yet anchored to the log (``batch_size`` events a leaf) and sign a checkpoint.
    The caller commits; until then nothing is anchored.

    >>> # result = anchor_pending_events(session, vault=vault); session.commit()
    """
    with ledger(session, vault, write=True) as log:
        _wait_for_writers(session)
        last_event = session.scalar(select(func.max(EventAnchorBatch.last_event_id))) or 0
        next_seq = (session.scalar(select(func.max(EventAnchor.seq))) or 0) + 1
        query = select(CaseEvent).where(CaseEvent.id > last_event).order_by(CaseEvent.id)
        if limit is not None:
            query = query.limit(limit)
        events = list(session.scalars(query))
        if not events:
            return AnchorResult(0, 0, range(log.size(), log.size()), log.store.latest_checkpoint())
        planned: list[tuple[int, bytes, list[CaseEvent], list[bytes], list[bytes]]] = []
        for start in range(0, len(events), batch_size):
            chunk = events[start : start + batch_size]
            salt = secrets.token_bytes(32)
            personals = [personal_digest(salt, e.data) for e in chunk]
            digests = [_digest(e, p) for e, p in zip(chunk, personals, strict=True)]
            planned.append((next_seq + start, salt, chunk, personals, digests))
        leaves = anchor_events(log, [(first, digests) for first, _, _, _, digests in planned])
        note = log.checkpoint()
        for leaf, (first, salt, chunk, personals, _) in zip(leaves, planned, strict=True):
            batch = EventAnchorBatch(
                first_seq=first,
                count=len(chunk),
                first_event_id=chunk[0].id,
                last_event_id=chunk[-1].id,
                leaf_index=leaf,
                salt=salt,
            )
            session.add(batch)
            session.flush()
            session.execute(
                insert(EventAnchor),
                [
                    {"seq": first + i, "event_id": e.id, "batch_id": batch.id, "personal_digest": p}
                    for i, (e, p) in enumerate(zip(chunk, personals, strict=True))
                ],
            )
        return AnchorResult(len(planned), len(events), leaves, note)


def _events_between(session: Session, first: int, last: int) -> Iterator[CaseEvent]:
    lo = first
    while lo <= last:
        rows = list(
            session.scalars(
                select(CaseEvent)
                .where(CaseEvent.id >= lo, CaseEvent.id <= last)
                .order_by(CaseEvent.id)
                .limit(_CHUNK)
            )
        )
        if not rows:
            return
        yield from rows
        lo = rows[-1].id + 1


def audit_history(session: Session, *, vault: KeyVault, log_key: NoteVerifier | None = None) -> HistoryAudit:
    """Prove that no anchored case event was altered, removed, inserted or reordered since it was logged.

    ``log_key`` is the log's verifier key as the auditor holds it (default: the platform's own, which proves
    the database agrees with itself and the checkpoints it published; an outside auditor passes the key they
    hold, so a replaced log key shows too).
    """
    note = latest_checkpoint(session)
    batches = list(session.scalars(select(EventAnchorBatch).order_by(EventAnchorBatch.first_seq)))
    anchors = {a.event_id: a for a in session.scalars(select(EventAnchor))}
    erasures: dict[int, int] = {}  # case id -> id of its latest person.erased event
    for case_id, event_id in session.execute(
        select(CaseEvent.case_id, func.max(CaseEvent.id))
        .where(CaseEvent.kind == "person.erased")
        .group_by(CaseEvent.case_id)
    ):
        erasures[case_id] = event_id
    pairs: list[tuple[int, bytes]] = []
    by_batch: dict[int, list[CaseEvent]] = {}
    covered = 0
    for batch in batches:
        stored = list(_events_between(session, batch.first_event_id, batch.last_event_id))
        by_batch[batch.id] = stored
        covered += len(stored)
        for j, event in enumerate(stored):
            pairs.append(
                (
                    batch.first_seq + min(j, batch.count - 1),
                    _digest(event, personal_digest(bytes(batch.salt), event.data)),
                )
            )
    with ledger(session, vault, write=False) as log:
        key = log_key
        if key is None:
            assert log.signer is not None
            key = log.signer.verifier
        result = audit_events(pairs, log, note, key)
        report = HistoryAudit(
            result.batches_checked, result.events_checked, checkpoint_size=int(note.split("\n")[1])
        )
        for finding in result.findings:
            failing = _batch_of(batches, finding.first_seq)
            if failing is None or finding.kind in ("log-tampered", "gap"):
                report.findings.append(HistoryFinding(finding.kind, finding.message))
                continue
            stored = by_batch[failing.id]
            if finding.kind == "event-altered" and _explained_by_erasure(
                log, failing, stored, anchors, erasures
            ):
                report.explained.append(
                    f"event batch {failing.id} (events {failing.first_event_id}–{failing.last_event_id}): personal "
                    "fields blanked by a recorded erasure; everything else is as logged"
                )
                continue
            report.findings.append(
                HistoryFinding(
                    finding.kind,
                    _describe(finding.kind, failing, stored, anchors),
                    failing.id,
                    failing.leaf_index,
                    failing.first_event_id,
                    failing.last_event_id,
                )
            )
    last = batches[-1].last_event_id if batches else 0
    first = batches[0].first_event_id if batches else 0
    stray = (
        session.scalar(
            select(func.count()).select_from(CaseEvent).where(CaseEvent.id <= last, CaseEvent.id < first)
        )
        or 0
    )
    if stray:
        report.findings.append(
            HistoryFinding(
                "event-inserted",
                f"{stray} event(s) with ids before the first anchored event were added after logging",
            )
        )
    report.unanchored_events = (
        session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.id > last)) or 0
    )
    return report


def _batch_of(batches: Sequence[EventAnchorBatch], seq: int | None) -> EventAnchorBatch | None:
    if seq is None:
        return None
    return next((b for b in batches if b.first_seq <= seq < b.first_seq + b.count), None)


def _describe(
    kind: str, batch: EventAnchorBatch, stored: list[CaseEvent], anchors: dict[int, EventAnchor]
) -> str:
    where = (
        f"event batch {batch.id} (log leaf {batch.leaf_index}, events {batch.first_event_id}–"
        f"{batch.last_event_id})"
    )
    ids = {e.id for e in stored}
    if kind == "event-removed":
        gone = sorted(
            a.event_id for a in anchors.values() if a.batch_id == batch.id and a.event_id not in ids
        )
        return f"{where}: {batch.count - len(stored)} logged event(s) are gone (ids {', '.join(map(str, gone[:10]))})"
    if kind == "event-inserted":
        added = sorted(i for i in ids if i not in anchors)
        return f"{where}: event(s) {', '.join(map(str, added[:10]))} were added after logging"
    if kind == "events-reordered":
        return f"{where}: the same events are stored in another order"
    return f"{where}: one or more events were altered after logging"


def _explained_by_erasure(
    log: Any,
    batch: EventAnchorBatch,
    stored: list[CaseEvent],
    anchors: dict[int, EventAnchor],
    erasures: dict[int, int],
) -> bool:
    """Whether the batch reproduces its leaf once events of erased persons use their anchored personal digest."""
    if len(stored) != batch.count:
        return False
    digests = []
    used = False
    for event in stored:
        anchor = anchors.get(event.id)
        if anchor is None:
            return False
        if erasures.get(event.case_id, 0) > event.id:
            digests.append(_digest(event, bytes(anchor.personal_digest)))
            used = True
        else:
            digests.append(_digest(event, personal_digest(bytes(batch.salt), event.data)))
    return used and event_batch_leaf(batch.first_seq, digests) == log.store.entry(batch.leaf_index)
