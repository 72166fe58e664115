"""One fair-share calculation end to end: choose a key, gather its figures, compute shares, apportion persons.

This is the function the CLI, the API and the placement engine call (quotas for a placement exercise are
``FairShare.allocation.as_dict()``).

    >>> result = fair_share("dublin-2016", total=1000, states=["DEU", "FRA", "ITA"], year=2023)
    >>> sum(result.allocation.as_dict().values())
    1000
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from asylon.data import facts
from asylon.engines.fairshare.apportion import apportion
from asylon.engines.fairshare.inputs import (
    SHIPPED_COLUMNS,
    merge_tables,
    parse_states,
    subset,
    table_from_facts,
)
from asylon.engines.fairshare.key import compute_key
from asylon.engines.fairshare.keyfile import read_key_file
from asylon.engines.fairshare.model import METHODS, Allocation, KeyResult, KeySpec, Method, StateTable
from asylon.engines.fairshare.presets import PRESETS, preset
from asylon.errors import InvalidInput, Problem

__all__ = ["FairShare", "allocate", "build_table", "fair_share", "resolve_key", "states_with_data"]


@dataclass(frozen=True, slots=True)
class FairShare:
    """A key's shares, the whole-person allocation, and the figures (with provenance) they came from."""

    spec: KeySpec
    table: StateTable
    key: KeyResult
    allocation: Allocation
    year: int | None

    def rows(self) -> list[dict[str, object]]:
        """One row per state: share, quota, allocated, and each input figure with its source."""
        rows = []
        for state_row in self.allocation.rows():
            state = str(state_row["state"])
            i = self.table.states.index(state)
            row: dict[str, object] = dict(state_row)
            for column in self.spec.columns:
                row[column] = float(self.table.values[column][i])
                row[f"{column}_source"] = self.table.provenance.get(column, {}).get(state, "")
            rows.append(row)
        return rows


def resolve_key(key: str | KeySpec) -> KeySpec:
    """A spec from a preset name, a JSON key file path, or a spec (returned as is).

    >>> resolve_key("pact-2024").name
    'pact-2024'
    """
    if isinstance(key, KeySpec):
        return key
    if key in PRESETS:
        return PRESETS[key].spec
    if key.endswith(".json") or Path(key).exists():
        return read_key_file(key)
    return preset(key).spec  # raises, listing the presets


def build_table(
    spec: KeySpec,
    *,
    states: Sequence[str] | None = None,
    year: int | None = None,
    inputs: StateTable | None = None,
    latest: bool = False,
    store: facts.FactsStore | None = None,
) -> StateTable:
    """The figures ``spec`` needs: from ``inputs`` where given, the rest from the shipped data for ``year``."""
    if states is None:
        if inputs is None:
            raise InvalidInput(
                Problem(
                    "no states given",
                    field="states",
                    fix="list ISO3 codes (DEU,FRA,...) or give an inputs CSV",
                )
            )
        codes = inputs.states
    else:
        codes = parse_states(states, store=store)
    given = inputs.provenance if inputs is not None else {}
    # Each (state, column) figure comes from the inputs when they have it, else from the shipped data.
    wanted: dict[str, list[str]] = {}
    for column in spec.columns:
        lacking = [s for s in codes if s not in given.get(column, {})]
        if lacking:
            wanted[column] = lacking
    not_shipped = [c for c in wanted if c not in SHIPPED_COLUMNS]
    if not_shipped:
        raise InvalidInput(
            [
                Problem(
                    f"{', '.join(wanted[c][:5])}: no {c} figure in the inputs, and {c} is not in the shipped data",
                    field=c,
                    value=wanted[c][0],
                    fix=f"add a {c} column with a figure for every state to the inputs CSV",
                )
                for c in not_shipped
            ]
        )
    table = StateTable(codes, {}, {})
    if wanted:
        if year is None:
            raise InvalidInput(
                Problem(
                    f"the key needs {', '.join(wanted)} from the shipped data, so a year is needed",
                    field="year",
                    fix="give a year, e.g. --year 2023",
                )
            )
        problems: list[Problem] = []
        for column, lacking in wanted.items():
            try:
                table = merge_tables(
                    table, table_from_facts(lacking, year, [column], latest=latest, store=store)
                )
            except InvalidInput as exc:
                problems.extend(exc.problems)
        if problems:
            raise InvalidInput(problems)
    if inputs is not None:
        table = merge_tables(table, inputs)
    return subset(table, codes, spec.columns)


def states_with_data(
    spec: KeySpec, year: int, *, latest: bool = False, store: facts.FactsStore | None = None
) -> tuple[str, ...]:
    """Every state (no aggregates) whose shipped figures cover all of ``spec``'s columns for ``year``.

    >>> len(states_with_data(resolve_key("dublin-2016"), 2023)) > 180
    True
    """
    shipped = [c for c in spec.columns if c in SHIPPED_COLUMNS]
    found: list[str] = []
    for country in facts.countries(store=store):
        try:
            table_from_facts([country.iso3], year, shipped, latest=latest, store=store)
        except InvalidInput:
            continue
        found.append(country.iso3)
    return tuple(found)


def allocate(
    spec: KeySpec, table: StateTable, total: int, method: Method = "hamilton"
) -> tuple[KeyResult, Allocation]:
    """Compute the key over ``table`` and apportion ``total`` whole persons by ``method``."""
    if method not in METHODS:
        raise InvalidInput(
            Problem(
                f"unknown method {method!r}",
                field="method",
                value=str(method),
                fix=f"use one of {', '.join(METHODS)}",
            )
        )
    key = compute_key(spec, table)
    seats = apportion(key.shares, total, method)
    quotas = key.shares * total
    return key, Allocation(spec.name, method, total, key.states, key.shares, quotas, seats)


def fair_share(
    key: str | KeySpec,
    *,
    total: int,
    states: Sequence[str] | None = None,
    year: int | None = None,
    inputs: StateTable | None = None,
    method: Method = "hamilton",
    latest: bool = False,
    store: facts.FactsStore | None = None,
) -> FairShare:
    """Fair shares and whole-person quotas of ``total`` for ``states`` under ``key`` (preset, file or spec)."""
    spec = resolve_key(key)
    table = build_table(spec, states=states, year=year, inputs=inputs, latest=latest, store=store)
    result, allocation = allocate(spec, table, total, method)
    return FairShare(spec, table, result, allocation, year)
