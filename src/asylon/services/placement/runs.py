"""Optimiser runs: queued → running → solved or failed, stored with the solver's figures and one proposal
per case with its explanation.

:func:`request_run` stores a queued run (the caller commits); :func:`execute_run` does the work in its own
transactions: it marks the run running, reads the exercise through the visibility check as the person
who asked for the run, solves with no database transaction open (a long solve holds no lock), then
stores the proposals. :class:`RunQueue` runs :func:`execute_run` on a worker thread of the server, so a
long solve never holds an HTTP request.

What a run keeps fixed: accepted placements, then pins and overrides, then ties. One the engine cannot
keep (a destination that can no longer take the case, or capacity over-committed by fixed cases) is
dropped for that run and the case's proposal says why, rather than failing the whole run.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, selectinload

from asylon.db.base import utcnow
from asylon.db.engine import session_factory, transaction
from asylon.db.models import (
    Case,
    Person,
    PlacementExercise,
    PlacementExerciseCase,
    PlacementProposal,
    PlacementRun,
    PlacementScore,
    User,
)
from asylon.domain.organisations import Role
from asylon.engines.placement import (
    Case as EngineCase,
)
from asylon.engines.placement import (
    Destination,
    Override,
    PlacementOptions,
    PlacementProblem,
    PlacementResult,
    place,
)
from asylon.errors import AsylonError, Conflict, InvalidInput
from asylon.services.accounts import actor_for
from asylon.services.actors import Actor
from asylon.services.placement.exercises import active_pins, load_exercise
from asylon.services.placement.inputs import (
    Pairs,
    Refusal,
    engine_case,
    engine_destination,
    outcome_scores,
    refusals,
    tracked_services,
)
from asylon.services.safeguards import unsafe_flags
from asylon.services.visibility import access_for

log = logging.getLogger("asylon.placement")

ACTIVE = ("queued", "running")
INTERRUPTED = ("the run was interrupted (the server stopped, or the run outlived its time limit); "
               "run the optimiser again")


def overdue(run: PlacementRun, time_limit: float, now: dt.datetime | None = None) -> bool:
    """Whether an unfinished run can no longer be progressing: twice its time limit plus ten minutes."""
    now = now or utcnow()
    return run.status in ACTIVE and now - run.requested_at > dt.timedelta(seconds=2 * time_limit + 600)


def request_run(session: Session, *, actor: Actor, exercise_id: int) -> PlacementRun:
    """Queue a run of the exercise (the caller commits, then hands the run to a :class:`RunQueue`)."""
    actor.require(Role.CASEWORKER, "running a placement exercise")
    exercise = load_exercise(session, actor, exercise_id)
    for run in session.scalars(select(PlacementRun).where(PlacementRun.exercise_id == exercise.id,
                                                          PlacementRun.status.in_(ACTIVE))):
        if overdue(run, exercise.time_limit):
            run.status, run.error, run.finished_at = "failed", INTERRUPTED, utcnow()
        else:
            raise Conflict(f"run {run.number} of this exercise is still {run.status}; wait for it to finish")
    number = (session.scalar(select(func.max(PlacementRun.number)).where(PlacementRun.exercise_id == exercise.id))
              or 0) + 1
    run = PlacementRun(exercise_id=exercise.id, number=number, status="queued", requested_by_user_id=actor.user_id)
    session.add(run)
    session.flush()
    return run


# -- preparing the engine's problem ---------------------------------------------------------------------


@dataclass(slots=True)
class Prepared:
    """The engine's problem for one run, with what the platform knows beside it."""

    problem: PlacementProblem
    options: PlacementOptions
    members: list[PlacementExerciseCase]  # aligned with problem.cases
    absent: dict[int, str] = field(default_factory=dict)  # exercise case id -> why it is not in the problem
    refused: dict[int, dict[str, Refusal]] = field(default_factory=dict)  # exercise case id -> country -> why
    fixed: dict[str, str] = field(default_factory=dict)  # engine case id -> "accepted" | "pin" | "override"
    dropped: dict[str, str] = field(default_factory=dict)  # engine case id -> why its pin or tie was dropped
    notes: list[str] = field(default_factory=list)


