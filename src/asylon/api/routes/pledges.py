"""Pledges and their lifecycle, appeals and requirements, funding coverage, and flows in and out.

A pledge is named by its own reference in the query or the body rather than in the path: references come from
outside systems (GRF, FTS) and are kept whole that way. Every organisation reads; who changes what is decided
in :mod:`asylon.services.pledges`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, Request, UploadFile, status
from fastapi.responses import Response

from asylon.api.deps import CurrentActor, ReadSession, WriteSession
from asylon.api.routes.interchange import _read_limited
from asylon.engines.fairshare.pledges import PledgeStatus, PledgeType
from asylon.schemas.pledges import (
    AppealCreate,
    AppealEventPublic,
    AppealPublic,
    CoveragePublic,
    PledgeChange,
    PledgeCreate,
    PledgeEventPublic,
    PledgeImportReport,
    PledgePublic,
    RequirementSet,
)
from asylon.services import funding, pledges

router = APIRouter(tags=["pledges"])
Code = Annotated[str, Query(min_length=1, max_length=64)]
MEDIA = {"csv": "text/csv", "hxl": "text/csv", "fts": "application/json"}


@router.get("/pledges")
def list_pledges(
    session: ReadSession,
    actor: CurrentActor,
    reference: Code | None = None,
    situation: Code | None = None,
    type: PledgeType | None = None,
    status: PledgeStatus | None = None,
    organisation: Code | None = None,
    country: Annotated[str | None, Query(min_length=3, max_length=3)] = None,
    year: Annotated[int | None, Query(ge=1951, le=2100)] = None,
) -> list[PledgePublic]:
    if reference is not None:
        return [pledges.pledge_public(pledges.get_pledge(session, actor=actor, reference=reference))]
    views = pledges.list_pledges(session, actor=actor, situation=situation, type=type, status=status,
                                 organisation=organisation, country=country, year=year)
    return [pledges.pledge_public(v) for v in views]


@router.post("/pledges", status_code=status.HTTP_201_CREATED)
def create_pledge(data: PledgeCreate, session: WriteSession, actor: CurrentActor) -> PledgePublic:
    view = pledges.create_pledge(session, actor=actor, data=data)
    session.commit()
    return pledges.pledge_public(view, viewer=actor)


@router.get("/pledges/events")
def pledge_history(session: ReadSession, actor: CurrentActor, reference: Code) -> list[PledgeEventPublic]:
    view = pledges.get_pledge(session, actor=actor, reference=reference)
    return [pledges.event_public(e, actor) for e in view.row.events]


@router.post("/pledges/events", status_code=status.HTTP_201_CREATED)
def change_pledge(data: PledgeChange, session: WriteSession, actor: CurrentActor) -> PledgePublic:
    """Record a change: commit, pay (or deliver), adjust (with a reason), progress, cancel or close. A change the
    lifecycle does not allow answers 409 with the rule's name in ``rule``."""
    view = pledges.change_pledge(session, actor=actor, data=data)
    session.commit()
    return pledges.pledge_public(view, viewer=actor)


@router.get("/appeals")
def list_appeals(
    session: ReadSession,
    actor: CurrentActor,
    situation: Code | None = None,
    year: Annotated[int | None, Query(ge=1951, le=2100)] = None,
) -> list[AppealPublic]:
    return [funding.appeal_public(a) for a in funding.list_appeals(session, actor=actor, situation=situation, year=year)]


@router.post("/appeals", status_code=status.HTTP_201_CREATED)
def create_appeal(data: AppealCreate, session: WriteSession, actor: CurrentActor) -> AppealPublic:
    appeal = funding.create_appeal(session, actor=actor, data=data)
    session.commit()
    return funding.appeal_public(funding.get_appeal(session, actor=actor, code=appeal.code))


@router.get("/appeals/events")
def appeal_history(session: ReadSession, actor: CurrentActor, code: Code) -> list[AppealEventPublic]:
    """Every change to an appeal: its creation and each requirement set, with the amounts before and after."""
    return [funding.appeal_event_public(e) for e in funding.appeal_events(session, actor=actor, code=code)]


@router.post("/appeals/requirements")
def set_requirement(data: RequirementSet, session: WriteSession, actor: CurrentActor) -> AppealPublic:
    appeal = funding.set_requirement(session, actor=actor, data=data)
    session.commit()
    return funding.appeal_public(funding.get_appeal(session, actor=actor, code=appeal.code))


@router.get("/funding/coverage")
def funding_coverage(
    session: ReadSession,
    actor: CurrentActor,
    situation: Code | None = None,
    appeal: Code | None = None,
) -> list[CoveragePublic]:
    """Required, pledged, committed, paid, funded and the gap per situation and sector (USD), then one total row
    per situation (``sector`` empty). Funding = committed + paid, as OCHA FTS counts it."""
    rows = funding.funding_coverage(session, actor=actor, situation=situation, appeal=appeal)
    return [funding.coverage_public(r) for r in rows]


@router.get("/exports/pledges", response_class=Response,
            responses={200: {"content": {"text/csv": {}, "application/json": {}}}})
def export_pledges(
    session: ReadSession,
    actor: CurrentActor,
    format: Literal["csv", "hxl", "fts"] = "csv",
    situation: Code | None = None,
) -> Response:
    """Financial pledges as funding flows: CSV, HXL-tagged CSV, or FTS-style JSON."""
    text = funding.export_flows(session, actor=actor, format=format, situation=situation)
    name = "flows.json" if format == "fts" else "flows.csv"
    return Response(text, media_type=MEDIA[format], headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.post("/imports/pledges")
async def import_pledges(
    request: Request,
    session: WriteSession,
    actor: CurrentActor,
    file: Annotated[UploadFile, File(description="Flows as CSV, HXL-tagged CSV or FTS-style JSON")],
    format: Annotated[Literal["csv", "hxl", "fts"] | None, Query(description="Detected when omitted")] = None,
) -> PledgeImportReport:
    """Import flows into pledges, idempotent by reference: importing the same file twice changes nothing."""
    content = await _read_limited(request, file)
    result = funding.import_flows(session, actor=actor, content=content, filename=file.filename or "upload", fmt=format)
    session.commit()
    return PledgeImportReport.model_validate(result, from_attributes=True)
