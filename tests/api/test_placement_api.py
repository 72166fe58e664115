"""The placement exercise API over real HTTP handling: create, run in the background, poll, review the
explanations, pin and override, accept into case events; bad input named by field; another organisation
sees nothing of it."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.support.placement import add_cases, exercise_body, household
from tests.support.world import TwoOrgs

pytestmark = pytest.mark.db

BASE = "/api/v1/placement/exercises"


def wait_for(api: Any, url: str, headers: dict[str, str]) -> dict[str, Any]:
    """Poll a run until it is solved or failed, as a client does."""
    for _ in range(600):
        run = api.get(url, headers=headers).json()
        if run["status"] in ("solved", "failed"):
            return dict(run)
        time.sleep(0.1)
    raise AssertionError(f"the run did not finish: {run}")


def test_create_run_review_pin_accept(api: Any, engine: Engine, orgs: TwoOrgs) -> None:
    cw = orgs.a_caseworker
    ids = add_cases(engine, cw.actor, {"H-1": household("H-1", 2), "H-2": household("H-2", 1)})
    created = api.post(BASE, json=exercise_body(ids), headers=cw.headers)
    assert created.status_code == 201, created.text
    exercise = created.json()
    assert exercise["case_count"] == 2 and exercise["persons"] == 3 and exercise["latest_run"] is None
    url = f"{BASE}/{exercise['id']}"

    started = api.post(f"{url}/runs", headers=cw.headers)
    assert started.status_code == 202 and started.json()["status"] in ("queued", "running", "solved")
    run_url = started.headers["Location"]
    run = wait_for(api, run_url, cw.headers)
    assert run["status"] == "solved", run["error"]
    assert run["objective"] is not None and run["bound"] >= run["objective"] and run["solver_seconds"] is not None
    assert run["lp_bound"] >= run["bound"] and isinstance(run["proven"], bool)
    proposals = {p["case_number"]: p for p in run["proposals"]}
    assert proposals["H-1"]["destination"] == "DEU-HH" and proposals["H-1"]["country"] == "DEU"
    assert proposals["H-1"]["runner_ups"][0]["destination"] == "FRA-LY"
    assert {c["constraint"] for c in proposals["H-1"]["constraints"]} >= {"capacity of DEU-HH"}
    assert proposals["H-1"]["refusals"][0]["rule"] == "non-refoulement.nationality"

    # A viewer reads but may not pin; a caseworker overrides with a reason; the re-run keeps it.
    refused = api.post(f"{url}/pins", json={"case_id": ids["H-1"], "destination": "FRA-LY", "reason": "x"},
                       headers=orgs.a_viewer.headers)
    assert refused.status_code == 403
    pinned = api.post(f"{url}/pins", json={"case_id": ids["H-1"], "destination": "FRA-LY",
                                           "reason": "cousin in Lyon"}, headers=cw.headers)
    assert pinned.status_code == 201, pinned.text
    pin = next(c for c in pinned.json()["cases"] if c["case_id"] == ids["H-1"])["pin"]
    assert pin["kind"] == "override" and pin["actor"] == "caseworker" and pin["reason"] == "cousin in Lyon"
    second = api.post(f"{url}/runs", params={"wait": 60}, headers=cw.headers).json()
    second = wait_for(api, f"{url}/runs/{second['id']}", cw.headers)
    moved = next(p for p in second["proposals"] if p["case_number"] == "H-1")
    assert moved["destination"] == "FRA-LY" and moved["status"] == "override" and "cousin" in moved["reason"]

    # An older run cannot be accepted from; the latest can, and the cases' histories show it.
    stale = api.post(f"{url}/acceptances", json={"run_id": run["id"]}, headers=cw.headers)
    assert stale.status_code == 409 and "latest" in stale.json()["detail"]
    accepted = api.post(f"{url}/acceptances", json={"run_id": second["id"], "case_ids": [ids["H-1"]],
                                                    "reason": "selection panel"}, headers=cw.headers)
    assert accepted.status_code == 200, accepted.text
    history = api.get(f"/api/v1/cases/{ids['H-1']}/events", headers=cw.headers).json()
    event = next(e for e in history if e["kind"] == "placement.accepted")
    assert event["data"]["destination"] == "FRA-LY" and event["reason"] == "selection panel"
    assert event["actor"] == "caseworker"
    listed = api.get(BASE, headers=cw.headers).json()
    assert [e["id"] for e in listed] == [exercise["id"]] and listed[0]["latest_run"]["number"] == 2


def test_a_second_run_while_one_is_in_progress_is_refused(api: Any, engine: Engine, orgs: TwoOrgs) -> None:
    cw = orgs.a_caseworker
    ids = add_cases(engine, cw.actor, {"C-1": household("C-1", 1)})
    url = f"{BASE}/{api.post(BASE, json=exercise_body(ids), headers=cw.headers).json()['id']}"
    first = api.post(f"{url}/runs", headers=cw.headers).json()
    second = api.post(f"{url}/runs", headers=cw.headers)
    if second.status_code == 202:  # the first had already finished: that is allowed
        assert wait_for(api, f"{url}/runs/{first['id']}", cw.headers)["status"] == "solved"
    else:
        assert second.status_code == 409 and "still" in second.json()["detail"]
    wait_for(api, f"{url}/runs/{first['id']}", cw.headers)


def test_a_pin_into_an_unsafe_country_is_refused_naming_the_rule(api: Any, engine: Engine, orgs: TwoOrgs) -> None:
    cw = orgs.a_caseworker
    ids = add_cases(engine, cw.actor, {"C-1": household("C-1", 1)})
    assert api.post("/api/v1/unsafe-flags", json={"country": "FRA", "applies_to": "SYR"},
                    headers=orgs.a_admin.headers).status_code == 201
    url = f"{BASE}/{api.post(BASE, json=exercise_body(ids), headers=cw.headers).json()['id']}"
    refused = api.post(f"{url}/pins", json={"case_id": ids["C-1"], "destination": "FRA-LY", "reason": "asked"},
                       headers=cw.headers)
    assert refused.status_code == 409
    assert refused.json()["rule"] == "non-refoulement.unsafe"
    assert refused.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(("change", "field", "words"), [
    (lambda b, ids: b["destinations"][1].update(capacity=-3), "destinations[1].capacity", "greater than or equal to 0"),
    (lambda b, ids: b["destinations"][0].pop("capacity"), "destinations[0].capacity", "required"),
    (lambda b, ids: b["scores"].append({"case_id": ids["C-1"], "destination": "NOWHERE", "score": 1}),
     "scores[3].destination", "unknown destination 'NOWHERE'"),
    (lambda b, ids: b["scores"][0].update(score="high"), "scores[0].score", "number"),
    (lambda b, ids: b["cases"][0].update(tie="NOWHERE"), "cases[0].tie", "unknown destination 'NOWHERE'"),
    (lambda b, ids: b["cases"][0].update(tie="SYR-DM"), "cases[0].tie", "non-refoulement.nationality"),
    (lambda b, ids: b["destinations"][0].update(country="XYZ"), "destinations[0].country", "XYZ"),
    (lambda b, ids: b["cases"].append({"case_id": ids["C-1"]}), "cases[1].case_id", "listed twice"),
], ids=["negative-capacity", "missing-capacity", "unknown-destination", "non-numeric-score", "tie-unknown",
        "tie-refused", "unknown-country", "duplicate-case"])
def test_bad_input_names_the_field(api: Any, engine: Engine, orgs: TwoOrgs, change: Any, field: str,
                                   words: str) -> None:
    ids = add_cases(engine, orgs.a_caseworker.actor, {"C-1": household("C-1", 1)})
    body = exercise_body(ids)
    change(body, ids)
    answer = api.post(BASE, json=body, headers=orgs.a_caseworker.headers)
    assert answer.status_code == 422, answer.text
    problems = answer.json()["errors"]
    assert any(p.get("field") == field and words in p["message"] for p in problems), problems
    assert api.get(BASE, headers=orgs.a_caseworker.headers).json() == []  # nothing was created


def test_another_organisation_can_neither_see_nor_run_nor_change_it(api: Any, engine: Engine,
                                                                    orgs: TwoOrgs) -> None:
    cw = orgs.a_caseworker
    ids = add_cases(engine, cw.actor, {"SECRET-1": household("SECRET-1", 1)})
    exercise = api.post(BASE, json=exercise_body(ids), headers=cw.headers).json()
    url = f"{BASE}/{exercise['id']}"
    run = wait_for(api, f"{url}/runs/" + str(api.post(f"{url}/runs", headers=cw.headers).json()["id"]), cw.headers)
    b = orgs.b_admin.headers
    attempts = [
        ("GET", url, None), ("GET", f"{url}/runs", None), ("GET", f"{url}/runs/{run['id']}", None),
        ("POST", f"{url}/runs", None),
        ("POST", f"{url}/pins", {"case_id": ids["SECRET-1"], "destination": "FRA-LY", "reason": "x"}),
        ("POST", f"{url}/pins/release", {"case_id": ids["SECRET-1"]}),
        ("POST", f"{url}/acceptances", {"run_id": run["id"]}),
    ]
    for method, path, body in attempts:
        answer = api.request(method, path, json=body, headers=b)
        assert answer.status_code == 404, f"{method} {path}: {answer.status_code}"
        assert "SECRET-1" not in answer.text and "Relocation round 1" not in answer.text
    assert api.get(BASE, headers=b).json() == []
    # B cannot build its own exercise from A's case either: "not found", as for a case that does not exist.
    theirs = api.post(BASE, json=exercise_body(ids), headers=orgs.b_caseworker.headers)
    assert theirs.status_code == 422 and "SECRET-1" not in theirs.text
    assert theirs.json()["errors"][0] == {"field": "cases[0].case_id", "value": str(ids["SECRET-1"]),
                                          "message": f"case {ids['SECRET-1']} not found",
                                          "fix": "use the id of one of your organisation's cases"}
    # And nothing B sent changed A's exercise.
    assert api.get(f"{url}/runs", headers=cw.headers).json()[0]["id"] == run["id"]
