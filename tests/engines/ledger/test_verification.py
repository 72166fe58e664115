"""Offline verification: a good credential passes every check; each kind of tampering fails the named check."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest

from asylon.engines.ledger.credentials import sign_credential
from asylon.engines.ledger.envelope import Envelope, decode_qr_payload, qr_payload
from asylon.engines.ledger.model import InclusionProof
from asylon.engines.ledger.verification import verify_envelope

from .conftest import NOW, T0, World


def _failed(world: World, env: Envelope, **bundle_args: object) -> set[str]:
    report = verify_envelope(env, world.bundle(**bundle_args), now=NOW)  # type: ignore[arg-type]
    return {c.name for c in report.failed}


@pytest.mark.parametrize("kind", ["status", "resettlement", "travel"])
def test_issued_credentials_pass_every_check(world: World, kind: str) -> None:
    report = verify_envelope(world.envelopes[kind], world.bundle(), now=NOW)
    assert report.ok, report.failed
    applicable = {c.name for c in report.checks if c.passed}
    assert {
        "signature",
        "issuer-trusted",
        "checkpoint-signature",
        "witness-quorum",
        "log-inclusion",
        "status-revocation",
        "status-suspension",
        "validity-period",
    } <= applicable
    assert (report.check("travel-document-mrz").passed is True) == (kind == "travel")


def test_envelope_survives_json_and_qr_round_trips(world: World) -> None:
    env = world.envelopes["travel"]
    again = Envelope.from_json(json.loads(env.dumps()))
    assert verify_envelope(again, world.bundle(), now=NOW).ok
    assert verify_envelope(decode_qr_payload(qr_payload(env)), world.bundle(), now=NOW).ok


@pytest.mark.slow
def test_every_byte_of_the_credential_is_protected(world: World) -> None:
    """Change each byte of the credential's JSON in turn: every change is caught and named."""
    env = world.envelopes["status"]
    text = json.dumps(env.credential, ensure_ascii=False, separators=(",", ":"))
    caught: dict[str, int] = {}
    for i in range(len(text)):
        replacement = "x" if text[i] != "x" else "y"
        try:
            cred = json.loads(text[:i] + replacement + text[i + 1 :])
        except json.JSONDecodeError:
            caught["unreadable"] = caught.get("unreadable", 0) + 1
            continue
        if not isinstance(cred, dict):
            caught["unreadable"] = caught.get("unreadable", 0) + 1
            continue
        report = verify_envelope(Envelope(cred, env.salt, env.proof, env.checkpoint), world.bundle(), now=NOW)
        assert not report.ok, f"byte {i} ({text[i]!r}) changed without detection"
        for c in report.failed:
            caught[c.name] = caught.get(c.name, 0) + 1
    assert caught.get("signature", 0) > len(text) // 2
    assert caught.get("log-inclusion", 0) > len(text) // 2


def test_every_byte_of_the_checkpoint_is_protected(world: World) -> None:
    # Quorum = all three witnesses, so that every cosignature line counts; with a smaller quorum a damaged
    # surplus cosignature is rightly ignored (C2SP: unknown signature lines are skipped).
    env = world.envelopes["resettlement"]
    assert env.checkpoint is not None
    note = env.checkpoint
    for i in range(len(note)):
        if note[i] == "\n":
            continue
        forged = note[:i] + ("A" if note[i] != "A" else "B") + note[i + 1 :]
        failed = _failed(world, Envelope(env.credential, env.salt, env.proof, forged), quorum=3)
        assert failed & {"checkpoint-signature", "witness-quorum"}, (
            f"checkpoint byte {i} changed without detection"
        )


def test_dropping_witness_cosignatures_fails_the_quorum(world: World) -> None:
    env = world.envelopes["status"]
    assert env.checkpoint is not None
    lines = env.checkpoint.splitlines(keepends=True)
    without_witnesses = "".join(line for line in lines if "witness.example" not in line)
    failed = _failed(world, Envelope(env.credential, env.salt, env.proof, without_witnesses))
    assert failed == {"witness-quorum"}
    assert _failed(world, Envelope(env.credential, env.salt, env.proof, without_witnesses), quorum=0) == set()


def test_tampered_inclusion_proof_or_salt_fails_log_inclusion(world: World) -> None:
    env = world.envelopes["status"]
    assert env.proof is not None and env.salt is not None
    hashes = list(env.proof.hashes)
    hashes[2] = bytes([hashes[2][0] ^ 0x20]) + hashes[2][1:]
    bad_proof = InclusionProof(env.proof.index, env.proof.size, tuple(hashes))
    assert _failed(world, Envelope(env.credential, env.salt, bad_proof, env.checkpoint)) == {"log-inclusion"}
    moved = InclusionProof(env.proof.index + 1, env.proof.size, env.proof.hashes)
    assert _failed(world, Envelope(env.credential, env.salt, moved, env.checkpoint)) == {"log-inclusion"}
    other_salt = bytes(32)
    assert _failed(world, Envelope(env.credential, other_salt, env.proof, env.checkpoint)) == {
        "log-inclusion"
    }


def test_credential_never_logged_fails_log_inclusion(world: World) -> None:
    """Signed by the real issuer but never put in the log (e.g. issued from a stolen key outside the platform)."""
    env = world.envelopes["status"]
    cred = {k: v for k, v in env.credential.items() if k != "proof"}
    cred["id"] = "urn:uuid:11111111-1111-4111-8111-111111111111"
    resigned = sign_credential(cred, world.ring, at=T0)
    assert _failed(world, Envelope(resigned, env.salt, env.proof, env.checkpoint)) == {"log-inclusion"}


