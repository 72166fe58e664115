"""Exercises, runs and proposals as the API and the pages show them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from asylon.db.models import PlacementExercise, PlacementProposal, PlacementRun
from asylon.errors import NotFound
from asylon.schemas.placement import (
    DestinationPublic,
    ExerciseCasePublic,
    ExercisePublic,
    ExerciseSummary,
    PinPublic,
    ProposalPublic,
    RunDetail,
    RunPublic,
)
from asylon.services.actors import Actor
from asylon.services.placement.exercises import active_pins, list_exercises, load_exercise, persons_of
from asylon.services.placement.runs import INTERRUPTED, overdue


def run_public(run: PlacementRun, time_limit: float) -> RunPublic:
    status, error = run.status, run.error
    if overdue(run, time_limit):
        status, error = "failed", INTERRUPTED
    return RunPublic(
        id=run.id, number=run.number, status=status,
        requested_by=run.requested_by.display_name if run.requested_by else None,
        requested_at=run.requested_at, started_at=run.started_at, finished_at=run.finished_at,
        objective=run.objective, bound=run.bound, gap=run.gap, lp_bound=run.lp_bound, proven=run.proven,
        total_score=run.total_score,
        solver_status=run.solver_status, solver_seconds=run.solver_seconds, placed_cases=run.placed_cases,
        placed_persons=run.placed_persons, unplaced_cases=run.unplaced_cases, notes=list(run.notes), error=error,
    )


def runs_of(session: Session, exercise_id: int) -> list[PlacementRun]:
    return list(session.scalars(select(PlacementRun).where(PlacementRun.exercise_id == exercise_id)
                                .options(selectinload(PlacementRun.requested_by))
                                .order_by(PlacementRun.number.desc())))


def exercise_public(session: Session, *, actor: Actor, exercise_id: int) -> ExercisePublic:
    exercise = load_exercise(session, actor, exercise_id)
    pins = active_pins(session, exercise.id)
    runs = runs_of(session, exercise.id)
    cases = []
    for m in exercise.cases:
        pin = pins.get(m.id)
        cases.append(ExerciseCasePublic(
            case_id=m.case_id, case_number=m.case.case_number,
            persons=len([p for p in m.case.persons if not p.destination]), family_group=m.family_group,
            tie=m.tie.code if m.tie else None,
            pin=PinPublic(destination=pin.destination.code, kind=pin.kind, reason=pin.reason,
                          actor=pin.actor.display_name if pin.actor else None, at=pin.created_at) if pin else None,
            accepted_destination=m.accepted_destination.code if m.accepted_destination else None,
            accepted_by=m.accepted_by.display_name if m.accepted_by else None, accepted_at=m.accepted_at,
        ))
    return ExercisePublic(
        id=exercise.id, title=exercise.title, description=exercise.description,
        organisation=exercise.organisation.slug, score_source=exercise.score_source,
        placement_bonus=exercise.placement_bonus, mip_gap=exercise.mip_gap, time_limit=exercise.time_limit,
        quotas={k: int(v) for k, v in exercise.quotas.items()}, quota_source=exercise.quota_source,
        selection=dict(exercise.selection),
        created_by=exercise.created_by.display_name if exercise.created_by else None,
        created_at=exercise.created_at, case_count=len(exercise.cases), persons=persons_of(exercise),
        destinations=[DestinationPublic(
            code=d.code, name=d.name, country=d.country, capacity=d.capacity,
            services={k: int(v) for k, v in d.services.items()}, languages=list(d.languages),
            nationalities=list(d.nationalities), unemployment_rate=d.unemployment_rate, population=d.population,
        ) for d in exercise.destinations],
        cases=cases,
        latest_run=run_public(runs[0], exercise.time_limit) if runs else None,
    )


def exercise_summaries(session: Session, *, actor: Actor) -> list[ExerciseSummary]:
    out = []
    for exercise in list_exercises(session, actor=actor):
        runs = runs_of(session, exercise.id)
        out.append(ExerciseSummary(
            id=exercise.id, title=exercise.title, created_at=exercise.created_at, case_count=len(exercise.cases),
            destination_count=len(exercise.destinations),
            latest_run=run_public(runs[0], exercise.time_limit) if runs else None,
        ))
    return out


def list_runs(session: Session, *, actor: Actor, exercise_id: int) -> list[RunPublic]:
    exercise = load_exercise(session, actor, exercise_id)
    return [run_public(r, exercise.time_limit) for r in runs_of(session, exercise.id)]


def run_detail(session: Session, *, actor: Actor, exercise_id: int, run_id: int) -> RunDetail:
    """One run with its proposals (empty until it is solved)."""
    exercise = load_exercise(session, actor, exercise_id)
    run = session.scalars(select(PlacementRun).where(PlacementRun.id == run_id,
                                                     PlacementRun.exercise_id == exercise.id)
                          .options(selectinload(PlacementRun.requested_by))).first()
    if run is None:
        raise NotFound("placement run", run_id)
    members = {m.id: m for m in exercise.cases}
    proposals = []
    for p in session.scalars(select(PlacementProposal).where(PlacementProposal.run_id == run.id)
                             .options(selectinload(PlacementProposal.destination))
                             .order_by(PlacementProposal.id)):
        m = members[p.exercise_case_id]
        d = p.destination
        proposals.append(ProposalPublic(
            case_id=m.case_id, case_number=m.case.case_number,
            persons=len([x for x in m.case.persons if not x.destination]),
            destination=d.code if d else None, destination_name=d.name if d else None,
            country=d.country if d else None, score=p.score, status=p.status, reason=p.reason, actor=p.actor,
            family_group=p.family_group, runner_ups=list(p.runner_ups), constraints=list(p.constraints),
            refusals=list(p.refusals),
            accepted=m.accepted_destination_id is not None and m.accepted_destination_id == p.destination_id,
        ))
    return RunDetail(**run_public(run, exercise.time_limit).model_dump(), proposals=proposals)


def exercise_row(session: Session, *, actor: Actor, exercise_id: int) -> PlacementExercise:
    """The stored exercise (for pages that need more than the public view)."""
    return load_exercise(session, actor, exercise_id)
