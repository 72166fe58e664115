"""Data-sharing agreements on every read path: with no agreement nothing of another organisation is
visible; with one, exactly its fields; after expiry, suspension, termination or consent withdrawal,
nothing again. The routes are walked from the OpenAPI document (every GET whose answer holds a case or
a person), plus exports, the feed and webhooks. The per-person access report must list every
disclosure the walk made.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from asylon.db.engine import transaction
from asylon.db.models import Agreement
from asylon.schemas.agreements import ALWAYS_SHARED
from asylon.services.webhooks import WebhookWorker, verify
from tests.support.world import TwoOrgs, case_payload

pytestmark = pytest.mark.db

API = "/api/v1"
PURPOSE = "resettlement-processing"
AGREED = frozenset({"case.country_of_asylum", "case.legal_status", "person.given_name", "person.needs"})
# Values of fields the agreement does not name: none may ever reach the other organisation.
UNAGREED_SECRETS = ("SECRET-A-1", "Qwertyuiop", "1979-11-23", "Xanaduville", "ﻇﻇﻇ")


def _secret_case() -> dict[str, Any]:
    body = case_payload("SECRET-A-1")
    body["persons"][0] |= {"given_name": "Zenobia", "family_name": "Qwertyuiop", "date_of_birth": "1979-11-23",
                           "place_of_birth": "Xanaduville", "name_original": "ﻇﻇﻇ"}
    body["persons"][1] |= {"family_name": "Qwertyuiop", "place_of_birth": "Xanaduville"}
    return body


def shown(case: dict[str, Any]) -> set[str]:
    """The case and person fields a response carries a value for (identifiers excluded)."""
    out = {f"case.{k}" for k, v in case.items() if k not in ALWAYS_SHARED and v not in (None, [], "")}
    for person in case.get("persons", []):
        out |= {f"person.{k}" for k, v in person.items() if k not in ALWAYS_SHARED and v not in (None, [], "")}
    return out


def _refs(schema: Any) -> set[str]:
    text = json.dumps(schema)
    return set(re.findall(r'#/components/schemas/([\w-]+)', text))


def case_routes(api: Any) -> list[str]:
    """Every GET route whose successful answer holds a case or a person, from the OpenAPI document."""
    document = api.get(f"{API}/openapi.json").json()
    schemas = document["components"]["schemas"]
    holding = {"CasePublic", "PersonPublic"}
    changed = True
    while changed:  # schemas that contain a case, directly or through other schemas
        changed = False
        for name, schema in schemas.items():
            if name not in holding and _refs(schema) & holding:
                holding.add(name)
                changed = True
    routes = []
    for path, item in document["paths"].items():
        operation = item.get("get")
        if operation and _refs(operation.get("responses", {}).get("200", {})) & holding:
            routes.append(path)
    return routes


class Walk:
    """Everything organisation B can read about A's case, by every path, in one pass."""

    def __init__(self, api: Any, orgs: TwoOrgs, case_id: int, worker: WebhookWorker,
                 received: list[httpx.Request]) -> None:
        self.api, self.orgs, self.case_id, self.worker, self.received = api, orgs, case_id, worker, received
        self.disclosures: Counter[str] = Counter()
        self.routes = case_routes(api)

    def observe(self, purpose: str | None) -> tuple[list[set[str]], str]:
        """The field sets of every copy of A's case that B received, and all the text B received."""
        headers = dict(self.orgs.b_admin.headers)
        if purpose:
            headers["X-Asylon-Purpose"] = purpose
        copies: list[set[str]] = []
        texts: list[str] = []
        for template in self.routes:
            path = template.replace("{case_id}", str(self.case_id)).replace("{person_ref}", "P1")
            response = self.api.get(path, headers=headers)
            assert response.status_code in (200, 404), f"{path}: {response.status_code} {response.text}"
            texts.append(response.text)
            if response.status_code != 200:
                continue
            body = response.json()
            found = [c for c in _cases_in(body) if c.get("id") == self.case_id]
            copies += [shown(c) for c in found]
            self.disclosures["feed" if template.endswith("/feed/events") else "api"] += len(found)
        for fmt in ("json", "csv", "hxl"):
            response = self.api.get(f"{API}/exports/cases", params={"format": fmt}, headers=headers)
            assert response.status_code == 200
            texts.append(response.text)
            if fmt == "json":
                cases = response.json()["cases"]
                copies += [{f"case.{k}" for k in c if k != "persons" and c[k] not in (None, [], "")}
                           | {f"person.{k}" for p in c["persons"] for k in p
                              if k not in ALWAYS_SHARED and p[k] not in (None, [], "")} for c in cases]
            self.disclosures["api"] += _export_count(response.text, fmt)
        # Webhooks: A changes the case, the worker queues and sends what B may receive.
        before = len(self.received)
        patch = self.api.patch(f"{API}/cases/{self.case_id}", headers=self.orgs.a_caseworker.headers,
                               json={"origin_country": "AFG" if len(self.received) % 2 else "IRQ"})
        assert patch.status_code == 200
        for _ in range(3):
            self.worker.run_once()
        for request in self.received[before:]:
            event = json.loads(request.content)
            texts.append(request.content.decode())
            if event["case_id"] == self.case_id:
                copies.append(shown(event["case"]))
                self.disclosures["webhook"] += 1
        return copies, "\n".join(texts)


