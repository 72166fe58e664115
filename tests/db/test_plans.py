"""PostgreSQL plans the hot read statements once per connection, not on every request."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from asylon.db.engine import transaction
from asylon.services.caseviews import CaseFilters, get_case, list_cases
from asylon.services.imports import import_cases
from tests.support.files import demo_rows, to_csv
from tests.support.world import TwoOrgs

pytestmark = pytest.mark.db


def test_case_list_and_case_reads_reuse_one_plan(engine: Engine, orgs: TwoOrgs) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("prepared statements and their plans are PostgreSQL's")
    actor = orgs.a_caseworker.actor
    with transaction(engine) as session:
        import_cases(session, actor=actor, content=to_csv(demo_rows(1000)), filename="many.csv")  # enough that the plans differ
    with engine.connect() as connection:
        session = Session(bind=connection)
        # psycopg prepares a statement on its fifth run; PostgreSQL then weighs a generic plan against planning
        # each run for its values (five more runs), and keeps whichever it judged cheaper.
        for _ in range(12):
            page = list_cases(session, actor=actor, filters=CaseFilters(), limit=20)
            assert len(page.items) == 20 and page.total >= 30
            get_case(session, actor=actor, case_id=page.items[0].id)
        plans = connection.execute(text(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE 'SELECT cases.id%' OR statement LIKE 'SELECT persons.case_id%'")).all()
        session.close()
    assert len(plans) == 3  # the page, the single case, the persons of any number of cases
    replanned = [(s[:80], custom) for s, generic, custom in plans if generic == 0]
    assert not replanned, f"planned again on every run: {replanned}"
