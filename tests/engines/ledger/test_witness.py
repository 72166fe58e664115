"""Witnesses cosign only checkpoints consistent with what they saw; verifiers need a quorum of them."""

from __future__ import annotations

import pytest

from asylon.engines.ledger.checkpoint import verify_checkpoint
from asylon.engines.ledger.log import TransparencyLog
from asylon.engines.ledger.logstore import MemoryLogStore
from asylon.engines.ledger.note import generate_signer
from asylon.engines.ledger.witness import Witness
from asylon.errors import Conflict, InvalidInput


def test_witness_follows_a_growing_log_and_refuses_a_fork() -> None:
    key = generate_signer("asylon.example/log")
    log = TransparencyLog(MemoryLogStore(), key)
    witness = Witness(generate_signer("witness.example/w1", cosigner=True), [key.verifier])
    log.append_batch([b"a", b"b", b"c"])
    first = witness.cosign(log.checkpoint(), [], timestamp=1)
    assert verify_checkpoint(first, key.verifier, [witness.key.verifier], quorum=1).witnesses == (
        "witness.example/w1",
    )

    log.append_batch([b"d", b"e"])
    witness.cosign(log.checkpoint(), log.consistency_proof(3).hashes, timestamp=2)
    assert witness.seen["asylon.example/log"][0] == 5

    # The operator forks the log: same key, a rewritten entry 1, then more entries.
    fork = TransparencyLog(MemoryLogStore(), key)
    fork.append_batch([b"a", b"B", b"c", b"d", b"e", b"f"])
    with pytest.raises(Conflict, match="not consistent with size 5"):
        witness.cosign(fork.checkpoint(), fork.consistency_proof(5).hashes, timestamp=3)

    shrunk = TransparencyLog(MemoryLogStore(), key)
    shrunk.append_batch([b"a", b"b"])
    with pytest.raises(Conflict, match="went back"):
        witness.cosign(shrunk.checkpoint(), [], timestamp=4)


def test_witness_ignores_unknown_logs() -> None:
    other = TransparencyLog(MemoryLogStore(), generate_signer("elsewhere.example/log"))
    witness = Witness(
        generate_signer("witness.example/w1", cosigner=True), [generate_signer("a.example").verifier]
    )
    with pytest.raises(InvalidInput, match="does not follow"):
        witness.cosign(other.checkpoint(), [], timestamp=1)
