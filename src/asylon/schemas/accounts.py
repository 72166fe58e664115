"""Organisations, users, tokens and situations as callers see them."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from asylon.domain.organisations import Role
from asylon.schemas.fields import CountryCode, Reference

Strict = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OrganisationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    slug: str
    name: str
    kind: str
    country: str | None


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    display_name: str
    role: str
    active: bool


class Me(BaseModel):
    user: UserPublic
    organisation: OrganisationPublic


class UserCreate(BaseModel):
    model_config = Strict

    email: Annotated[str, Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")]
    display_name: Annotated[str, Field(min_length=1, max_length=200)]
    role: Role
    password: Annotated[str, Field(min_length=8, max_length=200)] | None = None


class TokenCreate(BaseModel):
    model_config = Strict

    name: Annotated[str, Field(min_length=1, max_length=100)]
    days: Annotated[int, Field(ge=1, le=3650)] | None = None


class TokenPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenIssued(TokenPublic):
    token: str = Field(description="Shown only now; store it safely.")


class SituationCreate(BaseModel):
    model_config = Strict

    code: Reference
    name: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str, Field(max_length=5000)] = ""
    countries: Annotated[list[CountryCode], Field(max_length=60)] = Field(default_factory=list)


class SituationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    description: str
    countries: list[str]


class UnsafeFlagCreate(BaseModel):
    model_config = Strict

    country: CountryCode
    applies_to: Annotated[str, Field(min_length=1, max_length=32)] = Field(
        "all", description="'all', a nationality (ISO3), or a specific-need code"
    )
    reason: Annotated[str, Field(max_length=2000)] = ""


class UnsafeFlagPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    country: str
    applies_to: str
    reason: str
    active: bool
