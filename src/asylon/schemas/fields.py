"""Reusable validated field types: countries, partial dates, languages, references."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

import pycountry
from pydantic import AfterValidator, Field

from asylon.domain.countries import CountryError, normalise_country
from asylon.domain.dates import DateError, PartialDate


def _country(value: str) -> str:
    try:
        return normalise_country(value)
    except CountryError as exc:
        raise ValueError(str(exc)) from None


def _nationality(value: str) -> str:
    try:
        return normalise_country(value, allow_unknown=True)
    except CountryError as exc:
        raise ValueError(f"{exc}, or STA for stateless, UNK for unknown") from None


def _partial_date(value: str) -> str:
    try:
        return str(PartialDate.parse(value))
    except DateError as exc:
        raise ValueError(str(exc)) from None


@lru_cache(maxsize=1)
def _language_codes() -> frozenset[str]:
    return frozenset(str(lang.alpha_3) for lang in pycountry.languages)


def _language(value: str) -> str:
    code = value.strip().lower()
    if code not in _language_codes():
        raise ValueError(f"'{value}' is not an ISO 639-3 language code (for example ara, prs, tir, eng)")
    return code


# Lengths are left to the validators, whose messages say what a valid code looks like.
CountryCode = Annotated[str, Field(examples=["SYR"]), AfterValidator(_country)]
NationalityCode = Annotated[str, Field(examples=["SYR"]), AfterValidator(_nationality)]
PartialDateText = Annotated[str, Field(max_length=10, examples=["1990-05-17", "1990", "~1984"]), AfterValidator(_partial_date)]
LanguageCode = Annotated[str, Field(examples=["ara"]), AfterValidator(_language)]
Reference = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")]
ShortText = Annotated[str, Field(max_length=200)]
Reason = Annotated[str, Field(max_length=2000)]
