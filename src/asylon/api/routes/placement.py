"""Placement exercises: create from the organisation's cases, run the optimiser, review, pin, accept.

A run is queued and solved on a worker thread of the server (``202 Accepted``); poll its address until
its status is ``solved`` or ``failed``, or pass ``wait`` (seconds) to wait for it in the request.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from asylon.api.deps import CurrentActor, ReadSession, RecordId, WriteSession
from asylon.schemas.placement import (
    AcceptanceCreate,
    ExerciseCreate,
    ExercisePublic,
    ExerciseSummary,
    PinCreate,
    PinRelease,
    RunDetail,
    RunPublic,
)
from asylon.services import placement

router = APIRouter(tags=["placement"])


@router.get("/placement/exercises")
def list_exercises(session: ReadSession, actor: CurrentActor) -> list[ExerciseSummary]:
    """The organisation's exercises, newest first, each with its latest run."""
    return placement.exercise_summaries(session, actor=actor)


@router.post("/placement/exercises", status_code=status.HTTP_201_CREATED)
def create_exercise(data: ExerciseCreate, session: WriteSession, actor: CurrentActor) -> ExercisePublic:
    """Create an exercise from the organisation's cases (listed, and/or selected by situation, pathway, state or
    country of asylum) and destinations. Every problem is listed at once, each naming its field."""
    exercise = placement.create_exercise(session, actor=actor, data=data)
    session.commit()
    return placement.exercise_public(session, actor=actor, exercise_id=exercise.id)


@router.get("/placement/exercises/{exercise_id}")
def get_exercise(exercise_id: RecordId, session: ReadSession, actor: CurrentActor) -> ExercisePublic:
    return placement.exercise_public(session, actor=actor, exercise_id=exercise_id)


@router.get("/placement/exercises/{exercise_id}/runs")
def list_runs(exercise_id: RecordId, session: ReadSession, actor: CurrentActor) -> list[RunPublic]:
    return placement.list_runs(session, actor=actor, exercise_id=exercise_id)


@router.post("/placement/exercises/{exercise_id}/runs", status_code=status.HTTP_202_ACCEPTED)
def start_run(
    exercise_id: RecordId, request: Request, response: Response, session: WriteSession, reader: ReadSession,
    actor: CurrentActor, wait: Annotated[float, Query(ge=0, le=60, description="Seconds to wait for the result in this request.")] = 0,
) -> RunDetail:
    """Queue a run of the optimiser. Answers at once (status ``queued`` or ``running``) unless ``wait`` is given
    and the run finishes within it. Another run of the same exercise still in progress answers 409."""
    run = placement.request_run(session, actor=actor, exercise_id=exercise_id)
    session.commit()
    future = placement.queue_for(request.app.state, request.app.state.engine).submit(run.id)
    if wait:
        with contextlib.suppress(concurrent.futures.TimeoutError):
            future.result(timeout=wait)
    response.headers["Location"] = f"{request.url.path}/{run.id}"
    return placement.run_detail(reader, actor=actor, exercise_id=exercise_id, run_id=run.id)


@router.get("/placement/exercises/{exercise_id}/runs/{run_id}")
def get_run(exercise_id: RecordId, run_id: RecordId, session: ReadSession, actor: CurrentActor) -> RunDetail:
    """A run with one proposal per case: destination, score, status (optimised, tie, pin, override, accepted,
    unplaced), the reason, runner-up destinations, the constraints of the destination with use, limit, whether
    binding and dual price, and the destinations the safeguards refuse for the case, each with its rule."""
    return placement.run_detail(session, actor=actor, exercise_id=exercise_id, run_id=run_id)


@router.post("/placement/exercises/{exercise_id}/pins", status_code=status.HTTP_201_CREATED)
def pin_case(exercise_id: RecordId, data: PinCreate, session: WriteSession, actor: CurrentActor) -> ExercisePublic:
    """Fix a case at a destination for the next runs (a pin keeps its proposal, an override moves it), with the
    reason; who is recorded. A destination a safeguard forbids answers 409 naming the rule."""
    placement.pin_case(session, actor=actor, exercise_id=exercise_id, data=data)
    session.commit()
    return placement.exercise_public(session, actor=actor, exercise_id=exercise_id)


@router.post("/placement/exercises/{exercise_id}/pins/release")
def release_pin(exercise_id: RecordId, data: PinRelease, session: WriteSession, actor: CurrentActor) -> ExercisePublic:
    placement.release_pin(session, actor=actor, exercise_id=exercise_id, data=data)
    session.commit()
    return placement.exercise_public(session, actor=actor, exercise_id=exercise_id)


@router.post("/placement/exercises/{exercise_id}/acceptances")
def accept(exercise_id: RecordId, data: AcceptanceCreate, session: WriteSession, actor: CurrentActor) -> ExercisePublic:
    """Accept proposals of the latest solved run (listed cases, or all placed ones): each becomes a
    ``placement.accepted`` event on its case, after the safeguards are checked again. All or nothing."""
    placement.accept(session, actor=actor, exercise_id=exercise_id, data=data)
    session.commit()
    return placement.exercise_public(session, actor=actor, exercise_id=exercise_id)
