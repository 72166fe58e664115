"""Tenancy: another organisation's token gets none of this organisation's data, on every route.

The routes are walked from the OpenAPI document, so a route added later is covered without editing this
test — unless it takes a request body this test does not know, in which case the test fails and asks for one.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from sqlalchemy import Engine, update

from asylon.db.base import utcnow
from asylon.db.engine import transaction
from asylon.db.models import ApiToken
from tests.support.world import TwoOrgs, case_payload

pytestmark = pytest.mark.db

SECRETS = ("SECRET-A-1", "Zenobia", "Qwertyuiop", "1979-11-23")

BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/api/v1/cases"): {"json": case_payload("B-OWN-1")},
    ("patch", "/api/v1/cases/{case_id}"): {"json": {"origin_country": "AFG"}},
    ("post", "/api/v1/cases/{case_id}/persons"): {
        "json": {"person_ref": "P9", "relationship": "child", "sex": "F"}},
    ("patch", "/api/v1/cases/{case_id}/persons/{person_ref}"): {"json": {"given_name": "Changed"}},
    ("post", "/api/v1/cases/{case_id}/persons/{person_ref}/erasure"): {"json": {"reason": "test"}},
    ("post", "/api/v1/cases/{case_id}/status"): {"json": {"status": "refugee"}},
    ("post", "/api/v1/cases/{case_id}/pathway"): {"json": {"pathway": "resettlement"}},
    ("post", "/api/v1/cases/{case_id}/voluntariness"): {"json": {"person_ref": "P1", "method": "interview"}},
    ("post", "/api/v1/cases/{case_id}/family-unity"): {"json": {"decision": "test"}},
    ("post", "/api/v1/imports/cases"): {"files": {"file": ("b.json", b'{"cases": []}', "application/json")}},
    ("post", "/api/v1/users"): {"json": {"email": "new@b.example", "display_name": "New", "role": "viewer"}},
    ("post", "/api/v1/tokens"): {"json": {"name": "walk"}},
    ("post", "/api/v1/situations"): {"json": {"code": "walk-test", "name": "Walk"}},
    ("post", "/api/v1/unsafe-flags"): {"json": {"country": "LBY"}},
    ("post", "/api/v1/agreements"): {"json": {
        "title": "Walk", "purpose": "resettlement-processing", "parties": ["state-b", "agency-a"],
        "legal_basis": "public-interest", "fields": ["person.given_name"], "valid_from": "2020-01-01",
        "valid_until": "2099-12-31"}},
    ("post", "/api/v1/agreements/actions"): {"json": {"agreement_id": 1, "action": "approve"}},
    ("post", "/api/v1/consents"): {"json": {"case_id": 1, "person_ref": "P1", "purpose": "statistics",
                                           "recipient": "state-b", "given_on": "2024-01-01", "method": "form"}},
    ("post", "/api/v1/consents/withdrawals"): {"json": {"consent_id": 1, "method": "phone"}},
    ("post", "/api/v1/feed/webhooks"): {"json": {"url": "http://127.0.0.1:9/hook"}},
    ("post", "/api/v1/feed/replays"): {"json": {"subscription_id": 1}},
    ("post", "/api/v1/threads"): {"json": {"title": "Walk", "case_id": 1, "body": "hello"}},
    ("post", "/api/v1/threads/messages"): {"json": {"thread_id": 1, "body": "hello"}},
    ("post", "/api/v1/notifications/read"): {"json": {"ids": []}},
    ("post", "/api/v1/pledges"): {"json": {"reference": "B-PLEDGE-1", "type": "financial", "pledgers": ["state-b"],
                                           "unit": "USD", "amount": "1000"}},
    ("post", "/api/v1/pledges/events"): {"json": {"reference": "B-PLEDGE-1", "kind": "commit", "amount": "500"}},
    ("post", "/api/v1/appeals"): {"json": {"code": "B-APPEAL", "situation": "walk-test", "name": "Walk", "year": 2025,
                                           "requirements": [{"sector": "Health", "amount_usd": "10"}]}},
    ("post", "/api/v1/appeals/requirements"): {"json": {"appeal": "B-APPEAL", "sector": "Health", "amount_usd": "20"}},
    ("post", "/api/v1/imports/pledges"): {"files": {"file": ("b.json", b'{"data": {"flows": []}}', "application/json")}},
    ("post", "/api/v1/cases/{case_id}/credentials"): {"json": {"type": "refugee-status-attestation"}},
    ("post", "/api/v1/credentials/status"): {"json": {"credential_id": "urn:uuid:00000000-0000-0000-0000-000000000000",
                                                      "action": "revoke"}},
    ("post", "/api/v1/credentials/verifications"): {"json": {"format": "asylon-credential-envelope/v1",
                                                             "credential": {"id": "urn:x"}}},
    ("post", "/api/v1/linkage/runs"): {"json": {"kind": "link", "partner": "agency-a"}},
    ("post", "/api/v1/linkage/pairs/decisions"): {"json": {"pair_id": 1, "decision": "accept", "reason": "walk"}},
    ("post", "/api/v1/linkage/unmerges"): {"json": {"merged_person_id": 1, "member_ids": [1], "reason": "walk"}},
    ("post", "/api/v1/placement/exercises"): {"json": {
        "title": "Walk", "cases": [{"case_id": 1}], "score_source": "given",
        "destinations": [{"code": "D1", "country": "DEU", "capacity": 5}],
        "scores": [{"case_id": 1, "destination": "D1", "score": 1.0}]}},
    ("post", "/api/v1/placement/exercises/{exercise_id}/pins"): {"json": {"case_id": 1, "destination": "D1",
                                                                          "reason": "walk"}},
    ("post", "/api/v1/placement/exercises/{exercise_id}/pins/release"): {"json": {"case_id": 1}},
    ("post", "/api/v1/placement/exercises/{exercise_id}/acceptances"): {"json": {"run_id": 1}},
}


def _routes(api) -> list[tuple[str, str, dict[str, Any]]]:  # type: ignore[no-untyped-def]
    document = api.get("/api/v1/openapi.json").json()
    return [(method, path, operation) for path, item in document["paths"].items() for method, operation in item.items()]


def test_every_route_hides_another_organisations_cases(api, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    body = case_payload("SECRET-A-1")
    body["persons"][0] |= {"given_name": "Zenobia", "family_name": "Qwertyuiop", "date_of_birth": "1979-11-23"}
    created = api.post("/api/v1/cases", json=body, headers=orgs.a_caseworker.headers)
    assert created.status_code == 201
    case_id = created.json()["id"]
    before = api.get(f"/api/v1/cases/{case_id}/events", headers=orgs.a_admin.headers).json()

    routes = _routes(api)
    assert len(routes) >= 15
    values = {"case_id": str(case_id), "person_ref": "P1", "token_id": "1", "iso3": "DEU", "run_id": "1",
              "exercise_id": "1"}
    for method, template, operation in routes:
        path = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], template)
        kwargs: dict[str, Any] = {}
        if "requestBody" in operation:
            assert (method, template) in BODIES, f"add a request body for {method.upper()} {template} to BODIES"
            kwargs = BODIES[(method, template)]
        params = {"q": "SECRET-A-1"} if method == "get" and "{" not in template else None
        response = api.request(method.upper(), path, params=params, headers=orgs.b_admin.headers, **kwargs)
        assert response.status_code < 500, f"{method.upper()} {path}: {response.status_code} {response.text}"
        for secret in SECRETS:
            assert secret not in response.text, f"{method.upper()} {path} leaked {secret!r}"
        if "{case_id}" in template:
            assert response.status_code == 404, f"{method.upper()} {path} answered {response.status_code}"

    # Unfiltered lists and exports of the other organisation hold none of it either.
    for path in ("/api/v1/cases", "/api/v1/exports/cases?format=json", "/api/v1/exports/cases?format=hxl"):
        text = api.get(path, headers=orgs.b_admin.headers).text
        assert not any(secret in text for secret in SECRETS), path
    # And nothing the other organisation sent changed the case.
    after = api.get(f"/api/v1/cases/{case_id}/events", headers=orgs.a_admin.headers).json()
    assert after == before
    assert api.get(f"/api/v1/cases/{case_id}", headers=orgs.a_admin.headers).json()["persons"][0]["given_name"] == "Zenobia"


def test_no_token_no_data(api, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    for method, template, _ in _routes(api):
        if template == "/api/v1/health":
            continue
        path = re.sub(r"\{(\w+)\}", lambda m: {"person_ref": "P1", "iso3": "DEU"}.get(m.group(1), "1"), template)
        response = api.request(method.upper(), path)
        assert response.status_code == 401, f"{method.upper()} {path} answered {response.status_code}"
        assert response.headers["content-type"] == "application/problem+json"
    bad = api.get("/api/v1/cases", headers={"Authorization": "Bearer asy_not-a-token"})
    assert bad.status_code == 401 and "asylon tokens create" in bad.json()["detail"]


def test_a_revoked_or_expired_token_is_refused_on_its_next_request(api, orgs: TwoOrgs, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    case_id = api.post("/api/v1/cases", json=case_payload(), headers=orgs.a_caseworker.headers).json()["id"]
    # The busiest reads check the token in the same worker thread as their query; the others in a dependency.
    paths = ["/api/v1/cases", f"/api/v1/cases/{case_id}", f"/api/v1/cases/{case_id}/events", "/api/v1/agreements"]
    for member, change in ((orgs.a_viewer, "revoked_at"), (orgs.a_admin, "expires_at")):
        assert all(api.get(p, headers=member.headers).status_code == 200 for p in paths)
        with transaction(engine) as session:
            session.execute(update(ApiToken).where(ApiToken.user_id == member.actor.user_id)
                            .values({change: utcnow() - dt.timedelta(seconds=1)}))
        for path in paths:
            refused = api.get(path, headers=member.headers)
            assert refused.status_code == 401, (path, refused.status_code)
            assert refused.json()["detail"].startswith("the API token"), refused.json()
