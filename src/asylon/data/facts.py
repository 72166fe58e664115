"""Country facts shipped with asylon: population, GDP, unemployment and UNHCR populations by country and year.

Every figure is a :class:`Figure` that carries its value, the year it refers to and its source code
(``sources()`` explains each code). Figures come from ``country_facts.csv.gz`` next to this module, built by
``tools/build_country_facts.py`` (see ``PROVENANCE.md``). A store built from newer files elsewhere is loaded with
``FactsStore.from_dir(path)`` and passed as ``store=`` to any function here.

When a figure for the year asked is missing the result says so: :attr:`CountryFacts.missing` names it and
:meth:`CountryFacts.value` raises :class:`MissingFigure` naming the state, the indicator, the year and the
years that do exist. With ``latest=True`` the latest figure at or before the year asked is used instead, and
:attr:`Figure.year` records the year actually used.

UNHCR figures are end-year stocks (``year=2024`` is end-2024); World Bank population is mid-year.

    >>> facts = country_facts("IRN", 2024)
    >>> facts.value("hosted_refugees")
    3489257.0
    >>> facts.figure("gdp_usd") is None      # World Bank GDP in the shipped file stops at 2023
    True
    >>> country_facts("IRN", 2024, latest=True).figure("gdp_usd").year
    2023
"""

from __future__ import annotations

import bisect
import csv
import difflib
import gzip
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from asylon.errors import InvalidInput, Problem

__all__ = [
    "HOSTED_INDICATORS",
    "INDICATORS",
    "ORIGIN_INDICATORS",
    "WORLD_BANK_INDICATORS",
    "Country",
    "CountryFacts",
    "FactsStore",
    "Figure",
    "HostedPopulation",
    "MissingFigure",
    "OriginPopulation",
    "Source",
    "UnknownCountry",
    "available_years",
    "countries",
    "country",
    "country_facts",
    "default_store",
    "facts_for_year",
    "hosted_by_asylum_country",
    "origin_country_totals",
    "sources",
]

WORLD_BANK_INDICATORS = ("population", "gdp_usd", "unemployment_pct")
HOSTED_INDICATORS = (
    "hosted_refugees",
    "hosted_asylum_seekers",
    "hosted_oip",
    "hosted_idps",
    "hosted_returned_refugees",
    "hosted_returned_idps",
    "hosted_stateless",
    "hosted_ooc",
    "hosted_hst",
)
ORIGIN_INDICATORS = ("origin_refugees", "origin_asylum_seekers", "origin_oip")
INDICATORS = WORLD_BANK_INDICATORS + HOSTED_INDICATORS + ORIGIN_INDICATORS


@dataclass(frozen=True, slots=True)
class Figure:
    """One number with the year it refers to and where it comes from."""

    indicator: str
    value: float
    year: int
    source: str
    requested_year: int

    @property
    def substituted(self) -> bool:
        """True when an earlier year's figure stands in for the year asked (``latest=True``)."""
        return self.year != self.requested_year


@dataclass(frozen=True, slots=True)
class Source:
    source: str
    publisher: str
    title: str
    licence: str
    upstream: str


@dataclass(frozen=True, slots=True)
class Country:
    iso3: str
    name: str
    unhcr_code: str
    unhcr_region: str
    unsd_region: str
    unsd_subregion: str
    in_unhcr_list: bool
    wb_economy: bool
    wb_region: str
    wb_income_level: str
    is_state: bool


class UnknownCountry(InvalidInput):
    """An ISO 3166 alpha-3 code that the shipped data does not know."""

    def __init__(self, iso3: str, suggestions: Iterable[str] = (), *, field_name: str = "iso3") -> None:
        self.iso3 = iso3
        hint = ", ".join(suggestions)
        fix = f"did you mean {hint}? " if hint else ""
        fix += (
            "use an ISO 3166 alpha-3 code such as DEU, FRA or KEN (asylon.data.facts.countries() lists them)"
        )
        super().__init__(Problem(f"unknown country code {iso3!r}", field=field_name, value=iso3, fix=fix))


