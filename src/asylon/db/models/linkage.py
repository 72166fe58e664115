"""Linkage runs, the review queue of candidate pairs, and merged persons with their history.

A run is one organisation's deduplication of its own persons, or its linkage with another organisation's
persons under a deduplication agreement. Its candidate pairs wait in a review queue; accepting one puts the
two persons into a :class:`MergedPerson`. Stored persons are never changed by a merge: a merged person
lists its members by reference and keeps the engine's history of merges and splits, so an unmerge gives
back every record exactly as it is stored.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from asylon.db.base import Base, utcnow
from asylon.db.models.accounts import Organisation, User


class LinkageRun(Base):
    """One run: who started it, on what, with which parameters, how it went, and the trained model's summary."""

    __tablename__ = "linkage_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    started_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))  # dedupe | link
    partner_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    agreement_ids: Mapped[list[str]] = mapped_column(default=list)
    parameters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    progress: Mapped[str] = mapped_column(Text, default="")
    records_own: Mapped[int] = mapped_column(default=0)
    records_partner: Mapped[int] = mapped_column(default=0)
    pairs: Mapped[int] = mapped_column(default=0)
    links: Mapped[int] = mapped_column(default=0)
    clusters: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    model_summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    notes: Mapped[list[str]] = mapped_column(default=list)
    error: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]

    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id])
    partner: Mapped[Organisation | None] = relationship(foreign_keys=[partner_organisation_id])
    started_by: Mapped[User | None] = relationship()


class LinkagePair(Base):
    """A candidate pair from a run, with its score and the weight of every comparison, and the decision on it.

    ``left_person_id`` is always one of the run's organisation's persons; ``right_person_id`` is the other
    organisation's in a linkage run. Only scores and comparison levels are stored, never the other
    organisation's values: those are read through the visibility check each time the pair is shown.
    """

    __tablename__ = "linkage_pairs"
    __table_args__ = (
        UniqueConstraint("run_id", "left_person_id", "right_person_id"),
        Index("ix_linkage_pairs_queue", "organisation_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("linkage_runs.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    left_person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    right_person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    match_probability: Mapped[float] = mapped_column(Float)
    match_weight: Mapped[float] = mapped_column(Float)
    explanation: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | accepted | rejected
    decided_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None]
    reason: Mapped[str] = mapped_column(Text, default="")
    merged_person_id: Mapped[int | None] = mapped_column(ForeignKey("merged_persons.id"))

    decided_by: Mapped[User | None] = relationship()


class MergedPerson(Base):
    """Persons an organisation decided are one: members kept whole, history as the engine records it.

    ``status``: ``active``; ``absorbed`` (merged into ``absorbed_into_id``); ``split`` (an unmerge left it
    with fewer than two members). ``history`` is the list of :class:`asylon.engines.linkage.merge.MergeEvent`
    as plain data (action, records as [source, record_id], by, reason).
    """

    __tablename__ = "merged_persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    absorbed_into_id: Mapped[int | None] = mapped_column(ForeignKey("merged_persons.id"))
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    members: Mapped[list[MergedPersonMember]] = relationship(
        back_populates="merged_person", order_by="MergedPersonMember.id", cascade="all, delete-orphan"
    )


class MergedPersonMember(Base):
    """A person's membership of a merged person. ``left_at`` is set when an unmerge splits it out (rows are
    never deleted). No field of the person is copied here: the stored person is the record, unchanged by
    any merge (and an erasure of the person leaves nothing behind in this table)."""

    __tablename__ = "merged_person_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    merged_person_id: Mapped[int] = mapped_column(ForeignKey("merged_persons.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    owner_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    source: Mapped[str] = mapped_column(String(64))
    joined_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    left_at: Mapped[dt.datetime | None]

    merged_person: Mapped[MergedPerson] = relationship(back_populates="members")
