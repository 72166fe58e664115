"""C2SP tlog-checkpoint bodies, signed by the log and cosigned by witnesses.

A checkpoint body is three lines — origin, decimal tree size, base64 root hash — then optional extension
lines, each ending in a newline (c2sp.org/tlog-checkpoint). It travels as a signed note: the log's Ed25519
signature plus any witness ``cosignature/v1`` lines. A verifier trusts a checkpoint when the log's signature checks
and at least ``quorum`` of its configured witnesses cosigned it.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass

from asylon.engines.ledger.note import (
    ALG_COSIGNATURE_V1,
    ALG_ED25519,
    NoteSigner,
    NoteVerifier,
    open_note,
    sign_note,
    split_note,
    strict_b64decode,
)
from asylon.errors import InvalidInput, Problem

__all__ = ["Checkpoint", "VerifiedCheckpoint", "cosign_checkpoint", "sign_checkpoint", "verify_checkpoint"]


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A tree head: the log's origin line, its size and root hash, and any extension lines."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        """The checkpoint text as C2SP specifies it.

        >>> Checkpoint("example.com/log", 0, bytes(32)).body()
        'example.com/log\\n0\\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\\n'
        """
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode(), *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """Parse a checkpoint body (the note text, without signatures)."""
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "":
            raise InvalidInput(Problem("checkpoint must be at least three newline-terminated lines"))
        origin, size_s, root_s, *ext = lines[:-1]
        if not origin:
            raise InvalidInput(Problem("checkpoint origin line is empty", field="origin"))
        if not size_s.isdigit() or (size_s != "0" and size_s.startswith("0")):
            raise InvalidInput(Problem("checkpoint size is not a decimal number", field="size", value=size_s))
        try:
            root = strict_b64decode(root_s)
        except binascii.Error as exc:
            raise InvalidInput(Problem("checkpoint root is not base64", field="root", value=root_s)) from exc
        if len(root) != 32:
            raise InvalidInput(Problem("checkpoint root is not a 32-byte hash", field="root", value=root_s))
        return cls(origin, int(size_s), root, tuple(ext))


@dataclass(frozen=True, slots=True)
class VerifiedCheckpoint:
    checkpoint: Checkpoint
    witnesses: tuple[str, ...]
    """Names of the trusted witnesses whose cosignatures verified."""


def sign_checkpoint(checkpoint: Checkpoint, log_key: NoteSigner) -> str:
    """The signed note of ``checkpoint`` by the log's key; its origin must be the key's name.

    >>> from asylon.engines.ledger.note import generate_signer
    >>> key = generate_signer("asylon.example/log")
    >>> note = sign_checkpoint(Checkpoint("asylon.example/log", 0, bytes(32)), key)
    >>> verify_checkpoint(note, key.verifier).checkpoint.size
    0
    """
    if log_key.alg != ALG_ED25519:
        raise InvalidInput(Problem("a log signs checkpoints with an Ed25519 note key (type 0x01)"))
    if checkpoint.origin != log_key.name:
        raise InvalidInput(
            Problem(f"checkpoint origin {checkpoint.origin!r} is not the log key name {log_key.name!r}")
        )
    return sign_note(checkpoint.body(), [log_key])


def cosign_checkpoint(note: str, witness: NoteSigner, *, timestamp: int) -> str:
    """Add a witness's ``cosignature/v1`` line to a signed checkpoint note.

    A real witness first checks consistency with the largest checkpoint it has seen; that check belongs to the
    caller (see :func:`asylon.engines.ledger.merkle.verify_consistency`).
    """
    if witness.alg != ALG_COSIGNATURE_V1:
        raise InvalidInput(Problem("a witness cosigns with a cosignature/v1 key (type 0x04)"))
    text, _ = split_note(note)
    return note + witness.signature_line(text.encode(), timestamp=timestamp)


def verify_checkpoint(
    note: str,
    log_key: NoteVerifier,
    witnesses: Sequence[NoteVerifier] = (),
    quorum: int = 0,
) -> VerifiedCheckpoint:
    """Check the log's signature and a quorum of witness cosignatures; return the checkpoint.

    Raises :class:`InvalidInput` saying whether the log signature or the witness quorum failed.
    """
    text, good = open_note(note, [log_key, *witnesses])
    if log_key not in good:
        raise InvalidInput(Problem(f"checkpoint is not signed by the log key {log_key.name}"))
    checkpoint = Checkpoint.parse(text)
    if checkpoint.origin != log_key.name:
        raise InvalidInput(
            Problem(f"checkpoint origin {checkpoint.origin!r} is not the log {log_key.name!r}")
        )
    cosigned = tuple(sorted({w.name for w in witnesses if w in good}))
    if len(cosigned) < quorum:
        raise InvalidInput(
            Problem(
                f"checkpoint has {len(cosigned)} valid witness cosignatures, the trust bundle asks for {quorum}"
            )
        )
    return VerifiedCheckpoint(checkpoint, cosigned)
