"""Legal status and durable-solution pathways: state-machine moves, checked against the safeguards."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from asylon.db.base import utcnow
from asylon.db.models import Case, UnsafeFlagRow
from asylon.domain.organisations import Role
from asylon.domain.pathways import PATHWAY_MACHINES, TRANSFER_PATHWAYS, PathwayKind
from asylon.domain.status import STATUS_MACHINE
from asylon.errors import Conflict, InvalidInput, Problem, RuleRefused
from asylon.schemas.cases import FamilyUnityDecision, PathwayChange, StatusChange, VoluntarinessDeclaration
from asylon.services.actors import Actor
from asylon.services.registry import find_person, load_case, record_event
from asylon.services.safeguards import check_case_repatriation, check_case_transfer

# Transfer states from which the person is committed to a destination: a destination must be set.
NEEDS_DESTINATION = frozenset({"submitted", "accepted", "departure-scheduled", "departed", "applied", "granted"})


def change_status(session: Session, *, actor: Actor, case_id: int, data: StatusChange) -> Case:
    case = load_case(session, actor, case_id, for_change=True)
    STATUS_MACHINE.check(case.legal_status, data.status)
    before = case.legal_status
    case.legal_status = str(data.status)
    case.updated_at = utcnow()
    record_event(session, actor, case, "status.changed", {"from": before, "to": case.legal_status}, data.reason)
    return case


def change_pathway(session: Session, *, actor: Actor, case_id: int, data: PathwayChange) -> Case:
    """Start a pathway, move it along its state machine, or change its destination.

    Every move is checked against the pathway's state machine and the safeguards; a refusal names the rule.
    """
    case = load_case(session, actor, case_id, for_change=True)
    if data.pathway is None and data.state is None and data.destination is None and data.initiated_by is None:
        raise InvalidInput(Problem("give a pathway to start, a state to move to, or a destination", field="state"))
    if data.pathway is not None:
        _start(session, actor, case, data)
    if data.destination is not None and data.pathway is None:
        _set_destination(session, actor, case, data.destination, data.reason)
    if data.initiated_by is not None and data.pathway is None:
        case.pathway_initiated_by = data.initiated_by
    if data.state is not None and data.state != case.pathway_state:
        _move(session, actor, case, data.state, data.reason)
    case.updated_at = utcnow()
    return case


def _start(session: Session, actor: Actor, case: Case, data: PathwayChange) -> None:
    assert data.pathway is not None
    current = PATHWAY_MACHINES[PathwayKind(case.pathway)]
    if case.pathway != PathwayKind.NONE and not current.is_final(case.pathway_state):
        raise RuleRefused(
            "pathway.one-at-a-time",
            f"the case is on pathway '{case.pathway}' in state '{case.pathway_state}'; "
            "finish or withdraw it before starting another",
        )
    machine = PATHWAY_MACHINES[data.pathway]
    if data.destination and data.pathway not in TRANSFER_PATHWAYS | {PathwayKind.VOLUNTARY_REPATRIATION}:
        raise InvalidInput(Problem(f"pathway '{data.pathway}' takes no destination", field="destination"))
    before = {"pathway": case.pathway, "state": case.pathway_state}
    case.pathway = str(data.pathway)
    case.pathway_state = machine.initial
    case.pathway_destination = data.destination
    case.pathway_initiated_by = data.initiated_by or "person"
    if data.destination and data.pathway in TRANSFER_PATHWAYS:
        check_case_transfer(session, case, data.destination)
    if data.pathway is PathwayKind.VOLUNTARY_REPATRIATION:
        check_case_repatriation(session, case, machine.initial)
    record_event(
        session,
        actor,
        case,
        "pathway.started",
        {"from": before, "pathway": case.pathway, "destination": case.pathway_destination,
         "initiated_by": case.pathway_initiated_by},
        data.reason,
    )


def _set_destination(session: Session, actor: Actor, case: Case, destination: str, reason: str) -> None:
    kind = PathwayKind(case.pathway)
    if kind not in TRANSFER_PATHWAYS | {PathwayKind.VOLUNTARY_REPATRIATION}:
        raise InvalidInput(Problem(f"pathway '{kind}' takes no destination", field="destination"))
    if kind in TRANSFER_PATHWAYS:
        check_case_transfer(session, case, destination)
    before = case.pathway_destination
    case.pathway_destination = destination
    if kind is PathwayKind.VOLUNTARY_REPATRIATION:
        check_case_repatriation(session, case, case.pathway_state)
    record_event(session, actor, case, "pathway.destination", {"from": before, "to": destination}, reason)


def _move(session: Session, actor: Actor, case: Case, target: str, reason: str) -> None:
    kind = PathwayKind(case.pathway)
    machine = PATHWAY_MACHINES[kind]
    machine.check(case.pathway_state, target)
    if kind in TRANSFER_PATHWAYS and target in NEEDS_DESTINATION:
        if not case.pathway_destination:
            raise RuleRefused(
                "pathway.destination-required",
                f"moving to '{target}' needs a destination country; set one first",
            )
        check_case_transfer(session, case, case.pathway_destination)
    if kind is PathwayKind.VOLUNTARY_REPATRIATION:
        check_case_repatriation(session, case, target)
    before = case.pathway_state
    case.pathway_state = target
    record_event(session, actor, case, "pathway.moved", {"pathway": case.pathway, "from": before, "to": target}, reason)


def declare_voluntariness(session: Session, *, actor: Actor, case_id: int, data: VoluntarinessDeclaration) -> Case:
    case = load_case(session, actor, case_id, for_change=True)
    person = find_person(case, data.person_ref)
    if person.voluntariness_declared_at is not None:
        raise Conflict(f"{data.person_ref} already has a voluntariness declaration")
    person.voluntariness_declared_at = utcnow()
    case.updated_at = utcnow()
    record_event(
        session, actor, case, "voluntariness.declared", {"person_ref": data.person_ref, "method": data.method},
        data.reason,
    )
    return case


def decide_family_unity(session: Session, *, actor: Actor, case_id: int, data: FamilyUnityDecision) -> Case:
    """Record a family-unity decision, optionally sending named members to another destination."""
    case = load_case(session, actor, case_id, for_change=True)
    for ref in data.person_destinations:
        find_person(case, ref)
    case.family_unity_decision = data.decision
    for person in case.persons:
        if person.person_ref in data.person_destinations:
            person.destination = data.person_destinations[person.person_ref]
    if case.pathway_destination and PathwayKind(case.pathway) in TRANSFER_PATHWAYS:
        check_case_transfer(session, case, case.pathway_destination)
    case.updated_at = utcnow()
    record_event(
        session, actor, case, "family-unity.decided",
        {"decision": data.decision, "person_destinations": data.person_destinations},
    )
    return case


def flag_unsafe(session: Session, *, actor: Actor, country: str, applies_to: str = "all", reason: str = "") -> UnsafeFlagRow:
    """Flag ``country`` unsafe for a profile; from then on the safeguards refuse transfers and returns there."""
    actor.require(Role.ADMIN, "flagging a country unsafe")
    existing = session.scalars(
        select(UnsafeFlagRow).where(
            UnsafeFlagRow.country == country, UnsafeFlagRow.applies_to == applies_to, UnsafeFlagRow.active.is_(True)
        )
    ).first()
    if existing is not None:
        return existing
    row = UnsafeFlagRow(country=country, applies_to=applies_to, reason=reason, organisation_id=actor.organisation_id)
    session.add(row)
    session.flush()
    return row