class MissingFigure(InvalidInput):
    """No figure for a state, indicator and year."""

    def __init__(self, iso3: str, indicator: str, year: int, available: tuple[int, ...]) -> None:
        self.iso3 = iso3
        self.indicator = indicator
        self.year = year
        self.available = available
        if available:
            earlier = [y for y in available if y <= year]
            span = f"{available[0]}-{available[-1]}" if len(available) > 1 else str(available[0])
            fix = f"figures exist for {span}"
            if earlier:
                fix += (
                    f"; ask for {earlier[-1]} or use the latest figure up to {year} (latest=True / --latest)"
                )
            else:
                fix += f"; ask for a year from {available[0]}"
        else:
            fix = "the shipped data has no such figure for this state at all; supply it in an inputs CSV"
        super().__init__(
            Problem(f"{iso3}: no {indicator} figure for {year}", field=indicator, value=iso3, fix=fix)
        )


@dataclass(frozen=True, slots=True)
class CountryFacts:
    """The figures for one state and one asked year; ``missing`` names the indicators with no figure."""

    iso3: str
    name: str
    year: int
    figures: Mapping[str, Figure]
    missing: tuple[str, ...]
    _store: FactsStore = field(repr=False, compare=False)

    def figure(self, indicator: str) -> Figure | None:
        _check_indicator(indicator)
        return self.figures.get(indicator)

    def value(self, indicator: str) -> float:
        """The value, or :class:`MissingFigure` saying which years exist."""
        found = self.figure(indicator)
        if found is None:
            raise MissingFigure(self.iso3, indicator, self.year, self._store.years(self.iso3, indicator))
        return found.value

    @property
    def population(self) -> Figure | None:
        return self.figures.get("population")

    @property
    def gdp_usd(self) -> Figure | None:
        return self.figures.get("gdp_usd")

    @property
    def unemployment_pct(self) -> Figure | None:
        return self.figures.get("unemployment_pct")

    @property
    def refugees(self) -> Figure | None:
        return self.figures.get("hosted_refugees")

    @property
    def asylum_seekers(self) -> Figure | None:
        return self.figures.get("hosted_asylum_seekers")

    @property
    def oip(self) -> Figure | None:
        """Other people in need of international protection hosted (UNHCR category since 2022 revisions)."""
        return self.figures.get("hosted_oip")


@dataclass(frozen=True, slots=True)
class HostedPopulation:
    """UNHCR end-year populations in one country of asylum."""

    iso3: str
    year: int
    refugees: int
    asylum_seekers: int
    oip: int
    idps: int
    returned_refugees: int
    returned_idps: int
    stateless: int
    ooc: int
    hst: int
    source: str = "UNHCR-PSD"

    @property
    def refugees_and_oip(self) -> int:
        """Refugees plus others in need of international protection: UNHCR's headline 'refugees' count."""
        return self.refugees + self.oip

    @property
    def others(self) -> int:
        """Everyone else of concern reported in the country: IDPs, returnees, stateless, others of concern, host community."""
        return self.idps + self.returned_refugees + self.returned_idps + self.stateless + self.ooc + self.hst


@dataclass(frozen=True, slots=True)
class OriginPopulation:
    """UNHCR end-year populations by country of origin, summed over countries of asylum."""

    iso3: str
    year: int
    refugees: int
    asylum_seekers: int
    oip: int
    source: str = "UNHCR-PSD"


def _check_indicator(indicator: str) -> None:
    if indicator not in INDICATORS:
        raise InvalidInput(
            Problem(
                f"unknown indicator {indicator!r}",
                field="indicator",
                value=indicator,
                fix=f"use one of {', '.join(INDICATORS)}",
            )
        )