def _cases_in(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, list):
        return [c for item in body for c in _cases_in(item)]
    if isinstance(body, dict):
        if "persons" in body and "id" in body:
            return [body]
        return [c for value in body.values() for c in _cases_in(value)]
    return []


def _export_count(text: str, fmt: str) -> int:
    if fmt == "json":
        return len(json.loads(text)["cases"])
    data_rows = text.strip().splitlines()[2 if fmt == "hxl" else 1:]
    return 1 if data_rows else 0  # one case (two person rows) or none


def _agreement(api: Any, orgs: TwoOrgs, *, legal_basis: str = "public-interest") -> int:
    today = dt.date.today()
    created = api.post(f"{API}/agreements", headers=orgs.a_admin.headers, json={
        "title": "Resettlement processing A-B", "purpose": PURPOSE, "parties": ["agency-a", "state-b"],
        "legal_basis": legal_basis, "fields": sorted(AGREED), "categories": ["identity", "needs"],
        "valid_from": str(today - dt.timedelta(days=30)), "valid_until": str(today + dt.timedelta(days=365)),
    })
    assert created.status_code == 201, created.text
    agreement_id = int(created.json()["id"])
    assert created.json()["status"] == "draft"
    for member in (orgs.a_admin, orgs.b_admin):
        acted = api.post(f"{API}/agreements/actions", headers=member.headers,
                         json={"agreement_id": agreement_id, "action": "approve"})
        assert acted.status_code == 200, acted.text
    assert acted.json()["status"] == "active"
    return agreement_id


def _expire(engine: Any, agreement_id: int) -> None:
    # Time passes: the agreement's last day was yesterday.
    with transaction(engine) as session:
        session.execute(update(Agreement).where(Agreement.id == agreement_id)
                        .values(valid_until=dt.date.today() - dt.timedelta(days=1)))


def _act(api: Any, orgs: TwoOrgs, agreement_id: int, action: str) -> None:
    response = api.post(f"{API}/agreements/actions", headers=orgs.b_admin.headers,
                        json={"agreement_id": agreement_id, "action": action, "reason": "test"})
    assert response.status_code == 200, response.text


def _withdraw(api: Any, orgs: TwoOrgs, consent_ids: list[int]) -> None:
    for consent_id in consent_ids:
        response = api.post(f"{API}/consents/withdrawals", headers=orgs.a_caseworker.headers,
                            json={"consent_id": consent_id, "method": "phone call to the caseworker"})
        assert response.status_code == 200, response.text


ENDINGS = {
    "suspended": ("public-interest", lambda api, orgs, engine, agreement, consents: _act(api, orgs, agreement, "suspend")),
    "terminated": ("public-interest", lambda api, orgs, engine, agreement, consents: _act(api, orgs, agreement, "terminate")),
    "expired": ("public-interest", lambda api, orgs, engine, agreement, consents: _expire(engine, agreement)),
    "consent withdrawn": ("consent", lambda api, orgs, engine, agreement, consents: _withdraw(api, orgs, consents)),
}


