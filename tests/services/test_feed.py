"""The outbox reader (order, gaps on PostgreSQL) and the webhook retry policy."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from asylon.db.engine import session_factory, transaction
from asylon.schemas.cases import CaseCreate
from asylon.services import registry
from asylon.services.feed import OutboxReader, read_page
from asylon.services.webhooks import Policy, sign, verify
from tests.support.world import TwoOrgs, case_payload, register


@pytest.mark.parametrize(("attempts", "delay"), [(1, 2.0), (2, 4.0), (3, 8.0), (10, 1024.0), (12, 3600.0), (40, 3600.0)])
def test_backoff_doubles_up_to_the_cap(attempts: int, delay: float) -> None:
    assert Policy(base_delay=2.0, max_delay=3600.0).delay(attempts) == delay


@pytest.mark.parametrize(("body", "timestamp", "now", "ok"), [
    (b"{}", "1000", 1000.0, True),
    (b"{}", "1000", 1299.0, True),
    (b"{}", "1000", 1301.0, False),  # too old: a replayed capture
    (b"{ }", "1000", 1000.0, False),
    (b"{}", "not-a-time", 1000.0, False),
])
def test_signature(body: bytes, timestamp: str, now: float, ok: bool) -> None:
    assert verify("k", timestamp, body, sign("k", "1000", b"{}"), now=now) is ok


@pytest.mark.db
def test_reader_returns_events_in_order_and_pages(engine: Engine, orgs: TwoOrgs) -> None:
    for i in range(7):
        register(engine, orgs.a_caseworker.actor, f"O-{i}")
    with session_factory(engine, write=False)() as session:
        first = read_page(session, actor=orgs.a_admin.actor, after=0, limit=4)
        rest = read_page(session, actor=orgs.a_admin.actor, after=first.cursor, limit=100)
        none = read_page(session, actor=orgs.b_admin.actor, after=0, limit=100)
    ids = [e.id for e in first.events + rest.events]
    assert ids == sorted(ids) and len(ids) == 7 and len(set(ids)) == 7
    assert none.events == [] and none.cursor == ids[-1]  # the cursor moves past what B may not see


@pytest.mark.db
def test_reader_waits_for_an_event_still_being_written(engine: Engine, orgs: TwoOrgs) -> None:
    """An event id taken by a transaction that has not committed must not be skipped (PostgreSQL)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers; ids commit in order, so there is no gap to wait on")
    register(engine, orgs.a_caseworker.actor, "G-0")
    reader = OutboxReader()
    with session_factory(engine, write=False)() as session:
        start = reader.read(session, 0)[-1].id
    slow = session_factory(engine)()
    slow.begin()
    registry.register_case(slow, actor=orgs.a_caseworker.actor, data=CaseCreate.model_validate(case_payload("G-1")))
    slow.flush()  # G-1's event has its id, uncommitted
    register(engine, orgs.a_caseworker.actor, "G-2")  # a later id commits first
    for _ in range(3):
        with session_factory(engine, write=False)() as session:
            assert reader.read(session, start) == []  # stops at the gap instead of skipping G-1
    slow.commit()
    slow.close()
    with session_factory(engine, write=False)() as session:
        events = reader.read(session, start)
    assert [e.data["case"]["case_number"] for e in events] == ["G-1", "G-2"]


@pytest.mark.db
def test_reader_passes_a_gap_left_by_a_rollback(engine: Engine, orgs: TwoOrgs) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite reuses the ids of rolled-back rows, so no gap appears")
    with pytest.raises(RuntimeError), transaction(engine) as session:
        registry.register_case(session, actor=orgs.a_caseworker.actor,
                               data=CaseCreate.model_validate(case_payload("R-0")))
        session.flush()
        raise RuntimeError("rolled back")
    register(engine, orgs.a_caseworker.actor, "R-1")
    reader = OutboxReader()
    seen = []
    for _ in range(3):
        with session_factory(engine, write=False)() as session:
            seen = reader.read(session, 0)
        if seen:
            break
    assert [e.data["case"]["case_number"] for e in seen] == ["R-1"]
