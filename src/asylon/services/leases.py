"""Leases: at most one holder per deployment for work that must run once (webhook delivery).

Several server processes may share one database (``asylon serve --workers 4``, several machines behind a
proxy, or ``asylon feed deliver`` next to a server). Each may start a delivery worker; the lease decides
which one works. The others wait and take over when the holder stops or dies.

- PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) held on a connection of its own.
  PostgreSQL releases it the moment that connection ends — a clean stop, a crash, a lost network — so
  a dead holder needs no expiry to be replaced. The holder checks its connection before every pass
  (:meth:`Lease.holds`) and stops working as soon as it is gone.
- SQLite: every process using the file is on the same machine, so an exclusive ``flock`` on a file
  next to the database does the same job; the kernel releases it when the holder's process ends.
- An in-memory database exists in one process only: a process-wide lock.

No lease row or expiry time is needed with either, so a paused holder can never overlap a new one.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import IO, Protocol

from sqlalchemy import Connection, Engine, text


class Lease(Protocol):
    """One named lease. Not thread-safe: one worker thread uses it."""

    name: str

    def acquire(self) -> bool:
        """Take the lease if nobody holds it; True if this holder has it now."""

    def holds(self) -> bool:
        """Whether this holder still has the lease (checked before each piece of work)."""

    def release(self) -> None:
        """Give the lease up (idempotent)."""


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (PostgreSQL advisory locks take a bigint).

    >>> lock_key("webhooks") == lock_key("webhooks")
    True
    """
    return int.from_bytes(hashlib.blake2b(f"asylon:{name}".encode(), digest_size=8).digest(), "big", signed=True)


class AdvisoryLease:
    """A PostgreSQL advisory lock on a connection kept for as long as the lease is held."""

    def __init__(self, engine: Engine, name: str) -> None:
        self.engine = engine
        self.name = name
        self.key = lock_key(name)
        self._conn: Connection | None = None

    def acquire(self) -> bool:
        if self.holds():
            return True
        conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}).scalar())
        except Exception:
            conn.invalidate()
            conn.close()
            raise
        if not got:
            conn.close()
            return False
        self._conn = conn
        return True

    def holds(self) -> bool:
        if self._conn is None:
            return False
        try:
            self._conn.execute(text("SELECT 1"))
            return True
        except Exception:
            # The connection is gone, and with it the lock: another holder may already work.
            self._drop()
            return False

    def release(self) -> None:
        if self._conn is None:
            return
        try:
            self._conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            self._conn.close()
        except Exception:
            self._drop()
        self._conn = None

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.invalidate()  # never hand a connection that may still hold the lock to the pool
                self._conn.close()
            except Exception:
                pass
        self._conn = None


class FileLease:
    """An exclusive ``flock`` on ``<database>.<name>.lock``: one holder among the processes of one machine."""

    def __init__(self, path: Path, name: str) -> None:
        self.path = path
        self.name = name
        self._file: IO[bytes] | None = None

    def acquire(self) -> bool:
        import fcntl

        if self._file is not None:
            return True
        handle = open(self.path, "ab")  # noqa: SIM115 — kept open for as long as the lease is held
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.truncate(0)
        handle.write(f"{os.getpid()}\n".encode())
        handle.flush()
        self._file = handle
        return True

    def holds(self) -> bool:
        return self._file is not None

    def release(self) -> None:
        import fcntl

        if self._file is None:
            return
        fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
        self._file.close()
        self._file = None


_PROCESS_LOCKS: dict[str, threading.Lock] = {}
_PROCESS_GUARD = threading.Lock()


class ProcessLease:
    """For a database that lives in this process only (SQLite ``:memory:``)."""

    def __init__(self, name: str) -> None:
        self.name = name
        with _PROCESS_GUARD:
            self._lock = _PROCESS_LOCKS.setdefault(name, threading.Lock())
        self._held = False

    def acquire(self) -> bool:
        if not self._held:
            self._held = self._lock.acquire(blocking=False)
        return self._held

    def holds(self) -> bool:
        return self._held

    def release(self) -> None:
        if self._held:
            self._lock.release()
            self._held = False


def lease_for(engine: Engine, name: str) -> Lease:
    """The lease that fits the engine's database.

    >>> # lease = lease_for(get_engine(), "webhooks"); lease.acquire()
    """
    if engine.dialect.name == "postgresql":
        return AdvisoryLease(engine, name)
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:" and not database.startswith("file:"):
        return FileLease(Path(f"{database}.{name}.lock"), name)
    return ProcessLease(f"{engine.url}:{name}")
