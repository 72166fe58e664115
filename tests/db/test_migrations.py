"""Migrations build the schema the models describe, from an empty database, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from asylon.db.base import Base
from asylon.db.engine import make_engine
from asylon.db.migrate import MIGRATIONS, current_revision, upgrade

pytestmark = pytest.mark.db


def _head() -> str:
    from alembic.script import ScriptDirectory

    from asylon.db.migrate import alembic_config

    return str(ScriptDirectory.from_config(alembic_config(make_engine("sqlite://"))).get_current_head())


def test_upgrade_from_empty_reaches_head_and_matches_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        with engine.begin() as conn:
            for table in reversed(inspect(conn).get_table_names()):
                conn.execute(text(f'DROP TABLE "{table}"'))
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == _head()
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert differences == [], f"models and migrations differ; add a migration under {MIGRATIONS}: {differences}"
    upgrade(engine)  # a second upgrade is a no-op
    assert current_revision(engine) == _head()
    engine.dispose()
