"""Pledges, pledge events, appeals, funding coverage and fair-share results as callers send and receive them.

Amounts are decimals with at most 4 places; in JSON they are returned as strings so no cent is lost.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from asylon.engines.fairshare.pledges import PledgeType
from asylon.schemas.fields import CountryCode, Reference

Strict = ConfigDict(extra="forbid", str_strip_whitespace=True)

# 15 digits before the point and 4 after: what asylon.db.models.pledges.Amount stores exactly.
PositiveAmount = Annotated[Decimal, Field(gt=0, max_digits=19, decimal_places=4, examples=["250000.00"])]
NonNegativeAmount = Annotated[Decimal, Field(ge=0, max_digits=19, decimal_places=4, examples=["1500000"])]
Sector = Annotated[str, Field(min_length=1, max_length=100, examples=["Health"])]
Year = Annotated[int, Field(ge=1951, le=2100)]
ChangeKind = Literal["commit", "pay", "adjust", "progress", "cancel", "close"]


class PledgeCreate(BaseModel):
    """A new pledge; ``amount`` is what is pledged, in ``unit``, and becomes the pledge's first event."""

    model_config = Strict

    reference: Reference = Field(description="The pledge's own reference, unique on the platform (e.g. GRF-2023-0042).")
    type: PledgeType
    pledgers: Annotated[list[Annotated[str, Field(min_length=1, max_length=200)]], Field(min_length=1, max_length=20)] = (
        Field(description="Organisation slugs on the platform, or names of pledgers outside it; several make a joint pledge.")
    )
    unit: Annotated[str, Field(min_length=1, max_length=16)] = Field(
        description="ISO 4217 currency for financial pledges (USD, EUR); persons, places or units otherwise."
    )
    amount: PositiveAmount
    usd_rate: Annotated[Decimal, Field(gt=0, max_digits=19, decimal_places=4)] | None = Field(
        None, description="USD per unit at the pledge's date; needed for money in a currency other than USD."
    )
    title: Annotated[str, Field(max_length=300)] = ""
    description: Annotated[str, Field(max_length=5000)] = ""
    situation: Reference | None = Field(None, description="Code of the situation the pledge supports.")
    appeal: Reference | None = Field(None, description="Code of the appeal (plan) the pledge answers.")
    sector: Sector | None = Field(None, description="A sector of the situation's appeals.")
    country: CountryCode | None = Field(
        None, description="The state whose effort this pledge counts towards (fair share vs effort)."
    )
    year: Year | None = Field(None, description="The pledge's year; this year when omitted.")
    note: Annotated[str, Field(max_length=2000)] = ""


class PledgeChange(BaseModel):
    """One change to a pledge: commit, pay (or deliver), adjust, progress report, cancel, close."""

    model_config = Strict

    reference: Reference
    kind: ChangeKind
    amount: PositiveAmount | None = None
    target: Literal["pledged", "committed"] = Field(
        "committed", description="What an adjustment changes: the pledged or the committed amount."
    )
    note: Annotated[str, Field(max_length=2000)] = Field(
        "", description="Why (required for an adjustment) or what was done (a progress report)."
    )


class PledgerPublic(BaseModel):
    name: str
    organisation: str | None = Field(description="Slug of the organisation on the platform, if it is one.")


class PledgeEventPublic(BaseModel):
    seq: int
    kind: str
    amount: Decimal | None
    target: str
    note: str
    source: str
    organisation: str
    actor: str | None
    at: dt.datetime


class PledgePublic(BaseModel):
    reference: str
    type: str
    pledgers: list[PledgerPublic]
    recorded_by: str
    unit: str
    usd_rate: Decimal | None
    title: str
    description: str
    situation: str | None
    appeal: str | None
    sector: str
    country: str | None
    year: int
    status: str
    pledged: Decimal
    committed: Decimal
    paid: Decimal
    outstanding: Decimal
    allowed_events: list[str]
    progress_reports: int
    created_at: dt.datetime
    events: list[PledgeEventPublic] | None = None


class RequirementIn(BaseModel):
    model_config = Strict

    sector: Sector
    amount_usd: NonNegativeAmount


class AppealCreate(BaseModel):
    model_config = Strict

    code: Reference
    situation: Reference
    name: Annotated[str, Field(min_length=1, max_length=200)]
    year: Year
    description: Annotated[str, Field(max_length=5000)] = ""
    requirements: Annotated[list[RequirementIn], Field(max_length=200)] = Field(default_factory=list)

    @field_validator("requirements")
    @classmethod
    def _one_per_sector(cls, value: list[RequirementIn]) -> list[RequirementIn]:
        seen: set[str] = set()
        for item in value:
            if item.sector.casefold() in seen:
                raise ValueError(f"sector '{item.sector}' is listed twice; give one requirement per sector")
            seen.add(item.sector.casefold())
        return value


class RequirementSet(BaseModel):
    """Set (or add) one sector's requirement of an appeal; the change is recorded with its reason."""

    model_config = Strict

    appeal: Reference
    sector: Sector
    amount_usd: NonNegativeAmount
    reason: Annotated[str, Field(max_length=2000)] = ""


class RequirementPublic(BaseModel):
    sector: str
    amount_usd: Decimal


class AppealPublic(BaseModel):
    code: str
    situation: str
    name: str
    year: int
    description: str
    organisation: str
    requirements: list[RequirementPublic]
    total_usd: Decimal


class AppealEventPublic(BaseModel):
    kind: str
    data: dict[str, object]
    reason: str
    organisation: str
    at: dt.datetime


class CoveragePublic(BaseModel):
    situation: str
    sector: str = Field(description="Empty for the situation's total row.")
    required_usd: Decimal
    pledged_usd: Decimal = Field(description="Pledged and not (yet) committed: shown apart, not funding.")
    committed_usd: Decimal
    paid_usd: Decimal
    funded_usd: Decimal = Field(description="Committed + paid, as OCHA FTS counts funding.")
    gap_usd: Decimal
    coverage_pct: float | None


class PledgeImportReport(BaseModel):
    filename: str
    format: str
    flows: int
    pledges: int
    created: int
    updated: int
    unchanged: int


class FairShareRow(BaseModel):
    state: str
    name: str
    share: float
    quota: float
    allocated: int
    figures: dict[str, float]
    sources: dict[str, str]


class SourcePublic(BaseModel):
    code: str
    publisher: str
    title: str
    licence: str


class FairSharePublic(BaseModel):
    key: str
    title: str
    method: str
    total: int
    allocated: int
    year: int | None
    removed_by_caps: float
    shares: dict[str, float]
    allocation: dict[str, int] = Field(description="Whole persons per state: the quotas of a placement exercise.")
    rows: list[FairShareRow]
    sources: list[SourcePublic]


class EffortPublic(BaseModel):
    key: str
    year: int
    measures: list[str]
    rows: list[dict[str, object]]
    sources: list[SourcePublic]
