"""Data-sharing agreements, consent, the access report, the event feed, webhooks and threads as callers
send and receive them."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, model_validator

from asylon.schemas.cases import CasePublic, PersonPublic
from asylon.schemas.fields import CountryCode, Reason, Reference

Strict = ConfigDict(extra="forbid", str_strip_whitespace=True)
# Record ids are 32-bit integers on PostgreSQL; anything outside is refused as invalid, not looked up.
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]

# Identifiers and structure that always travel with a shared case, so a recipient can refer to it.
ALWAYS_SHARED: frozenset[str] = frozenset(
    {"id", "organisation", "persons", "person_ref", "relationship", "erased", "version", "updated_at"}
)
SHAREABLE_FIELDS: tuple[str, ...] = tuple(
    [f"case.{name}" for name in CasePublic.model_fields if name not in ALWAYS_SHARED]
    + [f"person.{name}" for name in PersonPublic.model_fields if name not in ALWAYS_SHARED]
)


class Purpose(StrEnum):
    """Why data is shared. Every request for another organisation's data declares one."""

    RESETTLEMENT_PROCESSING = "resettlement-processing"
    DEDUPLICATION = "deduplication"
    ASSISTANCE_COORDINATION = "assistance-coordination"
    PROTECTION_REFERRAL = "protection-referral"
    STATISTICS = "statistics"


class LegalBasis(StrEnum):
    """GDPR art. 6 style bases. Under ``consent`` each person's consent is checked on every disclosure."""

    CONSENT = "consent"
    VITAL_INTERESTS = "vital-interests"
    PUBLIC_INTEREST = "public-interest"
    LEGAL_OBLIGATION = "legal-obligation"
    LEGITIMATE_INTERESTS = "legitimate-interests"


class AgreementStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    TERMINATED = "terminated"


FieldName = Annotated[str, Field(max_length=64, description="case.<field> or person.<field>")]


class AgreementCreate(BaseModel):
    model_config = Strict

    title: Annotated[str, Field(min_length=1, max_length=200)]
    purpose: Purpose
    parties: Annotated[list[Reference], Field(min_length=2, max_length=50)] = Field(
        description="Slugs of every organisation bound by the agreement, your own included."
    )
    legal_basis: LegalBasis
    legal_reference: Annotated[str, Field(max_length=2000)] = ""
    categories: Annotated[list[Annotated[str, Field(max_length=64)]], Field(max_length=20)] = Field(
        default_factory=list, description="Data categories in plain words, e.g. 'identity', 'needs'."
    )
    fields: Annotated[list[FieldName], Field(min_length=1, max_length=len(SHAREABLE_FIELDS))]
    situations: Annotated[list[Reference], Field(max_length=50)] = Field(
        default_factory=list, description="Only cases of these situations; empty means any."
    )
    countries: Annotated[list[CountryCode], Field(max_length=50)] = Field(
        default_factory=list, description="Only cases in these countries of asylum; empty means any."
    )
    valid_from: dt.date
    valid_until: dt.date

    @model_validator(mode="after")
    def _consistent(self) -> AgreementCreate:
        unknown = sorted(set(self.fields) - set(SHAREABLE_FIELDS))
        if unknown:
            raise ValueError(f"unknown fields: {', '.join(unknown)}; use any of: {', '.join(SHAREABLE_FIELDS)}")
        if self.valid_until < self.valid_from:
            raise ValueError(f"valid_until {self.valid_until} is before valid_from {self.valid_from}")
        if len(set(self.parties)) != len(self.parties):
            raise ValueError("each party is listed once")
        return self


class AgreementAction(BaseModel):
    model_config = Strict

    agreement_id: Id
    action: Literal["approve", "suspend", "resume", "terminate"]
    reason: Reason = ""


class PartyPublic(BaseModel):
    organisation: str
    approved_at: dt.datetime | None


class AgreementEventPublic(BaseModel):
    at: dt.datetime
    organisation: str
    kind: str
    reason: str