@pytest.mark.slow
@pytest.mark.parametrize("ending", list(ENDINGS))
def test_agreement_opens_exactly_its_fields_on_every_path(api, orgs: TwoOrgs, engine, ending: str) -> None:  # type: ignore[no-untyped-def]
    legal_basis, end = ENDINGS[ending]
    created = api.post(f"{API}/cases", json=_secret_case(), headers=orgs.a_caseworker.headers)
    assert created.status_code == 201
    case_id = created.json()["id"]
    received: list[httpx.Request] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(204)

    worker = WebhookWorker(engine, client=httpx.Client(transport=httpx.MockTransport(receiver)))
    hook = api.post(f"{API}/feed/webhooks", headers=orgs.b_admin.headers, json={"url": "http://b.example/hook",
                                                                              "purpose": PURPOSE})
    assert hook.status_code == 201
    walk = Walk(api, orgs, case_id, worker, received)
    assert {f"{API}/cases", f"{API}/cases/{{case_id}}", f"{API}/feed/events"} <= set(walk.routes)

    # 1. No agreement: nothing, whatever the purpose.
    for purpose in (None, PURPOSE):
        copies, text = walk.observe(purpose)
        assert copies == [] and not any(s in text for s in (*UNAGREED_SECRETS, "Zenobia"))

    # 2. An agreement (and, under a consent basis, the persons' consent): exactly its fields ...
    agreement_id = _agreement(api, orgs, legal_basis=legal_basis)
    consents = []
    if legal_basis == "consent":
        for ref in ("P1", "P2"):
            given = api.post(f"{API}/consents", headers=orgs.a_caseworker.headers, json={
                "case_id": case_id, "person_ref": ref, "purpose": PURPOSE, "recipient": "state-b",
                "given_on": str(dt.date.today()), "method": "signed form, interpreter present"})
            assert given.status_code == 201, given.text
            consents.append(given.json()["id"])
    copies, text = walk.observe(PURPOSE)
    paths_seen = len(copies)
    # Every route, the JSON export, at least one webhook. The linkage routes are walked too (nothing may
    # leak through them) but show persons only from the caller's own runs: the linkage test below covers them.
    assert paths_seen >= len([r for r in walk.routes if not r.startswith(f"{API}/linkage/")]) + 2
    assert all(c == AGREED for c in copies), copies
    assert "Zenobia" in text and not any(s in text for s in UNAGREED_SECRETS)
    # ... and only for the declared purpose: another purpose, or none, sees nothing.
    for purpose in (None, "statistics"):
        other, text = walk.observe(purpose)
        assert other == [] and "Zenobia" not in text

    # 3. After the ending: nothing again.
    end(api, orgs, engine, agreement_id, consents)
    copies, text = walk.observe(PURPOSE)
    assert copies == [] and not any(s in text for s in (*UNAGREED_SECRETS, "Zenobia"))
    assert api.get(f"{API}/cases/{case_id}", headers=orgs.b_admin.headers | {"X-Asylon-Purpose": PURPOSE}
                   ).status_code == 404

    # The access report of each person lists every disclosure the walk made, by channel.
    for ref in ("P1", "P2"):
        report = api.get(f"{API}/cases/{case_id}/persons/{ref}/disclosures", headers=orgs.a_caseworker.headers)
        assert report.status_code == 200
        rows = report.json()
        assert Counter(r["channel"] for r in rows) == walk.disclosures
        assert all(r["recipient"] == "state-b" and r["purpose"] == PURPOSE and r["agreements"] == [agreement_id]
                   and set(r["fields"]) == AGREED for r in rows)
        assert {r["recipient_user"] for r in rows} == {"admin@b.example"}
    # The other organisation cannot read the report.
    assert api.get(f"{API}/cases/{case_id}/persons/P1/disclosures", headers=orgs.b_admin.headers
                   | {"X-Asylon-Purpose": PURPOSE}).status_code == 404