def prepare(session: Session, actor: Actor, exercise: PlacementExercise) -> Prepared:
    """Read the exercise's cases through the visibility check and build the engine's problem."""
    access = access_for(session, actor)
    ids = [m.case_id for m in exercise.cases]
    visible = {c.id: c for c in session.scalars(
        select(Case).where(Case.id.in_(ids), access.case_filter)
        .options(selectinload(Case.persons).selectinload(Person.needs))
    )} if ids else {}
    dests = list(exercise.destinations)
    engine_dests: list[Destination] = [engine_destination(d) for d in dests]
    dest_index = {d.id: j for j, d in enumerate(dests)}
    tracked = tracked_services(dests)
    countries = {d.country for d in dests}
    flags = unsafe_flags(session, countries)
    pins = active_pins(session, exercise.id)
    prepared = Prepared(PlacementProblem([], engine_dests, Pairs().table()), PlacementOptions(), [])
    cases: list[EngineCase] = []
    overrides: list[Override] = []
    for member in exercise.cases:
        case = visible.get(member.case_id)
        if case is None or not access.can_change(case):
            prepared.absent[member.id] = "the case is no longer one of your organisation's visible cases"
            continue
        if not [p for p in case.persons if not p.destination]:
            prepared.absent[member.id] = ("every member has a destination of their own (family-unity decision); "
                                          "nobody is left to place")
            continue
        refused = refusals(case, countries, flags)
        prepared.refused[member.id] = refused
        tie = member.tie.code if member.tie is not None else None
        engine_id = str(case.id)
        if tie is not None and member.tie is not None and member.tie.country in refused:
            r = refused[member.tie.country]
            prepared.dropped[engine_id] = f"the tie to {tie} cannot be kept: {r.message} (rule: {r.rule})"
            tie = None
        cases.append(engine_case(case, tracked=tracked, refused=refused, tie=tie, family_group=member.family_group))
        prepared.members.append(member)
        fixed = _fixed(member, pins.get(member.id))
        if fixed is not None:
            dest, kind, who, why = fixed
            if dest.country in refused:
                r = refused[dest.country]
                prepared.dropped[engine_id] = (f"the {kind} to {dest.code} by {who} cannot be kept: {r.message} "
                                               f"(rule: {r.rule})")
            else:
                overrides.append(Override(engine_id, dest.code, who, why))
                prepared.fixed[engine_id] = kind
    pairs = Pairs()
    if exercise.score_source == "given":
        position = {m.id: i for i, m in enumerate(prepared.members)}
        for s in session.scalars(select(PlacementScore).where(PlacementScore.exercise_id == exercise.id)):
            i = position.get(s.exercise_case_id)
            if i is None or dests[dest_index[s.destination_id]].country in prepared.refused[prepared.members[i].id]:
                continue
            pairs.case.append(i)
            pairs.destination.append(dest_index[s.destination_id])
            pairs.score.append(s.score)
    else:
        for i, member in enumerate(prepared.members):
            refused = prepared.refused[member.id]
            for j, d in enumerate(dests):
                if d.country not in refused:
                    pairs.case.append(i)
                    pairs.destination.append(j)
        pairs = outcome_scores(cases, engine_dests, pairs, kind=exercise.score_source.removeprefix("outcome-"))
        prepared.notes.append("scores: outcome model trained on the synthetic history "
                              f"({'expected employed working-age members' if exercise.score_source == 'outcome-expected' else 'probability that at least one member is employed'})")
    prepared.problem = PlacementProblem(cases, engine_dests, pairs.table(), quotas=dict(exercise.quotas),
                                        overrides=overrides)
    prepared.options = PlacementOptions(placement_bonus=exercise.placement_bonus, mip_gap=exercise.mip_gap,
                                        time_limit=exercise.time_limit)
    if exercise.placement_bonus:
        prepared.notes.append(f"objective = total score + {exercise.placement_bonus:g} per placed person, so "
                              "households without working-age members are placed too")
    if exercise.quotas:
        prepared.notes.append(f"quotas ({exercise.quota_source or 'given'}): "
                              + ", ".join(f"{k} {v}" for k, v in sorted(exercise.quotas.items())))
    return prepared


