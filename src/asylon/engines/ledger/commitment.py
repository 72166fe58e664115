"""What goes into log leaves: salted commitments and digests, never personal data.

Every leaf starts with a tag naming its kind, then fixed-size binary fields:

=========================  =====================================================================
``asylon/credential/v1\\0``  32-byte commitment = SHA-256(tag || 32-byte salt || SHA-256(JCS(credential)))
``asylon/status-list/v1\\0`` 32-byte SHA-256(JCS(status list credential)) — the list holds only bits
``asylon/event-batch/v1\\0`` u64 first sequence number, u32 count, 32-byte ordered root, 32-byte sorted root
=========================  =====================================================================

The salt makes a credential commitment unguessable: without it nobody can test whether a leaf belongs to a known
name and date of birth. The salt travels with the credential (in its envelope), never to the log.
"""

from __future__ import annotations

import hashlib
import secrets
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from asylon.engines.ledger import merkle
from asylon.engines.ledger.dataintegrity import canonical
from asylon.errors import InvalidInput, Problem

__all__ = [
    "CREDENTIAL_TAG",
    "EVENT_BATCH_TAG",
    "STATUS_LIST_TAG",
    "EventBatch",
    "credential_commitment",
    "credential_leaf",
    "event_batch_leaf",
    "event_digest",
    "new_salt",
    "parse_event_batch_leaf",
    "status_list_leaf",
]

CREDENTIAL_TAG = b"asylon/credential/v1\x00"
STATUS_LIST_TAG = b"asylon/status-list/v1\x00"
EVENT_BATCH_TAG = b"asylon/event-batch/v1\x00"
_BATCH = struct.Struct(">QI32s32s")


def event_digest(event: dict[str, Any]) -> bytes:
    """SHA-256 of the JCS form of a stored event (as the platform serialises it); what event batches commit to.

    >>> event_digest({"seq": 1, "kind": "case.created"}).hex()[:12]
    '1e0d93188b82'
    """
    return hashlib.sha256(canonical(event)).digest()


def new_salt() -> bytes:
    """32 random bytes from the OS generator."""
    return secrets.token_bytes(32)


def credential_commitment(credential: dict[str, Any], salt: bytes) -> bytes:
    """Salted commitment to a signed credential (proof included).

    >>> len(credential_commitment({"id": "urn:x"}, bytes(32)))
    32
    """
    if len(salt) != 32:
        raise InvalidInput(Problem("the commitment salt must be 32 bytes", field="salt"))
    return hashlib.sha256(CREDENTIAL_TAG + salt + hashlib.sha256(canonical(credential)).digest()).digest()


def credential_leaf(credential: dict[str, Any], salt: bytes) -> bytes:
    return CREDENTIAL_TAG + credential_commitment(credential, salt)


def status_list_leaf(status_list_credential: dict[str, Any]) -> bytes:
    """Leaf recording one version of a (signed) status list credential."""
    return STATUS_LIST_TAG + hashlib.sha256(canonical(status_list_credential)).digest()


@dataclass(frozen=True, slots=True)
class EventBatch:
    """A run of consecutive platform events committed as one leaf."""

    first_seq: int
    count: int
    ordered_root: bytes
    """RFC 9162 root over the event digests in order: changes if any event is altered, dropped or moved."""
    sorted_root: bytes
    """Root over the same digests sorted: unchanged by a reordering, which lets an audit name it."""


def event_batch(first_seq: int, digests: Sequence[bytes]) -> EventBatch:
    if not digests:
        raise InvalidInput(Problem("an event batch needs at least one event digest", field="digests"))
    for i, d in enumerate(digests):
        if len(d) != 32:
            raise InvalidInput(Problem("each event digest must be 32 bytes (SHA-256)", field=f"digests[{i}]"))
    ordered = merkle.tree_root([merkle.leaf_hash(d) for d in digests])
    sorted_ = merkle.tree_root([merkle.leaf_hash(d) for d in sorted(digests)])
    return EventBatch(first_seq, len(digests), ordered, sorted_)


def event_batch_leaf(first_seq: int, digests: Sequence[bytes]) -> bytes:
    """Leaf committing to the digests of events ``first_seq .. first_seq + len(digests) - 1``.

    >>> leaf = event_batch_leaf(7, [bytes(32), bytes([1]) * 32])
    >>> parse_event_batch_leaf(leaf).count
    2
    """
    b = event_batch(first_seq, digests)
    return EVENT_BATCH_TAG + _BATCH.pack(b.first_seq, b.count, b.ordered_root, b.sorted_root)


def parse_event_batch_leaf(leaf: bytes) -> EventBatch:
    if not leaf.startswith(EVENT_BATCH_TAG) or len(leaf) != len(EVENT_BATCH_TAG) + _BATCH.size:
        raise InvalidInput(Problem("not an event-batch leaf"))
    first, count, ordered, sorted_ = _BATCH.unpack(leaf[len(EVENT_BATCH_TAG) :])
    return EventBatch(first, count, ordered, sorted_)
