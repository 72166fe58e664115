"""Fair shares of a common effort under a published key, and fair share versus effort.

Keys are presets only here (``ec-2015-relocation``, ``eu-agenda-2015``, ``dublin-2016``, ``pact-2024``);
figures come from the shipped country data, each with its source and year.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from asylon.api.deps import CurrentActor, ReadSession
from asylon.data import facts
from asylon.engines.fairshare import PRESETS
from asylon.engines.fairshare.effort import MEASURES
from asylon.schemas.pledges import EffortPublic, FairSharePublic, FairShareRow, SourcePublic
from asylon.services import fairshare

router = APIRouter(prefix="/fairshare", tags=["fairshare"])
Key = Annotated[str, Query(max_length=64, description=f"A preset: {', '.join(PRESETS)}")]
States = Annotated[str, Query(max_length=2000, description="ISO3 codes, comma-separated, or 'all'")]
Year = Annotated[int | None, Query(ge=1951, le=2100, description="Year of the shipped figures")]


def _sources(provenance: list[str]) -> list[SourcePublic]:
    return [SourcePublic(code=s.source, publisher=s.publisher, title=s.title, licence=s.licence)
            for s in fairshare.sources_of(provenance)]


@router.get("")
def fair_share(
    actor: CurrentActor,
    key: Key,
    total: Annotated[int, Query(ge=0, le=1_000_000_000, description="Persons (or euros) to share")],
    states: States,
    year: Year = None,
    method: Literal["hamilton", "dhondt", "sainte-lague", "independent"] = "hamilton",
    latest: Annotated[bool, Query(description="Use the latest figure up to the year when one is missing")] = False,
    cap_reading: Literal["mean", "sum"] | None = None,
) -> FairSharePublic:
    """Each state's key share, its exact quota and whole persons allocated, with every figure's source."""
    result = fairshare.allocation(key=key, total=total, states=states, year=year, method=method, latest=latest,
                                  cap_reading=cap_reading)
    names = {c.iso3: c.name for c in facts.countries(states_only=False)}
    columns = result.spec.columns
    rows = []
    for i, state in enumerate(result.key.states):
        j = result.table.states.index(state)
        rows.append(FairShareRow(
            state=state, name=names.get(state, ""), share=float(result.key.shares[i]),
            quota=float(result.allocation.quotas[i]), allocated=int(result.allocation.seats[i]),
            figures={c: float(result.table.values[c][j]) for c in columns},
            sources={c: result.table.provenance.get(c, {}).get(state, "") for c in columns},
        ))
    provenance = sorted({p for column in result.table.provenance.values() for p in column.values()})
    return FairSharePublic(
        key=result.spec.name, title=PRESETS[key].title, method=result.allocation.method,
        total=result.allocation.total, allocated=result.allocation.allocated, year=result.year,
        removed_by_caps=result.key.removed_by_caps, shares=result.key.as_dict(),
        allocation=result.allocation.as_dict(), rows=rows, sources=_sources(provenance),
    )


@router.get("/effort")
def fair_share_vs_effort(
    session: ReadSession,
    actor: CurrentActor,
    key: Key,
    states: States,
    year: Annotated[int, Query(ge=1951, le=2100)],
    latest: bool = False,
) -> EffortPublic:
    """Per state: key share, refugees hosted (per 1,000 inhabitants, per USD of GDP), resettlement places and
    money pledged and delivered (from pledges on the platform), and effort share / key share per measure."""
    rows, provenance = fairshare.effort(session, actor=actor, key=key, states=states, year=year, latest=latest)
    return EffortPublic(key=key, year=year, measures=list(MEASURES), rows=[r.as_dict() for r in rows],
                        sources=_sources(provenance))
