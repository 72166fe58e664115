"""Sessions: a read session never writes; a write session's work is kept only when committed."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select

from asylon.db.engine import ReadOnlySession, session_factory, transaction
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
