"""Placement exercises on the platform: the stored cases reach the engine with their safeguards, households
and family groups; runs are stored with their figures and explanations; pins, overrides and acceptances
keep who and why; another organisation cannot see or touch an exercise."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, select

from asylon.db.engine import transaction
from asylon.db.models import CaseEvent, PlacementRun
from asylon.errors import Conflict, InvalidInput, NotFound, SafeguardRefused
from asylon.schemas.cases import PathwayChange
from asylon.schemas.placement import AcceptanceCreate, ExerciseCreate, PinCreate, PinRelease
from asylon.services import pathways, placement
from asylon.services.actors import Actor
from tests.support.placement import add_cases, exercise_body, household
from tests.support.world import TwoOrgs

pytestmark = pytest.mark.db


def create(engine: Engine, actor: Actor, body: dict[str, Any]) -> int:
    with transaction(engine) as session:
        return placement.create_exercise(session, actor=actor, data=ExerciseCreate.model_validate(body)).id


def run(engine: Engine, actor: Actor, exercise_id: int) -> Any:
    with transaction(engine) as session:
        run_id = placement.request_run(session, actor=actor, exercise_id=exercise_id).id
    placement.execute_run(engine, run_id=run_id)
    with transaction(engine, write=False) as session:
        return placement.run_detail(session, actor=actor, exercise_id=exercise_id, run_id=run_id)


def by_number(detail: Any) -> dict[str, Any]:
    return {p.case_number: p for p in detail.proposals}


def test_an_exercise_runs_end_to_end_and_explains_each_case(engine: Engine, orgs: TwoOrgs) -> None:
    actor = orgs.a_caseworker.actor
    sizes = {"H-1": 3, "H-2": 2, "H-3": 2, "H-4": 1}
    ids = add_cases(engine, actor, {n: household(n, k) for n, k in sizes.items()})
    scores = {}
    for n, k in sizes.items():  # per person: Hamburg 1.0, Lyon 0.5, Damascus 3.0
        scores |= {(n, "DEU-HH"): 1.0 * k, (n, "FRA-LY"): 0.5 * k, (n, "SYR-DM"): 3.0 * k}
    exercise_id = create(engine, actor, exercise_body(ids, scores=scores))
    detail = run(engine, actor, exercise_id)
    assert detail.status == "solved", detail.error
    assert detail.objective is not None and detail.bound is not None and detail.gap is not None
    # Proven optimal by HiGHS; the gap is certified against the LP bound, which on a small exercise lies
    # above the best whole-household placement .
    assert detail.solver_status == "optimal" and detail.bound >= detail.objective - 1e-9
    assert 0 <= detail.gap < 0.05 and detail.solver_seconds is not None
    # Both bounds are kept: the LP bound never lies below the best bound, which a proof may have tightened.
    assert detail.lp_bound is not None and detail.lp_bound >= detail.bound - 1e-9
    assert isinstance(detail.proven, bool)
    proposals = by_number(detail)
    assert len(proposals) == 4
    # Damascus scores highest, but every household is Syrian: non-refoulement keeps them all out of Syria.
    assert all(p.country != "SYR" for p in proposals.values())
    for p in proposals.values():
        assert {r["rule"] for r in p.refusals} == {"non-refoulement.nationality"}
        assert p.refusals[0]["destination"] == "SYR-DM"
    # Hamburg holds 6 persons: 8 persons need places, so the capacity binds and someone goes to Lyon.
    placed = [p for p in proposals.values() if p.destination]
    assert sum(p.persons for p in placed if p.destination == "DEU-HH") <= 6
    assert sum(p.persons for p in placed if p.destination == "FRA-LY") <= 4
    assert {p.destination for p in placed} == {"DEU-HH", "FRA-LY"}
    hamburg = next(p for p in placed if p.destination == "DEU-HH")
    capacity = next(c for c in hamburg.constraints if c["constraint"] == "capacity of DEU-HH")
    assert capacity["binding"] and capacity["used"] == 6 and capacity["limit"] == 6
    lyon = next(p for p in placed if p.destination == "FRA-LY")
    assert lyon.runner_ups[0]["destination"] == "DEU-HH"  # the better destination it did not get, and why
    assert "DEU-HH scores higher" in lyon.reason


def test_safeguards_and_unsafe_flags_from_the_platform_reach_the_engine(engine: Engine, orgs: TwoOrgs) -> None:
    actor = orgs.a_caseworker.actor
    ids = add_cases(engine, actor, {"S-1": household("S-1", 1),
                                    "E-1": household("E-1", 1, nationality="ERI", fled=("ERI", "FRA", "DEU"))})
    with transaction(engine) as session:
        pathways.flag_unsafe(session, actor=orgs.a_admin.actor, country="FRA", applies_to="SYR",
                             reason="refoulement risk reported")
    exercise_id = create(engine, actor, exercise_body(ids))
    proposals = by_number(run(engine, actor, exercise_id))
    syrian = proposals["S-1"]
    assert syrian.destination == "DEU-HH"
    assert {r["destination"]: r["rule"] for r in syrian.refusals} == {
        "FRA-LY": "non-refoulement.unsafe", "SYR-DM": "non-refoulement.nationality"}
    # The Eritrean household fled France and Germany: the only destination left is Damascus.
    eritrean = proposals["E-1"]
    assert eritrean.destination == "SYR-DM"
    assert {r["rule"] for r in eritrean.refusals} == {"non-refoulement.fled"}


def test_a_case_every_safeguard_refuses_gets_its_own_reason(engine: Engine, orgs: TwoOrgs) -> None:
    actor = orgs.a_caseworker.actor
    ids = add_cases(engine, actor, {"X-1": household("X-1", 1, fled=("SYR", "DEU", "FRA"))})
    exercise_id = create(engine, actor, exercise_body(ids))
    proposal = by_number(run(engine, actor, exercise_id))["X-1"]
    assert proposal.destination is None and proposal.status == "unplaced"
    assert proposal.reason.startswith("every destination is refused by the safeguards")
    assert "non-refoulement.fled" in proposal.reason and "non-refoulement.nationality" in proposal.reason


def test_family_groups_stay_together_and_need_room_together(engine: Engine, orgs: TwoOrgs) -> None:
    actor = orgs.a_caseworker.actor
    ids = add_cases(engine, actor, {"F-1": household("F-1", 2), "F-2": household("F-2", 2),
                                    "G-1": household("G-1", 4), "G-2": household("G-2", 3)})
    # Scores pull F-1 to Hamburg and F-2 to Lyon; as one family they must share a destination.
    scores = {("F-1", "DEU-HH"): 1.0, ("F-1", "FRA-LY"): 0.1, ("F-2", "DEU-HH"): 0.1, ("F-2", "FRA-LY"): 1.0,
              ("G-1", "DEU-HH"): 1.0, ("G-1", "FRA-LY"): 1.0, ("G-2", "DEU-HH"): 1.0, ("G-2", "FRA-LY"): 1.0}
    body = exercise_body(ids, scores=scores)
    body["cases"] = [{"case_id": ids["F-1"], "family_group": "FAM-F"}, {"case_id": ids["F-2"], "family_group": "FAM-F"},
                     {"case_id": ids["G-1"], "family_group": "FAM-G"}, {"case_id": ids["G-2"], "family_group": "FAM-G"}]
    proposals = by_number(run(engine, actor, create(engine, actor, body)))
    assert proposals["F-1"].destination == proposals["F-2"].destination is not None
    assert "family unity" in proposals["F-1"].reason and "F-2" in proposals["F-1"].reason
    # Seven persons fit nowhere together (Hamburg 6, Lyon 4 less the F family): neither part is sent alone.
    assert proposals["G-1"].destination is None and proposals["G-2"].destination is None
    assert "no room" in proposals["G-1"].reason or "family" in proposals["G-1"].reason


def test_pins_and_overrides_keep_who_and_why_and_rerun_respects_them(engine: Engine, orgs: TwoOrgs) -> None:
    actor = orgs.a_caseworker.actor
    ids = add_cases(engine, actor, {"P-1": household("P-1", 1), "P-2": household("P-2", 1)})
    exercise_id = create(engine, actor, exercise_body(ids))
    first = by_number(run(engine, actor, exercise_id))
    assert first["P-1"].destination == "DEU-HH"
    with transaction(engine) as session:
        pin = placement.pin_case(session, actor=actor, exercise_id=exercise_id, data=PinCreate(
            case_id=ids["P-1"], destination="FRA-LY", reason="her brother lives in Lyon"))
        assert pin.kind == "override"
        kept = placement.pin_case(session, actor=actor, exercise_id=exercise_id, data=PinCreate(
            case_id=ids["P-2"], destination="DEU-HH", reason="school place confirmed"))
        assert kept.kind == "pin"  # the same destination as proposed: a pin, not an override
    second = by_number(run(engine, actor, exercise_id))
    assert second["P-1"].destination == "FRA-LY" and second["P-1"].status == "override"
    assert second["P-1"].actor == "caseworker" and "brother" in second["P-1"].reason
    assert second["P-2"].status == "pin" and second["P-2"].destination == "DEU-HH"
    with transaction(engine) as session:
        placement.release_pin(session, actor=actor, exercise_id=exercise_id,
                              data=PinRelease(case_id=ids["P-1"], reason="brother moved"))
    third = by_number(run(engine, actor, exercise_id))
    assert third["P-1"].destination == "DEU-HH" and third["P-1"].status == "optimised"


def test_a_pin_a_safeguard_or_the_destination_forbids_is_refused(engine: Engine, orgs: TwoOrgs) -> None:
    actor = orgs.a_caseworker.actor
    ids = add_cases(engine, actor, {"R-1": household("R-1", 1, needs=("medical",)),
                                    "R-2": household("R-2", 5)})
    exercise_id = create(engine, actor, exercise_body(ids))
    with transaction(engine) as session, pytest.raises(SafeguardRefused) as refused:
        placement.pin_case(session, actor=actor, exercise_id=exercise_id,
                           data=PinCreate(case_id=ids["R-1"], destination="SYR-DM", reason="asked to"))
    assert refused.value.rule == "non-refoulement.nationality"
    # Lyon offers no medical care (Hamburg does), and holds 4 persons: a household of 5 does not fit.
    with transaction(engine) as session, pytest.raises(InvalidInput) as medical:
        placement.pin_case(session, actor=actor, exercise_id=exercise_id,
                           data=PinCreate(case_id=ids["R-1"], destination="FRA-LY", reason="asked to"))
    assert medical.value.problems[0].field == "destination" and "medical" in medical.value.message
    with transaction(engine) as session, pytest.raises(InvalidInput) as room:
        placement.pin_case(session, actor=actor, exercise_id=exercise_id,
                           data=PinCreate(case_id=ids["R-2"], destination="FRA-LY", reason="asked to"))
    assert "capacity of FRA-LY" in room.value.message
    with transaction(engine) as session, pytest.raises(InvalidInput) as unknown:
        placement.pin_case(session, actor=actor, exercise_id=exercise_id,
                           data=PinCreate(case_id=ids["R-1"], destination="ITA-RM", reason="asked to"))
    assert unknown.value.problems[0].field == "destination" and "DEU-HH" in unknown.value.message


def test_a_pin_that_becomes_unsafe_is_dropped_with_its_reason(engine: Engine, orgs: TwoOrgs) -> None:
    actor = orgs.a_caseworker.actor
    ids = add_cases(engine, actor, {"U-1": household("U-1", 1)})
    exercise_id = create(engine, actor, exercise_body(ids))
    with transaction(engine) as session:
        placement.pin_case(session, actor=actor, exercise_id=exercise_id,
                           data=PinCreate(case_id=ids["U-1"], destination="FRA-LY", reason="relatives"))
        pathways.flag_unsafe(session, actor=orgs.a_admin.actor, country="FRA", reason="new assessment")
    proposal = by_number(run(engine, actor, exercise_id))["U-1"]
    assert proposal.destination == "DEU-HH"
    assert proposal.reason.startswith("the override to FRA-LY by caseworker cannot be kept")
    assert "non-refoulement.unsafe" in proposal.reason


def test_accepting_writes_case_events_and_sets_the_pathway_destination(engine: Engine, orgs: TwoOrgs) -> None:
    actor = orgs.a_caseworker.actor
    ids = add_cases(engine, actor, {"A-1": household("A-1", 2), "A-2": household("A-2", 1)})
    with transaction(engine) as session:
        pathways.change_pathway(session, actor=actor, case_id=ids["A-1"],
                                data=PathwayChange(pathway="relocation"))  # type: ignore[arg-type]
    exercise_id = create(engine, actor, exercise_body(ids))
    detail = run(engine, actor, exercise_id)
    with transaction(engine) as session:
        accepted = placement.accept(session, actor=actor, exercise_id=exercise_id,
                                    data=AcceptanceCreate(run_id=detail.id, reason="panel of 3 March"))
    assert sorted(accepted) == sorted(ids.values())
    with transaction(engine, write=False) as session:
        events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == ids["A-1"])
                                 .order_by(CaseEvent.id)).all()
        kinds = [e.kind for e in events]
        assert "placement.accepted" in kinds and kinds[-1] == "pathway.destination"
        event = next(e for e in events if e.kind == "placement.accepted")
        assert event.data["destination"] == by_number(detail)["A-1"].destination
        assert event.reason == "panel of 3 March" and event.actor_user_id == actor.user_id
        assert event.data["country"] == events[-1].data["to"]
    # A later run keeps accepted placements fixed, and older runs can no longer be accepted from.
    again = by_number(run(engine, actor, exercise_id))
    assert again["A-1"].status == "accepted" and again["A-1"].accepted
    with transaction(engine) as session, pytest.raises(Conflict):
        placement.accept(session, actor=actor, exercise_id=exercise_id, data=AcceptanceCreate(run_id=detail.id))
    with transaction(engine) as session, pytest.raises(Conflict):
        placement.pin_case(session, actor=actor, exercise_id=exercise_id,
                           data=PinCreate(case_id=ids["A-1"], destination="FRA-LY", reason="late change"))


def test_acceptance_checks_the_safeguards_again(engine: Engine, orgs: TwoOrgs) -> None:
    actor = orgs.a_caseworker.actor
    ids = add_cases(engine, actor, {"L-1": household("L-1", 1)})
    exercise_id = create(engine, actor, exercise_body(ids))
    detail = run(engine, actor, exercise_id)
    assert by_number(detail)["L-1"].destination == "DEU-HH"
    with transaction(engine) as session:
        pathways.flag_unsafe(session, actor=orgs.a_admin.actor, country="DEU", reason="after the run")
    with transaction(engine) as session, pytest.raises(SafeguardRefused) as refused:
        placement.accept(session, actor=actor, exercise_id=exercise_id, data=AcceptanceCreate(run_id=detail.id))
    assert refused.value.rule == "non-refoulement.unsafe"
    with transaction(engine, write=False) as session:
        assert not session.scalars(select(CaseEvent).where(CaseEvent.kind == "placement.accepted")).all()


@pytest.mark.parametrize(("change", "field", "words"), [
    (lambda b, ids: b["scores"].append({"case_id": ids["B-1"], "destination": "ITA-RM", "score": 1.0}),
     "scores[9].destination", "unknown destination 'ITA-RM'"),
    (lambda b, ids: b["cases"].append({"case_id": ids["B-1"]}), "cases[3].case_id", "listed twice"),
    (lambda b, ids: b["cases"].__setitem__(0, {"case_id": ids["B-1"], "tie": "ITA-RM"}), "cases[0].tie",
     "unknown destination 'ITA-RM'"),
    (lambda b, ids: b["cases"].__setitem__(0, {"case_id": ids["B-1"], "tie": "SYR-DM"}), "cases[0].tie",
     "non-refoulement.nationality"),
    (lambda b, ids: b["cases"].__setitem__(2, {"case_id": ids["B-3"], "tie": "FRA-LY"}), "cases[2].tie",
     "capacity of FRA-LY"),
    (lambda b, ids: b["destinations"].append(dict(b["destinations"][0])), "destinations[3].code", "listed twice"),
    (lambda b, ids: b.update(quotas={"ITA": 5}), "quotas.ITA", "no destination"),
    (lambda b, ids: b["cases"].append({"case_id": 999_999}), "cases[3].case_id", "not found"),
], ids=["unknown-destination", "duplicate-case", "tie-unknown", "tie-unsafe", "tie-no-room", "duplicate-destination",
        "quota-elsewhere", "unknown-case"])
def test_bad_input_is_named_by_field(engine: Engine, orgs: TwoOrgs, change: Any, field: str, words: str) -> None:
    actor = orgs.a_caseworker.actor
    ids = add_cases(engine, actor, {"B-1": household("B-1", 1), "B-2": household("B-2", 1),
                                    "B-3": household("B-3", 5)})
    body = exercise_body(ids)
    change(body, ids)
    with pytest.raises(InvalidInput) as refused:
        create(engine, actor, body)
    assert any(p.field == field and words in str(p) for p in refused.value.problems), refused.value.message


def test_another_organisations_cases_and_exercises_stay_out_of_reach(engine: Engine, orgs: TwoOrgs) -> None:
    ids = add_cases(engine, orgs.a_caseworker.actor, {"T-1": household("T-1", 1)})
    b = orgs.b_caseworker.actor
    # B cannot build an exercise from A's case: it is "not found", exactly like a case that does not exist.
    with pytest.raises(InvalidInput) as refused:
        create(engine, b, exercise_body(ids))
    assert refused.value.problems[0].message == f"case {ids['T-1']} not found"
    exercise_id = create(engine, orgs.a_caseworker.actor, exercise_body(ids))
    detail = run(engine, orgs.a_caseworker.actor, exercise_id)
    with transaction(engine) as session:
        for attempt in (
            lambda: placement.exercise_public(session, actor=b, exercise_id=exercise_id),
            lambda: placement.request_run(session, actor=b, exercise_id=exercise_id),
            lambda: placement.run_detail(session, actor=b, exercise_id=exercise_id, run_id=detail.id),
            lambda: placement.pin_case(session, actor=b, exercise_id=exercise_id, data=PinCreate(
                case_id=ids["T-1"], destination="FRA-LY", reason="x")),
            lambda: placement.accept(session, actor=b, exercise_id=exercise_id,
                                     data=AcceptanceCreate(run_id=detail.id)),
        ):
            with pytest.raises(NotFound):
                attempt()
        assert placement.exercise_summaries(session, actor=b) == []
    # A viewer of A reads but may not run.
    with transaction(engine) as session:
        assert placement.exercise_public(session, actor=orgs.a_viewer.actor, exercise_id=exercise_id).case_count == 1
        with pytest.raises(Exception, match="caseworker"):
            placement.request_run(session, actor=orgs.a_viewer.actor, exercise_id=exercise_id)


def test_cases_can_be_selected_by_pathway(engine: Engine, orgs: TwoOrgs) -> None:
    actor = orgs.a_caseworker.actor
    ids = add_cases(engine, actor, {"Q-1": household("Q-1", 1), "Q-2": household("Q-2", 1)})
    theirs = add_cases(engine, orgs.b_caseworker.actor, {"QB-1": household("QB-1", 1)})
    with transaction(engine) as session:
        pathways.change_pathway(session, actor=actor, case_id=ids["Q-1"],
                                data=PathwayChange(pathway="resettlement"))  # type: ignore[arg-type]
        pathways.change_pathway(session, actor=orgs.b_caseworker.actor, case_id=theirs["QB-1"],
                                data=PathwayChange(pathway="resettlement"))  # type: ignore[arg-type]
    body = exercise_body({}, scores={}, score_source="outcome-expected",
                         select={"pathway": "resettlement", "pathway_state": "identified"})
    del body["scores"]
    exercise_id = create(engine, actor, body)
    with transaction(engine, write=False) as session:
        public = placement.exercise_public(session, actor=actor, exercise_id=exercise_id)
    assert [c.case_number for c in public.cases] == ["Q-1"]  # not Q-2 (no pathway), not B's case


@pytest.mark.slow
def test_outcome_scores_and_fair_share_quotas(engine: Engine, orgs: TwoOrgs) -> None:
    actor = orgs.a_caseworker.actor
    ids = add_cases(engine, actor, {f"O-{k}": household(f"O-{k}", 1 + k % 3) for k in range(6)})
    body = exercise_body(ids, scores={}, score_source="outcome-expected", fair_share={"key": "dublin-2016",
                                                                                     "year": 2023})
    del body["scores"]
    exercise_id = create(engine, actor, body)
    with transaction(engine, write=False) as session:
        public = placement.exercise_public(session, actor=actor, exercise_id=exercise_id)
    assert sum(public.quotas.values()) == public.persons and set(public.quotas) == {"DEU", "FRA", "SYR"}
    assert public.quota_source.startswith("fair share: dublin-2016")
    detail = run(engine, actor, exercise_id)
    assert detail.status == "solved", detail.error
    placed = [p for p in detail.proposals if p.destination]
    assert placed and all(p.score is not None and p.score > 0 for p in placed)
    for country, quota in public.quotas.items():
        assert sum(p.persons for p in placed if p.country == country) <= quota
    assert any("outcome model" in n for n in detail.notes) and any("quotas" in n for n in detail.notes)


def test_runs_go_through_the_background_queue_and_one_at_a_time(engine: Engine, orgs: TwoOrgs) -> None:
    actor = orgs.a_caseworker.actor
    ids = add_cases(engine, actor, {"W-1": household("W-1", 1)})
    exercise_id = create(engine, actor, exercise_body(ids))
    with transaction(engine) as session:
        run_id = placement.request_run(session, actor=actor, exercise_id=exercise_id).id
    with transaction(engine) as session, pytest.raises(Conflict, match="still queued"):
        placement.request_run(session, actor=actor, exercise_id=exercise_id)
    queue = placement.RunQueue(engine)
    try:
        assert queue.submit(run_id).result(timeout=300) == "solved"
    finally:
        queue.shutdown()
    with transaction(engine, write=False) as session:
        run_row = session.get(PlacementRun, run_id)
        assert run_row is not None and run_row.status == "solved"
        assert run_row.started_at is not None and run_row.finished_at is not None


def test_a_run_left_behind_by_a_stopped_server_shows_as_failed(engine: Engine, orgs: TwoOrgs) -> None:
    actor = orgs.a_caseworker.actor
    ids = add_cases(engine, actor, {"Z-1": household("Z-1", 1)})
    exercise_id = create(engine, actor, exercise_body(ids, time_limit=10))
    with transaction(engine) as session:
        stale = placement.request_run(session, actor=actor, exercise_id=exercise_id)
        stale.requested_at -= dt.timedelta(hours=1)
    with transaction(engine) as session:
        assert placement.list_runs(session, actor=actor, exercise_id=exercise_id)[0].status == "failed"
        fresh = placement.request_run(session, actor=actor, exercise_id=exercise_id)
        assert fresh.number == 2
