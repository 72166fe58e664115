"""Cases through the web UI: search, filters, paging, the register and edit forms, pathway and status actions."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from asylon.db.engine import transaction
from asylon.db.models import Case, CaseEvent
from tests.support.world import TwoOrgs, register
from tests.web.conftest import WebClient

pytestmark = pytest.mark.db


def count(engine: Engine, model: Any = Case) -> int:
    with transaction(engine, write=False) as session:
        return session.scalar(select(func.count(model.id))) or 0


def numbers_on(html: str) -> list[str]:
    return re.findall(r'<a href="/cases/\d+">([^<]+)</a>', html)


def household(**overrides: str) -> dict[str, str]:
    form = {"members": "1", "action": "save", "case_number": "W-1", "country_of_asylum": "JOR",
            "origin_country": "SYR", "fled_countries": "SYR", "persons-0-given_name": "Amina",
            "persons-0-family_name": "Yusuf", "persons-0-name_original": "أمينة يوسف", "persons-0-sex": "F",
            "persons-0-date_of_birth": "1990-02-21", "persons-0-nationality": "SYR",
            "persons-0-languages": "ara eng", "persons-0-needs": "woman-at-risk"}
    form.update(overrides)
    return form


@pytest.mark.parametrize(("query", "expected"), [
    ("rania", ["C-1"]),
    ("RANIA haddad", ["C-1"]),
    ("رانيا", ["C-1"]),
    ("C-2", ["C-2"]),
    ("Omar", ["C-1"]),
    ("nobody", []),
])
def test_search_by_name_in_any_script_or_case_number(a_web: WebClient, engine: Engine, orgs: TwoOrgs,
                                                     query: str, expected: list[str]) -> None:
    register(engine, orgs.a_caseworker.actor, "C-1")
    register(engine, orgs.a_caseworker.actor, "C-2", persons=[
        {"person_ref": "P1", "relationship": "principal", "given_name": "Yonas", "family_name": "Tesfay",
         "name_original": "ዮናስ ተስፋይ", "name_script": "Ethi", "sex": "M", "nationality": "ERI"}])
    page = a_web.get("/cases", params={"q": query})
    assert numbers_on(page.text) == expected
    if not expected:
        assert "No case matches." in page.text


def test_filters_and_paging(a_web: WebClient, engine: Engine, orgs: TwoOrgs) -> None:
    for n in range(1, 31):
        register(engine, orgs.a_caseworker.actor, f"C-{n:02d}",
                 country_of_asylum="LBN" if n % 3 == 0 else "JOR")
    first = a_web.get("/cases")
    assert "Showing 1–25 of 30 cases" in first.text
    assert 'rel="next"' in first.text
    second = a_web.get("/cases", params={"page": 2})
    assert numbers_on(second.text) == [f"C-{n:02d}" for n in range(26, 31)]
    lebanon = a_web.get("/cases", params={"country_of_asylum": "LBN"})
    assert numbers_on(lebanon.text) == [f"C-{n:02d}" for n in range(3, 31, 3)]
    assert numbers_on(a_web.get("/cases", params={"need": "single-parent", "country_of_asylum": "LBN"}).text)
    assert numbers_on(a_web.get("/cases", params={"need": "disability"}).text) == []
    assert numbers_on(a_web.get("/cases", params={"legal_status": "refugee"}).text) == []


def test_register_with_an_invalid_field_saves_nothing_and_says_where(a_web: WebClient, engine: Engine) -> None:
    a_web.get("/cases/new")
    before = (count(engine), count(engine, CaseEvent))
    response = a_web.post("/cases/new", household(**{"persons-0-date_of_birth": "1990-02-31"}))
    assert response.status_code == 422
    assert 'id="persons-0-date_of_birth-error"' in response.text
    assert "&#39;1990-02-31&#39; is not a date" in response.text
    assert 'href="#persons-0-date_of_birth"' in response.text  # the summary links to the field
    assert 'value="Amina"' in response.text  # what was typed stays
    assert (count(engine), count(engine, CaseEvent)) == before

    response = a_web.post("/cases/new", household())
    assert response.status_code == 303
    case = a_web.get(response.headers["location"])
    assert "The household is registered." in case.text
    assert "أمينة يوسف" in case.text and "Woman at risk" in case.text
    assert count(engine) == before[0] + 1


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"country_of_asylum": "XYZ"}, "country_of_asylum", "not an ISO 3166-1 alpha-3"),
    ({"case_number": ""}, "case_number", "required"),
    ({"persons-0-nationality": "QQ"}, "persons-0-nationality", "STA for stateless"),
    ({"persons-0-languages": "klingon"}, "persons-0-languages", "ISO 639-3"),
    ({"fled_countries": "SYR NOPE"}, "fled_countries", "not an ISO 3166-1"),
])
def test_register_field_messages(a_web: WebClient, engine: Engine, overrides: dict[str, str], field: str,
                                 message: str) -> None:
    a_web.get("/cases/new")
    response = a_web.post("/cases/new", household(**overrides))
    assert response.status_code == 422
    error = re.search(rf'id="{field}-error">(.*?)</p>', response.text, re.S)
    assert error and message in error.group(1)
    assert count(engine) == 0


def test_duplicate_case_number_is_a_field_message(a_web: WebClient, engine: Engine, orgs: TwoOrgs) -> None:
    register(engine, orgs.a_caseworker.actor, "W-1")
    a_web.get("/cases/new")
    response = a_web.post("/cases/new", household())
    assert response.status_code == 422
    assert 'id="case_number-error"' in response.text and "already registered" in response.text


def test_add_member_rows_without_javascript(a_web: WebClient, engine: Engine) -> None:
    a_web.get("/cases/new")
    response = a_web.post("/cases/new", household(action="add-member"))
    assert response.status_code == 200 and 'name="persons-1-given_name"' in response.text
    form = household(members="2", **{"persons-1-given_name": "Laith", "persons-1-relationship": "child",
                                     "persons-1-date_of_birth": "2016", "persons-1-sex": "M"})
    response = a_web.post("/cases/new", form)
    assert response.status_code == 303
    assert "Laith" in a_web.get(response.headers["location"]).text
    assert count(engine) == 1


def test_viewer_cannot_register(web: WebClient, orgs: TwoOrgs) -> None:
    web.login(orgs.a_viewer.email)
    assert web.get("/cases/new").status_code == 403
    assert 'href="/cases/new"' not in web.get("/cases").text


def test_edit_corrects_case_and_members_in_one_go(a_web: WebClient, engine: Engine, orgs: TwoOrgs) -> None:
    case_id = register(engine, orgs.a_caseworker.actor, "C-1")
    page = a_web.get(f"/cases/{case_id}/edit")
    values = dict(re.findall(r'name="([^"]+)" type="text" value="([^"]*)"', page.text))
    values.update({"country_of_asylum": "JOR", "persons-0-given_name": "Rana", "persons-1-date_of_birth": "2015-04",
                   "reason": "spelling checked with the family"})
    bad = a_web.post(f"/cases/{case_id}/edit", {**values, "persons-1-date_of_birth": "2015-13"})
    assert bad.status_code == 422 and 'id="persons-1-date_of_birth-error"' in bad.text
    assert "Rania" in a_web.get(f"/cases/{case_id}").text  # nothing saved
    good = a_web.post(f"/cases/{case_id}/edit", values)
    assert good.status_code == 303
    page = a_web.get(good.headers["location"]).text
    assert "Rana Haddad" in page and "2015-04" in page and "Member corrected" in page
    assert "spelling checked with the family" in page


def test_pathway_advances_and_refusals_name_the_rule(a_web: WebClient, engine: Engine, orgs: TwoOrgs) -> None:
    case_id = register(engine, orgs.a_caseworker.actor, "C-1")
    a_web.get(f"/cases/{case_id}")
    refused = a_web.post(f"/cases/{case_id}/pathway", {"pathway": "resettlement", "destination": "SYR"})
    assert refused.status_code == 409
    assert "non-refoulement.nationality" in refused.text
    assert "nobody may be transferred to their own country of nationality" in refused.text
    assert a_web.post(f"/cases/{case_id}/pathway", {"pathway": "resettlement"}).status_code == 303
    refused = a_web.post(f"/cases/{case_id}/pathway", {"state": "submitted"})
    assert refused.status_code == 409 and "pathway.destination-required" in refused.text
    refused = a_web.post(f"/cases/{case_id}/pathway", {"state": "departed"})
    assert refused.status_code == 409 and "pathway.resettlement.transition" in refused.text
    assert "Possible next steps:" in refused.text
    assert a_web.post(f"/cases/{case_id}/pathway", {"destination": "DEU"}).status_code == 303
    assert a_web.post(f"/cases/{case_id}/pathway", {"state": "submitted"}).status_code == 303
    page = a_web.get(f"/cases/{case_id}").text
    assert "Resettlement · submitted" in page and "Destination set" in page


def test_voluntariness_declaration_unlocks_the_return(a_web: WebClient, engine: Engine, orgs: TwoOrgs) -> None:
    case_id = register(engine, orgs.a_caseworker.actor, "C-1")
    a_web.get(f"/cases/{case_id}")
    assert a_web.post(f"/cases/{case_id}/pathway", {"pathway": "voluntary-repatriation"}).status_code == 303
    assert a_web.post(f"/cases/{case_id}/pathway", {"state": "intention"}).status_code == 303
    refused = a_web.post(f"/cases/{case_id}/pathway", {"state": "voluntariness-verified"})
    assert refused.status_code == 409 and "voluntariness.declaration" in refused.text
    missing = a_web.post(f"/cases/{case_id}/voluntariness", {"person_ref": "P1", "method": ""})
    assert missing.status_code == 422 and 'id="voluntariness-method-error"' in missing.text
    done = a_web.post(f"/cases/{case_id}/voluntariness", {"person_ref": "P1", "method": "individual interview"})
    assert done.status_code == 303
    assert a_web.post(f"/cases/{case_id}/pathway", {"state": "voluntariness-verified"}).status_code == 303


def test_status_change(a_web: WebClient, engine: Engine, orgs: TwoOrgs) -> None:
    case_id = register(engine, orgs.a_caseworker.actor, "C-1")
    a_web.get(f"/cases/{case_id}")
    assert a_web.post(f"/cases/{case_id}/status", {"status": "refugee", "reason": "RSD interview"}).status_code == 303
    refused = a_web.post(f"/cases/{case_id}/status", {"status": "appeal"})
    assert refused.status_code == 409 and "legal_status.transition" in refused.text
    assert "Refugee" in a_web.get(f"/cases/{case_id}").text


def test_viewer_sees_no_actions(web: WebClient, engine: Engine, orgs: TwoOrgs) -> None:
    case_id = register(engine, orgs.a_caseworker.actor, "C-1")
    web.login(orgs.a_viewer.email)
    page = web.get(f"/cases/{case_id}").text
    assert "Rania" in page and f'action="/cases/{case_id}/pathway"' not in page
    refused = web.post(f"/cases/{case_id}/pathway", {"pathway": "resettlement"})
    assert refused.status_code == 403
