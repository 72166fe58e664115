"""Placement exercises: create one from the organisation's cases, read it, pin or override a case, accept.

Every case comes through the visibility check (:func:`asylon.services.visibility.access_for`) and must be
the organisation's own: accepting a placement writes an event on the case, and only the owner changes a
case. An exercise is seen only by its organisation; to anyone else it does not exist.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from asylon.db.base import utcnow
from asylon.db.models import (
    Case,
    Person,
    PlacementDestination,
    PlacementExercise,
    PlacementExerciseCase,
    PlacementPin,
    PlacementProposal,
    PlacementRun,
    PlacementScore,
    Situation,
)
from asylon.domain.organisations import Role
from asylon.domain.pathways import PATHWAY_MACHINES, TRANSFER_PATHWAYS, PathwayKind
from asylon.errors import Conflict, InvalidInput, NotFound, Problem, ProblemCollector
from asylon.schemas.cases import PathwayChange
from asylon.schemas.placement import AcceptanceCreate, CaseSelection, ExerciseCreate, PinCreate, PinRelease
from asylon.services import fairshare, pathways
from asylon.services.actors import Actor
from asylon.services.placement.inputs import (
    engine_case,
    engine_destination,
    pair_problem,
    refusals,
    tracked_services,
)
from asylon.services.registry import load_case, record_event, resolve_situation
from asylon.services.safeguards import check_case_transfer, unsafe_flags
from asylon.services.visibility import access_for


def load_exercise(session: Session, actor: Actor, exercise_id: int) -> PlacementExercise:
    """The exercise if it is the actor's organisation's; otherwise NotFound (the two look the same)."""
    exercise = session.scalars(
        select(PlacementExercise)
        .where(PlacementExercise.id == exercise_id, PlacementExercise.organisation_id == actor.organisation_id)
        .options(selectinload(PlacementExercise.destinations),
                 selectinload(PlacementExercise.cases).selectinload(PlacementExerciseCase.case)
                 .selectinload(Case.persons).selectinload(Person.needs))
    ).first()
    if exercise is None:
        raise NotFound("placement exercise", exercise_id)
    return exercise


def list_exercises(session: Session, *, actor: Actor) -> list[PlacementExercise]:
    return list(session.scalars(
        select(PlacementExercise).where(PlacementExercise.organisation_id == actor.organisation_id)
        .options(selectinload(PlacementExercise.destinations), selectinload(PlacementExercise.cases))
        .order_by(PlacementExercise.id.desc())
    ))


def _selected(session: Session, actor: Actor, selection: CaseSelection) -> list[Case]:
    access = access_for(session, actor)
    query = select(Case).where(access.case_filter, Case.organisation_id == actor.organisation_id)
    if selection.situation is not None:
        situation_id = resolve_situation(session, selection.situation, field="select.situation")
        query = query.where(Case.situation_id == situation_id)
    if selection.pathway is not None:
        query = query.where(Case.pathway == str(selection.pathway))
    if selection.pathway_state is not None:
        query = query.where(Case.pathway_state == selection.pathway_state)
    if selection.country_of_asylum is not None:
        query = query.where(Case.country_of_asylum == selection.country_of_asylum)
    return list(session.scalars(query.options(selectinload(Case.persons).selectinload(Person.needs))
                                .order_by(Case.id)))


def _listed(session: Session, actor: Actor, data: ExerciseCreate, found: ProblemCollector) -> dict[int, Case]:
    access = access_for(session, actor)
    ids = [c.case_id for c in data.cases]
    rows = {c.id: c for c in session.scalars(
        select(Case).where(Case.id.in_(ids), access.case_filter)
        .options(selectinload(Case.persons).selectinload(Person.needs))
    )} if ids else {}
    seen: set[int] = set()
    for n, item in enumerate(data.cases):
        where = f"cases[{n}].case_id"
        if item.case_id in seen:
            found.add(f"case {item.case_id} is listed twice", field=where, value=str(item.case_id),
                      fix="list each case once")
        seen.add(item.case_id)
        case = rows.get(item.case_id)
        if case is None:
            found.add(f"case {item.case_id} not found", field=where, value=str(item.case_id),
                      fix="use the id of one of your organisation's cases")
        elif not access.can_change(case):
            found.add(f"case {item.case_id} is shared with your organisation, not yours", field=where,
                      value=str(item.case_id), fix="a placement exercise holds only your organisation's cases")
    return rows


def create_exercise(session: Session, *, actor: Actor, data: ExerciseCreate) -> PlacementExercise:
    """Create an exercise; every problem with the input is reported at once, naming its field."""
    actor.require(Role.CASEWORKER, "creating a placement exercise")
    found = ProblemCollector()
    codes: dict[str, int] = {}
    for n, d in enumerate(data.destinations):
        if d.code in codes:
            found.add(f"destination '{d.code}' is listed twice (also at destinations[{codes[d.code]}])",
                      field=f"destinations[{n}].code", value=d.code, fix="give each destination its own code")
        codes.setdefault(d.code, n)
    listed = _listed(session, actor, data, found)
    cases: dict[int, Case] = {}
    for item in data.cases:
        if item.case_id in listed:
            cases[item.case_id] = listed[item.case_id]
    if data.select is not None:
        for case in _selected(session, actor, data.select):
            cases.setdefault(case.id, case)
    if not cases and not found:
        found.add("the exercise has no cases", field="cases",
                  fix="list case ids, or select cases by situation, pathway, state or country of asylum")
    countries = sorted({d.country for d in data.destinations})
    for country in data.quotas:
        if country not in countries:
            found.add(f"quota for {country}, where no destination is", field=f"quotas.{country}", value=country,
                      fix=f"give quotas for the destinations' countries: {', '.join(countries)}")
    if data.quotas and data.fair_share is not None:
        found.add("give quotas or fair_share, not both", field="fair_share")
    if data.score_source == "given" and not data.scores:
        found.add("score_source is 'given' but no scores are given", field="scores",
                  fix="send one score per allowed case–destination pair, or use an outcome score source")
    if data.scores and data.score_source != "given":
        found.add(f"scores are given but score_source is '{data.score_source}'", field="score_source",
                  fix="set score_source to 'given'")
    for n, s in enumerate(data.scores):
        if s.case_id not in cases:
            found.add(f"case {s.case_id} is not in the exercise", field=f"scores[{n}].case_id",
                      value=str(s.case_id))
        if s.destination not in codes:
            found.add(f"unknown destination '{s.destination}'", field=f"scores[{n}].destination",
                      value=s.destination)
    pairs = [(s.case_id, s.destination) for s in data.scores]
    if len(set(pairs)) != len(pairs):
        first: dict[tuple[int, str], int] = {}
        for n, pair in enumerate(pairs):
            if pair in first:
                found.add(f"case {pair[0]} and destination '{pair[1]}' are scored twice", field=f"scores[{n}]")
            first.setdefault(pair, n)
    _check_ties(session, data, cases, codes, found)
    quotas = dict(data.quotas)
    quota_source = "given" if quotas else ""
    persons = sum(len([p for p in c.persons if not p.destination]) for c in cases.values())
    if data.fair_share is not None and not found:
        spec = data.fair_share
        total = spec.total if spec.total is not None else persons
        try:
            quotas = fairshare.quotas(key=spec.key, total=total, states=countries, year=spec.year,
                                      latest=spec.latest)
        except InvalidInput as exc:
            raise InvalidInput([Problem(p.message, field=f"fair_share.{p.field}" if p.field else "fair_share",
                                        value=p.value, fix=p.fix) for p in exc.problems]) from exc
        quota_source = f"fair share: {spec.key}, {total} persons" + (f", {spec.year}" if spec.year else "")
    found.raise_if_any()

    exercise = PlacementExercise(
        organisation_id=actor.organisation_id, title=data.title, description=data.description,
        score_source=data.score_source, placement_bonus=data.placement_bonus, mip_gap=data.mip_gap,
        time_limit=data.time_limit, quotas=quotas, quota_source=quota_source,
        selection=data.select.model_dump(mode="json", exclude_none=True) if data.select else {},
        created_by_user_id=actor.user_id,
    )
    session.add(exercise)
    destinations = {}
    for d in data.destinations:
        row = PlacementDestination(code=d.code, name=d.name, country=d.country, capacity=d.capacity,
                                   services=dict(d.services), languages=list(d.languages),
                                   nationalities=list(d.nationalities), unemployment_rate=d.unemployment_rate,
                                   population=d.population)
        exercise.destinations.append(row)
        destinations[d.code] = row
    extra = {item.case_id: item for item in data.cases}
    members: dict[int, PlacementExerciseCase] = {}
    for case_id, case in cases.items():
        entry = extra.get(case_id)
        member = PlacementExerciseCase(
            case=case, family_group=entry.family_group if entry else None,
            tie=destinations[entry.tie] if entry and entry.tie else None,
            tie_reason=entry.tie_reason if entry else "",
        )
        exercise.cases.append(member)
        members[case_id] = member
    session.flush()
    if data.scores:
        session.add_all(PlacementScore(exercise_id=exercise.id, exercise_case_id=members[s.case_id].id,
                                       destination_id=destinations[s.destination].id, score=s.score)
                        for s in data.scores)
        session.flush()
    return exercise


def _check_ties(session: Session, data: ExerciseCreate, cases: dict[int, Case], codes: dict[str, int],
                found: ProblemCollector) -> None:
    """A tie to an unknown destination, or to one that cannot take the case, is named with its field."""
    tracked = tracked_services(data.destinations)
    flags = unsafe_flags(session, {d.country for d in data.destinations})
    for n, item in enumerate(data.cases):
        if item.tie is None or item.case_id not in cases:
            continue
        where = f"cases[{n}].tie"
        if item.tie not in codes:
            shown = ", ".join(list(codes)[:10])
            found.add(f"case {item.case_id} is tied to unknown destination '{item.tie}'", field=where,
                      value=item.tie, fix=f"use one of the exercise's destinations: {shown}")
            continue
        case = cases[item.case_id]
        dest = data.destinations[codes[item.tie]]
        refused = refusals(case, [dest.country], flags)
        if refused:
            r = refused[dest.country]
            found.add(f"case {case.case_number} cannot be tied to {item.tie}: {r.message} (rule: {r.rule})",
                      field=where, value=item.tie, fix="remove the tie or choose a destination the case may go to")
            continue
        why = pair_problem(engine_case(case, tracked=tracked), engine_destination(dest))
        if why is not None:
            found.add(f"case {case.case_number} cannot be tied to {item.tie}: {why}", field=where, value=item.tie,
                      fix="remove the tie, choose another destination, or change the destination's capacities")


# -- pins and overrides -------------------------------------------------------------------------------


def _member(exercise: PlacementExercise, case_id: int) -> PlacementExerciseCase:
    for member in exercise.cases:
        if member.case_id == case_id:
            return member
    raise InvalidInput(Problem(f"case {case_id} is not in this exercise", field="case_id", value=str(case_id)))


def _destination(exercise: PlacementExercise, code: str, field: str = "destination") -> PlacementDestination:
    for d in exercise.destinations:
        if d.code == code:
            return d
    shown = ", ".join(d.code for d in exercise.destinations[:10])
    raise InvalidInput(Problem(f"unknown destination '{code}'", field=field, value=code,
                               fix=f"use one of the exercise's destinations: {shown}"))


def active_pins(session: Session, exercise_id: int) -> dict[int, PlacementPin]:
    """The pin in force per exercise case id."""
    rows = session.scalars(
        select(PlacementPin).where(PlacementPin.exercise_id == exercise_id, PlacementPin.released_at.is_(None))
        .options(selectinload(PlacementPin.actor), selectinload(PlacementPin.destination))
        .order_by(PlacementPin.id)
    )
    return {p.exercise_case_id: p for p in rows}


def latest_solved(session: Session, exercise_id: int) -> PlacementRun | None:
    return session.scalars(
        select(PlacementRun).where(PlacementRun.exercise_id == exercise_id, PlacementRun.status == "solved")
        .order_by(PlacementRun.number.desc()).limit(1)
    ).first()


def pin_case(session: Session, *, actor: Actor, exercise_id: int, data: PinCreate) -> PlacementPin:
    """Fix a case at a destination for the next runs; refused (naming the rule) if a safeguard forbids it or
    the destination cannot take the case. A pin replaces the case's earlier pin, which stays as history."""
    actor.require(Role.CASEWORKER, "pinning or overriding a placement")
    exercise = load_exercise(session, actor, exercise_id)
    member = _member(exercise, data.case_id)
    dest = _destination(exercise, data.destination)
    if member.accepted_destination_id is not None:
        raise Conflict(f"case {member.case.case_number} is already accepted into "
                       f"{member.accepted_destination.code if member.accepted_destination else '?'}")
    case = load_case(session, actor, data.case_id, for_change=True)
    check_case_transfer(session, case, dest.country)
    why = pair_problem(engine_case(case, tracked=tracked_services(exercise.destinations)), engine_destination(dest))
    if why is not None:
        raise InvalidInput(Problem(f"case {case.case_number} cannot go to {dest.code}: {why}", field="destination",
                                   value=dest.code, fix="choose a destination that can take the case"))
    kind = "override"
    run = latest_solved(session, exercise.id)
    if run is not None:
        proposed = session.scalar(select(PlacementProposal.destination_id).where(
            PlacementProposal.run_id == run.id, PlacementProposal.exercise_case_id == member.id))
        if proposed == dest.id:
            kind = "pin"
    now = utcnow()
    current = active_pins(session, exercise.id).get(member.id)
    if current is not None:
        current.released_at = now
        current.released_by_user_id = actor.user_id
        current.release_reason = "replaced by a new pin"
    pin = PlacementPin(exercise_id=exercise.id, exercise_case_id=member.id, destination_id=dest.id, kind=kind,
                       reason=data.reason, actor_user_id=actor.user_id, created_at=now)
    session.add(pin)
    session.flush()
    return pin


