"""An append-only transparency log: RFC 9162 tree over a :class:`LogStore`, signed checkpoints and proofs.

The log keeps every complete subtree hash in memory, level by level (``32 × 2n`` bytes for ``n`` leaves, 64 MB at
a million), so appending costs O(1) amortised hashing and any proof O(log² n) at worst. On open it rebuilds those
levels from the store's leaf hashes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from asylon.engines.ledger import merkle
from asylon.engines.ledger.checkpoint import Checkpoint, sign_checkpoint, verify_checkpoint
from asylon.engines.ledger.logstore import LogStore
from asylon.engines.ledger.model import ConsistencyProof, InclusionProof
from asylon.engines.ledger.note import NoteSigner, NoteVerifier
from asylon.errors import ConfigurationError, InvalidInput, Problem

__all__ = ["LogAudit", "TransparencyLog"]


@dataclass(frozen=True, slots=True)
class LogAudit:
    """Outcome of re-deriving a stored log and comparing it with a signed checkpoint."""

    ok: bool
    problems: tuple[str, ...]
    first_bad_index: int | None = None


class TransparencyLog:
    """Append entries, sign checkpoints, serve inclusion and consistency proofs.

    >>> from asylon.engines.ledger.logstore import MemoryLogStore
    >>> from asylon.engines.ledger.note import generate_signer
    >>> log = TransparencyLog(MemoryLogStore(), generate_signer("asylon.example/log"))
    >>> log.append_batch([b"a", b"b", b"c"])
    range(0, 3)
    >>> p = log.inclusion_proof(1)
    >>> merkle.verify_inclusion(merkle.leaf_hash(b"b"), 1, 3, p.hashes, log.root())
    """

    def __init__(self, store: LogStore, signer: NoteSigner | None = None) -> None:
        self.store = store
        self.signer = signer
        self._levels = self._rebuild(store.leaf_hashes())

    @staticmethod
    def _rebuild(hashes: bytes) -> list[bytearray]:
        """All complete-subtree levels from the leaf hashes, a level at a time (faster than appending one by one)."""
        levels = [bytearray(hashes)]
        sha256 = hashlib.sha256
        while len(levels[-1]) >= 64:
            row = levels[-1]
            levels.append(
                bytearray(
                    b"".join(sha256(b"\x01" + row[i : i + 64]).digest() for i in range(0, len(row) - 63, 64))
                )
            )
        return levels

    @property
    def origin(self) -> str:
        if self.signer is None:
            raise ConfigurationError("this log has no signing key; pass one to TransparencyLog(...)")
        return self.signer.name

    def size(self) -> int:
        return len(self._levels[0]) // 32

    def _push(self, h: bytes) -> None:
        levels = self._levels
        levels[0] += h
        i = len(levels[0]) // 32 - 1
        level = 0
        while i & 1:
            row = levels[level]
            parent = merkle.node_hash(bytes(row[(i - 1) * 32 : i * 32]), bytes(row[i * 32 : (i + 1) * 32]))
            level += 1
            if len(levels) == level:
                levels.append(bytearray())
            levels[level] += parent
            i >>= 1

    def append_batch(self, entries: Sequence[bytes]) -> range:
        """Append entries durably (one store write and ``fsync`` per batch); return their indexes."""
        start = self.size()
        hashes = [merkle.leaf_hash(e) for e in entries]
        self.store.append(entries, hashes)
        for h in hashes:
            self._push(h)
        return range(start, start + len(hashes))

    def append(self, entry: bytes) -> int:
        """Append one entry durably; prefer :meth:`append_batch` for throughput."""
        return self.append_batch([entry]).start

    def leaf_hash(self, index: int) -> bytes:
        return bytes(self._levels[0][index * 32 : (index + 1) * 32])

    def subtree(self, start: int, end: int) -> bytes:
        """MTH of leaves ``[start, end)``, from stored complete subtrees where possible."""
        n = end - start
        if n == 1:
            return self.leaf_hash(start)
        if n & (n - 1) == 0 and start % n == 0:
            level = n.bit_length() - 1
            if level < len(self._levels):
                i = start // n
                row = self._levels[level]
                if (i + 1) * 32 <= len(row):
                    return bytes(row[i * 32 : (i + 1) * 32])
        k = 1 << ((n - 1).bit_length() - 1)
        return merkle.node_hash(self.subtree(start, start + k), self.subtree(start + k, end))

    def root(self, size: int | None = None) -> bytes:
        size = self.size() if size is None else size
        self._check_size(size)
        return merkle.EMPTY_ROOT if size == 0 else self.subtree(0, size)

    def _check_size(self, size: int) -> None:
        if not 0 <= size <= self.size():
            raise InvalidInput(Problem(f"tree size {size} is outside 0..{self.size()}", field="size"))

    def inclusion_proof(self, index: int, size: int | None = None) -> InclusionProof:
        size = self.size() if size is None else size
        self._check_size(size)
        if not 0 <= index < size:
            raise InvalidInput(Problem(f"leaf index {index} is outside a tree of size {size}", field="index"))
        return InclusionProof(index, size, tuple(merkle.inclusion_proof(index, size, self.subtree)))

    def consistency_proof(self, first: int, second: int | None = None) -> ConsistencyProof:
        second = self.size() if second is None else second
        self._check_size(second)
        if not 0 <= first <= second:
            raise InvalidInput(Problem(f"size {first} is not within 0..{second}", field="first"))
        return ConsistencyProof(first, second, tuple(merkle.consistency_proof(first, second, self.subtree)))

    def checkpoint(self, extensions: Sequence[str] = ()) -> str:
        """Sign a checkpoint of the current tree, store it as the latest, and return the signed note."""
        if self.signer is None:
            raise ConfigurationError("this log has no signing key; pass one to TransparencyLog(...)")
        cp = Checkpoint(self.origin, self.size(), self.root(), tuple(extensions))
        note = sign_checkpoint(cp, self.signer)
        self.store.save_checkpoint(note)
        return note

    def audit(self, note: str, log_key: NoteVerifier) -> LogAudit:
        """Re-hash every stored entry and compare with the stored hashes and the signed checkpoint.

        Names the first entry whose bytes no longer match its leaf hash, and says whether the tree still has the
        checkpoint's root (it will not if an entry was removed, reordered or altered together with its hash).
        """
        cp = verify_checkpoint(note, log_key).checkpoint
        problems: list[str] = []
        first_bad: int | None = None
        stored = self.store.leaf_hashes()
        if len(stored) // 32 < cp.size:
            problems.append(
                f"the store holds {len(stored) // 32} entries, the checkpoint commits to {cp.size}"
            )
        n = min(cp.size, len(stored) // 32)
        for chunk in range(0, n, 65_536):
            for i, entry in enumerate(self.store.entries(chunk, min(n, chunk + 65_536)), start=chunk):
                if merkle.leaf_hash(entry) != stored[i * 32 : (i + 1) * 32]:
                    first_bad = i
                    problems.append(f"entry {i} no longer matches its leaf hash: it was altered")
                    break
            if first_bad is not None:
                break
        if not problems:
            leaves = [stored[i * 32 : (i + 1) * 32] for i in range(cp.size)]
            if merkle.tree_root(leaves) != cp.root:
                problems.append(
                    f"the first {cp.size} stored entries do not have the checkpoint's root: entries were altered, "
                    "removed or reordered"
                )
        return LogAudit(not problems, tuple(problems), first_bad)
