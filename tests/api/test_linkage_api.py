"""Linkage through the HTTP API: a run over stored persons, the review queue, merge and unmerge, and the
refusals (no agreement, columns the agreement does not share, bad parameters) as problem+json."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.support.linkage import duplicated_register, two_registers
from tests.support.world import TwoOrgs, register

pytestmark = [pytest.mark.db, pytest.mark.slow]

API = "/api/v1"


def _agreement(api: Any, orgs: TwoOrgs, fields: list[str], *, purpose: str = "deduplication") -> int:
    today = dt.date.today()
    created = api.post(f"{API}/agreements", headers=orgs.a_admin.headers, json={
        "title": "Deduplication A-B", "purpose": purpose, "parties": ["agency-a", "state-b"],
        "legal_basis": "public-interest", "fields": fields, "valid_from": str(today - dt.timedelta(days=1)),
        "valid_until": str(today + dt.timedelta(days=30))})
    assert created.status_code == 201, created.text
    agreement_id = int(created.json()["id"])
    for member in (orgs.a_admin, orgs.b_admin):
        assert api.post(f"{API}/agreements/actions", headers=member.headers,
                        json={"agreement_id": agreement_id, "action": "approve"}).status_code == 200
    return agreement_id


def _run(api: Any, member: Any, body: dict[str, Any]) -> dict[str, Any]:
    started = api.post(f"{API}/linkage/runs", headers=member.headers, json=body)
    assert started.status_code == 202, started.text
    # The run executes after the answer; the test client returns once it has.
    run = api.get(f"{API}/linkage/runs/{started.json()['id']}", headers=member.headers).json()
    assert run["status"] in ("done", "failed")
    return dict(run)


def _person(api: Any, member: Any, case_id: int, ref: str) -> dict[str, Any]:
    case = api.get(f"{API}/cases/{case_id}", headers=member.headers).json()
    return dict(next(p for p in case["persons"] if p["person_ref"] == ref))


def test_dedupe_review_merge_unmerge(api, orgs: TwoOrgs, engine) -> None:  # type: ignore[no-untyped-def]
    frame = duplicated_register(engine, orgs.a_caseworker.actor, people=80)
    me = orgs.a_caseworker
    run = _run(api, me, {"kind": "dedupe"})
    assert run["status"] == "done", run["error"]
    assert run["records_own"] == len(frame) and run["pairs"] > 0 and run["pending"] == run["pairs"]
    assert run["started_by"] == "caseworker" and run["parameters"]["threshold"] == 0.95
    assert {c["comparison"] for c in run["model"]["comparisons"]} >= {"given", "family", "dob", "sex", "nationality"}
    assert api.get(f"{API}/linkage/runs", headers=me.headers).json()[0]["id"] == run["id"]

    queue = api.get(f"{API}/linkage/pairs", params={"run_id": run["id"]}, headers=me.headers).json()
    assert queue["total"] == run["pairs"]
    top = queue["items"][0]
    # The explanation adds up: prior weight plus every comparison's weight is the pair's match weight.
    assert abs(top["prior_weight"] + sum(c["match_weight"] for c in top["comparisons"]) - top["match_weight"]) < 0.01
    assert [c["comparison"] for c in top["comparisons"]][:3] == ["given", "family", "dob"]
    left, right = top["left"], top["right"]
    assert left["visible"] and right["visible"] and left["person"]["given_name"]
    # The synthetic register knows which records are the same person: the top pair is one.
    truth = {(r.case_id, r.person_ref): r.true_id for r in frame.itertuples()}
    assert truth[(left["case_id"], left["person_ref"])] == truth[(right["case_id"], right["person_ref"])]
    before = [_person(api, me, s["case_id"], s["person_ref"]) for s in (left, right)]

    # A decision needs a reason.
    missing = api.post(f"{API}/linkage/pairs/decisions", headers=me.headers,
                       json={"pair_id": top["id"], "decision": "accept", "reason": ""})
    assert missing.status_code == 422 and missing.headers["content-type"] == "application/problem+json"
    accepted = api.post(f"{API}/linkage/pairs/decisions", headers=me.headers,
                        json={"pair_id": top["id"], "decision": "accept", "reason": "same dates, same household"})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted" and accepted.json()["merged_person_id"]
    again = api.post(f"{API}/linkage/pairs/decisions", headers=me.headers,
                     json={"pair_id": top["id"], "decision": "reject", "reason": "changed my mind"})
    assert again.status_code == 409 and "already accepted" in again.json()["detail"]

    merges = api.get(f"{API}/linkage/merges", headers=me.headers).json()
    assert len(merges) == 1
    merged = merges[0]
    assert {(m["case_id"], m["person_ref"]) for m in merged["members"]} == {
        (left["case_id"], left["person_ref"]), (right["case_id"], right["person_ref"])}
    assert merged["view"]["given_name"] in {left["person"]["given_name"], right["person"]["given_name"]}
    assert merged["history"][0]["action"] == "merge" and merged["history"][0]["reason"] == "same dates, same household"
    for side in (left, right):
        events = api.get(f"{API}/cases/{side['case_id']}/events", headers=me.headers).json()
        assert events[-1]["kind"] == "person.merged" and events[-1]["data"]["merged_person_id"] == merged["id"]

    split = api.post(f"{API}/linkage/unmerges", headers=me.headers, json={
        "merged_person_id": merged["id"], "member_ids": [merged["members"][1]["member_id"]], "reason": "twins"})
    assert split.status_code == 200, split.text
    assert split.json()[0]["status"] == "split" and split.json()[0]["members"] == []
    assert [h["action"] for h in split.json()[0]["history"]] == ["merge", "unmerge"]
    for side, was in zip((left, right), before, strict=True):
        assert _person(api, me, side["case_id"], side["person_ref"]) == was  # every value as registered
        events = api.get(f"{API}/cases/{side['case_id']}/events", headers=me.headers).json()
        assert events[-1]["kind"] == "person.unmerged" and events[-1]["reason"] == "twins"
    assert api.get(f"{API}/linkage/merges", headers=me.headers).json() == []

    # Rejecting records why; a second run does not ask again about anything already queued or decided.
    second = queue["items"][1]
    rejected = api.post(f"{API}/linkage/pairs/decisions", headers=me.headers,
                        json={"pair_id": second["id"], "decision": "reject", "reason": "different fathers"})
    assert rejected.json()["status"] == "rejected" and rejected.json()["reason"] == "different fathers"
    rerun = _run(api, me, {"kind": "dedupe"})
    assert rerun["status"] == "done" and rerun["pairs"] == 0 and rerun["skipped"] == run["pairs"]


def test_no_agreement_no_linkage_and_nothing_of_anothers_runs(api, orgs: TwoOrgs, engine) -> None:  # type: ignore[no-untyped-def]
    duplicated_register(engine, orgs.a_caseworker.actor, people=60)
    run = _run(api, orgs.a_caseworker, {"kind": "dedupe"})
    pair = api.get(f"{API}/linkage/pairs", headers=orgs.a_caseworker.headers).json()["items"][0]
    api.post(f"{API}/linkage/pairs/decisions", headers=orgs.a_caseworker.headers,
             json={"pair_id": pair["id"], "decision": "accept", "reason": "same"})
    merged = api.get(f"{API}/linkage/merges", headers=orgs.a_caseworker.headers).json()[0]

    b = orgs.b_caseworker
    register(engine, b.actor, "B-1")
    refused = api.post(f"{API}/linkage/runs", headers=b.headers, json={"kind": "link", "partner": "agency-a"})
    assert refused.status_code == 403 and refused.headers["content-type"] == "application/problem+json"
    assert "no active data-sharing agreement for deduplication" in refused.json()["detail"]
    assert "agency-a" in refused.json()["detail"]
    # An agreement for another purpose does not open linkage.
    _agreement(api, orgs, ["person.given_name", "person.family_name", "person.date_of_birth"],
               purpose="resettlement-processing")
    assert api.post(f"{API}/linkage/runs", headers=b.headers,
                    json={"kind": "link", "partner": "agency-a"}).status_code == 403
    assert api.get(f"{API}/linkage/runs", headers=b.headers).json() == []
    assert api.get(f"{API}/linkage/runs/{run['id']}", headers=b.headers).status_code == 404
    assert api.get(f"{API}/linkage/pairs", params={"status": "accepted"}, headers=b.headers).json()["total"] == 0
    assert api.get(f"{API}/linkage/merges", headers=b.headers).json() == []
    assert api.post(f"{API}/linkage/pairs/decisions", headers=b.headers,
                    json={"pair_id": pair["id"], "decision": "reject", "reason": "x"}).status_code == 404
    assert api.post(f"{API}/linkage/unmerges", headers=b.headers, json={
        "merged_person_id": merged["id"], "member_ids": [merged["members"][0]["member_id"]],
        "reason": "x"}).status_code == 404
    # A viewer of the owning organisation reads, but does not decide or start.
    viewer = orgs.a_viewer
    assert api.get(f"{API}/linkage/runs", headers=viewer.headers).status_code == 200
    assert api.post(f"{API}/linkage/runs", headers=viewer.headers, json={"kind": "dedupe"}).status_code == 403


def test_columns_the_agreement_does_not_share_are_named_with_how_to_map_them(api, orgs: TwoOrgs, engine) -> None:  # type: ignore[no-untyped-def]
    register(engine, orgs.a_caseworker.actor, "A-1")
    register(engine, orgs.b_caseworker.actor, "B-1")
    agreement = _agreement(api, orgs, ["person.given_name", "person.name_original", "person.sex"])
    response = api.post(f"{API}/linkage/runs", headers=orgs.b_caseworker.headers,
                        json={"kind": "link", "partner": "agency-a"})
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    problems = {p["field"]: p for p in response.json()["errors"]}
    assert set(problems) == {"family_name", "date_of_birth"}
    assert "missing required column 'family_name'" in problems["family_name"]["message"]
    assert f"agreements [{agreement}] do not share person.family_name" in problems["family_name"]["fix"]
    assert '"family_name": "name_original"' in problems["family_name"]["fix"]
    # Mapping a field the agreement shares settles that column; date_of_birth is still missing.
    mapped = api.post(f"{API}/linkage/runs", headers=orgs.b_caseworker.headers,
                      json={"kind": "link", "partner": "agency-a", "column_map": {"family_name": "name_original"}})
    assert mapped.status_code == 422
    assert [p["field"] for p in mapped.json()["errors"]] == ["date_of_birth"]
    # A mapping to a field the agreement does not share, or to no field at all, is refused by name.
    bad = api.post(f"{API}/linkage/runs", headers=orgs.b_caseworker.headers,
                   json={"kind": "link", "partner": "agency-a",
                         "column_map": {"date_of_birth": "place_of_birth", "surname": "family_name"}})
    assert bad.status_code == 422
    assert {p["field"] for p in bad.json()["errors"]} == {"column_map.date_of_birth", "column_map.surname"}
    # Parameters are checked too.
    for body, field in (({"kind": "dedupe", "threshold": 0.5, "review_from": 0.9}, None),
                        ({"kind": "link"}, None), ({"kind": "link", "partner": "nobody"}, "partner"),
                        ({"kind": "link", "partner": "state-b"}, "partner")):
        answer = api.post(f"{API}/linkage/runs", headers=orgs.b_caseworker.headers, json=body)
        assert answer.status_code == 422, (body, answer.text)
        if field:
            assert answer.json()["errors"][0]["field"] == field
    assert api.get(f"{API}/linkage/runs", headers=orgs.b_caseworker.headers).json() == []


def test_a_run_that_cannot_train_fails_with_the_engines_reason(api, orgs: TwoOrgs, engine) -> None:  # type: ignore[no-untyped-def]
    register(engine, orgs.a_caseworker.actor, "A-1")
    register(engine, orgs.a_caseworker.actor, "A-2", persons=[
        {"person_ref": "P1", "relationship": "principal", "given_name": "Tesfay", "family_name": "Gebremedhin",
         "sex": "M", "date_of_birth": "1971-06-02", "nationality": "ERI"}])
    run = _run(api, orgs.a_caseworker, {"kind": "dedupe"})
    assert run["status"] == "failed"
    assert run["error"]["code"] == "invalid-input" and "could not be trained" in run["error"]["detail"]
    assert run["error"]["errors"][0]["fix"]


def test_link_with_another_organisation_under_an_agreement(api, orgs: TwoOrgs, engine) -> None:  # type: ignore[no-untyped-def]
    left, right = two_registers(engine, orgs.b_caseworker.actor, orgs.a_caseworker.actor, people=80)
    _agreement(api, orgs, ["person.given_name", "person.family_name", "person.date_of_birth", "person.sex",
                           "person.nationality"])
    run = _run(api, orgs.b_caseworker, {"kind": "link", "partner": "agency-a"})
    assert run["status"] == "done", run["error"]
    assert run["records_own"] == len(left) and run["records_partner"] == len(right) and run["pairs"] > 0
    queue = api.get(f"{API}/linkage/pairs", headers=orgs.b_caseworker.headers).json()
    for pair in queue["items"]:
        assert pair["left"]["organisation"] == "state-b" and pair["right"]["organisation"] == "agency-a"
        other = pair["right"]["person"]
        assert other["place_of_birth"] is None and other["languages"] == []  # not in the agreement
    top = queue["items"][0]
    accepted = api.post(f"{API}/linkage/pairs/decisions", headers=orgs.b_caseworker.headers,
                        json={"pair_id": top["id"], "decision": "accept", "reason": "same person"})
    assert accepted.status_code == 200, accepted.text
    merged = api.get(f"{API}/linkage/merges", headers=orgs.b_caseworker.headers).json()[0]
    assert {m["organisation"] for m in merged["members"]} == {"state-b", "agency-a"}
    # Only B's case gets an event; A's case is not written to by B.
    a_events = api.get(f"{API}/cases/{top['right']['case_id']}/events", headers=orgs.a_caseworker.headers).json()
    assert all(e["kind"] != "person.merged" for e in a_events)
    b_events = api.get(f"{API}/cases/{top['left']['case_id']}/events", headers=orgs.b_caseworker.headers).json()
    assert b_events[-1]["kind"] == "person.merged" and b_events[-1]["data"]["with"][1] == {"organisation": "agency-a"}