def _fixed(member: PlacementExerciseCase, pin: Any) -> tuple[Any, str, str, str] | None:
    if member.accepted_destination is not None:
        who = member.accepted_by.display_name if member.accepted_by else "?"
        return member.accepted_destination, "accepted", who, f"accepted: {member.accepted_reason or 'no reason given'}"
    if pin is not None:
        who = pin.actor.display_name if pin.actor else "?"
        return pin.destination, pin.kind, who, pin.reason
    return None


def solve(prepared: Prepared) -> PlacementResult:
    """Place, dropping (with a reason per case) any tie or pin the engine cannot keep, then placing again."""
    problem = prepared.problem
    for _ in range(len(problem.cases) + 1):
        try:
            return place(problem, prepared.options)
        except InvalidInput as exc:
            bad = {p.value for p in exc.problems if p.field in ("tie", "override") and p.value}
            if not bad or any(p.field not in ("tie", "override") for p in exc.problems):
                raise
            for p in exc.problems:
                if p.value in bad and p.value not in prepared.dropped:
                    what = "tie" if p.field == "tie" and p.value not in prepared.fixed else (
                        prepared.fixed.get(p.value or "", "pin"))
                    prepared.dropped[p.value or ""] = f"the {what} could not be kept: {p.message}"
            problem = replace(
                problem,
                cases=[replace(c, tie=None) if c.case_id in bad else c for c in problem.cases],
                overrides=[o for o in problem.overrides if o.case_id not in bad],
            )
            for case_id in bad:
                prepared.fixed.pop(case_id or "", None)
    raise AssertionError("unreachable: each round drops at least one tie or pin")


# -- storing the answer ---------------------------------------------------------------------------------


def _store(session: Session, run: PlacementRun, exercise: PlacementExercise, prepared: Prepared,
           result: PlacementResult) -> None:
    by_case = result.by_case()
    dests = {d.code: d for d in exercise.destinations}
    names = {d.code: d.name for d in exercise.destinations}
    groups: dict[str, list[str]] = {}
    for m in prepared.members:
        if m.family_group:
            groups.setdefault(m.family_group, []).append(m.case.case_number)
    for member in exercise.cases:
        refused = prepared.refused.get(member.id, {})
        refusal_list = [{"destination": d.code, "name": d.name, "country": d.country,
                         "rule": refused[d.country].rule, "message": refused[d.country].message}
                        for d in exercise.destinations if d.country in refused]
        if member.id in prepared.absent:
            run.proposals.append(PlacementProposal(exercise_case_id=member.id, status="unplaced",
                                                   reason=prepared.absent[member.id], refusals=refusal_list))
            continue
        engine_id = str(member.case_id)
        a = by_case[engine_id]
        status = a.status if a.status != "override" else prepared.fixed.get(engine_id, "override")
        reason = a.reason
        if a.status == "tie" and member.tie_reason:
            reason = f"{reason}: {member.tie_reason}"
        if a.destination_id is None and refusal_list and len(refusal_list) == len(exercise.destinations):
            shown = "; ".join(f"{r['destination']} ({r['country']}): {r['message']} (rule: {r['rule']})"
                              for r in refusal_list[:3])
            more = f" (and {len(refusal_list) - 3} more)" if len(refusal_list) > 3 else ""
            reason = f"every destination is refused by the safeguards: {shown}{more}"
        if a.family_group and len(groups.get(a.family_group, [])) > 1:
            reason += (f"; family unity: placed together with family group '{a.family_group}' "
                       f"({', '.join(groups[a.family_group])})")
        if engine_id in prepared.dropped:
            reason = f"{prepared.dropped[engine_id]}; {reason}" if reason else prepared.dropped[engine_id]
        run.proposals.append(PlacementProposal(
            exercise_case_id=member.id,
            destination_id=dests[a.destination_id].id if a.destination_id else None,
            score=a.score, status=status, reason=reason, actor=a.actor or "", family_group=a.family_group,
            runner_ups=[{"destination": r.destination_id, "name": names.get(r.destination_id, ""),
                         "score": r.score, "net_of_prices": r.net_of_prices} for r in a.runner_ups],
            constraints=[{"constraint": c.constraint, "used": c.used, "limit": c.limit, "binding": c.binding,
                          "dual": c.dual} for c in a.constraints],
            refusals=refusal_list,
        ))
    run.objective, run.bound, run.gap = result.objective, result.bound, result.gap
    run.lp_bound = result.lp_bound if math.isfinite(result.lp_bound) else None
    run.proven = result.proven
    run.total_score, run.solver_status, run.solver_seconds = result.total_score, result.status, result.seconds
    run.placed_cases, run.placed_persons = result.placed_cases, result.placed_persons
    run.unplaced_cases = result.unplaced_cases + len(prepared.absent)
    run.notes = [*prepared.notes, *result.notes]


