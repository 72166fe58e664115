"""Situations, cases (households), persons, specific needs, and the append-only case history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from asylon.db.base import Base, utcnow
from asylon.db.models.accounts import Organisation, User


class Situation(Base):
    """A displacement situation (e.g. a regional refugee response) that cases, appeals and threads belong to."""

    __tablename__ = "situations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    countries: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (UniqueConstraint("organisation_id", "case_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    case_number: Mapped[str] = mapped_column(String(64))
    situation_id: Mapped[int | None] = mapped_column(ForeignKey("situations.id"), index=True)
    country_of_asylum: Mapped[str] = mapped_column(String(3), index=True)
    origin_country: Mapped[str | None] = mapped_column(String(3), index=True)
    fled_countries: Mapped[list[str]] = mapped_column(default=list)
    legal_status: Mapped[str] = mapped_column(String(32), index=True)
    pathway: Mapped[str] = mapped_column(String(32), index=True, default="none")
    pathway_state: Mapped[str] = mapped_column(String(32), default="none")
    pathway_destination: Mapped[str | None] = mapped_column(String(3))
    pathway_initiated_by: Mapped[str] = mapped_column(String(16), default="person")
    family_unity_decision: Mapped[str | None] = mapped_column(Text)
    registered_on: Mapped[dt.date] = mapped_column(Date)
    size: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)

    persons: Mapped[list[Person]] = relationship(
        back_populates="case", order_by="Person.id", cascade="all, delete-orphan"
    )
    situation: Mapped[Situation | None] = relationship()
    organisation: Mapped[Organisation] = relationship()

    __mapper_args__ = {"version_id_col": version}


class Person(Base):
    __tablename__ = "persons"
    __table_args__ = (UniqueConstraint("case_id", "person_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    person_ref: Mapped[str] = mapped_column(String(32))
    relationship_: Mapped[str] = mapped_column("relationship", String(32))
    given_name: Mapped[str | None] = mapped_column(String(200))
    family_name: Mapped[str | None] = mapped_column(String(200))
    name_original: Mapped[str | None] = mapped_column(String(400))
    name_script: Mapped[str | None] = mapped_column(String(4))
    search_key: Mapped[str] = mapped_column(String(600), default="", index=True)
    sex: Mapped[str] = mapped_column(String(1))
    date_of_birth: Mapped[str | None] = mapped_column(String(10))
    dob_precision: Mapped[str | None] = mapped_column(String(16))
    nationality: Mapped[str | None] = mapped_column(String(3))
    place_of_birth: Mapped[str | None] = mapped_column(String(200))
    languages: Mapped[list[str]] = mapped_column(default=list)
    education: Mapped[str | None] = mapped_column(String(16))
    occupation: Mapped[str | None] = mapped_column(String(200))
    destination: Mapped[str | None] = mapped_column(String(3))
    voluntariness_declared_at: Mapped[dt.datetime | None]
    erased_at: Mapped[dt.datetime | None]

    case: Mapped[Case] = relationship(back_populates="persons")
    needs: Mapped[list[PersonNeed]] = relationship(
        back_populates="person", order_by="PersonNeed.code", cascade="all, delete-orphan"
    )


class PersonNeed(Base):
    __tablename__ = "person_needs"
    __table_args__ = (UniqueConstraint("person_id", "code"), Index("ix_person_needs_case_code", "case_id", "code"))

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    # Repeated from the person so "cases with need X" is one indexed lookup.
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    code: Mapped[str] = mapped_column(String(32))

    person: Mapped[Person] = relationship(back_populates="needs")
    case: Mapped[Case] = relationship()


class CaseEvent(Base):
    """One change to a case: who, from which organisation, when, what, why. Never updated or deleted."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reason: Mapped[str] = mapped_column(Text, default="")

    organisation: Mapped[Organisation] = relationship()
    actor: Mapped[User | None] = relationship()


class UnsafeFlagRow(Base):
    """A country flagged unsafe for a profile (``all``, a nationality, or a need code)."""

    __tablename__ = "unsafe_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(String(3), index=True)
    applies_to: Mapped[str] = mapped_column(String(32), default="all")
    reason: Mapped[str] = mapped_column(Text, default="")
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ImportBatch(Base):
    """A completed import: which file (by hash), by whom, and what it changed."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(300))
    format: Mapped[str] = mapped_column(String(16))
    rows: Mapped[int]
    created: Mapped[int]
    updated: Mapped[int]
    unchanged: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
