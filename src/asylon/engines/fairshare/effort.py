"""Fair share versus effort: what each state does, against what its key share says it should do.

For each state and year the effort in a *measure* (refugees hosted, resettlement places pledged or
delivered, money pledged or paid) is turned into the state's *effort share*: its value divided by the sum
over the states compared that year. The **ratio** is effort share / key share: 1 means the state does
exactly its fair share, 2 twice it, 0.5 half. A ratio is ``None`` when the state's figure is unknown (it is
never treated as 0) or when nothing at all was done in that measure that year.

Hosting is also given per 1,000 inhabitants and per USD of GDP (and per million USD, easier to read).

    >>> rows = compare({"AAA": 0.5, "BBB": 0.5}, [
    ...     EffortRecord("AAA", 2024, refugees_hosted=300, population=1000),
    ...     EffortRecord("BBB", 2024, refugees_hosted=100, population=1000)])
    >>> [(r.state, r.ratio["refugees_hosted"], r.refugees_per_1000) for r in rows]
    [('AAA', 1.5, 300.0), ('BBB', 0.5, 100.0)]
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace

from asylon.data import facts
from asylon.errors import InvalidInput, Problem, ProblemCollector

__all__ = ["MEASURES", "EffortRecord", "EffortRow", "chart_rows", "compare", "records_from_facts"]

MEASURES: tuple[str, ...] = (
    "refugees_hosted",
    "resettlement_pledged",
    "resettlement_delivered",
    "money_pledged_usd",
    "money_paid_usd",
)


@dataclass(frozen=True, slots=True)
class EffortRecord:
    """What one state did in one year; ``None`` = unknown (never read as 0)."""

    state: str
    year: int
    refugees_hosted: float | None = None
    population: float | None = None
    gdp_usd: float | None = None
    resettlement_pledged: float | None = None
    resettlement_delivered: float | None = None
    money_pledged_usd: float | None = None
    money_paid_usd: float | None = None
    sources: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EffortRow:
    """One state and year: the key share, each effort figure, and effort share / key share per measure."""

    state: str
    year: int
    key_share: float
    record: EffortRecord
    refugees_per_1000: float | None
    refugees_per_usd_gdp: float | None
    refugees_per_million_usd_gdp: float | None
    effort_share: Mapping[str, float | None]
    ratio: Mapping[str, float | None]

    def as_dict(self) -> dict[str, object]:
        """A flat row for tables, CSV and JSON."""
        row: dict[str, object] = {"state": self.state, "year": self.year, "key_share": self.key_share}
        for f in fields(EffortRecord):
            if f.name not in ("state", "year", "sources"):
                row[f.name] = getattr(self.record, f.name)
        row["refugees_per_1000"] = self.refugees_per_1000
        row["refugees_per_usd_gdp"] = self.refugees_per_usd_gdp
        row["refugees_per_million_usd_gdp"] = self.refugees_per_million_usd_gdp
        for measure in MEASURES:
            row[f"{measure}_share"] = self.effort_share[measure]
            row[f"{measure}_ratio"] = self.ratio[measure]
        return row


def _check(key_shares: Mapping[str, float], records: Sequence[EffortRecord]) -> None:
    problems = ProblemCollector()
    seen: set[tuple[str, int]] = set()
    for i, record in enumerate(records):
        if record.state not in key_shares:
            problems.add(
                f"{record.state} has effort figures but no key share",
                field=f"records[{i}].state",
                value=record.state,
                fix="include the state in the key's states, or drop its record",
            )
        if (record.state, record.year) in seen:
            problems.add(
                f"{record.state} {record.year} appears twice",
                field=f"records[{i}]",
                fix="give one record per state and year (sum the figures first)",
            )
        seen.add((record.state, record.year))
        for f in fields(EffortRecord):
            value = getattr(record, f.name)
            if f.name in ("state", "year", "sources") or value is None:
                continue
            if not math.isfinite(value) or value < 0:
                problems.add(
                    f"{record.state} {record.year}: {f.name} is {value}",
                    field=f"records[{i}].{f.name}",
                    value=str(value),
                    fix="use a figure of 0 or more, or None when unknown",
                )
    for state, share in key_shares.items():
        if not math.isfinite(share) or share < 0:
            problems.add(
                f"{state}: key share is {share}", field="key_shares", value=state, fix="use the key's shares"
            )
    problems.raise_if_any()


def compare(key_shares: Mapping[str, float], records: Sequence[EffortRecord]) -> list[EffortRow]:
    """Effort against fair share per state and year, sorted by year then state (see the module docstring)."""
    _check(key_shares, records)
    totals: dict[tuple[int, str], float] = defaultdict(float)
    for record in records:
        for measure in MEASURES:
            value = getattr(record, measure)
            if value is not None:
                totals[(record.year, measure)] += value
    # Key shares are renormalised over the states that have a record that year, so that comparing a
    # subset of the key's states still compares like with like.
    key_total_by_year: dict[int, float] = defaultdict(float)
    for record in records:
        key_total_by_year[record.year] += key_shares[record.state]
    rows: list[EffortRow] = []
    for record in sorted(records, key=lambda r: (r.year, r.state)):
        key_total = key_total_by_year[record.year]
        key_share = key_shares[record.state] / key_total if key_total > 0 else 0.0
        shares: dict[str, float | None] = {}
        ratios: dict[str, float | None] = {}
        for measure in MEASURES:
            value = getattr(record, measure)
            total = totals.get((record.year, measure), 0.0)
            share = value / total if value is not None and total > 0 else None
            shares[measure] = share
            ratios[measure] = share / key_share if share is not None and key_share > 0 else None
        hosted, population, gdp = record.refugees_hosted, record.population, record.gdp_usd
        per_1000 = hosted / population * 1000 if hosted is not None and population else None
        per_usd = hosted / gdp if hosted is not None and gdp else None
        rows.append(
            EffortRow(
                state=record.state,
                year=record.year,
                key_share=key_share,
                record=record,
                refugees_per_1000=per_1000,
                refugees_per_usd_gdp=per_usd,
                refugees_per_million_usd_gdp=per_usd * 1e6 if per_usd is not None else None,
                effort_share=shares,
                ratio=ratios,
            )
        )
    return rows


def chart_rows(rows: Sequence[EffortRow], measure: str = "refugees_hosted") -> list[dict[str, object]]:
    """What a bar chart of share vs effort and a world map of the ratio need, sorted by ratio, highest first;
    states whose ratio is unknown come last (a map shows them as "no data", never as 0).

    >>> rows = compare({"AAA": 0.5, "BBB": 0.5}, [EffortRecord("AAA", 2024, refugees_hosted=1),
    ...                                         EffortRecord("BBB", 2024, refugees_hosted=3)])
    >>> [(r["state"], r["ratio"]) for r in chart_rows(rows)]
    [('BBB', 1.5), ('AAA', 0.5)]
    """
    if measure not in MEASURES:
        raise InvalidInput(
            Problem(f"unknown measure {measure!r}", field="measure", fix=f"use one of {', '.join(MEASURES)}")
        )
    ordered = sorted(
        rows, key=lambda r: (r.ratio[measure] is None, -(r.ratio[measure] or 0.0), r.state, r.year)
    )
    return [
        {
            "state": r.state,
            "year": r.year,
            "key_share": r.key_share,
            "effort_share": r.effort_share[measure],
            "ratio": r.ratio[measure],
        }
        for r in ordered
    ]


def records_from_facts(
    states: Sequence[str],
    year: int,
    *,
    latest: bool = False,
    extra: Sequence[EffortRecord] = (),
    store: facts.FactsStore | None = None,
) -> list[EffortRecord]:
    """Hosting figures from the shipped data (UNHCR refugees + oip, World Bank population and GDP), with
    resettlement and money figures laid over from ``extra`` (plain records, e.g. from pledges).

    >>> records_from_facts(["IRN"], 2024)[0].refugees_hosted
    3489257.0
    """
    s = store if store is not None else facts.default_store()
    by_state = {(r.state, r.year): r for r in extra}
    records: list[EffortRecord] = []
    problems: list[Problem] = []
    hosted_all = facts.hosted_by_asylum_country(year, store=s)
    unhcr_years = facts.available_years("hosted_refugees", store=s)
    for state in states:
        try:
            country = facts.country(state, store=s)
        except facts.UnknownCountry as exc:
            problems.extend(exc.problems)
            continue
        code = country.iso3
        hosted_row = hosted_all.get(code)
        hosted: float | None
        sources: dict[str, str] = {}
        if hosted_row is not None:
            hosted = float(hosted_row.refugees_and_oip)
            sources["refugees_hosted"] = f"UNHCR-PSD {year}"
        elif year in unhcr_years:
            hosted = 0.0
            sources["refugees_hosted"] = f"UNHCR-PSD {year} (none reported)"
        else:
            hosted = None
        population = s.figure(code, "population", year, latest=latest)
        gdp = s.figure(code, "gdp_usd", year, latest=latest)
        if population is not None:
            sources["population"] = f"{population.source} {population.year}"
        if gdp is not None:
            sources["gdp_usd"] = f"{gdp.source} {gdp.year}"
        record = EffortRecord(
            code,
            year,
            refugees_hosted=hosted,
            population=population.value if population else None,
            gdp_usd=gdp.value if gdp else None,
            sources=sources,
        )
        given = by_state.get((code, year))
        if given is not None:
            overrides = {
                f.name: getattr(given, f.name)
                for f in fields(EffortRecord)
                if f.name not in ("state", "year", "sources") and getattr(given, f.name) is not None
            }
            record = replace(record, **overrides, sources={**sources, **given.sources})
        records.append(record)
    if problems:
        raise InvalidInput(problems)
    return records
