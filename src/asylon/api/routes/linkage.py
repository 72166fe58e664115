"""Record linkage on stored persons: runs, the review queue, merged persons.

A run deduplicates your organisation's persons (``kind=dedupe``) or links them with another organisation's
(``kind=link``, under an active agreement for ``deduplication`` that binds both). It is checked when
started (a refusal is a problem+json answer: 403 naming the missing agreement, 422 naming each column the
preset needs that the agreement does not share and how to map one) and then runs after the answer
(202; poll ``GET /linkage/runs/{run_id}`` until ``status`` is ``done`` or ``failed``). Its candidate pairs
wait in ``GET /linkage/pairs``, each comparison with its match weight; ``POST /linkage/pairs/decisions``
accepts (merges the two persons) or rejects one. ``POST /linkage/unmerges`` splits records out again.

These routes read another organisation's records for deduplication only, whatever purpose the request
declares: that is what linkage is for. Each such read is in the person's access report (channel ``linkage``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query, Request, status

from asylon.api.deps import CurrentActor, ReadSession, RecordId, WriteSession
from asylon.schemas.linkage import (
    LinkagePairPublic,
    LinkageRunCreate,
    LinkageRunPublic,
    MergedPersonPublic,
    PairDecision,
    PairStatus,
    Unmerge,
)
from asylon.schemas.pages import PagePublic
from asylon.services import linkage

router = APIRouter(prefix="/linkage", tags=["linkage"])


@router.post("/runs", status_code=status.HTTP_202_ACCEPTED)
def start_run(data: LinkageRunCreate, request: Request, background: BackgroundTasks, session: WriteSession,
              actor: CurrentActor) -> LinkageRunPublic:
    """Start a run; it is queued and runs after this answer. Poll ``GET /linkage/runs/{run_id}``."""
    run = linkage.start_run(session, actor=actor, data=data)
    session.commit()
    public = linkage.get_run(session, actor=actor, run_id=run.id)
    session.close()  # the run writes from another thread; this session must not hold the database meanwhile
    background.add_task(linkage.execute_run, request.app.state.engine, run.id)
    return public


@router.get("/runs")
def list_runs(session: ReadSession, actor: CurrentActor,
              limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[LinkageRunPublic]:
    """Your organisation's runs, newest first: who started each, its parameters, counts, status and model."""
    return linkage.list_runs(session, actor=actor, limit=limit)


@router.get("/runs/{run_id}")
def get_run(run_id: RecordId, session: ReadSession, actor: CurrentActor) -> LinkageRunPublic:
    return linkage.get_run(session, actor=actor, run_id=run_id)


@router.get("/pairs")
def list_pairs(
    session: ReadSession,
    actor: CurrentActor,
    run_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    status: Annotated[PairStatus | None, Query(description="pending (the review queue) by default")] =
    PairStatus.PENDING,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> PagePublic[LinkagePairPublic]:
    """Candidate pairs, most likely matches first, each side as you may see it now and every comparison's
    level and match weight (the prior weight plus the comparison weights make the pair's match weight)."""
    page = linkage.list_pairs(session, actor=actor, run_id=run_id, status=status, limit=limit, offset=offset)
    return PagePublic[LinkagePairPublic](items=page.items, total=page.total, limit=page.limit, offset=page.offset)


@router.post("/pairs/decisions")
def decide_pair(data: PairDecision, session: WriteSession, actor: CurrentActor) -> LinkagePairPublic:
    """Accept (the two persons become one merged person) or reject a pending pair, saying why."""
    pair = linkage.decide_pair(session, actor=actor, data=data)
    session.commit()
    return linkage.get_pair(session, actor=actor, pair_id=pair.id)


@router.get("/merges")
def list_merges(
    session: ReadSession,
    actor: CurrentActor,
    status: Annotated[str | None, Query(pattern="^(active|split|absorbed)$")] = "active",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[MergedPersonPublic]:
    """Merged persons: their members, the merged view of each field, every value held, and the history."""
    return linkage.list_merged(session, actor=actor, status=status, limit=limit, offset=offset)


@router.post("/unmerges")
def unmerge(data: Unmerge, session: WriteSession, actor: CurrentActor) -> list[MergedPersonPublic]:
    """Split members out of a merged person; no stored value was ever changed, so each record is as registered."""
    groups = linkage.unmerge(session, actor=actor, data=data)
    session.commit()
    return [linkage.get_merged(session, actor=actor, merged_person_id=g.id) for g in groups]
