"""Cases, their members, status and pathway moves, and their history."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from sqlalchemy.orm import Session

from asylon.api.deps import CurrentActor, Reading, ReadSession, RecordId, WriteSession
from asylon.api.responses import ModelResponse
from asylon.domain.needs import SpecificNeed
from asylon.domain.pathways import PathwayKind
from asylon.domain.status import LegalStatus
from asylon.schemas.cases import (
    CaseCreate,
    CaseEventPublic,
    CasePublic,
    CaseUpdate,
    Erasure,
    FamilyUnityDecision,
    PathwayChange,
    PersonCreate,
    PersonUpdate,
    StatusChange,
    VoluntarinessDeclaration,
)
from asylon.schemas.pages import PagePublic
from asylon.services import caseviews, pathways, registry
from asylon.services.actors import Actor
from asylon.services.caseviews import CaseFilters

router = APIRouter(prefix="/cases", tags=["cases"])
PersonRef = Annotated[str, Query(max_length=64)]


def _limit(request: Request, limit: int) -> int:
    maximum: int = request.app.state.settings.page_size_max
    return min(limit, maximum)


@router.get("", response_model=PagePublic[CasePublic])
async def list_cases(
    request: Request,
    reader: Reading,
    q: Annotated[str | None, Query(max_length=200, description="Case number, or words of a name in any form")] = None,
    legal_status: LegalStatus | None = None,
    pathway: PathwayKind | None = None,
    pathway_state: Annotated[str | None, Query(max_length=32)] = None,
    country_of_asylum: Annotated[str | None, Query(min_length=3, max_length=3)] = None,
    origin_country: Annotated[str | None, Query(min_length=3, max_length=3)] = None,
    need: SpecificNeed | None = None,
    situation: Annotated[str | None, Query(max_length=64)] = None,
    updated_since: dt.datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    filters = CaseFilters(q, legal_status, pathway, pathway_state, country_of_asylum, origin_country, need,
                          situation, updated_since)
    limit = _limit(request, limit)

    def answer(session: Session, actor: Actor) -> Response:
        page = caseviews.list_cases(session, actor=actor, filters=filters, limit=limit, offset=offset)
        return ModelResponse(PagePublic[CasePublic](items=page.items, total=page.total, limit=limit, offset=offset))

    return await reader.run(answer)


@router.post("", status_code=status.HTTP_201_CREATED)
def register_case(data: CaseCreate, session: WriteSession, actor: CurrentActor) -> CasePublic:
    case = registry.register_case(session, actor=actor, data=data)
    session.commit()
    return caseviews.get_case(session, actor=actor, case_id=case.id)


@router.get("/{case_id}", response_model=CasePublic)
async def get_case(case_id: RecordId, reader: Reading) -> Response:
    return await reader.run(lambda session, actor: ModelResponse(caseviews.get_case(session, actor=actor,
                                                                                    case_id=case_id)))


@router.patch("/{case_id}")
def update_case(case_id: RecordId, data: CaseUpdate, session: WriteSession, actor: CurrentActor) -> CasePublic:
    registry.update_case(session, actor=actor, case_id=case_id, data=data)
    session.commit()
    return caseviews.get_case(session, actor=actor, case_id=case_id)


@router.get("/{case_id}/events")
def case_events(case_id: RecordId, session: ReadSession, actor: CurrentActor) -> list[CaseEventPublic]:
    return caseviews.case_history(session, actor=actor, case_id=case_id)


@router.post("/{case_id}/persons", status_code=status.HTTP_201_CREATED)
def add_person(case_id: RecordId, data: PersonCreate, session: WriteSession, actor: CurrentActor) -> CasePublic:
    registry.add_person(session, actor=actor, case_id=case_id, data=data)
    session.commit()
    return caseviews.get_case(session, actor=actor, case_id=case_id)


@router.patch("/{case_id}/persons/{person_ref}")
def correct_person(
    case_id: RecordId, person_ref: str, data: PersonUpdate, session: WriteSession, actor: CurrentActor
) -> CasePublic:
    registry.correct_person(session, actor=actor, case_id=case_id, person_ref=person_ref, data=data)
    session.commit()
    return caseviews.get_case(session, actor=actor, case_id=case_id)


@router.post("/{case_id}/persons/{person_ref}/erasure")
def erase_person(case_id: RecordId, person_ref: str, data: Erasure, session: WriteSession, actor: CurrentActor) -> CasePublic:
    registry.erase_person(session, actor=actor, case_id=case_id, person_ref=person_ref, data=data)
    session.commit()
    return caseviews.get_case(session, actor=actor, case_id=case_id)


@router.post("/{case_id}/status")
def change_status(case_id: RecordId, data: StatusChange, session: WriteSession, actor: CurrentActor) -> CasePublic:
    pathways.change_status(session, actor=actor, case_id=case_id, data=data)
    session.commit()
    return caseviews.get_case(session, actor=actor, case_id=case_id)


@router.post("/{case_id}/pathway")
def change_pathway(case_id: RecordId, data: PathwayChange, session: WriteSession, actor: CurrentActor) -> CasePublic:
    pathways.change_pathway(session, actor=actor, case_id=case_id, data=data)
    session.commit()
    return caseviews.get_case(session, actor=actor, case_id=case_id)


@router.post("/{case_id}/voluntariness")
def declare_voluntariness(
    case_id: RecordId, data: VoluntarinessDeclaration, session: WriteSession, actor: CurrentActor
) -> CasePublic:
    pathways.declare_voluntariness(session, actor=actor, case_id=case_id, data=data)
    session.commit()
    return caseviews.get_case(session, actor=actor, case_id=case_id)


@router.post("/{case_id}/family-unity")
def decide_family_unity(
    case_id: RecordId, data: FamilyUnityDecision, session: WriteSession, actor: CurrentActor
) -> CasePublic:
    pathways.decide_family_unity(session, actor=actor, case_id=case_id, data=data)
    session.commit()
    return caseviews.get_case(session, actor=actor, case_id=case_id)
