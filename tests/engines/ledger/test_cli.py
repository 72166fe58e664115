"""``asylon verify`` and ``asylon ledger`` end to end, through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from asylon.cli import app

runner = CliRunner()
AT = "2026-03-01T00:00:00Z"
LATER = "2026-03-02T00:00:00Z"


def ok(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_issue_verify_revoke_and_audit(tmp_path: Path) -> None:
    d = str(tmp_path)
    vkey = ok("ledger", "keygen", "asylon.example/log", "--out", f"{d}/log.key").strip()
    assert vkey.startswith("asylon.example/log+")
    ok("ledger", "keygen", "witness.example/w1", "--witness", "--out", f"{d}/w1.key")
    ok(
        "ledger",
        "issuer-init",
        "https://asylon.example/orgs/unhcr",
        "UNHCR",
        "--out",
        f"{d}/keys.json",
        "--at",
        "2026-01-01T00:00:00Z",
    )
    (tmp_path / "req.json").write_text(
        json.dumps(
            {
                "type": "TravelDocumentData",
                "person": {
                    "given_names": "Amina",
                    "surname": "Haddad",
                    "birth_date": "1990-05-04",
                    "sex": "F",
                },
                "issuing_state": "JOR",
                "document_number": "X1234567",
                "date_of_issue": "2026-03-01",
                "date_of_expiry": "2031-02-28",
            }
        )
    )
    common = ["--keys", f"{d}/keys.json", "--log", f"{d}/log", "--log-key", f"{d}/log.key", "--at", AT]
    ok(
        "ledger",
        "issue",
        f"{d}/req.json",
        *common,
        "--status",
        f"{d}/status.json",
        "--out",
        f"{d}/env.json",
        "--pdf",
        f"{d}/env.pdf",
    )
    assert (tmp_path / "env.pdf").read_bytes().startswith(b"%PDF")
    publish = ["publish-status", "--status", f"{d}/status.json", *common, "--out", f"{d}/lists.json"]
    ok("ledger", *publish, "--proofs", f"{d}/proofs.json")
    ok("ledger", "cosign", f"{d}/log/checkpoint", "--witness-key", f"{d}/w1.key", "--log-key", vkey)
    bundle = [
        "trust-bundle",
        "--out",
        f"{d}/bundle.json",
        "--log-key",
        vkey,
        "--issuer-keys",
        f"{d}/keys.json",
        "--status-lists",
        f"{d}/lists.json",
        "--status-proofs",
        f"{d}/proofs.json",
        "--witness",
        f"{d}/w1.key",
    ]
    ok("ledger", *bundle)
    out = ok("verify", f"{d}/env.json", "--trust", f"{d}/bundle.json", "--at", LATER, "--json")
    report = json.loads(out)
    assert report["ok"] is True
    assert "recorded in the log" in next(
        c["reason"] for c in report["checks"] if c["name"] == "status-revocation"
    )

    ok("ledger", "set-status", f"{d}/env.json", "--status", f"{d}/status.json", "--purpose", "revocation")
    ok("ledger", *publish, "--proofs", f"{d}/proofs.json")
    ok("ledger", *bundle)
    result = runner.invoke(
        app, ["verify", f"{d}/env.json", "--trust", f"{d}/bundle.json", "--at", LATER, "--json"]
    )
    assert result.exit_code == 1
    failed = [c["name"] for c in json.loads(result.output)["checks"] if c["passed"] is False]
    assert failed == ["status-revocation"]

    assert "log intact" in ok("ledger", "audit", "--log", f"{d}/log", "--log-key", vkey)
    proof = json.loads(ok("ledger", "prove", "--log", f"{d}/log", "--index", "0"))
    assert proof["leafIndex"] == 0 and proof["treeSize"] == 5


def test_bad_files_give_readable_errors(tmp_path: Path) -> None:
    (tmp_path / "bundle.json").write_text('{"format": "something else"}')
    (tmp_path / "env.json").write_text("{}")
    result = runner.invoke(
        app, ["verify", str(tmp_path / "env.json"), "--trust", str(tmp_path / "bundle.json")]
    )
    assert result.exit_code == 3
    assert "bundle.json" in result.output and "asylon-trust-bundle/v1" in result.output
    result = runner.invoke(
        app, ["verify", str(tmp_path / "missing.json"), "--trust", str(tmp_path / "bundle.json")]
    )
    assert result.exit_code == 3
