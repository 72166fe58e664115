"""A witness: cosigns a log's checkpoints only after checking they extend what it saw before.

A witness remembers, per log, the size and root of the latest checkpoint it cosigned. Given a newer checkpoint
and a consistency proof from the old size, it checks the log's signature and the proof and only then adds its
``cosignature/v1``. A log that rewrote history (a split view) cannot get the cosignature, and verifiers that ask
for a quorum of witnesses will refuse its checkpoints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from asylon.engines.ledger import merkle
from asylon.engines.ledger.checkpoint import cosign_checkpoint, verify_checkpoint
from asylon.engines.ledger.note import NoteSigner, NoteVerifier
from asylon.errors import Conflict, InvalidInput, Problem

__all__ = ["Witness"]


@dataclass(slots=True)
class Witness:
    """Cosigns checkpoints of the logs it knows.

    >>> from asylon.engines.ledger.log import TransparencyLog
    >>> from asylon.engines.ledger.logstore import MemoryLogStore
    >>> from asylon.engines.ledger.note import generate_signer
    >>> log = TransparencyLog(MemoryLogStore(), generate_signer("asylon.example/log"))
    >>> w = Witness(generate_signer("w.example/1", cosigner=True), [log.signer.verifier])
    >>> _ = log.append_batch([b"a", b"b"])
    >>> note = w.cosign(log.checkpoint(), [], timestamp=1_700_000_000)
    >>> note.count("— w.example/1")
    1
    """

    key: NoteSigner
    logs: Sequence[NoteVerifier]
    seen: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    """Per log origin: size and root of the latest checkpoint cosigned (persist it between runs)."""

    def cosign(self, note: str, consistency: Sequence[bytes], *, timestamp: int) -> str:
        """Check ``note`` and the proof from the last size seen; return the note with this witness's cosignature."""
        log_key = next((k for k in self.logs if note.startswith(k.name + "\n")), None)
        if log_key is None:
            raise InvalidInput(Problem("this witness does not follow the checkpoint's log", field="origin"))
        cp = verify_checkpoint(note, log_key).checkpoint
        old_size, old_root = self.seen.get(cp.origin, (0, merkle.EMPTY_ROOT))
        if cp.size < old_size:
            raise Conflict(f"log {cp.origin} went back from size {old_size} to {cp.size}: refusing to cosign")
        try:
            merkle.verify_consistency(old_size, cp.size, consistency, old_root, cp.root)
        except merkle.ProofError as exc:
            raise Conflict(
                f"log {cp.origin} at size {cp.size} is not consistent with size {old_size} seen before: {exc}"
            ) from exc
        self.seen[cp.origin] = (cp.size, cp.root)
        return cosign_checkpoint(note, self.key, timestamp=timestamp)
