"""Linkage runs, candidate pairs and merged persons as callers send and receive them."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from asylon.schemas.cases import PersonPublic
from asylon.schemas.fields import Reason, Reference

Strict = ConfigDict(extra="forbid", str_strip_whitespace=True)
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]

# The preset's columns, and the stored person fields a run may read them from (see ``column_map``).
PRESET_COLUMNS: tuple[str, ...] = (
    "given_name", "family_name", "date_of_birth", "sex", "nationality", "place_of_birth",
)
PERSON_FIELDS: tuple[str, ...] = (
    "given_name", "family_name", "name_original", "date_of_birth", "sex", "nationality", "place_of_birth",
)


class LinkageKind(StrEnum):
    DEDUPE = "dedupe"
    LINK = "link"


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class PairStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class LinkageRunCreate(BaseModel):
    """Start a run: ``dedupe`` your organisation's persons, or ``link`` them with ``partner``'s persons
    (needs an active agreement for deduplication that both organisations are party to)."""

    model_config = Strict

    kind: LinkageKind
    partner: Reference | None = Field(None, description="Slug of the other organisation (for kind=link).")
    threshold: float = Field(0.95, gt=0, lt=1, description="Match probability at which a pair counts as a link.")
    review_from: float = Field(0.5, gt=0, lt=1, description="Pairs from this probability up go to review.")
    seed: int = Field(1, ge=0, le=2**31 - 1, description="Seed for the training samples (reproducible runs).")
    column_map: Annotated[dict[str, str], Field(max_length=len(PRESET_COLUMNS))] = Field(
        default_factory=dict,
        description="Read a preset column from another stored field of the other organisation's persons, "
        "e.g. {\"given_name\": \"name_original\"} when the agreement shares the original-script name only. "
        f"Columns: {', '.join(PRESET_COLUMNS)}; fields: {', '.join(PERSON_FIELDS)}.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> LinkageRunCreate:
        if self.review_from > self.threshold:
            raise ValueError("review_from must not be above threshold (e.g. threshold 0.95, review_from 0.5)")
        if self.kind is LinkageKind.LINK and not self.partner:
            raise ValueError("a link run needs partner: the slug of the other organisation")
        if self.kind is LinkageKind.DEDUPE and self.partner:
            raise ValueError("a dedupe run is within your organisation; leave partner out or use kind=link")
        return self


class ProblemPublic(BaseModel):
    message: str
    field: str | None = None
    row: int | None = None
    value: str | None = None
    fix: str | None = None


class RunErrorPublic(BaseModel):
    """Why a run failed, in the shape of a problem+json body."""

    code: str
    detail: str
    errors: list[ProblemPublic] = Field(default_factory=list)


class ModelLevelPublic(BaseModel):
    label: str
    m_probability: float | None
    u_probability: float | None
    match_weight: float | None


class ModelComparisonPublic(BaseModel):
    comparison: str
    description: str
    levels: list[ModelLevelPublic]


class ModelSummaryPublic(BaseModel):
    """What the run learnt: the prior, and the m and u probabilities and match weight of every level."""

    probability_two_random_records_match: float
    prior_weight: float
    comparisons: list[ModelComparisonPublic]


class LinkageRunPublic(BaseModel):
    id: int
    organisation: str
    kind: LinkageKind
    partner: str | None
    agreements: list[int]
    parameters: dict[str, Any]
    status: RunStatus
    progress: str
    started_by: str | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    records_own: int
    records_partner: int
    pairs: int
    links: int
    clusters: int
    skipped: int = Field(description="Pairs not queued again: already decided, or already one merged person.")
    pending: int
    model: ModelSummaryPublic | None
    notes: list[str]
    error: RunErrorPublic | None


class ComparisonPublic(BaseModel):
    """One comparison's part in a pair's score: the level it fell in and its match weight (log2 Bayes factor)."""

    comparison: str
    level: str
    match_weight: float


class LinkedRecord(BaseModel):
    """One side of a pair as the caller may see it now. Another organisation's record shows only the
    fields its agreement names, and nothing at all once the agreement no longer covers it."""

    organisation: str
    visible: bool
    case_id: int | None = None
    case_number: str | None = None
    person_ref: str | None = None
    person: PersonPublic | None = None
    household: list[str] = Field(default_factory=list, description="Given names of the other household members.")
    merged_person_id: int | None = Field(None, description="The merged person this record is in, if any.")
    member_id: int | None = Field(None, description="Its membership of a merged person (to name it in an unmerge).")


class LinkagePairPublic(BaseModel):
    id: int
    run_id: int
    status: PairStatus
    match_probability: float
    match_weight: float
    prior_weight: float
    comparisons: list[ComparisonPublic]
    left: LinkedRecord
    right: LinkedRecord
    decided_by: str | None
    decided_at: dt.datetime | None
    reason: str
    merged_person_id: int | None


class PairDecision(BaseModel):
    model_config = Strict

    pair_id: Id
    decision: Literal["accept", "reject"]
    reason: Annotated[Reason, Field(min_length=1)] = Field(description="Why: what the reviewer compared.")


class Unmerge(BaseModel):
    """Split ``records`` out of a merged person; every record keeps every value it was registered with."""

    model_config = Strict

    merged_person_id: Id
    member_ids: Annotated[list[Id], Field(min_length=1, max_length=100)] = Field(
        description="The memberships to split out (member_id of each record in GET /linkage/merges).")
    reason: Annotated[Reason, Field(min_length=1)]


class MergeEventPublic(BaseModel):
    action: str
    records: list[str]
    by: str
    reason: str


class MergedPersonPublic(BaseModel):
    """Persons decided to be one. ``view`` is the merged value of each field (dates: the most precise;
    others: the most common) over the members the caller may see; ``alternatives`` every value held."""

    id: int
    status: str
    members: list[LinkedRecord]
    former_members: list[LinkedRecord]
    view: dict[str, str | None]
    alternatives: dict[str, list[str]]
    history: list[MergeEventPublic]
    created_at: dt.datetime
    updated_at: dt.datetime
