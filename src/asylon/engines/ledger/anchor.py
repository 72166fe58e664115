"""Anchoring the platform's event history in the log, and auditing it later.

The platform gives each stored event a sequence number and a 32-byte digest of its canonical form (computed by the
platform; the engine never sees the event itself). :func:`anchor_events` commits a run of consecutive digests as
one ``event-batch`` leaf. :func:`audit_events` takes the events as they are stored *now*, re-derives every batch
and compares it with the log, checked against a signed checkpoint, naming what went wrong:

- ``log-tampered``   — the log's own entries no longer match the signed checkpoint;
- ``event-altered``  — a batch's events are all there but one or more changed;
- ``events-reordered`` — the same events, in another order;
- ``event-removed`` / ``event-inserted`` — a batch lost or gained events;
- ``gap`` — batches do not follow one another (events between them were never anchored or were dropped).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from asylon.engines.ledger.checkpoint import verify_checkpoint
from asylon.engines.ledger.commitment import (
    EVENT_BATCH_TAG,
    EventBatch,
    event_batch,
    event_batch_leaf,
    parse_event_batch_leaf,
)
from asylon.engines.ledger.log import TransparencyLog
from asylon.engines.ledger.note import NoteVerifier
from asylon.errors import InvalidInput, Problem

__all__ = ["AuditFinding", "EventAudit", "anchor_events", "audit_events"]


@dataclass(frozen=True, slots=True)
class AuditFinding:
    kind: str
    message: str
    first_seq: int | None = None
    last_seq: int | None = None


@dataclass(slots=True)
class EventAudit:
    """Result of :func:`audit_events`; ``ok`` when no finding was made."""

    batches_checked: int = 0
    events_checked: int = 0
    unanchored_events: int = 0
    findings: list[AuditFinding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def anchor_events(log: TransparencyLog, batches: Sequence[tuple[int, Sequence[bytes]]]) -> range:
    """Append one leaf per ``(first_seq, digests)`` batch, durably, in one store write.

    >>> from asylon.engines.ledger.logstore import MemoryLogStore
    >>> log = TransparencyLog(MemoryLogStore())
    >>> anchor_events(log, [(1, [bytes(32)] * 3)])
    range(0, 1)
    """
    return log.append_batch([event_batch_leaf(first, digests) for first, digests in batches])


def _compare(batch: EventBatch, stored: Sequence[tuple[int, bytes]]) -> AuditFinding | None:
    last = batch.first_seq + batch.count - 1
    if len(stored) != batch.count:
        seqs = {s for s, _ in stored}
        missing = [s for s in range(batch.first_seq, last + 1) if s not in seqs]
        if len(stored) < batch.count:
            which = f" (sequence numbers {', '.join(map(str, missing[:10]))})" if missing else ""
            return AuditFinding(
                "event-removed",
                f"events {batch.first_seq}–{last}: {batch.count - len(stored)} logged event(s) are gone{which}",
                batch.first_seq,
                last,
            )
        return AuditFinding(
            "event-inserted",
            f"events {batch.first_seq}–{last}: {len(stored) - batch.count} event(s) were added after logging",
            batch.first_seq,
            last,
        )
    now = event_batch(batch.first_seq, [d for _, d in stored])
    if now.ordered_root == batch.ordered_root:
        return None
    if now.sorted_root == batch.sorted_root:
        return AuditFinding(
            "events-reordered", f"events {batch.first_seq}–{last} were reordered", batch.first_seq, last
        )
    return AuditFinding(
        "event-altered", f"one or more of events {batch.first_seq}–{last} were altered", batch.first_seq, last
    )


def audit_events(
    events: Sequence[tuple[int, bytes]],
    log: TransparencyLog,
    checkpoint: str,
    log_key: NoteVerifier,
) -> EventAudit:
    """Check the stored events (``(seq, digest)`` in stored order) against the logged batches.

    Only leaves covered by ``checkpoint`` count; the log itself is first audited against that checkpoint.
    """
    for i, (_, d) in enumerate(events):
        if len(d) != 32:
            raise InvalidInput(Problem("each event digest must be 32 bytes", field=f"events[{i}]"))
    audit = EventAudit()
    log_audit = log.audit(checkpoint, log_key)
    if not log_audit.ok:
        audit.findings.extend(AuditFinding("log-tampered", p) for p in log_audit.problems)
        return audit
    size = verify_checkpoint(checkpoint, log_key).checkpoint.size
    batches: list[EventBatch] = []
    for chunk in range(0, size, 65_536):
        for entry in log.store.entries(chunk, min(size, chunk + 65_536)):
            if entry.startswith(EVENT_BATCH_TAG):
                batches.append(parse_event_batch_leaf(entry))
    batches.sort(key=lambda b: b.first_seq)
    pos = 0
    expected_next: int | None = None
    for batch in batches:
        if expected_next is not None and batch.first_seq != expected_next:
            audit.findings.append(
                AuditFinding(
                    "gap",
                    f"logged batches jump from event {expected_next - 1} to {batch.first_seq}",
                    expected_next,
                    batch.first_seq - 1,
                )
            )
        last = batch.first_seq + batch.count - 1
        # Events are matched by position in stored order within the batch's sequence range, so a deleted event
        # shows as a shorter batch and a moved one as a reordering.
        while pos < len(events) and events[pos][0] < batch.first_seq:
            pos += 1
        start = pos
        while pos < len(events) and events[pos][0] <= last:
            pos += 1
        finding = _compare(batch, events[start:pos])
        if finding:
            audit.findings.append(finding)
        audit.batches_checked += 1
        audit.events_checked += pos - start
        expected_next = last + 1
    audit.unanchored_events = sum(1 for s, _ in events if expected_next is None or s >= expected_next)
    return audit
