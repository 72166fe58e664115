"""The durable file store: reopening, torn batches, and audits that name what was tampered with."""

from __future__ import annotations

from pathlib import Path

import pytest

from asylon.engines.ledger import merkle
from asylon.engines.ledger.log import TransparencyLog
from asylon.engines.ledger.logstore import FileLogStore, MemoryLogStore
from asylon.engines.ledger.note import generate_signer


def _filled(tmp_path: Path, n: int = 100) -> tuple[TransparencyLog, str]:
    key = generate_signer("asylon.example/log")
    log = TransparencyLog(FileLogStore(tmp_path), key)
    for start in range(0, n, 25):
        log.append_batch([f"entry {i}".encode() for i in range(start, min(n, start + 25))])
    return log, log.checkpoint()


def test_reopened_log_has_same_root_and_checkpoint(tmp_path: Path) -> None:
    log, note = _filled(tmp_path)
    root = log.root()
    log.store.close()  # type: ignore[attr-defined]
    again = TransparencyLog(FileLogStore(tmp_path), log.signer)
    assert again.size() == 100 and again.root() == root
    assert again.store.latest_checkpoint() == note
    assert again.store.entry(42) == b"entry 42"


def test_torn_tail_of_interrupted_batch_is_cut_back(tmp_path: Path) -> None:
    log, _ = _filled(tmp_path, 10)
    log.store.close()  # type: ignore[attr-defined]
    # A crash after entries and offsets were written but before the hashes were: half a hash and extra bytes.
    with open(tmp_path / "entries.bin", "ab") as f:
        f.write(b"partial entry")
    with open(tmp_path / "offsets.bin", "ab") as f:
        f.write((10**6).to_bytes(8, "big"))
    with open(tmp_path / "hashes.bin", "ab") as f:
        f.write(b"\x01" * 16)
    again = TransparencyLog(FileLogStore(tmp_path))
    assert again.size() == 10
    assert again.root() == log.root()
    again.append_batch([b"after recovery"])
    assert again.store.entry(10) == b"after recovery"


def test_memory_and_file_stores_agree(tmp_path: Path) -> None:
    entries = [bytes([i % 251]) * (i % 7) for i in range(300)]
    a, b = TransparencyLog(MemoryLogStore()), TransparencyLog(FileLogStore(tmp_path))
    a.append_batch(entries)
    for i in range(0, 300, 31):
        b.append_batch(entries[i : i + 31])
    assert a.root() == b.root() == merkle.tree_root([merkle.leaf_hash(e) for e in entries])


def test_audit_passes_on_untouched_log(tmp_path: Path) -> None:
    log, note = _filled(tmp_path)
    assert log.audit(note, log.signer.verifier).ok  # type: ignore[union-attr]


def test_audit_names_a_changed_byte_in_a_logged_entry(tmp_path: Path) -> None:
    log, note = _filled(tmp_path)
    log.store.close()  # type: ignore[attr-defined]
    data = bytearray((tmp_path / "entries.bin").read_bytes())
    pos = data.index(b"entry 57")
    data[pos + 6] ^= 0x01
    (tmp_path / "entries.bin").write_bytes(bytes(data))
    again = TransparencyLog(FileLogStore(tmp_path))
    result = again.audit(note, log.signer.verifier)  # type: ignore[union-attr]
    assert not result.ok and result.first_bad_index == 57
    assert "entry 57 no longer matches its leaf hash" in result.problems[0]


@pytest.mark.parametrize("attack", ["drop", "reorder", "rewrite-with-hash"])
def test_audit_detects_dropped_reordered_or_rehashed_entries(tmp_path: Path, attack: str) -> None:
    key = generate_signer("asylon.example/log")
    entries = [f"event batch {i}".encode() for i in range(20)]
    log = TransparencyLog(MemoryLogStore(), key)
    log.append_batch(entries)
    note = log.checkpoint()
    forged = list(entries)
    if attack == "drop":
        del forged[5]
        forged.append(b"padding so the size still matches")
    elif attack == "reorder":
        forged[3], forged[4] = forged[4], forged[3]
    else:
        forged[9] = b"event batch 9, rewritten"
    tampered = TransparencyLog(MemoryLogStore(), key)
    tampered.append_batch(forged)  # the attacker recomputes every hash consistently
    result = tampered.audit(note, key.verifier)
    assert not result.ok
    assert "do not have the checkpoint's root" in result.problems[0]


def test_consistency_between_checkpoints_after_reopen(tmp_path: Path) -> None:
    log, _ = _filled(tmp_path, 40)
    old_root = log.root()
    log.append_batch([b"more"] * 13)
    proof = log.consistency_proof(40)
    merkle.verify_consistency(40, 53, proof.hashes, old_root, log.root())
