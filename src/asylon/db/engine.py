"""Engines and sessions for the configured database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic_core import from_json
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from asylon.config import get_settings


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers work while one writer commits; busy_timeout makes concurrent writers wait for
    # the lock instead of failing at once; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# JSON columns (languages, countries, event data) are read with pydantic-core's parser: a case list reads one or two
# per case and person, and the standard library's took 1.3 us each against 0.15 us.
_JSON = {"json_deserializer": from_json}


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **_JSON)
        event.listen(engine, "connect", _sqlite_pragmas)

        # pysqlite defers BEGIN until the first write, so two writers can both read and then fail to
        # upgrade their locks ("database is locked"). A write transaction takes the lock when it begins
        # (BEGIN IMMEDIATE) and waits for it via busy_timeout; read transactions stay deferred so
        # readers never block each other.
        @event.listens_for(engine, "connect")
        def _no_autobegin(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            immediate = conn.get_execution_options().get("asylon_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    settings = get_settings()
    return create_engine(url, pool_pre_ping=True, pool_use_lifo=True, pool_size=settings.db_pool_size,
                         max_overflow=settings.db_max_overflow, **_JSON)


@lru_cache(maxsize=4)
def engine_for(url: str) -> Engine:
    return make_engine(url)


def prefill(engine: Engine, count: int) -> int:
    """Open ``count`` pooled connections now and keep them in the pool (PostgreSQL; nothing elsewhere).

    Opening a PostgreSQL connection asks the server to start a process; on a busy machine that took from 0.2 to
    2.4 s, and the requests waiting for that connection waited with it. Returns how many are open.
    """
    if engine.dialect.name != "postgresql":
        return 0
    opened = []
    try:
        for _ in range(count):
            opened.append(engine.connect())
    except DBAPIError:
        pass  # the server takes no more connections now: keep what opened, the rest open when needed
    finally:
        for connection in opened:
            connection.close()
    return len(opened)


def get_engine() -> Engine:
    return engine_for(get_settings().database_url)


def session_factory(engine: Engine | None = None, *, write: bool = True) -> sessionmaker[Session]:
    return _session_factory(engine or get_engine(), write)


@lru_cache(maxsize=32)
def reader(engine: Engine) -> Engine:
    """``engine`` for reading only (read sessions and the API's token check use it).

    On PostgreSQL its statements run without an explicit transaction: under READ COMMITTED each statement takes
    its own snapshot either way, and BEGIN and ROLLBACK cost two round trips per read (a case read by the API
    1.5 -> 0.9 ms). On SQLite a read transaction costs no round trip and keeps its snapshot.
    """
    return engine.execution_options(isolation_level="AUTOCOMMIT") if engine.dialect.name == "postgresql" else engine


# One factory per engine and mode: building a sessionmaker defines a Session subclass, which cost more than the
# query of a typical API request.
@lru_cache(maxsize=32)
def _session_factory(engine: Engine, write: bool) -> sessionmaker[Session]:
    if write:
        return sessionmaker(bind=engine.execution_options(asylon_write=True), expire_on_commit=False)
    factory = sessionmaker(bind=reader(engine), expire_on_commit=False)
    event.listen(factory, "before_flush", _refuse_writes)
    return factory


def _refuse_writes(session: Session, _context: Any, _instances: Any) -> None:
    # Nothing a read session does is kept (on PostgreSQL it would be kept at once): changing data takes a
    # session from ``session_factory(write=True)``.
    raise ReadOnlySession("this session only reads; change data in a session made with write=True")


class ReadOnlySession(RuntimeError):
    """A session made for reading was asked to write: a programming error, not bad input."""


@contextmanager
def transaction(engine: Engine | None = None, *, write: bool = True) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on any error."""
    with session_factory(engine, write=write)() as session, session.begin():
        yield session
