"""The transparency log kept in the platform database, shared by every API worker.

:class:`DbLogStore` implements the ledger engine's :class:`~asylon.engines.ledger.logstore.LogStore` over the
``ledger_leaves`` and ``ledger_heads`` tables, inside the caller's session: an append is durable when that session
commits, together with whatever it records (the credential row, the anchored events), so the log and the platform
never disagree about what was logged.

:func:`open_log` is how services reach the log. For a write it locks the head row first — ``SELECT … FOR UPDATE``
on PostgreSQL; on SQLite every write transaction already holds the database write lock (``BEGIN IMMEDIATE``) — so
appends from several workers are serialised and each sees every earlier one. The engine's
:class:`~asylon.engines.ledger.log.TransparencyLog` keeps its Merkle levels in memory; a worker keeps one per log
and rebuilds it when the head row shows another worker moved the log on (or a transaction of its own rolled back).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from asylon.db.base import utcnow
from asylon.db.models import LedgerHead, LedgerLeaf
from asylon.engines.ledger import NoteSigner, TransparencyLog
from asylon.engines.ledger.merkle import EMPTY_ROOT

__all__ = ["DbLogStore", "lock_head", "open_log"]


class DbLogStore:
    """A :class:`LogStore` over the database, bound to one session and one log (head row).

    >>> # store = DbLogStore(session, head); log = TransparencyLog(store, signer)
    """

    def __init__(self, session: Session, head: LedgerHead) -> None:
        self.session = session
        self.head = head

    def size(self) -> int:
        return int(self.head.size)

    def append(self, entries: Sequence[bytes], leaf_hashes: Sequence[bytes]) -> None:
        if len(entries) != len(leaf_hashes):
            raise ValueError("one leaf hash per entry")
        if not entries:
            return
        start = self.size()
        self.session.execute(
            insert(LedgerLeaf),
            [
                {"head_id": self.head.id, "idx": start + i, "entry": e, "leaf_hash": h}
                for i, (e, h) in enumerate(zip(entries, leaf_hashes, strict=True))
            ],
        )
        self.head.size = start + len(entries)
        self.head.updated_at = utcnow()
        self.session.flush()

    def leaf_hashes(self) -> bytes:
        rows = self.session.execute(
            select(LedgerLeaf.leaf_hash).where(LedgerLeaf.head_id == self.head.id).order_by(LedgerLeaf.idx)
        ).scalars()
        return b"".join(bytes(h) for h in rows)

    def entry(self, index: int) -> bytes:
        value = self.session.scalar(
            select(LedgerLeaf.entry).where(LedgerLeaf.head_id == self.head.id, LedgerLeaf.idx == index)
        )
        if value is None:
            raise IndexError(index)
        return bytes(value)

    def entries(self, start: int, end: int) -> list[bytes]:
        if not 0 <= start <= end:
            raise IndexError((start, end))
        rows = self.session.execute(
            select(LedgerLeaf.entry)
            .where(LedgerLeaf.head_id == self.head.id, LedgerLeaf.idx >= start, LedgerLeaf.idx < end)
            .order_by(LedgerLeaf.idx)
        ).scalars()
        out = [bytes(e) for e in rows]
        if len(out) != end - start:
            raise IndexError((start, end))
        return out

    def save_checkpoint(self, note: str) -> None:
        self.head.checkpoint = note
        self.head.updated_at = utcnow()
        self.session.flush()

    def latest_checkpoint(self) -> str | None:
        return self.head.checkpoint


@dataclass(slots=True)
class _Cached:
    log: TransparencyLog
    lock: threading.Lock


_CACHE: dict[tuple[str, int], _Cached] = {}
_CACHE_LOCK = threading.Lock()


def lock_head(session: Session, origin: str, *, for_update: bool) -> LedgerHead | None:
    """The head row of the log named ``origin``; with ``for_update`` it stays locked until the session ends."""
    query = select(LedgerHead).where(LedgerHead.origin == origin)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


@contextmanager
def open_log(
    session: Session, head: LedgerHead, signer: NoteSigner | None, *, write: bool
) -> Iterator[TransparencyLog]:
    """The head's :class:`TransparencyLog`, current with the database, bound to ``session``.

    For writes, lock the head first (:func:`lock_head` with ``for_update=True``). On leaving, the head row records
    the log's size and root, so other workers see whether their in-memory copy is still current.
    """
    key = (str(session.get_bind().engine.url), head.id)
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is None:
            cached = _CACHE[key] = _Cached(
                TransparencyLog(DbLogStore(session, head), signer), threading.Lock()
            )
    with cached.lock:
        log = cached.log
        store = DbLogStore(session, head)
        log.store = store
        log.signer = signer
        if log.size() != head.size or (head.size and log.root() != bytes(head.root)):
            log = cached.log = TransparencyLog(store, signer)
        try:
            yield log
        except BaseException:
            # A failed write leaves the memory copy ahead of the database: start afresh next time.
            cached.log = _empty(signer)
            raise
        if write:
            root = log.root() if log.size() else EMPTY_ROOT
            if bytes(head.root) != root or head.size != log.size():
                head.size, head.root = log.size(), root
                session.flush()


def _empty(signer: NoteSigner | None) -> TransparencyLog:
    from asylon.engines.ledger import MemoryLogStore

    # Size 0 never matches a non-empty head, so the next use rebuilds from the database.
    return TransparencyLog(MemoryLogStore(), signer)
