"""Dashboard figures: totals, weekly and monthly trends and recent events, only over the cases the actor may see."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from asylon.db.engine import transaction
from asylon.schemas.cases import PathwayChange, StatusChange
from asylon.services import dashboard, pathways
from tests.support.world import TwoOrgs, register

pytestmark = pytest.mark.db


def test_totals_breakdowns_and_trends(engine: Engine, orgs: TwoOrgs) -> None:
    a = orgs.a_caseworker.actor
    first = register(engine, a, "C-1")  # 2 persons, one single parent
    register(engine, a, "C-2", country_of_asylum="LBN", pathway="local-integration")
    register(engine, a, "C-3", country_of_asylum="LBN", origin_country="IRQ", fled_countries=["IRQ"])
    register(engine, orgs.b_caseworker.actor, "B-1", country_of_asylum="DEU")
    with transaction(engine) as session:
        pathways.change_status(session, actor=a, case_id=first, data=StatusChange(status="refugee"))
        pathways.change_pathway(session, actor=a, case_id=first,
                                data=PathwayChange(pathway="resettlement", destination="CAN"))
    with transaction(engine, write=False) as session:
        view = dashboard.overview(session, actor=a)
    assert (view.cases, view.persons, view.persons_with_needs, view.cases_on_pathway) == (3, 6, 3, 2)
    assert view.by_status.totals == {"asylum-seeker": 2, "refugee": 1}
    assert view.by_pathway.totals == {"resettlement": 1, "local-integration": 1}
    assert view.by_need.totals == {"single-parent": 3}
    assert view.persons_by_asylum == {"JOR": 2, "LBN": 4}
    assert view.persons_by_origin == {"SYR": 4, "IRQ": 2}
    assert len(view.week_starts) == dashboard.WEEKS and view.week_starts[-1].weekday() == 0
    assert len(view.month_starts) == dashboard.MONTHS and view.month_starts[-1].day == 1
    assert view.registrations[-1] == 3 and sum(view.registrations) == 3
    # This week: three registrations entered asylum-seeker, one status change entered refugee.
    assert view.by_status.series["asylum-seeker"][-1] == 3
    assert view.by_status.series["refugee"][-1] == 1
    assert view.by_pathway.series["resettlement"][-1] == 1
    assert view.by_pathway.series["local-integration"][-1] == 1  # registered already on it
    assert view.by_need.series["single-parent"][-1] == 3
    assert [k for k, _, _ in view.by_status.rows()] == ["asylum-seeker", "refugee"]
    kinds = [e.kind for e in view.recent]
    assert kinds[0] == "pathway.started" and kinds.count("case.registered") == 3
    assert view.events_last_7_days == 5
    assert all(e.case_number and e.case_number.startswith("C-") for e in view.recent)


def test_another_organisation_sees_only_its_own(engine: Engine, orgs: TwoOrgs) -> None:
    for n in range(4):
        register(engine, orgs.a_caseworker.actor, f"C-{n}")
    with transaction(engine, write=False) as session:
        view = dashboard.overview(session, actor=orgs.b_caseworker.actor)
        asylum, origin = dashboard.case_countries(session, actor=orgs.b_caseworker.actor)
        persons = dashboard.person_count(session, actor=orgs.b_caseworker.actor)
    assert (view.cases, view.persons, view.persons_with_needs) == (0, 0, 0)
    assert view.by_status.totals == {} and view.persons_by_asylum == {} and view.recent == []
    assert (asylum, origin, persons) == ([], [], 0)


def test_registrations_fall_into_their_month(engine: Engine, orgs: TwoOrgs) -> None:
    today = dt.date(2026, 3, 12)
    register(engine, orgs.a_caseworker.actor, "JAN", registered_on="2026-01-31")
    register(engine, orgs.a_caseworker.actor, "APR", registered_on="2025-04-01")  # the oldest month shown
    register(engine, orgs.a_caseworker.actor, "MAR", registered_on="2025-03-31")  # just before it
    with transaction(engine, write=False) as session:
        view = dashboard.overview(session, actor=orgs.a_caseworker.actor, today=today)
    assert view.week_starts[-1] == dt.date(2026, 3, 9)
    assert view.month_starts[0] == dt.date(2025, 4, 1) and view.month_starts[-1] == dt.date(2026, 3, 1)
    assert view.registrations == [1] + [0] * 8 + [1, 0, 0]
    assert view.by_need.series["single-parent"] == [1] + [0] * 8 + [1, 0, 0]
    assert view.cases == 3
