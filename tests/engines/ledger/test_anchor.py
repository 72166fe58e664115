"""Event-history anchoring: altered, removed, inserted or reordered events are each detected and named."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from asylon.engines.ledger.anchor import anchor_events, audit_events
from asylon.engines.ledger.log import TransparencyLog
from asylon.engines.ledger.logstore import FileLogStore
from asylon.engines.ledger.note import NoteSigner, generate_signer


def digest(seq: int, body: str) -> bytes:
    return hashlib.sha256(f"{seq}|{body}".encode()).digest()


EVENTS = [(seq, digest(seq, f"case C-{seq % 7} status change {seq}")) for seq in range(1, 101)]


def _anchored(tmp_path: Path) -> tuple[TransparencyLog, NoteSigner, str]:
    key = generate_signer("asylon.example/log")
    log = TransparencyLog(FileLogStore(tmp_path), key)
    log.append_batch([b"asylon/credential/v1\x00" + bytes(32)])  # other leaves share the log
    for first in range(1, 101, 20):
        anchor_events(log, [(first, [d for s, d in EVENTS if first <= s < first + 20])])
    return log, key, log.checkpoint()


def test_untouched_history_passes(tmp_path: Path) -> None:
    log, key, note = _anchored(tmp_path)
    audit = audit_events(EVENTS, log, note, key.verifier)
    assert audit.ok and audit.batches_checked == 5 and audit.events_checked == 100


def test_new_events_after_the_last_batch_are_reported_as_unanchored(tmp_path: Path) -> None:
    log, key, note = _anchored(tmp_path)
    audit = audit_events([*EVENTS, (101, digest(101, "x"))], log, note, key.verifier)
    assert audit.ok and audit.unanchored_events == 1


@pytest.mark.parametrize(
    ("tamper", "kind", "first"),
    [
        ("alter", "event-altered", 41),
        ("remove", "event-removed", 41),
        ("insert", "event-inserted", 41),
        ("reorder", "events-reordered", 41),
    ],
)
def test_tampered_history_is_named(tmp_path: Path, tamper: str, kind: str, first: int) -> None:
    log, key, note = _anchored(tmp_path)
    events = list(EVENTS)
    i = 47 - 1  # event 47, in the batch 41–60
    if tamper == "alter":
        d = bytearray(events[i][1])
        d[5] ^= 0x01  # one bit of one stored event digest
        events[i] = (events[i][0], bytes(d))
    elif tamper == "remove":
        del events[i]
    elif tamper == "insert":
        events.insert(i, (47, digest(47, "backdated decision")))
    else:
        events[i], events[i + 1] = (events[i][0], events[i + 1][1]), (events[i + 1][0], events[i][1])
    audit = audit_events(events, log, note, key.verifier)
    assert [f.kind for f in audit.findings] == [kind]
    assert audit.findings[0].first_seq == first


def test_a_dropped_batch_shows_as_a_gap(tmp_path: Path) -> None:
    key = generate_signer("asylon.example/log")
    log = TransparencyLog(FileLogStore(tmp_path), key)
    anchor_events(
        log, [(1, [d for s, d in EVENTS if s <= 20]), (41, [d for s, d in EVENTS if 41 <= s <= 60])]
    )
    audit = audit_events(EVENTS, log, log.checkpoint(), key.verifier)
    assert [f.kind for f in audit.findings] == ["gap"]


def test_changed_byte_in_the_log_file_is_log_tampering(tmp_path: Path) -> None:
    log, key, note = _anchored(tmp_path)
    log.store.close()  # type: ignore[attr-defined]
    data = bytearray((tmp_path / "entries.bin").read_bytes())
    data[-10] ^= 0xFF
    (tmp_path / "entries.bin").write_bytes(bytes(data))
    reopened = TransparencyLog(FileLogStore(tmp_path), key)
    audit = audit_events(EVENTS, reopened, note, key.verifier)
    assert [f.kind for f in audit.findings] == ["log-tampered"]
