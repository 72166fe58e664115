"""Countries and the shipped country facts, each figure with its source and year."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from asylon.api.deps import CurrentActor
from asylon.data import facts

router = APIRouter(prefix="/countries", tags=["countries"])


class CountryPublic(BaseModel):
    iso3: str
    name: str
    unhcr_region: str
    unsd_region: str
    is_state: bool


class FigurePublic(BaseModel):
    indicator: str
    value: float
    year: int
    source: str


class CountryFactsPublic(BaseModel):
    country: CountryPublic
    year_requested: int
    figures: list[FigurePublic]
    missing: list[str]
    sources: dict[str, str]


def _public(country: facts.Country) -> CountryPublic:
    return CountryPublic(iso3=country.iso3, name=country.name, unhcr_region=country.unhcr_region,
                         unsd_region=country.unsd_region, is_state=country.is_state)


@router.get("")
def list_countries(actor: CurrentActor) -> list[CountryPublic]:
    return [_public(c) for c in facts.countries()]


@router.get("/{iso3}/facts")
def country_facts(
    actor: CurrentActor,
    iso3: Annotated[str, Path(min_length=3, max_length=3, pattern="^[A-Za-z]{3}$")],
    year: Annotated[int, Query(ge=1951, le=2100)] = 2024,
    latest: Annotated[bool, Query(description="Use the latest figure at or before the year when one is missing")] = True,
) -> CountryFactsPublic:
    found = facts.country_facts(iso3.upper(), year, latest=latest)
    figures = [FigurePublic(indicator=f.indicator, value=f.value, year=f.year, source=f.source)
               for f in found.figures.values()]
    known = facts.sources()
    return CountryFactsPublic(
        country=_public(facts.country(iso3.upper())),
        year_requested=year,
        figures=figures,
        missing=list(found.missing),
        sources={f.source: f"{known[f.source].publisher}: {known[f.source].title} ({known[f.source].licence})"
                 for f in figures if f.source in known},
    )
