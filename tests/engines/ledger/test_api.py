"""The public API the platform calls, pinned; and every public function documented with an example."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import subprocess
import sys

import pytest

import asylon.engines.ledger as ledger

MODULES = sorted(m.name for m in pkgutil.iter_modules(ledger.__path__))


def test_public_names() -> None:
    assert set(ledger.__all__) == {
        "AuditFinding", "Check", "Checkpoint", "ConsistencyProof", "Envelope", "EventAudit", "FileLogStore",
        "InclusionProof", "IssuerKey", "IssuerKeyRing", "LogAudit", "LogStore", "MemoryLogStore", "NoteSigner",
        "NoteVerifier", "Person", "StatusList", "StatusRegistry", "TiledTree", "TransparencyLog", "TrustBundle",
        "TrustedIssuer", "VerificationReport", "Witness", "anchor_events", "assert_no_personal_data",
        "audit_events", "cosign_checkpoint", "create_proof", "credential_leaf", "credential_pdf",
        "decode_qr_payload", "event_batch_leaf", "event_digest", "find_personal_data", "generate_signer",
        "issue_batch", "load_envelope", "load_trust_bundle", "log_material", "qr_payload", "refresh_proof",
        "refugee_status_attestation", "resettlement_decision", "sign_checkpoint", "sign_credential",
        "status_list_leaf", "travel_document", "verify_checkpoint", "verify_envelope", "verify_proof",
        "write_tiles",
    }  # fmt: skip
    for name in ledger.__all__:
        assert getattr(ledger, name) is not None


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples_run(module: str) -> None:
    mod = importlib.import_module(f"asylon.engines.ledger.{module}")
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_engine_imports_no_web_or_database() -> None:
    code = (
        "import sys, importlib\n"
        f"for m in {MODULES!r}: importlib.import_module('asylon.engines.ledger.' + m)\n"
        "print(sorted({'sqlalchemy', 'fastapi', 'typer'} & {m.split('.')[0] for m in sys.modules}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