class FactsStore:
    """The figures of one build of the country facts, indexed by (state, indicator) then year."""

    def __init__(
        self,
        facts_csv: str,
        countries_csv: str,
        sources_csv: str,
        *,
        origin: str = "asylon.data",
    ) -> None:
        self.origin = origin
        self._series: dict[tuple[str, str], dict[int, tuple[float, str]]] = {}
        reader = csv.reader(io.StringIO(facts_csv))
        header = next(reader, None)
        if header != ["iso3", "year", "indicator", "value", "source"]:
            raise InvalidInput(
                Problem(
                    f"{origin}: country facts header is {header}, expected iso3,year,indicator,value,source",
                    fix="rebuild the file with tools/build_country_facts.py",
                )
            )
        for iso3, year, indicator, value, source in reader:
            self._series.setdefault((iso3, indicator), {})[int(year)] = (float(value), source)
        self._years: dict[tuple[str, str], tuple[int, ...]] = {
            key: tuple(sorted(series)) for key, series in self._series.items()
        }
        self._indicator_years: dict[str, frozenset[int]] = {}
        self.countries: dict[str, Country] = {}
        for row in csv.DictReader(io.StringIO(countries_csv)):
            self.countries[row["iso3"]] = Country(
                iso3=row["iso3"],
                name=row["name"],
                unhcr_code=row["unhcr_code"],
                unhcr_region=row["unhcr_region"],
                unsd_region=row["unsd_region"],
                unsd_subregion=row["unsd_subregion"],
                in_unhcr_list=row["in_unhcr_list"] == "1",
                wb_economy=row["wb_economy"] == "1",
                wb_region=row["wb_region"],
                wb_income_level=row["wb_income_level"],
                is_state=row["is_state"] == "1",
            )
        self.sources: dict[str, Source] = {
            row["source"]: Source(**row) for row in csv.DictReader(io.StringIO(sources_csv))
        }

    @classmethod
    def from_dir(cls, path: str | Path) -> FactsStore:
        """Load a build written by ``tools/build_country_facts.py --out-dir path``."""
        base = Path(path)
        try:
            with gzip.open(base / "country_facts.csv.gz", "rt", encoding="utf-8", newline="") as handle:
                facts_text = handle.read()
            countries_text = (base / "countries.csv").read_text(encoding="utf-8")
            sources_text = (base / "sources.csv").read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise InvalidInput(
                Problem(
                    f"{exc.filename}: not found",
                    fix="point at a folder written by tools/build_country_facts.py",
                )
            ) from exc
        return cls(facts_text, countries_text, sources_text, origin=str(base))

    def country(self, iso3: str) -> Country:
        code = iso3.strip().upper()
        found = self.countries.get(code)
        if found is None:
            raise UnknownCountry(iso3, self._suggest(iso3))
        return found

    def _suggest(self, text: str) -> list[str]:
        by_name = {c.name.lower(): c.iso3 for c in self.countries.values()}
        codes = difflib.get_close_matches(text.upper(), list(self.countries), n=3, cutoff=0.6)
        names = difflib.get_close_matches(text.lower(), list(by_name), n=3, cutoff=0.6)
        seen: list[str] = []
        for code in [*codes, *(by_name[n] for n in names)]:
            label = f"{code} ({self.countries[code].name})"
            if label not in seen:
                seen.append(label)
        return seen[:3]

    def years(self, iso3: str, indicator: str) -> tuple[int, ...]:
        return self._years.get((iso3, indicator), ())

    def indicator_years(self, indicator: str) -> frozenset[int]:
        """Years in which any state has a figure for ``indicator`` (computed once per store)."""
        cached = self._indicator_years.get(indicator)
        if cached is None:
            cached = frozenset(y for (_, i), ys in self._years.items() if i == indicator for y in ys)
            self._indicator_years[indicator] = cached
        return cached

    def figure(self, iso3: str, indicator: str, year: int, *, latest: bool = False) -> Figure | None:
        series = self._series.get((iso3, indicator))
        if series is None:
            return None
        hit = series.get(year)
        used = year
        if hit is None and latest:
            years = self._years[(iso3, indicator)]
            index = bisect.bisect_right(years, year)
            if index == 0:
                return None
            used = years[index - 1]
            hit = series[used]
        if hit is None:
            return None
        return Figure(indicator=indicator, value=hit[0], year=used, source=hit[1], requested_year=year)

    def facts(
        self, iso3: str, year: int, *, latest: bool = False, indicators: Iterable[str] = INDICATORS
    ) -> CountryFacts:
        country = self.country(iso3)
        figures: dict[str, Figure] = {}
        missing: list[str] = []
        for indicator in indicators:
            _check_indicator(indicator)
            found = self.figure(country.iso3, indicator, year, latest=latest)
            if found is None:
                missing.append(indicator)
            else:
                figures[indicator] = found
        return CountryFacts(country.iso3, country.name, year, figures, tuple(missing), self)


@cache
def default_store() -> FactsStore:
    """The facts shipped inside the package (read once per process)."""
    package = resources.files("asylon.data")
    with gzip.open(
        io.BytesIO(package.joinpath("country_facts.csv.gz").read_bytes()), "rt", encoding="utf-8"
    ) as f:
        facts_text = f.read()
    return FactsStore(
        facts_text,
        package.joinpath("countries.csv").read_text(encoding="utf-8"),
        package.joinpath("sources.csv").read_text(encoding="utf-8"),
    )


def _store(store: FactsStore | None) -> FactsStore:
    return store if store is not None else default_store()


