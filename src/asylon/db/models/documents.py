"""Verifiable documents and the transparency log, as stored by the platform.

- ``ledger_heads`` / ``ledger_leaves``: the one transparency log every API worker shares. A leaf holds only what
  the engine puts there (salted commitments, status-list digests, event-batch digests), never personal data. The
  head row is locked (``SELECT … FOR UPDATE`` on PostgreSQL, the write lock on SQLite) for every append, so
  appends from several workers are serialised.
- ``issuer_keyrings``: each organisation's Ed25519 signing keys. Public keys are plain JSON; the secret keys are
  sealed (AES-256-GCM) under a key-encryption key kept outside the database (see
  :mod:`asylon.services.documents`), and this table holds no personal data.
- ``status_registries``: each organisation's revocation and suspension bitstrings and their latest signed versions.
- ``credentials``: what was issued, from which case, to which person; the envelope (the credential with the
  holder's personal data, the salt and the log proof) lives here, inside the tenancy of the issuing organisation.
- ``event_anchors`` / ``event_anchor_batches``: which case events were committed to the log, in which leaf.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from asylon.db.base import Base, utcnow


class LedgerHead(Base):
    """The state of one transparency log: its size and root (to spot stale worker caches) and latest checkpoint."""

    __tablename__ = "ledger_heads"

    id: Mapped[int] = mapped_column(primary_key=True)
    origin: Mapped[str] = mapped_column(String(200), unique=True)
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    checkpoint: Mapped[str | None] = mapped_column(Text)
    sealed_signer: Mapped[bytes] = mapped_column(LargeBinary)
    """The log's C2SP signer key, sealed under the key-encryption key."""
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class LedgerLeaf(Base):
    """One log entry and its RFC 9162 leaf hash, at a dense index from 0."""

    __tablename__ = "ledger_leaves"

    head_id: Mapped[int] = mapped_column(ForeignKey("ledger_heads.id"), primary_key=True)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    entry: Mapped[bytes] = mapped_column(LargeBinary)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class IssuerKeyringRow(Base):
    """An organisation's issuer key ring: public keys in the clear, secret keys sealed."""

    __tablename__ = "issuer_keyrings"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), unique=True)
    issuer: Mapped[str] = mapped_column(String(300), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    public_keys: Mapped[list[Any]] = mapped_column(JSON, default=list)
    sealed_secrets: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    rotated_at: Mapped[dt.datetime | None]


class StatusRegistryRow(Base):
    """An organisation's status lists: bits and used indexes (engine ``StatusRegistry`` JSON), latest versions."""

    __tablename__ = "status_registries"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), unique=True)
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    published: Mapped[list[Any]] = mapped_column(JSON, default=list)
    """The latest signed status list credentials (one per purpose)."""
    leaf_indexes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Log leaf of each latest published list (list id → index)."""
    published_at: Mapped[dt.datetime | None]


class CredentialRow(Base):
    """A credential the platform issued from a case."""

    __tablename__ = "credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    credential_id: Mapped[str] = mapped_column(String(100), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    person_ref: Mapped[str] = mapped_column(String(32))
    type: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="active")
    """``active``, ``suspended`` or ``revoked`` — the status lists are the published truth; this mirrors them."""
    leaf_index: Mapped[int] = mapped_column(BigInteger)
    envelope: Mapped[dict[str, Any]] = mapped_column(default=dict)
    issued_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    status_changed_at: Mapped[dt.datetime | None]
    valid_until: Mapped[dt.datetime | None]


class EventAnchorBatch(Base):
    """A run of case events committed to the log as one ``event-batch`` leaf."""

    __tablename__ = "event_anchor_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    count: Mapped[int]
    first_event_id: Mapped[int] = mapped_column(BigInteger)
    last_event_id: Mapped[int] = mapped_column(BigInteger)
    leaf_index: Mapped[int] = mapped_column(BigInteger)
    salt: Mapped[bytes] = mapped_column(LargeBinary(32))
    """Hides the events' personal data in their digests; per batch, so moving events within it reads as a
    reordering rather than as alterations."""
    anchored_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class EventAnchor(Base):
    """One anchored case event: its dense sequence number and the digest of its personal data when anchored.

    No foreign key to ``case_events`` on purpose: an event deleted behind the platform's back must leave its
    anchor behind, so the audit can name it.
    """

    __tablename__ = "event_anchors"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    event_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("event_anchor_batches.id"), index=True)
    personal_digest: Mapped[bytes] = mapped_column(LargeBinary(32))
    """SHA-256(batch salt || JCS(event data)) when anchored: lets the audit tell a recorded erasure from tampering."""
