"""Cases and persons as callers send and receive them."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from asylon.domain.needs import SpecificNeed
from asylon.domain.pathways import PATHWAY_MACHINES, TRANSFER_PATHWAYS, PathwayKind
from asylon.domain.people import Education, Relationship, Sex
from asylon.domain.status import LegalStatus
from asylon.schemas.fields import (
    CountryCode,
    LanguageCode,
    NationalityCode,
    PartialDateText,
    Reason,
    Reference,
    ShortText,
)

MAX_PERSONS_PER_CASE = 60

Strict = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PersonFields(BaseModel):
    model_config = Strict

    given_name: ShortText | None = None
    family_name: ShortText | None = None
    name_original: Annotated[str, Field(max_length=400)] | None = Field(
        None, description="The full name as written in its original script."
    )
    name_script: Annotated[str, Field(pattern=r"^[A-Z][a-z]{3}$")] | None = Field(
        None, description="ISO 15924 code of the original script, e.g. Arab, Ethi, Cyrl."
    )
    sex: Sex = Sex.UNKNOWN
    date_of_birth: PartialDateText | None = None
    nationality: NationalityCode | None = None
    place_of_birth: ShortText | None = None
    languages: Annotated[list[LanguageCode], Field(max_length=20)] = Field(default_factory=list)
    education: Education | None = None
    occupation: ShortText | None = None
    needs: Annotated[list[SpecificNeed], Field(max_length=20)] = Field(default_factory=list)


class PersonCreate(PersonFields):
    person_ref: Reference = Field(description="The organisation's own reference for the person within the case.")
    relationship: Relationship


class PersonUpdate(BaseModel):
    """A correction: only the fields given change."""

    model_config = Strict

    given_name: ShortText | None = None
    family_name: ShortText | None = None
    name_original: Annotated[str, Field(max_length=400)] | None = None
    name_script: Annotated[str, Field(pattern=r"^[A-Z][a-z]{3}$")] | None = None
    sex: Sex | None = None
    date_of_birth: PartialDateText | None = None
    nationality: NationalityCode | None = None
    place_of_birth: ShortText | None = None
    languages: Annotated[list[LanguageCode], Field(max_length=20)] | None = None
    education: Education | None = None
    occupation: ShortText | None = None
    needs: Annotated[list[SpecificNeed], Field(max_length=20)] | None = None
    relationship: Relationship | None = None
    reason: Reason = ""

    @model_validator(mode="after")
    def _required_stay(self) -> PersonUpdate:
        for name in ("sex", "relationship", "languages", "needs"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be emptied; leave it out to keep the current value")
        return self


class CaseCreate(BaseModel):
    model_config = Strict

    case_number: Reference = Field(description="The organisation's own case number; unique within it.")
    situation: Reference | None = Field(None, description="Code of the situation the case belongs to.")
    country_of_asylum: CountryCode
    origin_country: NationalityCode | None = None
    fled_countries: Annotated[list[CountryCode], Field(max_length=10)] = Field(
        default_factory=list, description="Countries the case is recorded as fleeing (never a destination)."
    )
    legal_status: LegalStatus = LegalStatus.ASYLUM_SEEKER
    pathway: PathwayKind = PathwayKind.NONE
    pathway_state: Annotated[str, Field(max_length=32)] | None = None
    pathway_destination: CountryCode | None = None
    registered_on: dt.date | None = None
    persons: Annotated[list[PersonCreate], Field(min_length=1, max_length=MAX_PERSONS_PER_CASE)]

    @model_validator(mode="after")
    def _consistent(self) -> CaseCreate:
        principals = [p for p in self.persons if p.relationship is Relationship.PRINCIPAL]
        if len(principals) != 1:
            raise ValueError(
                f"a case needs exactly one person with relationship 'principal'; it has {len(principals)}"
            )
        counts = Counter(p.person_ref for p in self.persons)
        duplicates = sorted(ref for ref, n in counts.items() if n > 1)
        if duplicates:
            raise ValueError(f"person_ref must be unique within the case; repeated: {', '.join(duplicates)}")
        machine = PATHWAY_MACHINES[self.pathway]
        if self.pathway_state is None:
            self.pathway_state = machine.initial
        elif self.pathway_state not in machine.states:
            raise ValueError(
                f"pathway_state '{self.pathway_state}' is not a state of pathway '{self.pathway}'; "
                f"use one of: {', '.join(machine.states)}"
            )
        if self.pathway_destination and self.pathway not in TRANSFER_PATHWAYS | {PathwayKind.VOLUNTARY_REPATRIATION}:
            raise ValueError(f"pathway '{self.pathway}' takes no destination; leave pathway_destination empty")
        if self.registered_on and self.registered_on > dt.date.today():
            raise ValueError(f"registered_on {self.registered_on} is in the future")
        return self


class CaseUpdate(BaseModel):
    model_config = Strict

    situation: Reference | None = None
    country_of_asylum: CountryCode | None = None
    origin_country: NationalityCode | None = None
    fled_countries: Annotated[list[CountryCode], Field(max_length=10)] | None = None
    reason: Reason = ""

    @model_validator(mode="after")
    def _required_stay(self) -> CaseUpdate:
        for name in ("country_of_asylum", "fled_countries"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be emptied; leave it out to keep the current value")
        return self


class StatusChange(BaseModel):
    model_config = Strict

    status: LegalStatus
    reason: Reason = ""


class PathwayChange(BaseModel):
    """Start a pathway (``pathway`` given) or move the current one to ``state``."""

    model_config = Strict

    pathway: PathwayKind | None = Field(None, description="Start this pathway (from its first state).")
    state: Annotated[str, Field(max_length=32)] | None = Field(None, description="Move to this state.")
    destination: CountryCode | None = None
    initiated_by: Literal["person", "organisation"] | None = None
    reason: Reason = ""


class VoluntarinessDeclaration(BaseModel):
    model_config = Strict

    person_ref: Reference
    method: Annotated[str, Field(min_length=1, max_length=200)] = Field(
        description="How the declaration was made, e.g. 'individual interview, interpreter present'."
    )
    reason: Reason = ""


class FamilyUnityDecision(BaseModel):
    model_config = Strict

    decision: Annotated[str, Field(min_length=1, max_length=2000)]
    person_destinations: dict[Reference, CountryCode] = Field(
        default_factory=dict, description="Members who go to a destination other than the case's."
    )


class Erasure(BaseModel):
    model_config = Strict

    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class PersonPublic(BaseModel):
    """A person as the caller may see them; fields another organisation may not see are null."""

    model_config = ConfigDict(from_attributes=True)

    person_ref: str
    relationship: str
    given_name: str | None
    family_name: str | None
    name_original: str | None
    name_script: str | None
    sex: str | None
    date_of_birth: str | None
    dob_precision: str | None
    nationality: str | None
    place_of_birth: str | None
    languages: list[str]
    education: str | None
    occupation: str | None
    needs: list[str]
    destination: str | None
    voluntariness_declared_at: dt.datetime | None
    erased: bool


class CasePublic(BaseModel):
    """A case as the caller may see it; fields outside a data-sharing agreement are null."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    organisation: str
    case_number: str | None
    situation: str | None
    country_of_asylum: str | None
    origin_country: str | None
    fled_countries: list[str]
    legal_status: str | None
    pathway: str | None
    pathway_state: str | None
    pathway_destination: str | None
    pathway_initiated_by: str | None
    family_unity_decision: str | None
    registered_on: dt.date | None
    size: int | None
    version: int
    updated_at: dt.datetime
    persons: list[PersonPublic]


class CaseEventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: dt.datetime
    kind: str
    organisation: str
    actor: str | None
    data: dict[str, object]
    reason: str
