"""Signed notes and checkpoints: the C2SP and Go reference vectors, cosignatures and quorum."""

from __future__ import annotations

import json

import pytest

from asylon.engines.ledger.checkpoint import Checkpoint, cosign_checkpoint, sign_checkpoint, verify_checkpoint
from asylon.engines.ledger.note import NoteSigner, NoteVerifier, generate_signer, open_note, sign_note
from asylon.errors import InvalidInput

from .conftest import DATA

VECTORS = json.loads((DATA / "signed-note" / "vectors.json").read_text())


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_reference_notes_verify(name: str) -> None:
    v = VECTORS[name]
    verifier = NoteVerifier.from_vkey(v["vkey"])
    assert verifier.to_vkey() == v["vkey"]
    text, good = open_note(v["note"], [verifier])
    assert verifier in good
    assert v["note"].startswith(text)


def test_go_reference_signature_is_reproduced() -> None:
    v = VECTORS["go_sumdb_note"]
    signer = NoteSigner.from_skey(v["skey"])
    assert signer.to_skey() == v["skey"]
    assert signer.verifier.to_vkey() == v["vkey"]
    assert sign_note(v["text"], [signer]) == v["note"]


def test_altered_reference_note_is_refused() -> None:
    v = VECTORS["c2sp_example"]
    with pytest.raises(InvalidInput, match="altered"):
        open_note(
            v["note"].replace("example message", "exemple message"), [NoteVerifier.from_vkey(v["vkey"])]
        )


@pytest.mark.parametrize(
    "bad",
    ["", "name+00000000+AAAA", "example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"],
)
def test_malformed_verifier_keys_are_refused(bad: str) -> None:
    with pytest.raises(InvalidInput):
        NoteVerifier.from_vkey(bad)


def test_checkpoint_round_trip_and_quorum() -> None:
    log = generate_signer("asylon.example/log")
    w = [generate_signer(f"w{i}.example", cosigner=True) for i in range(3)]
    cp = Checkpoint("asylon.example/log", 12, bytes(range(32)), ("ext line",))
    note = sign_checkpoint(cp, log)
    assert Checkpoint.parse(note.split("\n\n")[0] + "\n") == cp
    note = cosign_checkpoint(note, w[0], timestamp=1_700_000_000)
    note = cosign_checkpoint(note, w[1], timestamp=1_700_000_001)
    verified = verify_checkpoint(note, log.verifier, [x.verifier for x in w], quorum=2)
    assert verified.checkpoint == cp
    assert verified.witnesses == ("w0.example", "w1.example")
    with pytest.raises(InvalidInput, match="2 valid witness cosignatures, the trust bundle asks for 3"):
        verify_checkpoint(note, log.verifier, [x.verifier for x in w], quorum=3)


def test_checkpoint_by_another_log_key_is_refused() -> None:
    log, impostor = generate_signer("asylon.example/log"), generate_signer("asylon.example/log")
    note = sign_checkpoint(Checkpoint("asylon.example/log", 1, bytes(32)), impostor)
    with pytest.raises(InvalidInput, match="not signed by the log key"):
        verify_checkpoint(note, log.verifier)


@pytest.mark.parametrize(
    "body",
    ["log\n", "log\n01\n" + "A" * 43 + "=\n", "log\n1\nAAAA\n", "log\nx\n" + "A" * 43 + "=\n"],
)
def test_malformed_checkpoint_bodies_are_refused(body: str) -> None:
    with pytest.raises(InvalidInput):
        Checkpoint.parse(body)