class AgreementPublic(BaseModel):
    id: int
    title: str
    purpose: str
    legal_basis: str
    legal_reference: str
    categories: list[str]
    fields: list[str]
    situations: list[str]
    countries: list[str]
    valid_from: dt.date
    valid_until: dt.date
    status: AgreementStatus
    status_reason: str
    parties: list[PartyPublic]
    history: list[AgreementEventPublic] = Field(default_factory=list)


class ConsentCreate(BaseModel):
    model_config = Strict

    case_id: Id
    person_ref: Reference
    purpose: Purpose
    recipient: Reference = Field(description="Slug of the organisation the person consents to share with.")
    given_on: dt.date
    method: Annotated[str, Field(min_length=1, max_length=200)] = Field(
        description="How consent was obtained, e.g. 'signed form, interpreter present'."
    )


class ConsentWithdrawal(BaseModel):
    model_config = Strict

    consent_id: Id
    method: Annotated[str, Field(min_length=1, max_length=200)]


class ConsentPublic(BaseModel):
    id: int
    case_id: int
    person_ref: str
    purpose: str
    recipient: str
    given_on: dt.date
    method: str
    recorded_at: dt.datetime
    withdrawn_at: dt.datetime | None
    withdrawal_method: str | None


class DisclosurePublic(BaseModel):
    """One line of a person's access report: what was disclosed, to whom, when, why."""

    at: dt.datetime
    channel: str
    recipient: str
    recipient_user: str | None
    agreements: list[int]
    purpose: str
    fields: list[str]
    event_id: int | None


class FeedEventPublic(BaseModel):
    """A case event as a subscriber receives it: the case as the subscriber may see it now."""

    id: int
    at: dt.datetime
    kind: str
    case_id: int
    organisation: str
    case: CasePublic | None = Field(description="The case redacted to the agreed fields.")
    data: dict[str, object] | None = Field(None, description="The change itself; only for your own cases.")


class FeedPage(BaseModel):
    events: list[FeedEventPublic]
    cursor: int = Field(description="Pass as `after` (or `Last-Event-ID`) to continue.")


class WebhookCreate(BaseModel):
    model_config = Strict

    url: AnyHttpUrl
    purpose: Purpose | None = Field(None, description="Purpose declared for other organisations' cases.")


class WebhookPublic(BaseModel):
    id: int
    url: str
    purpose: str | None
    active: bool
    cursor: int
    created_at: dt.datetime


class WebhookIssued(WebhookPublic):
    secret: str = Field(description="Shown once: verify X-Asylon-Signature with it.")


class DeliveryPublic(BaseModel):
    id: int
    subscription_id: int
    event_id: int
    status: str
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str
    delivered_at: dt.datetime | None


class Replay(BaseModel):
    model_config = Strict

    subscription_id: Id
    delivery_ids: Annotated[list[Id], Field(max_length=10_000)] = Field(
        default_factory=list, description="Dead deliveries to send again; empty means all of them."
    )


class ThreadCreate(BaseModel):
    model_config = Strict

    title: Annotated[str, Field(min_length=1, max_length=200)]
    situation: Reference | None = None
    case_id: Id | None = None
    body: Annotated[str, Field(min_length=1, max_length=20_000)]

    @model_validator(mode="after")
    def _subject(self) -> ThreadCreate:
        if (self.situation is None) == (self.case_id is None):
            raise ValueError("a thread is about one situation or one case: give exactly one of situation, case_id")
        return self


class MessageCreate(BaseModel):
    model_config = Strict

    thread_id: Id
    body: Annotated[str, Field(min_length=1, max_length=20_000)] = Field(
        description="Text; '@someone@example.org' mentions a user of an organisation that may see the thread."
    )


class MessagePublic(BaseModel):
    id: int
    thread_id: int
    organisation: str
    author: str | None
    body: str
    created_at: dt.datetime


class ThreadPublic(BaseModel):
    id: int
    title: str
    situation: str | None
    case_id: int | None
    organisation: str
    created_at: dt.datetime
    messages: list[MessagePublic] = Field(default_factory=list)


class NotificationPublic(BaseModel):
    id: int
    kind: str
    thread_id: int
    message_id: int
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationsRead(BaseModel):
    model_config = Strict

    ids: Annotated[list[Id], Field(max_length=1000)] = Field(
        default_factory=list, description="Notifications to mark read; empty means all."
    )
