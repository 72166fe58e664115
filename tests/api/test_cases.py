"""Registering and following a case over the API: history, search, status and pathway moves."""

from __future__ import annotations

import pytest

from tests.support.world import TwoOrgs, case_payload

pytestmark = pytest.mark.db


def _create(api, orgs: TwoOrgs, **overrides) -> dict:  # type: ignore[no-untyped-def]
    response = api.post("/api/v1/cases", json=case_payload(**overrides), headers=orgs.a_caseworker.headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_register_read_and_history(api, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    case = _create(api, orgs)
    assert case["size"] == 2 and case["organisation"] == "agency-a"
    assert case["persons"][0]["dob_precision"] == "exact" and case["persons"][1]["dob_precision"] == "year"
    fetched = api.get(f"/api/v1/cases/{case['id']}", headers=orgs.a_viewer.headers).json()
    assert fetched == case
    api.patch(f"/api/v1/cases/{case['id']}/persons/P2", json={"date_of_birth": "2015-06-02", "reason": "passport seen"},
              headers=orgs.a_caseworker.headers).raise_for_status()
    events = api.get(f"/api/v1/cases/{case['id']}/events", headers=orgs.a_viewer.headers).json()
    assert [e["kind"] for e in events] == ["case.registered", "person.corrected"]
    assert events[1]["data"]["changes"]["date_of_birth"] == ["2015", "2015-06-02"]
    assert events[1]["reason"] == "passport seen" and events[1]["actor"] == "caseworker"


def test_duplicate_case_number_is_a_conflict(api, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    _create(api, orgs)
    again = api.post("/api/v1/cases", json=case_payload(), headers=orgs.a_caseworker.headers)
    assert again.status_code == 409 and "C-1" in again.json()["detail"]
    # The same number in another organisation is a different case.
    assert api.post("/api/v1/cases", json=case_payload(), headers=orgs.b_caseworker.headers).status_code == 201


@pytest.mark.parametrize("query", ["rania", "RANIA haddad", "رانيا", "C-1", "omar", "Hadad", "Umar", "ran had"])
def test_search_finds_a_case_by_any_name_form(api, orgs: TwoOrgs, query: str) -> None:  # type: ignore[no-untyped-def]
    case = _create(api, orgs)
    _create(api, orgs, **{"case_number": "C-2", "persons": [
        {"person_ref": "P1", "relationship": "principal", "given_name": "Dawit", "family_name": "Tesfaye", "sex": "M"}]})
    found = api.get("/api/v1/cases", params={"q": query}, headers=orgs.a_viewer.headers).json()
    assert [c["id"] for c in found["items"]] == [case["id"]]


def test_filters_and_paging(api, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    for n in range(7):
        _create(api, orgs, case_number=f"C-{n}", country_of_asylum="JOR" if n % 2 else "TUR")
    page = api.get("/api/v1/cases", params={"country_of_asylum": "TUR", "limit": 2, "offset": 2},
                   headers=orgs.a_viewer.headers).json()
    assert page["total"] == 4 and [c["case_number"] for c in page["items"]] == ["C-4", "C-6"]
    past_the_end = api.get("/api/v1/cases", params={"country_of_asylum": "TUR", "offset": 10},
                           headers=orgs.a_viewer.headers).json()
    assert past_the_end["total"] == 4 and past_the_end["items"] == []
    needs = api.get("/api/v1/cases", params={"need": "single-parent"}, headers=orgs.a_viewer.headers).json()
    assert needs["total"] == 7


def test_a_viewer_cannot_change_a_case(api, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    case = _create(api, orgs)
    refused = api.post(f"/api/v1/cases/{case['id']}/status", json={"status": "refugee"}, headers=orgs.a_viewer.headers)
    assert refused.status_code == 403 and "caseworker" in refused.json()["detail"]


def _move(api, orgs, case_id, body):  # type: ignore[no-untyped-def]
    return api.post(f"/api/v1/cases/{case_id}/pathway", json=body, headers=orgs.a_caseworker.headers)


# Each row: the steps before, the refused step, the rule the refusal must name.
REFUSALS = [
    ([], {"pathway": "resettlement", "destination": "SYR"}, "non-refoulement.nationality"),
    ([{"pathway": "resettlement"}], {"state": "departed"}, "pathway.resettlement.transition"),
    ([{"pathway": "resettlement"}], {"state": "submitted"}, "pathway.destination-required"),
    ([{"pathway": "resettlement", "destination": "DEU"}], {"pathway": "local-integration"}, "pathway.one-at-a-time"),
    ([{"pathway": "voluntary-repatriation"}, {"state": "intention"}], {"state": "voluntariness-verified"},
     "voluntariness.declaration"),
]


@pytest.mark.parametrize(("before", "step", "rule"), REFUSALS)
def test_refusals_name_the_rule(api, orgs: TwoOrgs, before, step, rule) -> None:  # type: ignore[no-untyped-def]
    case = _create(api, orgs)
    for body in before:
        assert _move(api, orgs, case["id"], body).status_code == 200
    refused = _move(api, orgs, case["id"], step)
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["rule"] == rule and rule in refused.json()["detail"]
    events = api.get(f"/api/v1/cases/{case['id']}/events", headers=orgs.a_viewer.headers).json()
    assert len(events) == 1 + len(before)  # the refused step wrote nothing


def test_resettlement_to_a_fled_country_is_refused(api, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    case = _create(api, orgs, fled_countries=["SYR", "LBN"])
    refused = _move(api, orgs, case["id"], {"pathway": "resettlement", "destination": "LBN"})
    assert refused.json()["rule"] == "non-refoulement.fled"


def test_unsafe_flag_blocks_organisation_initiated_return(api, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    case = _create(api, orgs)
    api.post("/api/v1/unsafe-flags", json={"country": "SYR", "reason": "active conflict"},
             headers=orgs.a_admin.headers).raise_for_status()
    refused = _move(api, orgs, case["id"], {"pathway": "voluntary-repatriation", "initiated_by": "organisation"})
    assert refused.status_code == 409 and refused.json()["rule"] == "return.unsafe"
    # A person may still express their own intention to return.
    assert _move(api, orgs, case["id"], {"pathway": "voluntary-repatriation"}).status_code == 200


def test_full_voluntary_repatriation_with_declarations(api, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    case = _create(api, orgs)
    for body in ({"pathway": "voluntary-repatriation"}, {"state": "intention"}):
        _move(api, orgs, case["id"], body).raise_for_status()
    api.post(f"/api/v1/cases/{case['id']}/voluntariness", json={"person_ref": "P1", "method": "interview"},
             headers=orgs.a_caseworker.headers).raise_for_status()
    moved = _move(api, orgs, case["id"], {"state": "voluntariness-verified"})
    assert moved.status_code == 200 and moved.json()["pathway_state"] == "voluntariness-verified"


def test_family_split_needs_a_decision(api, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    case = _create(api, orgs)
    _move(api, orgs, case["id"], {"pathway": "resettlement", "destination": "DEU"}).raise_for_status()
    decided = api.post(f"/api/v1/cases/{case['id']}/family-unity",
                       json={"decision": "child joins the other parent in Canada", "person_destinations": {"P2": "CAN"}},
                       headers=orgs.a_caseworker.headers)
    assert decided.status_code == 200
    assert {p["person_ref"]: p["destination"] for p in decided.json()["persons"]} == {"P1": None, "P2": "CAN"}


def test_erasure_removes_personal_fields_and_keeps_the_fact(api, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    case = _create(api, orgs)
    erased = api.post(f"/api/v1/cases/{case['id']}/persons/P1/erasure", json={"reason": "data-subject request"},
                      headers=orgs.a_admin.headers)
    assert erased.status_code == 200
    person = erased.json()["persons"][0]
    assert person["erased"] and person["given_name"] is None and person["date_of_birth"] is None
    assert erased.json()["size"] == 2
    events = api.get(f"/api/v1/cases/{case['id']}/events", headers=orgs.a_admin.headers).text
    assert "Rania" not in events and "1986-03-14" not in events and "رانيا" not in events
    assert "person.erased" in events
    assert api.get("/api/v1/cases", params={"q": "rania"}, headers=orgs.a_admin.headers).json()["total"] == 0



def test_a_read_takes_one_pooled_connection_and_a_write_reads_back_its_own_change(  # type: ignore[no-untyped-def]
    api, engine, orgs: TwoOrgs
) -> None:
    from sqlalchemy import event

    case = _create(api, orgs)
    checkouts: list[object] = []

    def checked_out(*_args: object) -> None:
        checkouts.append(_args)

    event.listen(engine, "checkout", checked_out)
    try:
        listed = api.get("/api/v1/cases", headers=orgs.a_viewer.headers)
        assert listed.status_code == 200 and listed.json()["total"] == 1
        # The token check and the list share the request's connection.
        assert len(checkouts) == 1
        # A route that writes answers with what it committed, read after the commit.
        changed = api.patch(f"/api/v1/cases/{case['id']}", json={"origin_country": "ERI", "reason": "corrected"},
                            headers=orgs.a_caseworker.headers)
        assert changed.status_code == 200 and changed.json()["origin_country"] == "ERI"
        assert api.get(f"/api/v1/cases/{case['id']}", headers=orgs.a_viewer.headers).json()["origin_country"] == "ERI"
    finally:
        event.remove(engine, "checkout", checked_out)
