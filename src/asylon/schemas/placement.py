"""Placement exercises as callers send and receive them: exercises, destinations, runs, proposals, pins."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from asylon.domain.pathways import PathwayKind
from asylon.schemas.fields import CountryCode, LanguageCode, NationalityCode, Reason, Reference

Strict = ConfigDict(extra="forbid", str_strip_whitespace=True)
# Record ids are 32-bit integers on PostgreSQL; anything outside is refused as invalid, not looked up.
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]
ServiceCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,47}$", examples=["medical", "interpreter_ara"])]
ScoreSource = Literal["outcome-expected", "outcome-any", "given"]
RunStatus = Literal["queued", "running", "solved", "failed"]
MAX_CASES = 20_000
MAX_DESTINATIONS = 2_000


class DestinationCreate(BaseModel):
    """A locality (or a state) receiving cases. ``capacity`` is in persons; ``services`` maps a service code
    to its capacity in cases (``medical``, ``single-parent``, ``large-family``, ``interpreter_ara`` …)."""

    model_config = Strict

    code: Reference = Field(description="The destination's id within the exercise, e.g. DEU-HAMBURG.")
    name: Annotated[str, Field(max_length=200)] = ""
    country: CountryCode
    capacity: Annotated[int, Field(ge=0, le=10_000_000)] = Field(description="Persons, 0 or more.")
    services: dict[ServiceCode, Annotated[int, Field(ge=0, le=10_000_000)]] = Field(default_factory=dict)
    languages: Annotated[list[LanguageCode], Field(max_length=50)] = Field(
        default_factory=list, description="Languages served (empty: any); others need interpreter capacity.")
    nationalities: Annotated[list[NationalityCode], Field(max_length=300)] = Field(
        default_factory=list, description="Nationalities served (empty: any).")
    unemployment_rate: Annotated[float, Field(ge=0, le=1)] | None = None
    population: Annotated[int, Field(ge=1, le=2_000_000_000)] | None = None


class ExerciseCaseIn(BaseModel):
    """One of the organisation's cases, optionally tied to a destination (e.g. relatives there) or linked
    to other cases of the same family (``family_group``: placed together)."""

    model_config = Strict

    case_id: Id
    tie: Reference | None = Field(None, description="Code of a destination of this exercise.")
    tie_reason: Reason = ""
    family_group: Reference | None = None


class CaseSelection(BaseModel):
    """Add every case of the organisation matching all the filters given."""

    model_config = Strict

    situation: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    pathway: PathwayKind | None = None
    pathway_state: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    country_of_asylum: CountryCode | None = None


class FairShareQuotas(BaseModel):
    """Country quotas from the fair-share engine: ``total`` persons (default: the exercise's persons)
    shared among the destinations' countries under the preset ``key``."""

    model_config = Strict

    key: Annotated[str, Field(min_length=1, max_length=64, examples=["pact-2024"])]
    total: Annotated[int, Field(ge=0, le=100_000_000)] | None = None
    year: Annotated[int, Field(ge=1951, le=2100)] | None = None
    latest: bool = Field(True, description="Use each country's latest figure up to the year when that "
                                            "year's is missing.")


class ScoreIn(BaseModel):
    model_config = Strict

    case_id: Id
    destination: Reference
    score: Annotated[float, Field(allow_inf_nan=False, ge=-1e9, le=1e9)]


class ExerciseCreate(BaseModel):
    """A new exercise: cases (listed and/or selected), destinations, quotas and how to score pairs.

    ``score_source``: ``outcome-expected`` (expected employed working-age members, from the outcome
    model), ``outcome-any`` (probability that at least one is employed) or ``given`` (``scores``; a pair
    that is absent is not allowed).
    """

    model_config = Strict

    title: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str, Field(max_length=5000)] = ""
    cases: Annotated[list[ExerciseCaseIn], Field(max_length=MAX_CASES)] = Field(default_factory=list)
    select: CaseSelection | None = None
    destinations: Annotated[list[DestinationCreate], Field(min_length=1, max_length=MAX_DESTINATIONS)]
    quotas: dict[CountryCode, Annotated[int, Field(ge=0, le=100_000_000)]] = Field(default_factory=dict)
    fair_share: FairShareQuotas | None = None
    score_source: ScoreSource = "outcome-expected"
    scores: Annotated[list[ScoreIn], Field(max_length=2_000_000)] = Field(default_factory=list)
    placement_bonus: Annotated[float, Field(ge=0, le=1000)] = Field(
        1.0, description="Added per placed person, so households without working-age members are placed too; "
                         "0 optimises the score alone.")
    mip_gap: Annotated[float, Field(ge=0, le=0.5)] = 0.001
    time_limit: Annotated[float, Field(ge=1, le=3600)] = 600.0


