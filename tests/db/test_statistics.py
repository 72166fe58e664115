"""After a bulk import, PostgreSQL plans the case list from fresh statistics, not from guesses."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from asylon.db.engine import transaction
from asylon.services.imports import import_cases
from tests.support.files import demo_rows, to_csv
from tests.support.world import TwoOrgs

pytestmark = pytest.mark.db


def _persons_counted(engine: Engine) -> float:
    # pg_class.reltuples: -1 (never analysed) until statistics are gathered, then the row count.
    with engine.connect() as connection:
        return float(connection.execute(text("SELECT reltuples FROM pg_class WHERE relname = 'persons'")).scalar_one())


def _import(engine: Engine, orgs: TwoOrgs, households: int, *, commit: bool) -> int:
    with transaction(engine) as session:
        report = import_cases(session, actor=orgs.a_caseworker.actor, content=to_csv(demo_rows(households)),
                              filename="bulk.csv")
        if not commit:
            session.rollback()
        return report.rows


def test_a_bulk_import_refreshes_statistics_once_committed(engine: Engine, orgs: TwoOrgs) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite plans these queries from its indexes; statistics are gathered on PostgreSQL only")
    with engine.begin() as connection:  # start from a table the planner knows nothing about
        connection.execute(text("DELETE FROM pg_statistic WHERE starelid = 'persons'::regclass"))
        connection.execute(text("UPDATE pg_class SET reltuples = -1 WHERE relname = 'persons'"))
    rows = _import(engine, orgs, 500, commit=False)
    assert rows >= 1_000 and _persons_counted(engine) == -1  # rolled back: nothing to describe
    rows = _import(engine, orgs, 500, commit=True)
    assert _persons_counted(engine) == rows
