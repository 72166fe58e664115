"""Where a key's figures come from: the shipped country facts for a year, a user's CSV, or both.

Columns available from the shipped data (:mod:`asylon.data.facts`):

=========================  ==========================================================================
``population``             World Bank SP.POP.TOTL, mid-year
``gdp_usd``                World Bank NY.GDP.MKTP.CD, current USD
``unemployment_pct``       World Bank SL.UEM.TOTL.ZS (modeled ILO estimate), % of labour force
``refugees``               UNHCR refugees hosted at the end of the year
``refugees_and_oip``       UNHCR refugees + other people in need of international protection hosted
``asylum_seekers``         UNHCR asylum-seekers (pending cases) hosted at the end of the year
``refugees_per_million``   refugees + oip hosted per million inhabitants, same year
``asylum_per_million``     mean over the five years before ``year`` of (refugees + oip + asylum-seekers)
                           hosted per million inhabitants. A *stock* proxy for the Commission's "spontaneous
                           asylum applications and resettled refugees per million inhabitants, 2010-2014"
                           (a *flow*, from Eurostat), which asylon does not ship: to follow the Commission
                           exactly, supply ``asylum_per_million`` in an inputs CSV.
=========================  ==========================================================================

A state with no UNHCR row for a year that UNHCR covers hosts nobody UNHCR counts: it gets 0 (recorded in the
provenance). Any other missing figure is an error naming the state, the column and the years that exist,
unless ``latest=True``, which takes the latest figure up to the year and records the year used.

An inputs CSV has a header row with ``iso3`` and any numeric columns (optionally ``name``, ``source`` or
``note`` text columns, which are ignored); its figures override the shipped ones for the states it lists.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

from asylon.data import facts
from asylon.engines.fairshare.model import FloatArray, StateTable
from asylon.errors import InvalidFile, InvalidInput, Problem, ProblemCollector

__all__ = [
    "SHIPPED_COLUMNS",
    "merge_tables",
    "parse_states",
    "read_inputs_csv",
    "table_from_facts",
]

SHIPPED_COLUMNS: tuple[str, ...] = (
    "population",
    "gdp_usd",
    "unemployment_pct",
    "refugees",
    "refugees_and_oip",
    "asylum_seekers",
    "refugees_per_million",
    "asylum_per_million",
)
TEXT_COLUMNS = frozenset({"name", "source", "note", "notes"})
ASYLUM_WINDOW = 5

_WB = {"population": "population", "gdp_usd": "gdp_usd", "unemployment_pct": "unemployment_pct"}


def parse_states(text: str | Iterable[str], *, store: facts.FactsStore | None = None) -> tuple[str, ...]:
    """Parse ``"DEU, fra,ITA"`` (or a list) into known ISO3 codes, every unknown code reported at once.

    >>> parse_states("deu, fra")
    ('DEU', 'FRA')
    """
    items = text.split(",") if isinstance(text, str) else list(text)
    codes: list[str] = []
    problems: list[Problem] = []
    for raw in items:
        code = raw.strip().upper()
        if not code:
            continue
        try:
            found = facts.country(code, store=store)
        except facts.UnknownCountry as exc:
            problems.extend(exc.problems)
            continue
        if found.iso3 in codes:
            problems.append(
                Problem(
                    f"{found.iso3} is listed twice",
                    field="states",
                    value=found.iso3,
                    fix="list each state once",
                )
            )
            continue
        codes.append(found.iso3)
    if problems:
        raise InvalidInput(problems)
    if not codes:
        raise InvalidInput(
            Problem("no states given", field="states", fix="list ISO3 codes such as DEU,FRA,ITA")
        )
    return tuple(codes)


def _hosted_total(store: facts.FactsStore, iso3: str, year: int, indicators: Sequence[str]) -> float | None:
    """Sum of UNHCR hosted indicators; 0 when UNHCR covers the year but has no row; None outside coverage."""
    values = [store.figure(iso3, i, year) for i in indicators]
    if any(v is not None for v in values):
        return float(sum(v.value for v in values if v is not None))
    if year in _unhcr_years(store):
        return 0.0
    return None


def _unhcr_years(store: facts.FactsStore) -> frozenset[int]:
    return store.indicator_years("hosted_refugees")


def table_from_facts(
    states: Sequence[str],
    year: int,
    columns: Sequence[str],
    *,
    latest: bool = False,
    store: facts.FactsStore | None = None,
) -> StateTable:
    """Figures for ``states`` and ``columns`` from the shipped data for ``year``.

    Every missing figure is reported in one :class:`~asylon.errors.InvalidInput`.

    >>> table = table_from_facts(["DEU", "FRA"], 2023, ["population"])
    >>> table.provenance["population"]["DEU"]
    'WB-WDI:SP.POP.TOTL 2023'
    """
    s = store if store is not None else facts.default_store()
    unknown = [c for c in columns if c not in SHIPPED_COLUMNS]
    if unknown:
        raise InvalidInput(
            [
                Problem(
                    f"column {c} is not in the shipped data",
                    field=c,
                    fix=f"supply it in an inputs CSV; shipped columns are {', '.join(SHIPPED_COLUMNS)}",
                )
                for c in unknown
            ]
        )
    codes = parse_states(states, store=s)
    values: dict[str, FloatArray] = {c: np.full(len(codes), np.nan) for c in columns}
    provenance: dict[str, dict[str, str]] = {c: {} for c in columns}
    problems: list[Problem] = []

    def wb(iso3: str, indicator: str, at: int) -> tuple[float, str] | None:
        figure = s.figure(iso3, indicator, at, latest=latest)
        if figure is None:
            return None
        return figure.value, f"{figure.source} {figure.year}"

    def missing(iso3: str, indicator: str, at: int) -> None:
        problems.extend(facts.MissingFigure(iso3, indicator, at, s.years(iso3, indicator)).problems)

    for i, iso3 in enumerate(codes):
        for column in columns:
            found: tuple[float, str] | None = None
            if column in _WB:
                found = wb(iso3, _WB[column], year)
                if found is None:
                    missing(iso3, _WB[column], year)
            elif column in ("refugees", "refugees_and_oip", "asylum_seekers", "refugees_per_million"):
                indicators = {
                    "refugees": ("hosted_refugees",),
                    "asylum_seekers": ("hosted_asylum_seekers",),
                }.get(column, ("hosted_refugees", "hosted_oip"))
                hosted = _hosted_total(s, iso3, year, indicators)
                if hosted is None:
                    missing(iso3, indicators[0], year)
                    continue
                found = (hosted, f"UNHCR-PSD {year}")
                if column == "refugees_per_million":
                    population = wb(iso3, "population", year)
                    if population is None or population[0] <= 0:
                        missing(iso3, "population", year)
                        continue
                    found = (hosted / population[0] * 1e6, f"UNHCR-PSD {year} / {population[1]}")
            elif column == "asylum_per_million":
                ratios: list[float] = []
                for past in range(year - ASYLUM_WINDOW, year):
                    hosted = _hosted_total(
                        s, iso3, past, ("hosted_refugees", "hosted_oip", "hosted_asylum_seekers")
                    )
                    population_figure = s.figure(iso3, "population", past)
                    if hosted is not None and population_figure is not None and population_figure.value > 0:
                        ratios.append(hosted / population_figure.value * 1e6)
                if not ratios:
                    problems.append(
                        Problem(
                            f"{iso3}: no UNHCR and population figures for {year - ASYLUM_WINDOW}-{year - 1}"
                            " to compute asylum_per_million",
                            field="asylum_per_million",
                            value=iso3,
                            fix="choose a year whose five previous years have data, or supply asylum_per_million"
                            " in an inputs CSV",
                        )
                    )
                    continue
                found = (
                    sum(ratios) / len(ratios),
                    f"UNHCR-PSD/WB-WDI mean of {len(ratios)} years {year - ASYLUM_WINDOW}-{year - 1}",
                )
            if found is not None:
                values[column][i] = found[0]
                provenance[column][iso3] = found[1]
    if problems:
        raise InvalidInput(problems)
    return StateTable(codes, values, provenance)


def read_inputs_csv(
    source: str | Path,
    *,
    text: str | None = None,
    store: facts.FactsStore | None = None,
) -> StateTable:
    """Read an inputs CSV (``iso3`` plus numeric columns); errors name the file, row and column.

    Pass ``text`` to parse content already in memory (``source`` then only names it in messages).

    >>> table = read_inputs_csv("mine.csv", text="iso3,population\\nDEU,1\\nFRA,2\\n")
    >>> table.values["population"].tolist(), table.provenance["population"]["FRA"]
    ([1.0, 2.0], 'mine.csv row 3')
    """
    name = str(source)
    if text is None:
        try:
            text = Path(source).read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise InvalidFile(name, Problem("file not found", fix="check the path")) from None
        except UnicodeDecodeError:
            raise InvalidFile(name, Problem("not UTF-8 text", fix="save the file as CSV UTF-8")) from None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or not any(h.strip() for h in header):
        raise InvalidFile(name, Problem("the file is empty", fix="add a header row such as iso3,population"))
    header = [h.strip() for h in header]
    key_column = next((i for i, h in enumerate(header) if h.lower() in ("iso3", "state", "iso_code")), None)
    if key_column is None:
        raise InvalidFile(
            name,
            Problem(
                f"no iso3 column in the header {','.join(header)}",
                row=1,
                fix="name the column holding ISO 3166 alpha-3 codes 'iso3'",
            ),
        )
    numeric = [i for i, h in enumerate(header) if i != key_column and h.lower() not in TEXT_COLUMNS]
    problems = ProblemCollector()
    seen_headers: set[str] = set()
    for i in numeric:
        if not header[i]:
            problems.add("a column has no name", row=1, fix="name every column or delete the empty one")
        elif header[i] in seen_headers:
            problems.add(f"column {header[i]} appears twice", row=1, field=header[i], fix="keep one")
        seen_headers.add(header[i])
    states: list[str] = []
    rows: list[tuple[int, list[float]]] = []
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.add(
                f"has {len(row)} fields but the header has {len(header)}",
                row=number,
                fix="check for a missing or extra comma (quote values that contain commas)",
            )
            continue
        code = row[key_column].strip().upper()
        try:
            code = facts.country(code, store=store).iso3
        except facts.UnknownCountry as exc:
            problems.add(
                exc.problems[0].message,
                row=number,
                field=header[key_column],
                value=code,
                fix=exc.problems[0].fix,
            )
            continue
        if code in states:
            problems.add(
                f"{code} appears twice", row=number, field=header[key_column], fix="keep one row per state"
            )
            continue
        parsed: list[float] = []
        for i in numeric:
            cell = row[i].strip().replace("\u00a0", "")
            if cell == "":
                parsed.append(math.nan)
                continue
            try:
                value = float(cell)
            except ValueError:
                problems.add(
                    f"{cell!r} is not a number",
                    row=number,
                    field=header[i],
                    value=cell,
                    fix="write plain numbers with a dot for decimals (e.g. 83797985 or 5.7), or leave the cell empty",
                )
                parsed.append(math.nan)
                continue
            if not math.isfinite(value) or value < 0:
                problems.add(
                    f"{cell!r} must be a finite number, 0 or more",
                    row=number,
                    field=header[i],
                    value=cell,
                    fix="correct the figure",
                )
            parsed.append(value)
        states.append(code)
        rows.append((number, parsed))
    if not rows and not problems:
        problems.add("the file has a header but no data rows", row=2, fix="add one row per state")
    problems.raise_if_any(name)
    values = {header[i]: np.array([r[1][k] for r in rows], dtype=np.float64) for k, i in enumerate(numeric)}
    provenance = {
        header[i]: {
            s: f"{name} row {r[0]}" for s, r in zip(states, rows, strict=True) if math.isfinite(r[1][k])
        }
        for k, i in enumerate(numeric)
    }
    return StateTable(tuple(states), values, provenance)


def merge_tables(base: StateTable, override: StateTable) -> StateTable:
    """``base`` with every finite figure of ``override`` (same states) laid over it; extra columns added.

    >>> a = StateTable(("DEU",), {"population": np.array([1.0])})
    >>> b = StateTable(("DEU",), {"population": np.array([2.0]), "x": np.array([3.0])})
    >>> {k: v.tolist() for k, v in merge_tables(a, b).values.items()}
    {'population': [2.0], 'x': [3.0]}
    """
    index = {s: i for i, s in enumerate(base.states)}
    values = {c: v.copy() for c, v in base.values.items()}
    provenance: dict[str, dict[str, str]] = {c: dict(p) for c, p in base.provenance.items()}
    for column, column_values in override.values.items():
        target = values.setdefault(column, np.full(len(base.states), np.nan))
        marks = provenance.setdefault(column, {})
        for state, value in zip(override.states, column_values, strict=True):
            if state in index and math.isfinite(value):
                target[index[state]] = value
                source = override.provenance.get(column, {}).get(state)
                if source:
                    marks[state] = source
    return StateTable(base.states, values, provenance)


def subset(
    table: StateTable, states: Sequence[str], columns: Mapping[str, object] | Sequence[str]
) -> StateTable:
    """The rows of ``states`` (in that order) and the given columns; a state not in the table is an error."""
    index = {s: i for i, s in enumerate(table.states)}
    absent = [s for s in states if s not in index]
    if absent:
        raise InvalidInput(
            [
                Problem(
                    f"{s} is not in the inputs",
                    field="iso3",
                    value=s,
                    fix=f"add a row for {s} or drop it from the states",
                )
                for s in absent
            ]
        )
    order = [index[s] for s in states]
    return StateTable(
        tuple(states),
        {c: table.values[c][order] for c in columns if c in table.values},
        {c: dict(table.provenance.get(c, {})) for c in columns},
    )
