"""Fair shares, quotas and fair share versus effort, for the API, the CLI and placement exercises.

Wraps the pure engine (:mod:`asylon.engines.fairshare`) with the platform's data: country figures from the
shipped facts (:mod:`asylon.data.facts`, source and year on every figure) and resettlement places and money
from the pledges stored on the platform.

Over the API a key is a preset name only: the engine also reads key files by path, which a remote caller
must never be able to point at the server's disk.

Effort from pledges counts what is recorded here, per state (``pledges.country``) and year
(``pledges.year``): resettlement places pledged and delivered (``resettlement_places`` pledges: pledged and
fulfilled amounts), money pledged and paid in USD (``financial`` pledges, at their USD rate). A cancelled
pledge counts only what was delivered. When no pledge of a kind is recorded for the year at all, that
measure is unknown (``None``) for every state rather than 0, so the platform never claims nobody pledged
merely because nothing was entered; when some are, a state without any counts 0.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal

from sqlalchemy.orm import Session

from asylon.data import facts
from asylon.engines.fairshare import (
    METHODS,
    PRESETS,
    EffortRecord,
    EffortRow,
    FairShare,
    KeySpec,
    build_table,
    compare,
    compute_key,
    fair_share,
    records_from_facts,
    states_with_data,
)
from asylon.engines.fairshare.effort import MEASURES
from asylon.engines.fairshare.key import validate_spec
from asylon.engines.fairshare.model import Criterion
from asylon.engines.fairshare.presets import ec_2015_relocation
from asylon.errors import InvalidInput, Problem
from asylon.services.actors import Actor
from asylon.services.pledges import list_pledges

__all__ = ["CUSTOM_CRITERIA", "MEASURES", "allocation", "custom_key", "effort", "key_spec", "pledged_effort", "quotas",
           "sources_of"]

# The criteria a person may weight in a key of their own (the web page's "custom" key): the Commission's four,
# entering the same way (unemployment and past asylum effort inversely), without caps.
CUSTOM_CRITERIA: dict[str, Criterion] = {
    "population": Criterion("population", 0.0, label="population"),
    "gdp_usd": Criterion("gdp_usd", 0.0, label="total GDP"),
    "unemployment_pct": Criterion("unemployment_pct", 0.0, invert=True, label="unemployment rate"),
    "asylum_per_million": Criterion("asylum_per_million", 0.0, invert=True, invert_floor=1.0,
                                    label="past asylum effort"),
}


def key_spec(key: str, *, cap_reading: str | None = None) -> KeySpec:
    """The spec of a preset, by name; the 2015 relocation key may take the other cap reading."""
    if key not in PRESETS:
        raise InvalidInput(
            Problem(f"unknown key preset '{key}'", field="key", value=key, fix=f"use one of {', '.join(PRESETS)}")
        )
    if cap_reading is None:
        return PRESETS[key].spec
    if cap_reading != "mean" and cap_reading != "sum":
        raise InvalidInput(Problem(f"unknown cap reading '{cap_reading}'", field="cap_reading", fix="mean or sum"))
    if key != "ec-2015-relocation":
        raise InvalidInput(
            Problem("cap_reading applies to ec-2015-relocation only", field="cap_reading", fix="leave it out")
        )
    return ec_2015_relocation(cap_reading="mean" if cap_reading == "mean" else "sum")


def custom_key(weights: Mapping[str, float]) -> KeySpec:
    """A key of :data:`CUSTOM_CRITERIA` with the caller's weights; a criterion weighted 0 is left out. Weights
    that are negative or do not sum to 1 are refused, naming them (``weights`` / ``weights.<column>``).

    >>> [c.column for c in custom_key({"population": 0.5, "gdp_usd": 0.5, "unemployment_pct": 0}).criteria]
    ['population', 'gdp_usd']
    """
    unknown = [c for c in weights if c not in CUSTOM_CRITERIA]
    if unknown:
        raise InvalidInput(Problem(f"unknown criterion '{unknown[0]}'", field="weights", value=unknown[0],
                                   fix=f"weight only {', '.join(CUSTOM_CRITERIA)}"))
    spec = KeySpec("custom", tuple(replace(CUSTOM_CRITERIA[c], weight=w) for c, w in weights.items() if w != 0))
    validate_spec(spec)
    return spec


def _spec(key: str | KeySpec, cap_reading: str | None = None) -> KeySpec:
    return key if isinstance(key, KeySpec) else key_spec(key, cap_reading=cap_reading)


def _states(spec: KeySpec, states: Sequence[str] | str, year: int | None, latest: bool) -> list[str]:
    if isinstance(states, str):
        if states.strip().lower() == "all":
            if year is None:
                raise InvalidInput(Problem("states=all needs a year", field="year", fix="give a year, e.g. 2023"))
            return list(states_with_data(spec, year, latest=latest))
        states = [s for s in states.split(",") if s.strip()]
    if not states:
        raise InvalidInput(Problem("no states given", field="states", fix="list ISO3 codes: DEU,FRA,ITA, or 'all'"))
    return [s.strip() for s in states]


def allocation(
    *,
    key: str | KeySpec,
    total: int,
    states: Sequence[str] | str,
    year: int | None = None,
    method: str = "hamilton",
    latest: bool = False,
    cap_reading: str | None = None,
) -> FairShare:
    """Key shares and whole-person allocation of ``total`` under a preset (or a spec such as :func:`custom_key`),
    from the shipped country figures.

    >>> allocation(key="dublin-2016", total=100, states="DEU,FRA", year=2023).allocation.as_dict()
    {'DEU': 57, 'FRA': 43}
    """
    if method not in METHODS:
        raise InvalidInput(
            Problem(f"unknown method '{method}'", field="method", value=method, fix=f"use one of {', '.join(METHODS)}")
        )
    if total < 0:
        raise InvalidInput(Problem(f"total is {total}", field="total", fix="give a total of 0 or more persons"))
    spec = _spec(key, cap_reading)
    chosen = _states(spec, states, year, latest)
    return fair_share(spec, total=total, states=chosen, year=year, method=method, latest=latest)


def quotas(
    *,
    key: str,
    total: int,
    states: Sequence[str] | str,
    year: int | None = None,
    method: str = "hamilton",
    latest: bool = False,
) -> dict[str, int]:
    """Country quotas for a placement exercise: ``{ISO3: persons}`` under a preset.

    >>> sum(quotas(key="pact-2024", total=30_000, states="DEU,FRA,ITA", year=2023).values())
    30000
    """
    return allocation(key=key, total=total, states=states, year=year, method=method, latest=latest).allocation.as_dict()


def sources_of(provenance: Sequence[str]) -> list[facts.Source]:
    """The documented sources behind provenance strings such as ``'WB-WDI:SP.POP.TOTL 2023'``."""
    known = facts.sources()
    found: dict[str, facts.Source] = {}
    for text in provenance:
        for code in text.split()[0].split("/"):
            for candidate in (code, code.split(":")[0]):
                if candidate in known:
                    found[candidate] = known[candidate]
    return [found[c] for c in sorted(found)]


def pledged_effort(session: Session, *, actor: Actor, states: Sequence[str], year: int) -> list[EffortRecord]:
    """Resettlement places and money per state for ``year``, from stored pledges (see the module docstring)."""
    views = list_pledges(session, actor=actor, year=year)
    wanted = {s.upper() for s in states}
    sums: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    recorded: set[str] = set()
    for view in views:
        row, state = view.row, view.state
        pledged = state.paid if state.status == "cancelled" else state.pledged
        if row.type == "resettlement_places":
            measures = {"resettlement_pledged": pledged, "resettlement_delivered": state.paid}
        elif row.type == "financial" and row.usd_rate is not None:
            measures = {"money_pledged_usd": pledged * row.usd_rate, "money_paid_usd": state.paid * row.usd_rate}
        else:
            continue
        recorded.update(measures)
        if row.country in wanted:
            for measure, value in measures.items():
                sums[row.country][measure] += value
    if not recorded:
        return []
    records = []
    for state_code in sorted(wanted):
        values = {m: float(sums[state_code][m]) if m in recorded else None for m in MEASURES if m != "refugees_hosted"}
        records.append(EffortRecord(state_code, year, **values, sources=dict.fromkeys(recorded, "asylon pledges")))
    return records


def effort(
    session: Session,
    *,
    actor: Actor,
    key: str | KeySpec,
    states: Sequence[str] | str,
    year: int,
    latest: bool = False,
) -> tuple[list[EffortRow], list[str]]:
    """Fair share vs effort per state for ``year``: the key's shares against refugees hosted (shipped UNHCR
    figures) and resettlement places and money (stored pledges). Returns the rows and their provenance."""
    spec = _spec(key)
    chosen = _states(spec, states, year, latest)
    table = build_table(spec, states=chosen, year=year, latest=latest)
    shares = compute_key(spec, table).as_dict()
    extra = pledged_effort(session, actor=actor, states=list(shares), year=year)
    records = records_from_facts(list(shares), year, latest=latest, extra=extra)
    provenance = sorted(
        {p for column in table.provenance.values() for p in column.values()}
        | {s for r in records for s in r.sources.values()}
    )
    return compare(shares, records), provenance

