"""Placement exercises: cases and destinations to match, caseworkers' pins, optimiser runs and proposals.

An exercise belongs to one organisation and holds only that organisation's cases. Each run stores its
status (queued → running → solved or failed), the solver's objective, bound and certified gap, and one
proposal per case with its explanation. Pins (a caseworker keeping a proposal or overriding it) and
acceptances keep who and why; released pins stay as history.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from asylon.db.base import Base, utcnow
from asylon.db.models.accounts import Organisation, User
from asylon.db.models.cases import Case


class PlacementExercise(Base):
    """A set of cases to place into destinations, with the settings of the optimiser."""

    __tablename__ = "placement_exercises"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # "outcome-expected", "outcome-any" (the outcome model) or "given" (scores sent with the exercise).
    score_source: Mapped[str] = mapped_column(String(32))
    placement_bonus: Mapped[float] = mapped_column(Float, default=1.0)
    mip_gap: Mapped[float] = mapped_column(Float, default=0.001)
    time_limit: Mapped[float] = mapped_column(Float, default=600.0)
    quotas: Mapped[dict[str, Any]] = mapped_column(default=dict)  # ISO3 -> persons
    quota_source: Mapped[str] = mapped_column(String(200), default="")
    selection: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the filters the cases were chosen by
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()
    cases: Mapped[list[PlacementExerciseCase]] = relationship(
        back_populates="exercise", order_by="PlacementExerciseCase.id", cascade="all, delete-orphan"
    )
    destinations: Mapped[list[PlacementDestination]] = relationship(
        back_populates="exercise", order_by="PlacementDestination.id", cascade="all, delete-orphan"
    )


class PlacementDestination(Base):
    """A locality (or a state) that receives cases: capacity in persons and service capacities in cases."""

    __tablename__ = "placement_destinations"
    __table_args__ = (UniqueConstraint("exercise_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("placement_exercises.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    country: Mapped[str] = mapped_column(String(3))
    capacity: Mapped[int]
    services: Mapped[dict[str, Any]] = mapped_column(default=dict)  # service code -> capacity in cases
    languages: Mapped[list[str]] = mapped_column(default=list)
    nationalities: Mapped[list[str]] = mapped_column(default=list)
    unemployment_rate: Mapped[float | None] = mapped_column(Float)
    population: Mapped[int | None]

    exercise: Mapped[PlacementExercise] = relationship(back_populates="destinations")


class PlacementExerciseCase(Base):
    """One case in an exercise: its tie and family group, and the accepted destination once decided."""

    __tablename__ = "placement_exercise_cases"
    __table_args__ = (UniqueConstraint("exercise_id", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("placement_exercises.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    tie_destination_id: Mapped[int | None] = mapped_column(ForeignKey("placement_destinations.id"))
    tie_reason: Mapped[str] = mapped_column(Text, default="")
    family_group: Mapped[str | None] = mapped_column(String(64))
    accepted_destination_id: Mapped[int | None] = mapped_column(ForeignKey("placement_destinations.id"))
    accepted_run_id: Mapped[int | None] = mapped_column(ForeignKey("placement_runs.id"))
    accepted_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    accepted_at: Mapped[dt.datetime | None]
    accepted_reason: Mapped[str] = mapped_column(Text, default="")

    exercise: Mapped[PlacementExercise] = relationship(back_populates="cases")
    case: Mapped[Case] = relationship()
    tie: Mapped[PlacementDestination | None] = relationship(foreign_keys=[tie_destination_id])
    accepted_destination: Mapped[PlacementDestination | None] = relationship(foreign_keys=[accepted_destination_id])
    accepted_by: Mapped[User | None] = relationship(foreign_keys=[accepted_by_user_id])


class PlacementScore(Base):
    """A score given with the exercise for one allowed case–destination pair (score source ``given``)."""

    __tablename__ = "placement_scores"
    __table_args__ = (UniqueConstraint("exercise_case_id", "destination_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("placement_exercises.id"), index=True)
    exercise_case_id: Mapped[int] = mapped_column(ForeignKey("placement_exercise_cases.id"))
    destination_id: Mapped[int] = mapped_column(ForeignKey("placement_destinations.id"))
    score: Mapped[float] = mapped_column(Float)


class PlacementPin(Base):
    """A caseworker fixes a case at a destination (keeping a proposal or overriding it), with who and why.

    Never deleted: releasing a pin, or replacing it by another, sets ``released_at``.
    """

    __tablename__ = "placement_pins"

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("placement_exercises.id"), index=True)
    exercise_case_id: Mapped[int] = mapped_column(ForeignKey("placement_exercise_cases.id"), index=True)
    destination_id: Mapped[int] = mapped_column(ForeignKey("placement_destinations.id"))
    kind: Mapped[str] = mapped_column(String(16))  # "pin" (keeps the proposal) or "override"
    reason: Mapped[str] = mapped_column(Text)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    released_at: Mapped[dt.datetime | None]
    released_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    release_reason: Mapped[str] = mapped_column(Text, default="")

    exercise_case: Mapped[PlacementExerciseCase] = relationship()
    destination: Mapped[PlacementDestination] = relationship()
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_user_id])


class PlacementRun(Base):
    """One optimiser run: queued → running → solved or failed, with the solver's figures."""

    __tablename__ = "placement_runs"
    __table_args__ = (UniqueConstraint("exercise_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("placement_exercises.id"), index=True)
    number: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))
    requested_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    objective: Mapped[float | None] = mapped_column(Float)
    bound: Mapped[float | None] = mapped_column(Float)
    gap: Mapped[float | None] = mapped_column(Float)
    lp_bound: Mapped[float | None] = mapped_column(Float)  # the LP bound; ``bound`` is the best bound known
    proven: Mapped[bool | None]  # the solver proved the placement optimal (None: runs from before it was kept)
    total_score: Mapped[float | None] = mapped_column(Float)
    solver_status: Mapped[str] = mapped_column(String(64), default="")
    solver_seconds: Mapped[float | None] = mapped_column(Float)
    placed_cases: Mapped[int | None]
    placed_persons: Mapped[int | None]
    unplaced_cases: Mapped[int | None]
    notes: Mapped[list[str]] = mapped_column(default=list)
    error: Mapped[str] = mapped_column(Text, default="")

    exercise: Mapped[PlacementExercise] = relationship()
    requested_by: Mapped[User | None] = relationship()
    proposals: Mapped[list[PlacementProposal]] = relationship(
        back_populates="run", order_by="PlacementProposal.id", cascade="all, delete-orphan"
    )


class PlacementProposal(Base):
    """Where a run proposes one case goes, and why: score, runner-ups, constraints, refusals."""

    __tablename__ = "placement_proposals"
    __table_args__ = (UniqueConstraint("run_id", "exercise_case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("placement_runs.id"), index=True)
    exercise_case_id: Mapped[int] = mapped_column(ForeignKey("placement_exercise_cases.id"))
    destination_id: Mapped[int | None] = mapped_column(ForeignKey("placement_destinations.id"))
    score: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16))  # optimised, tie, pin, override, accepted, unplaced
    reason: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(200), default="")
    family_group: Mapped[str | None] = mapped_column(String(64))
    runner_ups: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    constraints: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    refusals: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    run: Mapped[PlacementRun] = relationship(back_populates="proposals")
    exercise_case: Mapped[PlacementExerciseCase] = relationship()
    destination: Mapped[PlacementDestination | None] = relationship()
