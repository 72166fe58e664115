"""Pledges (with their parties and append-only event history) and appeals (plans) with sector requirements.

A pledge's amounts and status are not columns: they are the replay of its ``pledge_events`` through the
fair-share engine's state machine (:func:`asylon.engines.fairshare.replay`), so the history and the state
can never disagree. ``(pledge_id, seq)`` is unique, so two writers appending to one pledge at once cannot
both succeed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String, Text, TypeDecorator, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from asylon.db.base import Base, utcnow
from asylon.db.models.accounts import Organisation, User
from asylon.db.models.cases import Situation

AMOUNT_SCALE = 4
_FACTOR = Decimal(10) ** AMOUNT_SCALE


class Amount(TypeDecorator[Decimal]):
    """An exact decimal amount with 4 places, stored as a scaled 64-bit integer.

    Written by hand because SQLite has no exact decimal type: ``Numeric`` there goes through binary
    floating point. Integers of 1/10,000 of a unit are exact on every backend and still sum in SQL; the
    largest amount is about 9.2e14 units.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        scaled = Decimal(value) * _FACTOR
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {AMOUNT_SCALE} decimal places")
        return int(scaled)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) / _FACTOR).normalize() + Decimal(0)


class Appeal(Base):
    """A response plan for one situation and year, asking for money by sector (USD)."""

    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    situation_id: Mapped[int] = mapped_column(ForeignKey("situations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    year: Mapped[int]
    description: Mapped[str] = mapped_column(Text, default="")
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    situation: Mapped[Situation] = relationship()
    organisation: Mapped[Organisation] = relationship()
    requirements: Mapped[list[AppealRequirement]] = relationship(
        back_populates="appeal", order_by="AppealRequirement.sector", cascade="all, delete-orphan"
    )


class AppealRequirement(Base):
    __tablename__ = "appeal_requirements"
    __table_args__ = (UniqueConstraint("appeal_id", "sector"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id"), index=True)
    sector: Mapped[str] = mapped_column(String(100))
    amount_usd: Mapped[Decimal] = mapped_column(Amount)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    appeal: Mapped[Appeal] = relationship(back_populates="requirements")


class AppealEvent(Base):
    """One change to an appeal (created, a requirement set): who, when, what, why. Never updated."""

    __tablename__ = "appeal_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reason: Mapped[str] = mapped_column(Text, default="")

    organisation: Mapped[Organisation] = relationship()


class PledgeRow(Base):
    """A pledge's identity and target. Its amounts and status come from replaying its events."""

    __tablename__ = "pledges"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(100), unique=True)
    type: Mapped[str] = mapped_column(String(32), index=True)
    unit: Mapped[str] = mapped_column(String(16))
    # USD per unit, fixed when the pledge is recorded (as FTS converts at the date of the flow); set for
    # money only.
    usd_rate: Mapped[Decimal | None] = mapped_column(Amount)
    title: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    situation_id: Mapped[int | None] = mapped_column(ForeignKey("situations.id"), index=True)
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id"), index=True)
    sector: Mapped[str] = mapped_column(String(100), default="")
    # The state whose effort the pledge counts towards in fair share vs effort (ISO3), if any.
    country: Mapped[str | None] = mapped_column(String(3), index=True)
    year: Mapped[int]
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    situation: Mapped[Situation | None] = relationship()
    appeal: Mapped[Appeal | None] = relationship()
    parties: Mapped[list[PledgeParty]] = relationship(
        back_populates="pledge", order_by="PledgeParty.position", cascade="all, delete-orphan"
    )
    events: Mapped[list[PledgeEventRow]] = relationship(
        back_populates="pledge", order_by="PledgeEventRow.seq", cascade="all, delete-orphan"
    )


class PledgeParty(Base):
    """One pledger of a (possibly joint) pledge: an organisation on the platform, or a name from outside."""

    __tablename__ = "pledge_parties"
    __table_args__ = (UniqueConstraint("pledge_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledges.id"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)

    pledge: Mapped[PledgeRow] = relationship(back_populates="parties")
    organisation: Mapped[Organisation | None] = relationship()


class PledgeEventRow(Base):
    """One change to a pledge (pledge, commit, pay, adjust, progress, cancel, close). Never updated or deleted."""

    __tablename__ = "pledge_events"
    __table_args__ = (UniqueConstraint("pledge_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledges.id"), index=True)
    seq: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal | None] = mapped_column(Amount)
    target: Mapped[str] = mapped_column(String(16), default="committed")
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(300), default="api")
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    pledge: Mapped[PledgeRow] = relationship(back_populates="events")
    organisation: Mapped[Organisation] = relationship()
    actor: Mapped[User | None] = relationship()