@pytest.mark.parametrize(
    ("purpose", "check"), [("revocation", "status-revocation"), ("suspension", "status-suspension")]
)
def test_revoked_or_suspended_credential_is_named(world: World, purpose: str, check: str) -> None:
    env = world.envelopes["travel"]
    world.registry.set_status(env.credential, purpose, True)
    world.republish()
    report = verify_envelope(env, world.bundle(), now=NOW)
    assert {c.name for c in report.failed} == {check}
    assert ("revoked" if purpose == "revocation" else "suspended") in report.check(check).reason
    if purpose == "suspension":
        world.registry.set_status(env.credential, purpose, False)
        world.republish()
        assert verify_envelope(env, world.bundle(), now=NOW).ok


def test_forged_or_stale_status_list_is_refused(world: World) -> None:
    env = world.envelopes["status"]
    forged = copy.deepcopy(world.status_lists)
    forged[0]["credentialSubject"]["encodedList"] = forged[1]["credentialSubject"]["encodedList"]
    forged[0]["validFrom"] = "2026-03-01T00:00:01Z"
    assert "status-revocation" in _failed(world, env, status_lists=forged)
    report = verify_envelope(env, world.bundle(), now=NOW + timedelta(days=30))
    assert {c.name for c in report.failed} == {"status-revocation", "status-suspension"}
    assert "expired" in report.check("status-revocation").reason
    assert _failed(world, env, status_lists=[]) == {"status-revocation", "status-suspension"}


def test_validity_period(world: World) -> None:
    env = world.envelopes["status"]
    early = verify_envelope(env, world.bundle(), now=T0 - timedelta(seconds=1))
    assert "validity-period" in {c.name for c in early.failed}
    late = verify_envelope(env, world.bundle(status_lists=[]), now=T0 + timedelta(days=365 * 4))
    assert "expired" in late.check("validity-period").reason


def test_unknown_issuer_and_rotated_or_revoked_keys(world: World) -> None:
    env = world.envelopes["status"]
    stranger = copy.deepcopy(world.bundle())
    stranger.issuers = {}
    report = verify_envelope(env, stranger, now=NOW)
    assert (
        report.check("issuer-trusted").passed is False
        and "not in the trust bundle" in report.check("issuer-trusted").reason
    )

    # After rotation the old key still verifies what it signed before...
    world.ring.rotate(at=T0 + timedelta(hours=1))
    assert verify_envelope(env, world.bundle(), now=NOW).ok
    # ...but a credential it signs after rotation is refused.
    old_key = world.ring.keys[0]
    late = copy.deepcopy({k: v for k, v in env.credential.items() if k != "proof"})
    from asylon.engines.ledger.dataintegrity import create_proof

    forged = create_proof(
        late,
        world.ring.private_key(old_key.id),
        verification_method=old_key.id,
        created="2026-03-02T00:00:00Z",
    )
    report = verify_envelope(Envelope(forged, env.salt, env.proof, env.checkpoint), world.bundle(), now=NOW)
    assert "rotated out" in report.check("issuer-trusted").reason

    world.ring.revoke(old_key.id, at=T0 - timedelta(days=1))
    report = verify_envelope(env, world.bundle(), now=NOW)
    assert "revoked" in report.check("issuer-trusted").reason


def test_mrz_inconsistent_with_data_page_is_named(world: World) -> None:
    env = world.envelopes["travel"]
    cred = {k: v for k, v in copy.deepcopy(env.credential).items() if k != "proof"}
    cred["credentialSubject"]["travelDocument"]["documentNumber"] = "RT0099999"
    resigned = sign_credential(cred, world.ring, at=T0)
    report = verify_envelope(Envelope(resigned, env.salt, env.proof, env.checkpoint), world.bundle(), now=NOW)
    assert "MRZ disagrees" in report.check("travel-document-mrz").reason


def test_bare_credential_fails_only_the_log_checks(world: World) -> None:
    report = verify_envelope(Envelope(world.envelopes["status"].credential), world.bundle(), now=NOW)
    assert {c.name for c in report.failed} == {"checkpoint-signature", "log-inclusion"}


def test_status_lists_proven_in_the_log(world: World) -> None:
    note = world.cosigned_checkpoint()
    proofs = world.registry.log_proofs(world.log, note)
    bundle = world.bundle()
    bundle.status_list_proofs = proofs
    report = verify_envelope(world.envelopes["status"], bundle, now=NOW)
    assert report.ok and "recorded in the log" in report.check("status-revocation").reason

    # The issuer signs a different revocation list for one verifier but never logs it: refused by name.
    from asylon.engines.ledger.dataintegrity import create_proof

    quiet = copy.deepcopy({k: v for k, v in world.status_lists[0].items() if k != "proof"})
    quiet["validFrom"] = "2026-03-01T00:00:01Z"
    key = world.ring.active_key(T0)
    forged = create_proof(
        quiet, world.ring.private_key(key.id), verification_method=key.id, created="2026-03-01T00:00:01Z"
    )
    other = world.bundle(status_lists=[forged, world.status_lists[1]])
    other.status_list_proofs = proofs
    report = verify_envelope(world.envelopes["status"], other, now=NOW)
    assert {c.name for c in report.failed} == {"status-revocation"}
    assert "not the version recorded in the log" in report.check("status-revocation").reason
    # And the bundle format carries the proofs.
    from asylon.engines.ledger.trust import TrustBundle

    assert TrustBundle.from_json(bundle.to_json()).status_list_proofs == proofs
