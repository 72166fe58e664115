"""Documents service: keys sealed outside the personal-data tables, rotation, workers sharing one log, the CLI,
and no personal data anywhere in the log over a whole demo world."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from asylon.cli import app as cli_app
from asylon.config import Settings, override_settings
from asylon.db import logstore
from asylon.db.engine import transaction
from asylon.db.models import Case, IssuerKeyringRow, LedgerHead, User
from asylon.db.models import Person as PersonRow
from asylon.engines.ledger import Envelope, assert_no_personal_data, log_material, verify_envelope
from asylon.errors import ConfigurationError
from asylon.schemas.cases import StatusChange
from asylon.services import accounts, anchoring, documents, pathways
from asylon.services.demo import seed_demo
from tests.support.world import TwoOrgs, register

pytestmark = pytest.mark.db
runner = CliRunner()
RSA = documents.CredentialRequest("refugee-status-attestation")


@pytest.fixture
def vault(settings: Settings) -> documents.KeyVault:
    return documents.vault_for(settings.data_dir)


@pytest.fixture
def cli_settings(settings: Settings) -> Iterator[Settings]:
    with override_settings(database_url=settings.database_url, data_dir=settings.data_dir) as s:
        yield s


def _refugee(engine: Engine, orgs: TwoOrgs, number: str) -> int:
    case_id = register(engine, orgs.a_caseworker.actor, number)
    with transaction(engine) as session:
        pathways.change_status(
            session, actor=orgs.a_caseworker.actor, case_id=case_id, data=StatusChange(status="refugee")
        )
    return case_id


def _issue(
    engine: Engine,
    orgs: TwoOrgs,
    vault: documents.KeyVault,
    case_id: int,
    at: dt.datetime | None = None,
    request: documents.CredentialRequest = RSA,
) -> Envelope:
    with transaction(engine) as session:
        row = documents.issue_credential(
            session, actor=orgs.a_caseworker.actor, vault=vault, case_id=case_id, request=request, at=at
        )
        return Envelope.from_json(row.envelope)


def _bundle(engine: Engine, vault: documents.KeyVault, at: dt.datetime | None = None) -> Any:
    with transaction(engine) as session:
        return documents.export_trust_bundle(session, vault=vault, refresh=True, at=at)


def test_secret_keys_are_sealed_under_a_key_outside_the_database(
    engine: Engine, orgs: TwoOrgs, vault: documents.KeyVault, settings: Settings
) -> None:
    _issue(engine, orgs, vault, _refugee(engine, orgs, "K-1"))
    with transaction(engine, write=False) as session:
        ring_row = session.scalars(select(IssuerKeyringRow)).one()
        head = session.scalars(select(LedgerHead)).one()
        sealed = bytes(ring_row.sealed_secrets) + bytes(head.sealed_signer)
        ring = documents._load_ring(
            session, vault, ring_row_org(session, ring_row), create=False, at=dt.datetime.now(dt.UTC)
        )[1]
    secret = ring.to_json()["keys"][0]["secretKeyMultibase"]
    assert secret.encode() not in sealed and b"PRIVATE+KEY" not in sealed
    assert "secretKeyMultibase" not in json.dumps(ring_row.public_keys)
    assert (settings.data_dir / "ledger.kek").stat().st_mode & 0o077 == 0

    # Without the key-encryption key nothing can be signed, and the message says what is missing.
    (settings.data_dir / "ledger.kek").rename(settings.data_dir / "elsewhere.kek")
    with pytest.raises(ConfigurationError, match=r"ledger\.kek"):
        _issue(engine, orgs, vault, _refugee(engine, orgs, "K-2"))


def ring_row_org(session: Any, row: IssuerKeyringRow) -> Any:
    from asylon.db.models import Organisation

    return session.get(Organisation, row.organisation_id)


def test_rotation_keeps_earlier_credentials_verifiable(
    engine: Engine, orgs: TwoOrgs, vault: documents.KeyVault
) -> None:
    t0 = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=2)
    before = _issue(engine, orgs, vault, _refugee(engine, orgs, "R-1"), at=t0)
    with transaction(engine) as session:
        key = documents.rotate_issuer_key(
            session, actor=orgs.a_admin.actor, vault=vault, at=t0 + dt.timedelta(hours=1)
        )
    after = _issue(engine, orgs, vault, _refugee(engine, orgs, "R-2"))
    assert (
        after.credential["proof"]["verificationMethod"]
        == key["id"]
        != before.credential["proof"]["verificationMethod"]
    )
    bundle = _bundle(engine, vault)
    keys = bundle.issuers["urn:asylon:org:agency-a"].keys
    assert len(keys) == 2 and keys[0].valid_until is not None
    for env in (before, after):
        report = verify_envelope(env, bundle)
        assert report.ok, report.to_json()
    with transaction(engine) as session, pytest.raises(Exception, match="admin"):
        documents.rotate_issuer_key(session, actor=orgs.a_caseworker.actor, vault=vault)


def test_a_worker_with_a_stale_copy_of_the_log_catches_up(
    engine: Engine, orgs: TwoOrgs, vault: documents.KeyVault
) -> None:
    case_id = _refugee(engine, orgs, "W-1")
    first = _issue(engine, orgs, vault, case_id)
    stale = dict(logstore._CACHE)
    logstore._CACHE.clear()  # "another worker": its own, fresh copy of the log
    second = _issue(engine, orgs, vault, case_id)
    logstore._CACHE.clear()
    logstore._CACHE.update(stale)  # back to the first worker, whose copy is now behind the database
    third = _issue(engine, orgs, vault, case_id)
    assert third.proof is not None and second.proof is not None and first.proof is not None
    assert third.proof.index > second.proof.index > first.proof.index
    bundle = _bundle(engine, vault)
    assert all(verify_envelope(e, bundle).ok for e in (first, second, third))


def test_concurrent_issuance_appends_each_credential_once(
    engine: Engine, orgs: TwoOrgs, vault: documents.KeyVault
) -> None:
    case_id = _refugee(engine, orgs, "C-1")
    envelopes: list[Envelope] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(3):
                envelopes.append(_issue(engine, orgs, vault, case_id))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    indexes = [e.proof.index for e in envelopes if e.proof]
    assert len(set(indexes)) == 12
    bundle = _bundle(engine, vault)
    assert all(verify_envelope(e, bundle).ok for e in envelopes)


def test_cli_issues_from_a_case_and_the_file_verifies_offline(
    engine: Engine, orgs: TwoOrgs, cli_settings: Settings, tmp_path: Path
) -> None:
    case_id = _refugee(engine, orgs, "CLI-1")
    env, pdf, bundle = tmp_path / "td.json", tmp_path / "td.pdf", tmp_path / "bundle.json"
    result = runner.invoke(
        cli_app,
        [
            "credentials",
            "issue",
            str(case_id),
            "--type",
            "travel-document",
            "--user",
            orgs.a_caseworker.email,
            "--out",
            str(env),
            "--pdf",
            str(pdf),
        ],
    )
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes().startswith(b"%PDF")
    assert runner.invoke(cli_app, ["credentials", "trust-bundle", "--out", str(bundle)]).exit_code == 0
    verified = runner.invoke(cli_app, ["verify", str(env), "--trust", str(bundle)])
    assert verified.exit_code == 0, verified.output
    assert "VALID" in verified.output and "NOT VALID" not in verified.output
    # Another organisation's user cannot issue from this case.
    refused = runner.invoke(
        cli_app,
        ["credentials", "issue", str(case_id), "--type", "travel-document", "--user", orgs.b_admin.email],
    )
    assert refused.exit_code != 0 and "not found" in refused.output.lower()
    unknown = runner.invoke(
        cli_app,
        ["credentials", "issue", str(case_id), "--type", "passport", "--user", orgs.a_caseworker.email],
    )
    assert unknown.exit_code != 0 and "refugee-status-attestation" in unknown.output


@pytest.mark.slow
def test_no_personal_data_in_any_leaf_proof_or_checkpoint_of_a_demo_world(
    engine: Engine, vault: documents.KeyVault
) -> None:
    seed_demo(engine, households=300)
    with transaction(engine) as session:
        anchored = anchoring.anchor_pending_events(session, vault=vault, batch_size=25)
    assert anchored.events >= 300
    envelopes: list[Envelope] = []
    with transaction(engine) as session:
        refugees = list(
            session.scalars(select(Case).where(Case.legal_status == "refugee").order_by(Case.id).limit(12))
        )
        assert refugees, "the demo world has recognised refugees"
        for case in refugees:
            admin = session.scalars(
                select(User).where(User.organisation_id == case.organisation_id, User.role == "admin")
            ).first()
            assert admin is not None
            for kind in ("refugee-status-attestation", "travel-document"):
                row = documents.issue_credential(
                    session,
                    actor=accounts.actor_for(admin),
                    vault=vault,
                    case_id=case.id,
                    request=documents.CredentialRequest(kind),
                )
                envelopes.append(Envelope.from_json(row.envelope))
        revoked = envelopes[0].credential["id"]
        documents.set_credential_status(
            session,
            actor=accounts.actor_for(admin),
            vault=vault,
            credential_id=str(envelopes[-1].credential["id"]),
            action="suspend",
        )
        assert revoked
    with transaction(engine) as session:
        anchoring.anchor_pending_events(session, vault=vault)  # the credential events too
        bundle = documents.export_trust_bundle(session, vault=vault, refresh=True)
    with transaction(engine, write=False) as session:
        forbidden: set[str] = set()
        for (case_number,) in session.execute(select(Case.case_number)):
            forbidden.add(case_number)
        for p in session.scalars(select(PersonRow)):
            for value in (p.given_name, p.family_name, p.name_original):
                if value:
                    forbidden.add(value)
            # Exact dates of birth. A year (or year and month) alone is in every timestamp of that year, so it
            # cannot be told apart from the bundle's own dates; it is not forbidden on its own.
            if p.date_of_birth and len(p.date_of_birth.lstrip("~")) == 10:
                forbidden.add(p.date_of_birth.lstrip("~"))
            if p.given_name and p.family_name:
                forbidden.add(f"{p.given_name} {p.family_name}")
        with documents.ledger(session, vault, write=False) as log:
            size = log.size()
            # Everything the log publishes, decoded: leaf entries and hashes, proofs as their hash bytes,
            # checkpoints and the bundle as text with each encoded value (base64, base58, gzip) opened. Searching
            # base64 *text* instead finds short names by chance in random hashes ("Yana" in "…SBYANarN…").
            blobs: list[bytes | str] = [b for b in log_material(log) if isinstance(b, bytes)]
            proofs = [e.proof for e in envelopes if e.proof is not None]
            proofs += [log.inclusion_proof(i) for i in range(0, size, 7)]
            blobs += [b"".join(p.hashes) for p in proofs]
            blobs += [b"".join(log.consistency_proof(f, size).hashes) for f in range(1, size, 11)]
        notes = {documents.latest_checkpoint(session), *(e.checkpoint for e in envelopes if e.checkpoint)}
        for note in notes:
            blobs += _note_material(note)
        blobs += _json_material(bundle.to_json())
    assert len(forbidden) > 1000 and size > 30
    # Every encoded value is opened above: left as text, a base64 hash holds a short name by chance about once in
    # 30 runs ("Akol" in "…AkOl…"), which says nothing about the log.
    encoded = [b for b in blobs if isinstance(b, str) and _ENCODED_TEXT.search(b)]
    assert not encoded, f"encoded values left as text: {encoded[:3]}"
    # A few generated names are also fragments of the formats' fixed words ("Eden" is in "credential"): those
    # are the format, not data. They are set aside by name, and every other name, date and case number counts.
    vocabulary = _vocabulary(bundle.to_json())
    format_words = {v for v in forbidden if len(v) >= 4 and v.lower() in vocabulary}
    assert len(format_words) <= 5, format_words
    assert_no_personal_data(blobs, sorted(forbidden - format_words))
    # The guard is live: the same check finds a name when it is there.
    with pytest.raises(AssertionError):
        assert_no_personal_data([*blobs, *_json_material(envelopes[0].credential)], sorted(forbidden))


def _vocabulary(bundle: Any) -> str:
    """The fixed words of the log's and bundle's formats: leaf tags, the log origin, JSON keys and type names."""
    from asylon.engines.ledger.commitment import CREDENTIAL_TAG, EVENT_BATCH_TAG, STATUS_LIST_TAG

    words = [t.decode().rstrip("\x00") for t in (CREDENTIAL_TAG, EVENT_BATCH_TAG, STATUS_LIST_TAG)]
    words.append(documents.LOG_ORIGIN)

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                words.append(k)
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and key in (
            "type",
            "@context",
            "cryptosuite",
            "proofPurpose",
            "statusPurpose",
            "format",
        ):
            words.append(value)

    walk(bundle)
    return " ".join(words).lower()


_ENCODED = {"publicKeyMultibase", "proofValue", "encodedList", "key", "keys"}
_ENCODED_TEXT = re.compile(r"[A-Za-z0-9+/_-]{40,}")  # a 32-byte hash is 43-44 characters of base64


def _note_material(note: str) -> list[bytes | str]:
    """A signed note as its text lines, with the root hash and each signature decoded."""
    import base64

    out: list[bytes | str] = []
    body, _, signatures = note.partition("\n\n")
    origin, size, root, *extensions = body.split("\n")
    out += [origin, size, base64.b64decode(root), *extensions]
    for line in signatures.splitlines():
        name, _, sig = line.removeprefix("\u2014 ").rpartition(" ")
        out += [name, base64.b64decode(sig)]
    return out


def _json_material(value: Any, key: str = "") -> list[bytes | str]:
    """Every string of a JSON document; encoded values (multibase keys, signatures, status lists) decoded."""
    import base64
    import gzip

    from asylon.engines.ledger.multikey import decode_base58btc

    if isinstance(value, dict):
        return [b for k, v in value.items() for b in [k, *_json_material(v, k)]]
    if isinstance(value, list):
        return [b for v in value for b in _json_material(v, key)]
    if not isinstance(value, str):
        return [json.dumps(value)]
    if key == "hashes":  # a proof's hashes, base64
        return [base64.b64decode(value)]
    if key == "checkpoint":
        return _note_material(value)
    if key in _ENCODED and value.startswith("z"):
        return [decode_base58btc(value)]
    if key == "encodedList":
        return [gzip.decompress(base64.urlsafe_b64decode(value[1:] + "=" * (-len(value[1:]) % 4)))]
    if key in _ENCODED:  # C2SP verifier keys: name+id+base64
        name, key_id, material = value.split("+", 2)
        return [name, key_id, base64.b64decode(material)]
    return [value]


def test_workers_starting_at_once_agree_on_one_key_encryption_key(tmp_path: Path) -> None:
    vaults = [documents.KeyVault(tmp_path) for _ in range(8)]
    sealed: list[bytes] = []
    threads = [threading.Thread(target=lambda v=v: sealed.append(v.seal(b"k", "x"))) for v in vaults]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(sealed) == 8 and all(vaults[0].unseal(s, "x") == b"k" for s in sealed)
    assert [p.name for p in tmp_path.iterdir()] == ["ledger.kek"]
    with pytest.raises(ConfigurationError, match="does not open"):
        documents.KeyVault(tmp_path).unseal(sealed[0], "another label")
