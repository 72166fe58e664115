"""Allocating primary keys ahead of a bulk insert.

Bulk inserts that ask the database for the new keys (INSERT ... RETURNING, in parameter order) are slow
on SQLite through SQLAlchemy's insertmanyvalues, which re-assembles the returned rows batch by batch. For
large imports we take the keys first and insert plain rows. On PostgreSQL the keys come from the column's
sequence, so concurrent writers never collide; on SQLite the caller holds the database's write lock
(every write transaction begins with BEGIN IMMEDIATE, see :mod:`asylon.db.engine`), so MAX(id) is stable.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from asylon.db.base import Base


def allocate_ids(session: Session, model: type[Base], count: int) -> list[int]:
    if count <= 0:
        return []
    table = model.__table__.name  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        rows = session.execute(
            text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"),
            {"table": table, "n": count},
        )
        return sorted(int(r[0]) for r in rows)
    if dialect == "sqlite":
        start = int(session.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {table}")).scalar_one()) + 1
        return list(range(start, start + count))
    raise NotImplementedError(f"no id allocation for {dialect}")