def test_webhook_signature_verifies(api, orgs: TwoOrgs, engine) -> None:  # type: ignore[no-untyped-def]
    received: list[httpx.Request] = []
    worker = WebhookWorker(engine, client=httpx.Client(transport=httpx.MockTransport(
        lambda r: received.append(r) or httpx.Response(200))))
    hook = api.post(f"{API}/feed/webhooks", headers=orgs.a_admin.headers, json={"url": "http://a.example/hook"})
    secret = hook.json()["secret"]
    api.post(f"{API}/cases", json=case_payload("SIG-1"), headers=orgs.a_caseworker.headers)
    worker.run_once()
    assert len(received) == 1
    request = received[0]
    timestamp, signature = request.headers["X-Asylon-Timestamp"], request.headers["X-Asylon-Signature"]
    assert verify(secret, timestamp, request.content, signature)
    assert not verify(secret, timestamp, request.content + b" ", signature)
    assert not verify("another secret", timestamp, request.content, signature)
    assert json.loads(request.content)["data"]["case"]["case_number"] == "SIG-1"  # own case: the change itself


def test_unknown_purpose_is_refused_with_the_choices(api, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    response = api.get(f"{API}/cases", headers=orgs.b_admin.headers | {"X-Asylon-Purpose": "curiosity"})
    assert response.status_code == 422
    assert "resettlement-processing" in response.json()["detail"]
    assert api.get(f"{API}/cases", params={"purpose": "statistics"}, headers=orgs.b_admin.headers).status_code == 200


# -- linkage ---------------------------------------------------------------------------------------------

DEDUP = "deduplication"
LINKAGE_AGREED = frozenset({"person.given_name", "person.family_name", "person.date_of_birth", "person.sex",
                            "person.nationality"})
# A's values outside the deduplication agreement: the case number, the place of birth, the original-script name.
LINKAGE_SECRETS = ("SECRET-A-1", "Xanaduville", "ﻇﻇﻇ")


def _linkage_agreement(api: Any, orgs: TwoOrgs, legal_basis: str) -> int:
    today = dt.date.today()
    created = api.post(f"{API}/agreements", headers=orgs.a_admin.headers, json={
        "title": "Deduplication A-B", "purpose": DEDUP, "parties": ["agency-a", "state-b"],
        "legal_basis": legal_basis, "fields": sorted(LINKAGE_AGREED), "categories": ["identity"],
        "valid_from": str(today - dt.timedelta(days=30)), "valid_until": str(today + dt.timedelta(days=365))})
    assert created.status_code == 201, created.text
    agreement_id = int(created.json()["id"])
    for member in (orgs.a_admin, orgs.b_admin):
        assert api.post(f"{API}/agreements/actions", headers=member.headers,
                        json={"agreement_id": agreement_id, "action": "approve"}).status_code == 200
    return agreement_id


def _linkage_view(api: Any, orgs: TwoOrgs) -> tuple[list[dict[str, Any]], str]:
    """B's review queue (every status), and all the text of it."""
    response = api.get(f"{API}/linkage/pairs", params={"status": "pending", "limit": 200},
                       headers=orgs.b_caseworker.headers)
    assert response.status_code == 200
    return response.json()["items"], response.text


@pytest.mark.slow
@pytest.mark.parametrize("ending", list(ENDINGS))
def test_linkage_sees_exactly_the_agreed_fields(api, orgs: TwoOrgs, engine, ending: str) -> None:  # type: ignore[no-untyped-def]
    from asylon.schemas.agreements import ConsentCreate
    from asylon.services import consent
    from tests.support.linkage import two_registers
    from tests.support.world import register

    legal_basis, end = ENDINGS[ending]
    _, a_register = two_registers(engine, orgs.b_caseworker.actor, orgs.a_caseworker.actor, people=60)
    created = api.post(f"{API}/cases", json=_secret_case(), headers=orgs.a_caseworker.headers)
    assert created.status_code == 201
    case_id = created.json()["id"]
    # B's own record of the same woman, spelled its way (so "Zenobia" can only come from A).
    register(engine, orgs.b_caseworker.actor, "B-ZEN", persons=[
        {"person_ref": "P1", "relationship": "principal", "given_name": "Zenobiya", "family_name": "Qwertyuiop",
         "sex": "F", "date_of_birth": "1979-11-23", "nationality": "SYR", "place_of_birth": "Elsewhere"},
        {"person_ref": "P2", "relationship": "child", "given_name": "Omar", "family_name": "Qwertyuiop",
         "sex": "M", "date_of_birth": "2015", "nationality": "SYR"}])
    start = {"kind": "link", "partner": "agency-a"}

    # 1. No agreement: no run, nothing of A.
    refused = api.post(f"{API}/linkage/runs", headers=orgs.b_caseworker.headers, json=start)
    assert refused.status_code == 403
    pairs, text = _linkage_view(api, orgs)
    assert pairs == [] and "Zenobia" not in text

    # 2. An agreement for deduplication (and, under a consent basis, consent): exactly its fields.
    agreement_id = _linkage_agreement(api, orgs, legal_basis)
    consents = []
    if legal_basis == "consent":
        for ref in ("P1", "P2"):
            given = api.post(f"{API}/consents", headers=orgs.a_caseworker.headers, json={
                "case_id": case_id, "person_ref": ref, "purpose": DEDUP, "recipient": "state-b",
                "given_on": str(dt.date.today()), "method": "signed form"})
            assert given.status_code == 201, given.text
            consents.append(given.json()["id"])
        with transaction(engine) as session:
            for row in a_register.itertuples():
                consent.record_consent(session, actor=orgs.a_caseworker.actor, data=ConsentCreate(
                    case_id=row.case_id, person_ref=row.person_ref, purpose=DEDUP, recipient="state-b",
                    given_on=dt.date.today(), method="registration form"))
    started = api.post(f"{API}/linkage/runs", headers=orgs.b_caseworker.headers, json=start)
    assert started.status_code == 202, started.text
    run = api.get(f"{API}/linkage/runs/{started.json()['id']}", headers=orgs.b_caseworker.headers).json()
    assert run["status"] == "done", run["error"]
    assert run["records_partner"] == len(a_register) + 2 and run["agreements"] == [agreement_id]
    pairs, text = _linkage_view(api, orgs)
    theirs = [p["right"] for p in pairs]
    assert all(r["organisation"] == "agency-a" and r["visible"] for r in theirs)
    assert all(shown({"persons": [r["person"]]}) <= LINKAGE_AGREED for r in theirs)
    secret = next(p for p in pairs if p["right"]["case_id"] == case_id and p["right"]["person_ref"] == "P1")
    assert shown({"persons": [secret["right"]["person"]]}) == LINKAGE_AGREED
    assert secret["right"]["case_number"] is None  # case.case_number is not in the agreement
    assert "Zenobia" in text and not any(s in text for s in LINKAGE_SECRETS)

    def linkage_disclosures() -> list[dict[str, Any]]:
        report = api.get(f"{API}/cases/{case_id}/persons/P1/disclosures", headers=orgs.a_caseworker.headers)
        return [r for r in report.json() if r["channel"] == "linkage"]

    # Each read through linkage is in the person's report: the run, and each showing of the pair.
    logged = linkage_disclosures()
    assert len(logged) == 2
    assert all(r["recipient"] == "state-b" and r["purpose"] == DEDUP and r["agreements"] == [agreement_id]
               and set(r["fields"]) == LINKAGE_AGREED and r["recipient_user"] == "caseworker@b.example"
               for r in logged)

    # 3. After the ending: nothing of A's person, no new run over them, no merge with them.
    end(api, orgs, engine, agreement_id, consents)
    pairs, text = _linkage_view(api, orgs)
    after = next(p for p in pairs if p["id"] == secret["id"])
    assert after["right"] == {"organisation": "agency-a", "visible": False, "case_id": None, "case_number": None,
                              "person_ref": None, "person": None, "household": [], "merged_person_id": None,
                              "member_id": None}
    assert "Zenobia" not in text and not any(s in text for s in LINKAGE_SECRETS)
    accept = api.post(f"{API}/linkage/pairs/decisions", headers=orgs.b_caseworker.headers,
                      json={"pair_id": secret["id"], "decision": "accept", "reason": "same person"})
    assert accept.status_code == 409 and "no longer shared" in accept.json()["detail"]
    again = api.post(f"{API}/linkage/runs", headers=orgs.b_caseworker.headers, json=start)
    if legal_basis == "consent":  # the others still consent; the withdrawn two are left out
        assert again.status_code == 202
        rerun = api.get(f"{API}/linkage/runs/{again.json()['id']}", headers=orgs.b_caseworker.headers).json()
        assert rerun["records_partner"] == len(a_register)
        pairs, text = _linkage_view(api, orgs)
        assert "Zenobia" not in text
    else:
        assert again.status_code == 403
    assert len(linkage_disclosures()) == len(logged)