def countries(*, states_only: bool = True, store: FactsStore | None = None) -> tuple[Country, ...]:
    """Countries and territories in the data (World Bank aggregates never appear), sorted by code.

    >>> any(c.iso3 == "WLD" for c in countries())
    False
    """
    values = _store(store).countries.values()
    return tuple(c for c in values if c.is_state or not states_only)


def country(iso3: str, *, store: FactsStore | None = None) -> Country:
    """One country by ISO 3166 alpha-3 code; :class:`UnknownCountry` suggests near matches.

    >>> country("KEN").name
    'Kenya'
    """
    return _store(store).country(iso3)


def country_facts(
    iso3: str, year: int, *, latest: bool = False, store: FactsStore | None = None
) -> CountryFacts:
    """All figures for one state and year (see the module docstring for ``latest``).

    >>> country_facts("DEU", 2023).value("population") > 80e6
    True
    """
    return _store(store).facts(iso3, year, latest=latest)


def facts_for_year(
    year: int,
    *,
    latest: bool = False,
    states: Iterable[str] | None = None,
    store: FactsStore | None = None,
) -> dict[str, CountryFacts]:
    """Facts for every state (or the ``states`` given) for one year, keyed by ISO3.

    >>> "FRA" in facts_for_year(2020)
    True
    """
    s = _store(store)
    codes = [c.iso3 for c in countries(store=s)] if states is None else [s.country(c).iso3 for c in states]
    return {code: s.facts(code, year, latest=latest) for code in codes}


def hosted_by_asylum_country(year: int, *, store: FactsStore | None = None) -> dict[str, HostedPopulation]:
    """UNHCR end-year populations by country of asylum; a country absent from the result has no UNHCR row.

    >>> hosted = hosted_by_asylum_country(2024)
    >>> max(hosted.values(), key=lambda h: h.refugees_and_oip).iso3
    'IRN'
    """
    s = _store(store)
    result: dict[str, HostedPopulation] = {}
    for code in s.countries:
        values: dict[str, int] = {}
        for indicator in HOSTED_INDICATORS:
            found = s.figure(code, indicator, year)
            if found is not None:
                values[indicator.removeprefix("hosted_")] = int(found.value)
        if values:
            result[code] = HostedPopulation(
                iso3=code,
                year=year,
                refugees=values.get("refugees", 0),
                asylum_seekers=values.get("asylum_seekers", 0),
                oip=values.get("oip", 0),
                idps=values.get("idps", 0),
                returned_refugees=values.get("returned_refugees", 0),
                returned_idps=values.get("returned_idps", 0),
                stateless=values.get("stateless", 0),
                ooc=values.get("ooc", 0),
                hst=values.get("hst", 0),
            )
    return result


def origin_country_totals(year: int, *, store: FactsStore | None = None) -> dict[str, OriginPopulation]:
    """UNHCR end-year populations by country of origin (includes the pseudo-origin ``UNK``, unknown).

    >>> origin_country_totals(2024)["SYR"].refugees > 1_000_000
    True
    """
    s = _store(store)
    result: dict[str, OriginPopulation] = {}
    for code in s.countries:
        values = {i: s.figure(code, i, year) for i in ORIGIN_INDICATORS}
        if any(v is not None for v in values.values()):
            result[code] = OriginPopulation(
                iso3=code,
                year=year,
                refugees=int(values["origin_refugees"].value) if values["origin_refugees"] else 0,
                asylum_seekers=int(values["origin_asylum_seekers"].value)
                if values["origin_asylum_seekers"]
                else 0,
                oip=int(values["origin_oip"].value) if values["origin_oip"] else 0,
            )
    return result


def available_years(
    indicator: str | None = None, *, iso3: str | None = None, store: FactsStore | None = None
) -> tuple[int, ...]:
    """Years with at least one figure, for one indicator and/or one state.

    >>> available_years("gdp_usd")[-1]
    2023
    """
    s = _store(store)
    if indicator is not None:
        _check_indicator(indicator)
    code = s.country(iso3).iso3 if iso3 is not None else None
    years: set[int] = set()
    for (c, i), ys in s._years.items():
        if (code is None or c == code) and (indicator is None or i == indicator):
            years.update(ys)
    return tuple(sorted(years))


def sources(*, store: FactsStore | None = None) -> dict[str, Source]:
    """What each ``Figure.source`` code means.

    >>> sources()["UNHCR-PSD"].licence
    'CC BY 4.0'
    """
    return dict(_store(store).sources)
