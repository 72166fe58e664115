"""Alembic environment: runs against the connection or URL that :mod:`asylon.db.migrate` passes in."""

from __future__ import annotations

from alembic import context

import asylon.db.models  # noqa: F401  (registers the tables)
from asylon.db.base import Base
from asylon.db.engine import make_engine

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_with(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        _run_with(conn)


def _run_with(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite can only alter tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
