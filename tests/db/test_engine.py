"""Sessions: a read session never writes; a write session's work is kept only when committed."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select

from asylon.config import Settings
from asylon.db.engine import ReadOnlySession, prefill, session_factory, transaction
from asylon.db.models import Situation

pytestmark = pytest.mark.db


def _situations(engine: Engine) -> int:
    with session_factory(engine, write=False)() as session:
        return session.scalar(select(func.count(Situation.id))) or 0


def test_a_read_session_refuses_to_write_and_nothing_is_kept(engine: Engine) -> None:
    before = _situations(engine)
    with session_factory(engine, write=False)() as session:
        session.add(Situation(code="read-only-check", name="Read-only check"))
        with pytest.raises(ReadOnlySession, match="write=True"):
            session.flush()
    assert _situations(engine) == before


def test_a_write_session_keeps_what_it_commits(engine: Engine) -> None:
    before = _situations(engine)
    with transaction(engine) as session:
        session.add(Situation(code="write-check", name="Write check"))
    assert _situations(engine) == before + 1


def test_a_server_process_opens_its_postgresql_pool_when_it_starts(engine: Engine, settings: Settings) -> None:
    from fastapi.testclient import TestClient

    from asylon.api.app import create_app

    if engine.dialect.name != "postgresql":
        assert prefill(engine, 5) == 0  # SQLite opens a file, not a server process: nothing to prepare
        return
    engine.dispose()
    assert engine.pool.checkedin() == 0  # type: ignore[attr-defined]
    app = create_app(settings.model_copy(update={"db_pool_prefill": True, "db_pool_size": 5}), engine=engine)
    with TestClient(app) as client:
        assert engine.pool.checkedin() == 5  # type: ignore[attr-defined]
        assert client.get("/api/v1/health").status_code == 200
        assert engine.pool.checkedin() == 5  # type: ignore[attr-defined]  # served from the pool, none opened