def release_pin(session: Session, *, actor: Actor, exercise_id: int, data: PinRelease) -> PlacementPin:
    actor.require(Role.CASEWORKER, "releasing a pin")
    exercise = load_exercise(session, actor, exercise_id)
    member = _member(exercise, data.case_id)
    pin = active_pins(session, exercise.id).get(member.id)
    if pin is None:
        raise Conflict(f"case {member.case.case_number} has no pin in this exercise")
    pin.released_at = utcnow()
    pin.released_by_user_id = actor.user_id
    pin.release_reason = data.reason
    session.flush()
    return pin


# -- acceptance ---------------------------------------------------------------------------------------


def accept(session: Session, *, actor: Actor, exercise_id: int, data: AcceptanceCreate) -> list[int]:
    """Accept proposals of the latest solved run: each becomes a ``placement.accepted`` event on its case
    (and the destination of a transfer pathway in progress), after the safeguards are checked again with
    today's flags. All or nothing. Returns the accepted case ids."""
    actor.require(Role.CASEWORKER, "accepting placements")
    exercise = load_exercise(session, actor, exercise_id)
    run = session.get(PlacementRun, data.run_id)
    if run is None or run.exercise_id != exercise.id:
        raise InvalidInput(Problem(f"run {data.run_id} is not a run of this exercise", field="run_id",
                                   value=str(data.run_id)))
    latest = latest_solved(session, exercise.id)
    if run.status != "solved" or latest is None or latest.id != run.id:
        hint = f"accept from run {latest.number} (id {latest.id})" if latest else "run the optimiser first"
        raise Conflict(f"run {run.number} is not the latest solved run of this exercise; {hint}")
    proposals = {p.exercise_case_id: p for p in session.scalars(
        select(PlacementProposal).where(PlacementProposal.run_id == run.id)
        .options(selectinload(PlacementProposal.destination)))}
    by_case = {m.case_id: m for m in exercise.cases}
    chosen: list[PlacementExerciseCase] = []
    if data.case_ids is None:
        chosen = [m for m in exercise.cases if m.accepted_destination_id is None
                  and proposals.get(m.id) is not None and proposals[m.id].destination_id is not None]
    else:
        found = ProblemCollector()
        for n, case_id in enumerate(data.case_ids):
            member = by_case.get(case_id)
            proposal = proposals.get(member.id) if member else None
            if member is None:
                found.add(f"case {case_id} is not in this exercise", field=f"case_ids[{n}]", value=str(case_id))
            elif proposal is None or proposal.destination_id is None:
                found.add(f"case {member.case.case_number} has no proposed destination in run {run.number}",
                          field=f"case_ids[{n}]", value=str(case_id), fix="pin it to a destination and run again")
            elif member.accepted_destination_id is None:
                chosen.append(member)
        found.raise_if_any()
    now = utcnow()
    for member in chosen:
        proposal = proposals[member.id]
        dest = proposal.destination
        assert dest is not None
        case = load_case(session, actor, member.case_id, for_change=True)
        check_case_transfer(session, case, dest.country)
        record_event(session, actor, case, "placement.accepted", {
            "exercise_id": exercise.id, "exercise": exercise.title, "run": run.number,
            "destination": dest.code, "destination_name": dest.name, "country": dest.country,
            "score": proposal.score, "proposal": proposal.status,
        }, data.reason)
        kind = PathwayKind(case.pathway)
        if (kind in TRANSFER_PATHWAYS and not PATHWAY_MACHINES[kind].is_final(case.pathway_state)
                and case.pathway_destination != dest.country):
            pathways.change_pathway(session, actor=actor, case_id=case.id, data=PathwayChange(
                destination=dest.country, reason=f"placement exercise '{exercise.title}', run {run.number}"))
        case.updated_at = now
        member.accepted_destination_id = dest.id
        member.accepted_run_id = run.id
        member.accepted_by_user_id = actor.user_id
        member.accepted_at = now
        member.accepted_reason = data.reason
    session.flush()
    return [m.case_id for m in chosen]


def persons_of(exercise: PlacementExercise) -> int:
    return sum(len([p for p in m.case.persons if not p.destination]) for m in exercise.cases)


def situations(session: Session) -> list[tuple[str, str]]:
    """Situation codes and names, for the form that selects cases."""
    return [(s.code, s.name) for s in session.scalars(select(Situation).order_by(Situation.code))]


def count_runs(session: Session, exercise_id: int) -> int:
    return session.scalar(select(func.count(PlacementRun.id)).where(PlacementRun.exercise_id == exercise_id)) or 0


def case_ids_by_number(session: Session, *, actor: Actor, numbers: list[str]) -> dict[str, int]:
    """The ids of the organisation's visible cases with these case numbers (the numbers people know);
    a number that is missing is not one of them."""
    if not numbers:
        return {}
    access = access_for(session, actor)
    rows = session.execute(select(Case.case_number, Case.id).where(
        Case.case_number.in_(numbers), access.case_filter, Case.organisation_id == actor.organisation_id))
    return {number: case_id for number, case_id in rows}
