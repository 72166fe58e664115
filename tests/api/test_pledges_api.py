"""Pledges, appeals and funding through the HTTP API: lifecycle rules named, every change an event, gaps from
stored data, export → import round trip, who may change what, and bad input answered with the field to fix."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.support.world import TwoOrgs

pytestmark = pytest.mark.db

API = "/api/v1"


def _world(api, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    """Situation SDN-RRP with a 2025 appeal (Health 1,000,000; Protection 500,000) created by agency A."""
    assert api.post(f"{API}/situations", json={"code": "SDN-RRP", "name": "Sudan regional response"},
                    headers=orgs.a_admin.headers).status_code == 201
    appeal = {"code": "SDN-RRP-2025", "situation": "SDN-RRP", "name": "Sudan RRP 2025", "year": 2025,
              "requirements": [{"sector": "Health", "amount_usd": "1000000"},
                               {"sector": "Protection", "amount_usd": "500000"}]}
    response = api.post(f"{API}/appeals", json=appeal, headers=orgs.a_admin.headers)
    assert response.status_code == 201, response.text


def _pledge(reference: str = "P-1", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"reference": reference, "type": "financial", "pledgers": ["agency-a"], "unit": "USD",
                            "amount": "1000", "situation": "SDN-RRP", "sector": "Health", "year": 2025}
    body.update(overrides)
    return body


def _change(api, member, reference: str, kind: str, amount: str | None = None, **extra: Any):  # type: ignore[no-untyped-def]
    body = {"reference": reference, "kind": kind, **extra}
    if amount is not None:
        body["amount"] = amount
    return api.post(f"{API}/pledges/events", json=body, headers=member.headers)


def _get(api, orgs: TwoOrgs, reference: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    found = api.get(f"{API}/pledges", params={"reference": reference}, headers=orgs.b_caseworker.headers)
    assert found.status_code == 200, found.text
    return found.json()[0]  # type: ignore[no-any-return]


def test_lifecycle_rules_are_enforced_and_named(api, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    _world(api, orgs)
    created = api.post(f"{API}/pledges", json=_pledge(), headers=orgs.a_caseworker.headers)
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "pledged" and created.json()["allowed_events"] == [
        "adjust", "cancel", "commit", "progress"]

    # No payment before a commitment.
    refused = _change(api, orgs.a_caseworker, "P-1", "pay", "100")
    assert refused.status_code == 409 and refused.json()["rule"] == "pledge.payment-before-commitment"
    # No commitment beyond what is pledged.
    refused = _change(api, orgs.a_caseworker, "P-1", "commit", "1200")
    assert refused.status_code == 409 and refused.json()["rule"] == "pledge.commit-exceeds-pledge"
    assert _change(api, orgs.a_caseworker, "P-1", "commit", "800").status_code == 201
    assert _change(api, orgs.a_caseworker, "P-1", "pay", "500").json()["status"] == "partly_paid"

    # No payment beyond the commitment ...
    refused = _change(api, orgs.a_caseworker, "P-1", "pay", "300.01")
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["rule"] == "pledge.payment-exceeds-commitment"
    assert "adjustment" in problem["detail"] and "800" in problem["detail"]
    # ... and an adjustment must say why ...
    refused = _change(api, orgs.a_caseworker, "P-1", "adjust", "1100")
    assert refused.status_code == 409 and refused.json()["rule"] == "pledge.adjust-needs-reason"
    # ... and never goes below what was paid.
    refused = _change(api, orgs.a_caseworker, "P-1", "adjust", "400", note="budget cut")
    assert refused.status_code == 409 and refused.json()["rule"] == "pledge.adjust-below-paid"
    # With an explicit adjustment and its reason, the larger payment goes through.
    adjusted = _change(api, orgs.a_caseworker, "P-1", "adjust", "1100", note="second tranche approved by board")
    assert adjusted.status_code == 201 and adjusted.json()["committed"] == "1100"
    assert adjusted.json()["pledged"] == "1100"  # a commitment beyond the pledge raises the pledge
    paid = _change(api, orgs.a_caseworker, "P-1", "pay", "600")
    assert paid.json()["status"] == "paid" and paid.json()["outstanding"] == "0"
    # A paid pledge takes progress reports, but no more payments.
    assert _change(api, orgs.a_caseworker, "P-1", "progress", note="clinics reopened in Adre").status_code == 201
    refused = _change(api, orgs.a_caseworker, "P-1", "pay", "1")
    assert refused.status_code == 409 and refused.json()["rule"] == "pledge P-1.transition"
    assert "adjust, progress" in refused.json()["detail"]
    # Cancelled is final.
    _change(api, orgs.a_caseworker, "P-1", "adjust", "1200", note="top-up")
    assert _change(api, orgs.a_caseworker, "P-1", "cancel", note="withdrawn").json()["status"] == "cancelled"
    refused = _change(api, orgs.a_caseworker, "P-1", "progress", note="late")
    assert refused.status_code == 409 and refused.json()["allowed"] == []


def test_every_change_is_an_event_and_state_is_their_replay(api, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    _world(api, orgs)
    api.post(f"{API}/pledges", json=_pledge(note="GRF 2023"), headers=orgs.a_caseworker.headers)
    steps = [("commit", "800", {}), ("pay", "300", {}), ("progress", None, {"note": "first clinic"}),
             ("adjust", "900", {"note": "exchange gain"}), ("pay", "600", {})]
    for kind, amount, extra in steps:
        assert _change(api, orgs.a_caseworker, "P-1", kind, amount, **extra).status_code == 201
    # Refused changes leave no trace.
    assert _change(api, orgs.a_caseworker, "P-1", "pay", "5").status_code == 409
    assert _change(api, orgs.b_admin, "P-1", "progress", note="not ours").status_code == 403

    history = api.get(f"{API}/pledges/events", params={"reference": "P-1"}, headers=orgs.b_caseworker.headers)
    events = history.json()
    assert [(e["seq"], e["kind"], e["amount"]) for e in events] == [
        (1, "pledge", "1000"), (2, "commit", "800"), (3, "pay", "300"), (4, "progress", None),
        (5, "adjust", "900"), (6, "pay", "600")]
    assert {e["organisation"] for e in events} == {"agency-a"}
    # Pledges are public, the people recording them are not: another organisation sees who acted by organisation.
    assert all(e["actor"] is None for e in events)
    own = api.get(f"{API}/pledges/events", params={"reference": "P-1"}, headers=orgs.a_viewer.headers).json()
    assert all(e["actor"] == "caseworker@a.example" for e in own)
    assert events[4]["note"] == "exchange gain" and events[0]["note"] == "GRF 2023"

    pledge = _get(api, orgs, "P-1")
    assert (pledge["status"], pledge["pledged"], pledge["committed"], pledge["paid"]) == ("paid", "1000", "900", "900")
    assert pledge["progress_reports"] == 1

    # The stored events replayed by the engine give the same state the API shows.
    from asylon.engines.fairshare import PledgeEvent, new_pledge, replay

    state = replay(new_pledge("P-1", "financial", ["Agency A"], "USD"),
                   [PledgeEvent(e["kind"], amount=None if e["amount"] is None else Decimal(e["amount"]),
                                note=e["note"], target=e["target"]) for e in events])
    assert (state.status, state.pledged, state.committed, state.paid) == ("paid", 1000, 900, 900)


def test_gaps_per_situation_and_sector_from_stored_data(api, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    _world(api, orgs)
    h = orgs.a_caseworker
    api.post(f"{API}/pledges", json=_pledge("H-1", amount="400000"), headers=h.headers)
    _change(api, h, "H-1", "commit", "300000")
    _change(api, h, "H-1", "pay", "100000")
    # A joint pledge in EUR from agency A and a donor outside the platform, to Protection.
    eur = _pledge("PR-1", pledgers=["agency-a", "Stichting Voorbeeld"], unit="EUR", usd_rate="1.1",
                  amount="200000", sector="Protection")
    assert api.post(f"{API}/pledges", json=eur, headers=h.headers).status_code == 201
    _change(api, h, "PR-1", "commit", "200000")
    # Unearmarked money for the situation.
    api.post(f"{API}/pledges", json=_pledge("U-1", amount="50000", sector=None), headers=h.headers)
    _change(api, h, "U-1", "commit", "50000")
    _change(api, h, "U-1", "pay", "50000")
    # Places are not money: they never count as funding.
    api.post(f"{API}/pledges", json=_pledge("RS-1", type="resettlement_places", unit="places", amount="500",
                                              sector=None, country="DEU"), headers=h.headers)
    # A second appeal of the same situation adds to its requirements.
    api.post(f"{API}/appeals", json={"code": "SDN-RRP-2025-ADD", "situation": "SDN-RRP", "name": "Addendum",
                                     "year": 2025, "requirements": [{"sector": "Health", "amount_usd": "250000"}]},
             headers=orgs.a_admin.headers)

    rows = api.get(f"{API}/funding/coverage", params={"situation": "SDN-RRP"}, headers=orgs.b_caseworker.headers)
    assert rows.status_code == 200, rows.text
    table = {r["sector"]: r for r in rows.json()}
    health = table["Health"]
    assert (health["required_usd"], health["pledged_usd"], health["committed_usd"], health["paid_usd"]) == (
        "1250000", "100000", "200000", "100000")
    assert (health["funded_usd"], health["gap_usd"], health["coverage_pct"]) == ("300000", "950000", 24.0)
    protection = table["Protection"]
    assert (protection["committed_usd"], protection["gap_usd"]) == ("220000", "280000")
    unspecified = table["Multiple sectors / unspecified"]
    assert (unspecified["required_usd"], unspecified["paid_usd"]) == ("0", "50000")
    total = table[""]
    assert (total["required_usd"], total["funded_usd"], total["gap_usd"]) == ("1750000", "570000", "1180000")

    # One appeal alone: its requirements and the pledges that name it (none here).
    only = api.get(f"{API}/funding/coverage", params={"appeal": "SDN-RRP-2025-ADD"}, headers=orgs.b_caseworker.headers)
    assert [(r["sector"], r["required_usd"], r["funded_usd"]) for r in only.json()] == [
        ("Health", "250000", "0"), ("", "250000", "0")]

    # Raising a requirement is an event and moves the gap at once.
    raised = api.post(f"{API}/appeals/requirements", headers=orgs.a_admin.headers,
                      json={"appeal": "SDN-RRP-2025", "sector": "Protection", "amount_usd": "600000",
                            "reason": "new arrivals in Chad"})
    assert raised.status_code == 200, raised.text
    rows = api.get(f"{API}/funding/coverage", params={"situation": "SDN-RRP"}, headers=orgs.a_viewer.headers).json()
    assert next(r for r in rows if r["sector"] == "Protection")["gap_usd"] == "380000"
    history = api.get(f"{API}/appeals/events", params={"code": "SDN-RRP-2025"}, headers=orgs.b_caseworker.headers)
    assert [(e["kind"], e["organisation"]) for e in history.json()] == [("created", "agency-a"), ("requirement", "agency-a")]
    assert history.json()[1]["data"] == {"sector": "Protection", "before": "500000", "after": "600000"}
    assert history.json()[1]["reason"] == "new arrivals in Chad"


@pytest.mark.parametrize("fmt", ["csv", "hxl", "fts"])
def test_export_import_round_trip_is_idempotent(api, orgs: TwoOrgs, fmt: str) -> None:  # type: ignore[no-untyped-def]
    _world(api, orgs)
    h = orgs.a_caseworker
    api.post(f"{API}/pledges", json=_pledge("GRF-1", amount="1000.50", title="Clinics, Darfur"), headers=h.headers)
    _change(api, h, "GRF-1", "commit", "800.25")
    _change(api, h, "GRF-1", "pay", "500")
    api.post(f"{API}/pledges", json=_pledge("GRF-2", pledgers=["agency-a", "Fondation Exemple"], amount="70",
                                              sector="Protection"), headers=h.headers)
    before = api.get(f"{API}/funding/coverage", headers=h.headers).json()
    exported = api.get(f"{API}/exports/pledges", params={"format": fmt}, headers=orgs.b_caseworker.headers)
    assert exported.status_code == 200
    if fmt == "hxl":
        assert exported.text.splitlines()[1].startswith("#meta+id,#org+funder")
    name = "flows.json" if fmt == "fts" else "flows.csv"

    def upload(headers):  # type: ignore[no-untyped-def]
        return api.post(f"{API}/imports/pledges", headers=headers,
                        files={"file": (name, exported.content, "application/octet-stream")})

    # Idempotent: importing what was exported changes nothing.
    again = upload(h.headers)
    assert again.status_code == 200, again.text
    assert (again.json()["created"], again.json()["updated"], again.json()["unchanged"]) == (0, 0, 2)
    assert len(api.get(f"{API}/pledges/events", params={"reference": "GRF-1"}, headers=h.headers).json()) == 3
    # Another organisation may re-import the shared file unchanged, but not change agency A's pledges with it.
    assert upload(orgs.b_caseworker.headers).json()["unchanged"] == 2
    if fmt != "fts":
        changed = exported.content.replace(b"GRF-1:paid,Agency A,,SDN-RRP,Health,500,", b"GRF-1:paid,Agency A,,SDN-RRP,Health,600,")
        assert changed != exported.content
        refused = api.post(f"{API}/imports/pledges", headers=orgs.b_caseworker.headers,
                           files={"file": (name, changed, "text/csv")})
        assert refused.status_code == 422 and "belongs to another organisation" in refused.text

    # Round trip: into another organisation's view of a fresh platform, the same pledges and the same gaps.
    from asylon.db.models import PledgeEventRow, PledgeParty, PledgeRow

    engine = api.app.state.engine
    with engine.begin() as conn:
        for table in (PledgeEventRow, PledgeParty, PledgeRow):
            conn.execute(table.__table__.delete())
    imported = upload(orgs.a_caseworker.headers)
    assert imported.status_code == 200, imported.text
    assert (imported.json()["created"], imported.json()["pledges"], imported.json()["flows"]) == (2, 2, 4)
    one = _get(api, orgs, "GRF-1")
    assert (one["pledged"], one["committed"], one["paid"], one["status"]) == ("1000.5", "800.25", "500", "partly_paid")
    assert (one["situation"], one["sector"], one["title"]) == ("SDN-RRP", "Health", "Clinics, Darfur")
    two = _get(api, orgs, "GRF-2")
    assert [p["name"] for p in two["pledgers"]] == ["Agency A", "Fondation Exemple"]
    assert two["pledgers"][0]["organisation"] == "agency-a"
    assert api.get(f"{API}/funding/coverage", headers=h.headers).json() == before
    assert api.get(f"{API}/exports/pledges", params={"format": fmt}, headers=h.headers).text == exported.text


def test_import_moves_a_known_pledge_forward(api, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    _world(api, orgs)
    h = orgs.a_caseworker
    api.post(f"{API}/pledges", json=_pledge("GRF-9", amount="1000"), headers=h.headers)
    csv_text = ("id,source,destination_org,situation,sector,amount_usd,status,date,description\n"
                "GRF-9:paid,Agency A,,SDN-RRP,Health,600,paid,2025-03-01,\n"
                "GRF-9:commitment,Agency A,,SDN-RRP,Health,300,commitment,2025-03-01,\n"
                "GRF-9:pledge,Agency A,,SDN-RRP,Health,100,pledge,2025-03-01,\n")
    response = api.post(f"{API}/imports/pledges", headers=h.headers,
                        files={"file": ("fts.csv", csv_text.encode(), "text/csv")})
    assert response.status_code == 200, response.text
    assert response.json()["updated"] == 1
    pledge = _get(api, orgs, "GRF-9")
    assert (pledge["pledged"], pledge["committed"], pledge["paid"]) == ("1000", "900", "600")
    kinds = [e["kind"] for e in api.get(f"{API}/pledges/events", params={"reference": "GRF-9"}, headers=h.headers).json()]
    assert kinds == ["pledge", "commit", "pay"]
    # A file that would undo a payment is refused, naming the row.
    lower = csv_text.replace("600,paid", "100,paid")
    refused = api.post(f"{API}/imports/pledges", headers=h.headers, files={"file": ("fts.csv", lower.encode(), "text/csv")})
    assert refused.status_code == 422 and refused.json()["errors"][0]["row"] == 2
    assert "never undone" in refused.json()["detail"]


def test_who_may_change_what(api, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    _world(api, orgs)
    api.post(f"{API}/pledges", json=_pledge(), headers=orgs.a_caseworker.headers)
    # Every organisation reads pledges and appeals.
    assert _get(api, orgs, "P-1")["recorded_by"] == "agency-a"
    assert api.get(f"{API}/appeals", headers=orgs.b_caseworker.headers).json()[0]["code"] == "SDN-RRP-2025"
    # Only members of a pledging (or recording) organisation change the pledge; viewers change nothing.
    denied = _change(api, orgs.b_admin, "P-1", "commit", "10")
    assert denied.status_code == 403 and "recording organisation or a pledger" in denied.json()["detail"]
    assert _change(api, orgs.a_viewer, "P-1", "commit", "10").status_code == 403
    # A joint pledge gives every platform pledger the right to change it ...
    joint = _pledge("J-1", pledgers=["state-b", "agency-a"])
    assert api.post(f"{API}/pledges", json=joint, headers=orgs.a_caseworker.headers).status_code == 201
    assert _change(api, orgs.b_caseworker, "J-1", "commit", "10").status_code == 201
    # ... but nobody records a pledge in another member's name alone.
    alone = api.post(f"{API}/pledges", json=_pledge("X-1", pledgers=["state-b"]), headers=orgs.a_caseworker.headers)
    assert alone.status_code == 422 and alone.json()["errors"][0]["field"] == "pledgers"
    # Admins create appeals; only the creating organisation's admins change them.
    appeal = {"code": "B-1", "situation": "SDN-RRP", "name": "B plan", "year": 2025}
    assert api.post(f"{API}/appeals", json=appeal, headers=orgs.a_caseworker.headers).status_code == 403
    requirement = {"appeal": "SDN-RRP-2025", "sector": "Health", "amount_usd": "1"}
    assert api.post(f"{API}/appeals/requirements", json=requirement, headers=orgs.b_admin.headers).status_code == 403
    assert _get(api, orgs, "P-1")["committed"] == "0"


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (_pledge(amount="-5"), "amount", "greater than 0"),
        (_pledge(amount="0"), "amount", "greater than 0"),
        (_pledge(country="XXX"), "country", "ISO 3166"),
        (_pledge(situation="NOWHERE"), "situation", "unknown situation 'NOWHERE'"),
        (_pledge(sector="Astronautics"), "sector", "Health, Protection"),
        (_pledge(appeal="NO-PLAN"), "appeal", "unknown appeal"),
        (_pledge(type="goodwill"), "type", "financial"),
        (_pledge(unit="EUR"), "usd_rate", "USD rate"),
        (_pledge(unit="dollars"), "unit", "ISO 4217"),
        (_pledge(amount="1.00001"), "amount", "decimal places"),
        (_pledge(pledgers=[]), "pledgers", "at least 1"),
    ],
)
def test_bad_pledges_name_the_field_and_write_nothing(api, orgs: TwoOrgs, body, field: str, words: str) -> None:  # type: ignore[no-untyped-def]
    _world(api, orgs)
    response = api.post(f"{API}/pledges", json=body, headers=orgs.a_caseworker.headers)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [e.get("field") for e in problem["errors"]], problem
    assert words in response.text, problem
    assert api.get(f"{API}/pledges", headers=orgs.a_viewer.headers).json() == []


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"reference": "P-1", "kind": "pay", "amount": "2000"}, 409, "pledge.payment-exceeds-commitment"),
        ({"reference": "P-1", "kind": "pay", "amount": "-1"}, 422, "greater than 0"),
        ({"reference": "P-1", "kind": "pay"}, 409, "pledge.amount"),
        ({"reference": "P-1", "kind": "refund", "amount": "1"}, 422, "commit"),
        ({"reference": "NOPE", "kind": "pay", "amount": "1"}, 404, "pledge NOPE not found"),
        ({"reference": "P-1", "kind": "cancel", "amount": "1"}, 422, "carries no amount"),
    ],
)
def test_bad_changes_are_refused_and_leave_no_event(api, orgs: TwoOrgs, body, status: int, words: str) -> None:  # type: ignore[no-untyped-def]
    _world(api, orgs)
    api.post(f"{API}/pledges", json=_pledge(), headers=orgs.a_caseworker.headers)
    _change(api, orgs.a_caseworker, "P-1", "commit", "1000")
    response = api.post(f"{API}/pledges/events", json=body, headers=orgs.a_caseworker.headers)
    assert response.status_code == status, response.text
    assert words in response.text
    assert len(api.get(f"{API}/pledges/events", params={"reference": "P-1"}, headers=orgs.a_viewer.headers).json()) == 2


@pytest.mark.parametrize(
    ("name", "content", "where", "words"),
    [
        ("f.csv", b"id,amount\nX,1\n", {"row": 1}, "header"),
        ("f.csv", b"id,source,destination_org,situation,sector,amount_usd,status,date,description\n"
                  b"A-1,Donor,,SDN-RRP,Health,lots,paid,2025-01-01,\n", {"row": 2, "field": "amount_usd"}, "not an amount"),
        ("f.csv", b"id,source,destination_org,situation,sector,amount_usd,status,date,description\n"
                  b"A-1,Donor,,SDN-RRP,Health,10,paid,2025-01-01,\n"
                  b"A-2,Donor,,ATLANTIS,Health,10,paid,2025-01-01,\n", {"row": 3, "field": "situation"}, "ATLANTIS"),
        ("f.csv", b"id,source,destination_org,situation,sector,amount_usd,status,date,description\n"
                  b"A-1,Donor,,SDN-RRP,Cooking,10,paid,2025-01-01,\n", {"row": 2, "field": "sector"}, "Cooking"),
        ("f.csv", b"id,source,destination_org,situation,sector,amount_usd,status,date,description\n"
                  b"A-1,Donor,,SDN-RRP,Health,-10,paid,2025-01-01,\n", {"row": 2, "field": "amount_usd"}, "not an amount"),
        ("f.json", b'{"data": {"flows": [', {}, "not JSON"),
        ("f.json", b'{"flows": []}', {"field": "data.flows"}, "FTS-style"),
        ("f.json", b'{"data": {"flows": [{"id": "A-1", "amountUSD": "5", "status": "given"}]}}',
         {"field": "data.flows[0].status"}, "given"),
        ("f.csv", b"\xff\xfe\x00", {}, "UTF-8"),
    ],
)
def test_malformed_imports_name_the_row_and_write_nothing(api, orgs: TwoOrgs, name, content, where, words) -> None:  # type: ignore[no-untyped-def]
    _world(api, orgs)
    response = api.post(f"{API}/imports/pledges", headers=orgs.a_caseworker.headers,
                        files={"file": (name, content, "application/octet-stream")})
    assert response.status_code == 422, response.text
    assert words in response.json()["detail"] and name in response.json()["detail"]
    if where:
        assert any(all(e.get(k) == v for k, v in where.items()) for e in response.json()["errors"]), response.json()
    assert api.get(f"{API}/pledges", headers=orgs.a_viewer.headers).json() == []
