"""Planner statistics after bulk writes.

PostgreSQL plans a query from statistics that autovacuum gathers some time after data changes, and not at
all where autovacuum is off. Right after a bulk load the planner guesses: on the demo world it took an
organisation's 369 cases for 4 and sorted all of them for every page of the case list (PostgreSQL's own
advice is to ANALYZE after loading data). SQLite plans these queries from its indexes alone, so nothing is
done there.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

BULK_ROWS = 1_000
"""Writes of at least this many rows refresh the statistics of the tables they touched."""

CASE_TABLES = ("cases", "persons", "person_needs", "case_events")

_PENDING = "asylon.statistics.pending"  # session.info key: a refresh is already promised for this transaction


def refresh(engine: Engine, tables: tuple[str, ...] = CASE_TABLES) -> None:
    """Gather fresh statistics for ``tables`` (PostgreSQL; a no-op elsewhere)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as connection:
        connection.exec_driver_sql(f"ANALYZE {', '.join(tables)}")
        connection.commit()


def refresh_after_commit(session: Session, tables: tuple[str, ...] = CASE_TABLES) -> None:
    """Refresh ``tables``' statistics once ``session``'s transaction has committed (not if it rolls back);
    asked several times in one transaction, it refreshes once."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    if engine.dialect.name != "postgresql" or session.info.get(_PENDING):
        return
    session.info[_PENDING] = True

    def committed(_session: Any) -> None:
        event.remove(session, "after_rollback", rolled_back)
        session.info.pop(_PENDING, None)
        refresh(engine, tables)

    def rolled_back(_session: Any) -> None:
        event.remove(session, "after_commit", committed)
        session.info.pop(_PENDING, None)

    event.listen(session, "after_commit", committed, once=True)
    event.listen(session, "after_rollback", rolled_back, once=True)