def _load(session: Session, run_id: int) -> tuple[PlacementRun, PlacementExercise, Actor] | None:
    run = session.get(PlacementRun, run_id)
    if run is None:
        return None
    user = session.scalar(select(User).where(User.id == run.requested_by_user_id)
                          .options(selectinload(User.organisation)))
    exercise = session.get(PlacementExercise, run.exercise_id)
    if user is None or exercise is None:
        return None
    actor = actor_for(user)
    return run, load_exercise(session, actor, exercise.id), actor


def execute_run(engine: Engine, *, run_id: int) -> str:
    """Do a queued run; returns its final status. Safe to call from any thread."""
    with transaction(engine) as session:
        run = session.get(PlacementRun, run_id)
        if run is None or run.status != "queued":
            return run.status if run is not None else "missing"
        run.status, run.started_at = "running", utcnow()
    try:
        with session_factory(engine, write=False)() as session:
            loaded = _load(session, run_id)
            if loaded is None:
                raise InvalidInput("the run's exercise or the person who asked for it no longer exists")
            _run, exercise, actor = loaded
            prepared = prepare(session, actor, exercise)
        result = solve(prepared)
        with transaction(engine) as session:
            loaded = _load(session, run_id)
            assert loaded is not None
            run, exercise, _actor = loaded
            _store(session, run, exercise, prepared, result)
            run.status, run.finished_at = "solved", utcnow()
        return "solved"
    except AsylonError as exc:
        return _fail(engine, run_id, exc.message)
    except Exception as exc:  # a run must end as failed, whatever went wrong, never stay "running"
        log.exception("placement run %s failed", run_id)
        return _fail(engine, run_id, f"internal error ({type(exc).__name__}); the server log has the details")


def _fail(engine: Engine, run_id: int, message: str) -> str:
    with transaction(engine) as session:
        run = session.get(PlacementRun, run_id)
        if run is not None:
            run.status, run.error, run.finished_at = "failed", message, utcnow()
    return "failed"


class RunQueue:
    """Runs placement runs on worker threads of this server process, one at a time by default.

    Weak by design, and said so: the queue lives in memory. A run queued or running when the process stops
    stays so in the database until it is overdue (:func:`overdue`), when it shows as failed and a new run
    may start; several server processes each run their own queue, so two runs of different exercises may
    solve at once on one machine.
    """

    def __init__(self, engine: Engine, *, workers: int = 1) -> None:
        self.engine = engine
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="asylon-placement")

    def submit(self, run_id: int) -> Future[str]:
        return self._pool.submit(execute_run, self.engine, run_id=run_id)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


_queues_lock = threading.Lock()


def queue_for(holder: Any, engine: Engine) -> RunQueue:
    """The run queue kept on ``holder`` (the application's state), created on first use."""
    with _queues_lock:
        queue = getattr(holder, "placement_queue", None)
        if queue is None:
            queue = RunQueue(engine)
            holder.placement_queue = queue
        return queue