class PinCreate(BaseModel):
    """Fix a case at a destination: keep its proposal (a pin) or move it (an override). Who and why are kept."""

    model_config = Strict

    case_id: Id
    destination: Reference
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class PinRelease(BaseModel):
    model_config = Strict

    case_id: Id
    reason: Reason = ""


class AcceptanceCreate(BaseModel):
    """Accept proposals of a solved run: the listed cases, or every placed case not yet accepted."""

    model_config = Strict

    run_id: Id
    case_ids: Annotated[list[Id], Field(max_length=MAX_CASES)] | None = None
    reason: Reason = ""


class DestinationPublic(BaseModel):
    code: str
    name: str
    country: str
    capacity: int
    services: dict[str, int]
    languages: list[str]
    nationalities: list[str]
    unemployment_rate: float | None
    population: int | None


class PinPublic(BaseModel):
    destination: str
    kind: str
    reason: str
    actor: str | None
    at: dt.datetime


class ExerciseCasePublic(BaseModel):
    case_id: int
    case_number: str
    persons: int
    family_group: str | None
    tie: str | None
    pin: PinPublic | None
    accepted_destination: str | None
    accepted_by: str | None
    accepted_at: dt.datetime | None


class RunPublic(BaseModel):
    id: int
    number: int
    status: RunStatus
    requested_by: str | None
    requested_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    objective: float | None
    bound: float | None = Field(description="The best certified bound: no placement scores above it (the "
                                            "solver's proof when it solved the whole exercise, else the LP bound)")
    gap: float | None
    lp_bound: float | None = Field(None, description="The LP bound, which lets households be split")
    proven: bool | None = Field(None, description="Whether the solver proved the placement optimal")
    total_score: float | None
    solver_status: str
    solver_seconds: float | None
    placed_cases: int | None
    placed_persons: int | None
    unplaced_cases: int | None
    notes: list[str]
    error: str


class ProposalPublic(BaseModel):
    case_id: int
    case_number: str
    persons: int
    destination: str | None
    destination_name: str | None
    country: str | None
    score: float | None
    status: str
    reason: str
    actor: str
    family_group: str | None
    runner_ups: list[dict[str, Any]]
    constraints: list[dict[str, Any]]
    refusals: list[dict[str, Any]]
    accepted: bool


class RunDetail(RunPublic):
    proposals: list[ProposalPublic]


class ExercisePublic(BaseModel):
    id: int
    title: str
    description: str
    organisation: str
    score_source: ScoreSource
    placement_bonus: float
    mip_gap: float
    time_limit: float
    quotas: dict[str, int]
    quota_source: str
    selection: dict[str, Any]
    created_by: str | None
    created_at: dt.datetime
    case_count: int
    persons: int
    destinations: list[DestinationPublic]
    cases: list[ExerciseCasePublic]
    latest_run: RunPublic | None


class ExerciseSummary(BaseModel):
    id: int
    title: str
    created_at: dt.datetime
    case_count: int
    destination_count: int
    latest_run: RunPublic | None
