"""Bad input gets a clear 4xx that names the field or row, and nothing is written."""

from __future__ import annotations

import pytest

from tests.support.files import demo_rows, to_csv
from tests.support.world import TwoOrgs, case_payload

pytestmark = pytest.mark.db


def _count(api, orgs: TwoOrgs) -> int:  # type: ignore[no-untyped-def]
    return int(api.get("/api/v1/cases", headers=orgs.a_viewer.headers).json()["total"])


def _person(**fields):  # type: ignore[no-untyped-def]
    payload = case_payload()
    payload["persons"][0] |= fields
    return payload


@pytest.mark.parametrize(
    ("kwargs", "status", "field", "words"),
    [
        ({"content": b'{"case_number": "C-1",', "headers": {"content-type": "application/json"}}, 400, None, "not valid JSON"),
        ({"content": b"case_number=C-1"}, 400, None, "JSON object"),
        ({"json": case_payload(persons="many")}, 422, "persons", "list"),
        ({"json": case_payload(case_number=17)}, 422, "case_number", "string"),
        ({"json": case_payload(country_of_asylum="XXX")}, 422, "country_of_asylum", "ISO 3166"),
        ({"json": _person(needs=["very-sad"])}, 422, "persons[0].needs[0]", "child-at-risk"),
        ({"json": _person(sex="female")}, 422, "persons[0].sex", "'F'"),
        ({"json": _person(date_of_birth="1990-02-31")}, 422, "persons[0].date_of_birth", "YYYY-MM-DD"),
        ({"json": _person(date_of_birth="2090")}, 422, "persons[0].date_of_birth", "future"),
        ({"json": _person(languages=["arabic"])}, 422, "persons[0].languages[0]", "ISO 639-3"),
        ({"json": _person(relationship="spouse")}, 422, None, "exactly one person"),
        ({"json": case_payload(unknown_field=1)}, 422, "unknown_field", "not permitted"),
        ({"json": case_payload(pathway="resettlement", pathway_state="flying")}, 422, None, "submitted"),
    ],
)
def test_bad_case_bodies(api, orgs: TwoOrgs, kwargs, status: int, field: str | None, words: str) -> None:  # type: ignore[no-untyped-def]
    kwargs = dict(kwargs)
    headers = orgs.a_caseworker.headers | kwargs.pop("headers", {})
    response = api.post("/api/v1/cases", headers=headers, **kwargs)
    assert response.status_code == status, response.text
    problem = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert words in problem["detail"], problem
    if field is not None:
        assert field in [e.get("field") for e in problem["errors"]], problem["errors"]
    assert _count(api, orgs) == 0


@pytest.mark.parametrize(("params", "field"), [({"limit": 0}, "limit"), ({"legal_status": "happy"}, "legal_status"),
                                                ({"need": "x"}, "need"), ({"updated_since": "yesterday"}, "updated_since")])
def test_bad_query_parameters(api, orgs: TwoOrgs, params, field: str) -> None:  # type: ignore[no-untyped-def]
    response = api.get("/api/v1/cases", params=params, headers=orgs.a_viewer.headers)
    assert response.status_code == 422 and any(field in (e.get("field") or "") for e in response.json()["errors"])


def test_csv_with_three_bad_rows_of_a_thousand(api, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    rows = demo_rows(400)[:1000]
    assert len(rows) == 1000
    rows[13]["date_of_birth"] = "31/02/1990"
    rows[500]["nationality"] = "Atlantis"
    rows[998]["needs"] = "medical;sad"
    response = api.post("/api/v1/imports/cases", files={"file": ("caseload.csv", to_csv(rows), "text/csv")},
                        headers=orgs.a_caseworker.headers)
    assert response.status_code == 422
    problems = {(e["row"], e["field"]) for e in response.json()["errors"]}
    # Row numbers as a spreadsheet shows them: header is row 1.
    assert {(15, "date_of_birth"), (502, "nationality"), (1000, "needs")} <= problems
    assert len(problems) == 3
    assert "row 15, column date_of_birth: '31/02/1990' is not a date" in response.text
    assert _count(api, orgs) == 0


def test_oversize_upload_is_refused(api, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    api.app.state.settings.max_upload_bytes = 10_000
    response = api.post("/api/v1/imports/cases", files={"file": ("big.csv", b"x" * 10_001, "text/csv")},
                        headers=orgs.a_caseworker.headers)
    assert response.status_code == 413 and "limit" in response.json()["detail"]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty"),
        (b"\xff\xfe\x00garbage", "UTF-8"),
        (b"case_number,colour\nC-1,blue\n", "unknown column 'colour'"),
        (b"case_number,person_ref,relationship\nC-1,P1,principal\n", "country_of_asylum"),
        (b'{"cases": 5}', "list of cases"),
        (b"[{", "not valid JSON"),
    ],
)
def test_unreadable_files(api, orgs: TwoOrgs, content: bytes, words: str) -> None:  # type: ignore[no-untyped-def]
    response = api.post("/api/v1/imports/cases", files={"file": ("f.csv", content, "text/csv")},
                        headers=orgs.a_caseworker.headers)
    assert response.status_code == 422 and words in response.text, response.text
