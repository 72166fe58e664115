"""Documents over HTTP: issue from a case, verify offline with ``asylon verify``, revoke, and tenancy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from asylon.cli import app as cli_app
from tests.support.world import TwoOrgs, case_payload

pytestmark = pytest.mark.db
runner = CliRunner()


def _refugee_case(api: Any, orgs: TwoOrgs, number: str = "DOC-1") -> int:
    created = api.post("/api/v1/cases", json=case_payload(number), headers=orgs.a_caseworker.headers)
    assert created.status_code == 201, created.text
    case_id = int(created.json()["id"])
    moved = api.post(
        f"/api/v1/cases/{case_id}/status", json={"status": "refugee"}, headers=orgs.a_caseworker.headers
    )
    assert moved.status_code == 200, moved.text
    return case_id


def _verify(tmp_path: Path, envelope: dict[str, Any], bundle: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    env_file, bundle_file = tmp_path / "credential.json", tmp_path / "bundle.json"
    env_file.write_text(json.dumps(envelope), encoding="utf-8")
    bundle_file.write_text(json.dumps(bundle), encoding="utf-8")
    result = runner.invoke(cli_app, ["verify", str(env_file), "--trust", str(bundle_file), "--json"])
    return result.exit_code, json.loads(result.stdout)


def _checks(report: dict[str, Any]) -> dict[str, bool | None]:
    return {c["name"]: c["passed"] for c in report["checks"]}


def test_issued_credential_verifies_offline_and_fails_by_name_once_revoked(
    api: Any, orgs: TwoOrgs, tmp_path: Path
) -> None:
    case_id = _refugee_case(api, orgs)
    issued = api.post(
        f"/api/v1/cases/{case_id}/credentials",
        json={"type": "refugee-status-attestation"},
        headers=orgs.a_caseworker.headers,
    )
    assert issued.status_code == 201, issued.text
    credential_id = issued.json()["credential_id"]
    envelope = api.get(
        "/api/v1/credentials/envelope", params={"credential_id": credential_id}, headers=orgs.a_viewer.headers
    ).json()
    assert envelope["credential"]["credentialSubject"]["familyName"] == "Haddad"
    bundle = api.get("/api/v1/ledger/trust-bundle", headers=orgs.b_admin.headers).json()

    code, report = _verify(tmp_path, envelope, bundle)
    assert code == 0 and report["ok"], report
    assert _checks(report)["log-inclusion"] and _checks(report)["status-revocation"]

    # The case history records the issuance.
    events = api.get(f"/api/v1/cases/{case_id}/events", headers=orgs.a_admin.headers).json()
    assert events[-1]["kind"] == "credential.issued" and events[-1]["data"]["credential_id"] == credential_id

    revoked = api.post(
        "/api/v1/credentials/status",
        json={"credential_id": credential_id, "action": "revoke", "reason": "issued in error"},
        headers=orgs.a_admin.headers,
    )
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    bundle = api.get("/api/v1/ledger/trust-bundle", headers=orgs.a_viewer.headers).json()
    code, report = _verify(tmp_path, envelope, bundle)
    assert code == 1 and not report["ok"]
    failed = [c["name"] for c in report["checks"] if c["passed"] is False]
    assert failed == ["status-revocation"], report
    # The platform's own verification by upload says the same.
    uploaded = api.post(
        "/api/v1/credentials/verifications", json=envelope, headers=orgs.b_admin.headers
    ).json()
    assert [c["name"] for c in uploaded["checks"] if c["passed"] is False] == ["status-revocation"]
    # A revocation is final.
    again = api.post(
        "/api/v1/credentials/status",
        json={"credential_id": credential_id, "action": "reinstate"},
        headers=orgs.a_admin.headers,
    )
    assert again.status_code == 409 and again.json()["rule"] == "credential.revoked"


def test_suspension_then_reinstatement(api: Any, orgs: TwoOrgs, tmp_path: Path) -> None:
    case_id = _refugee_case(api, orgs)
    cred = api.post(
        f"/api/v1/cases/{case_id}/credentials",
        json={"type": "travel-document", "person_ref": "P2"},
        headers=orgs.a_caseworker.headers,
    ).json()
    assert cred["envelope"]["credential"]["credentialSubject"]["travelDocument"]["mrz"][0].startswith("P<")
    for action, failing in (("suspend", ["status-suspension"]), ("reinstate", [])):
        answer = api.post(
            "/api/v1/credentials/status",
            json={"credential_id": cred["credential_id"], "action": action},
            headers=orgs.a_caseworker.headers,
        )
        assert answer.status_code == 200, answer.text
        bundle = api.get("/api/v1/ledger/trust-bundle", headers=orgs.a_viewer.headers).json()
        _, report = _verify(tmp_path, cred["envelope"], bundle)
        assert [c["name"] for c in report["checks"] if c["passed"] is False] == failing
    # Each status list version is a log leaf: the log grew by two lists per change, proofs reach the leaves.
    checkpoint = api.get("/api/v1/ledger/checkpoint", headers=orgs.b_admin.headers).text
    size = int(checkpoint.split("\n")[1])
    proof = api.get(
        "/api/v1/ledger/inclusion", params={"index": cred["leaf_index"]}, headers=orgs.b_admin.headers
    )
    assert proof.status_code == 200 and proof.json()["treeSize"] == size
    consistency = api.get(
        "/api/v1/ledger/consistency", params={"first": 1}, headers=orgs.b_admin.headers
    ).json()
    assert consistency["second"] == size and consistency["hashes"]
    lists = api.get(
        "/api/v1/ledger/status-lists", params={"organisation": "agency-a"}, headers=orgs.b_admin.headers
    ).json()
    assert {s["credentialSubject"]["statusPurpose"] for s in lists} == {"revocation", "suspension"}


def test_issuing_follows_the_case(api: Any, orgs: TwoOrgs) -> None:
    created = api.post("/api/v1/cases", json=case_payload("DOC-2"), headers=orgs.a_caseworker.headers).json()
    case_id = created["id"]
    refused = api.post(
        f"/api/v1/cases/{case_id}/credentials",
        json={"type": "refugee-status-attestation"},
        headers=orgs.a_caseworker.headers,
    )
    assert refused.status_code == 409 and refused.json()["rule"] == "credential.refugee-status"
    refused = api.post(
        f"/api/v1/cases/{case_id}/credentials",
        json={"type": "resettlement-decision"},
        headers=orgs.a_caseworker.headers,
    )
    assert refused.status_code == 409 and refused.json()["rule"] == "credential.resettlement-accepted"
    api.post(f"/api/v1/cases/{case_id}/status", json={"status": "refugee"}, headers=orgs.a_caseworker.headers)
    for body in (
        {"pathway": "resettlement"},
        {"destination": "CAN"},
        {"state": "submitted"},
        {"state": "accepted"},
    ):
        moved = api.post(f"/api/v1/cases/{case_id}/pathway", json=body, headers=orgs.a_caseworker.headers)
        assert moved.status_code == 200, moved.text
    issued = api.post(
        f"/api/v1/cases/{case_id}/credentials",
        json={"type": "resettlement-decision"},
        headers=orgs.a_caseworker.headers,
    )
    assert issued.status_code == 201, issued.text
    detail = issued.json()["envelope"]["credential"]["credentialSubject"]["resettlement"]
    assert detail["resettlementCountry"] == "CAN" and detail["householdSize"] == 2
    viewer = api.post(
        f"/api/v1/cases/{case_id}/credentials",
        json={"type": "refugee-status-attestation"},
        headers=orgs.a_viewer.headers,
    )
    assert viewer.status_code == 403


def test_another_organisation_cannot_issue_fetch_or_revoke(api: Any, orgs: TwoOrgs) -> None:
    case_id = _refugee_case(api, orgs)
    cred = api.post(
        f"/api/v1/cases/{case_id}/credentials",
        json={"type": "refugee-status-attestation"},
        headers=orgs.a_caseworker.headers,
    ).json()
    cid = {"credential_id": cred["credential_id"]}
    b = orgs.b_admin.headers
    assert (
        api.post(
            f"/api/v1/cases/{case_id}/credentials", json={"type": "travel-document"}, headers=b
        ).status_code
        == 404
    )
    assert api.get(f"/api/v1/cases/{case_id}/credentials", headers=b).status_code == 404
    assert api.get("/api/v1/credentials/envelope", params=cid, headers=b).status_code == 404
    assert api.get("/api/v1/credentials/pdf", params=cid, headers=b).status_code == 404
    for action in ("revoke", "suspend"):
        answer = api.post("/api/v1/credentials/status", json=cid | {"action": action}, headers=b)
        assert answer.status_code == 404
    assert api.get("/api/v1/credentials", headers=b).json()["total"] == 0
    assert "Haddad" not in api.get("/api/v1/ledger/trust-bundle", headers=b).text
    # The issuing organisation still has it, unchanged.
    mine = api.get("/api/v1/credentials", headers=orgs.a_viewer.headers).json()
    assert mine["total"] == 1 and mine["items"][0]["status"] == "active"
    pdf = api.get("/api/v1/credentials/pdf", params=cid, headers=orgs.a_viewer.headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_log_is_public_as_tiles_and_proofs_from_them_match_the_checkpoint(
    api: Any, orgs: TwoOrgs
) -> None:
    from asylon.engines.ledger import TiledTree, verify_checkpoint
    from asylon.engines.ledger.note import NoteVerifier

    case_id = _refugee_case(api, orgs)
    for _ in range(3):
        api.post(
            f"/api/v1/cases/{case_id}/credentials",
            json={"type": "refugee-status-attestation"},
            headers=orgs.a_caseworker.headers,
        )
    assert api.post("/api/v1/ledger/anchors", headers=orgs.a_viewer.headers).status_code == 403
    anchored = api.post("/api/v1/ledger/anchors", headers=orgs.a_admin.headers).json()
    assert anchored["events"] >= 5 and anchored["batches"] == 1

    note = api.get("/api/v1/ledger/tlog/checkpoint").text  # no token
    bundle = api.get("/api/v1/ledger/trust-bundle", headers=orgs.b_admin.headers).json()
    checkpoint = verify_checkpoint(note, NoteVerifier.from_vkey(bundle["log"]["key"])).checkpoint

    def fetch(path: str) -> bytes:
        answer = api.get(f"/api/v1/ledger/tlog/{path}")
        assert answer.status_code == 200, (path, answer.text)
        return answer.content

    tree = TiledTree(checkpoint.size, fetch)
    assert tree.root() == checkpoint.root
    for index in range(checkpoint.size):
        proof = api.get(
            "/api/v1/ledger/inclusion",
            params={"index": index, "size": checkpoint.size},
            headers=orgs.b_admin.headers,
        ).json()
        assert proof == tree.inclusion_proof(index).to_json()
    entries = fetch(f"tile/entries/000.p/{checkpoint.size}")
    assert b"asylon/event-batch/v1" in entries and b"Haddad" not in entries
    assert api.get("/api/v1/ledger/tlog/tile/0/x000/001").status_code == 404  # not a canonical path
    assert api.get("/api/v1/ledger/tlog/tile/0/001").status_code == 404  # beyond the log
