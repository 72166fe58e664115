"""Pledge services: state is the replay of the stored events, amounts are exact on every backend, concurrent
payments cannot together exceed a commitment, imports are all or nothing, quotas come out as a plain dict."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError

from asylon.db.engine import transaction
from asylon.db.models import PledgeEventRow, PledgeRow
from asylon.engines.fairshare import PledgeEvent, new_pledge, replay
from asylon.errors import InvalidFile, RuleRefused
from asylon.schemas.accounts import SituationCreate
from asylon.schemas.pledges import AppealCreate, PledgeChange, PledgeCreate
from asylon.services import fairshare, funding, pledges, situations
from tests.support.world import TwoOrgs

pytestmark = pytest.mark.db


def _setup(engine: Engine, orgs: TwoOrgs) -> None:
    with transaction(engine) as session:
        situations.create_situation(session, actor=orgs.a_admin.actor,
                                    data=SituationCreate(code="AFG-RRP", name="Afghanistan regional response"))
        funding.create_appeal(session, actor=orgs.a_admin.actor, data=AppealCreate.model_validate(
            {"code": "AFG-RRP-2025", "situation": "AFG-RRP", "name": "AFG 2025", "year": 2025,
             "requirements": [{"sector": "Education", "amount_usd": "10"}]}))


def _create(engine: Engine, orgs: TwoOrgs, reference: str, amount: str = "1000", **extra: object) -> None:
    body = {"reference": reference, "type": "financial", "pledgers": ["agency-a"], "unit": "USD", "amount": amount,
            **extra}
    with transaction(engine) as session:
        pledges.create_pledge(session, actor=orgs.a_caseworker.actor, data=PledgeCreate.model_validate(body))


def _change(engine: Engine, orgs: TwoOrgs, reference: str, kind: str, amount: str | None = None, note: str = "") -> str:
    with transaction(engine) as session:
        view = pledges.change_pledge(session, actor=orgs.a_caseworker.actor, data=PledgeChange(
            reference=reference, kind=kind, amount=None if amount is None else Decimal(amount), note=note))  # type: ignore[arg-type]
        return view.state.status


def test_cents_are_exact_on_every_backend(engine: Engine, orgs: TwoOrgs) -> None:
    _create(engine, orgs, "C-1", amount="0.3")
    _change(engine, orgs, "C-1", "commit", "0.3")
    _change(engine, orgs, "C-1", "pay", "0.1")
    # 0.1 + 0.2 == 0.3 only in decimal arithmetic: a float column would leave it partly paid or refuse it.
    assert _change(engine, orgs, "C-1", "pay", "0.2") == "paid"
    _create(engine, orgs, "C-2", amount="123456789012.3456")
    with transaction(engine, write=False) as session:
        assert pledges.get_pledge(session, actor=orgs.a_viewer.actor, reference="C-2").state.pledged == Decimal(
            "123456789012.3456")


def test_two_writers_cannot_both_pay_the_last_of_a_commitment(engine: Engine, orgs: TwoOrgs) -> None:
    _create(engine, orgs, "R-1")
    _change(engine, orgs, "R-1", "commit", "1000")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def pay() -> None:
        barrier.wait()
        try:
            outcomes.append(_change(engine, orgs, "R-1", "pay", "600"))
        except (RuleRefused, IntegrityError) as exc:
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=pay) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["RuleRefused", "partly_paid"] or sorted(outcomes) == ["IntegrityError", "partly_paid"]
    with transaction(engine, write=False) as session:
        state = pledges.get_pledge(session, actor=orgs.a_viewer.actor, reference="R-1").state
    assert state.paid == 600 and len(state.events) == 3


def test_the_database_refuses_a_second_event_with_the_same_number(engine: Engine, orgs: TwoOrgs) -> None:
    _create(engine, orgs, "S-1")
    with pytest.raises(IntegrityError), transaction(engine) as session:
        pledge_id = session.scalar(select(PledgeRow.id).where(PledgeRow.reference == "S-1"))
        session.add(PledgeEventRow(pledge_id=pledge_id, seq=1, kind="commit", amount=Decimal(1),
                                   organisation_id=orgs.a_admin.actor.organisation_id))


CHANGES = st.lists(
    st.tuples(st.sampled_from(["commit", "pay", "adjust", "progress", "cancel", "close"]),
              st.integers(min_value=1, max_value=1500)),
    max_size=8,
)


@settings(max_examples=15, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(changes=CHANGES)
def test_state_is_always_the_replay_of_the_stored_events(engine: Engine, orgs: TwoOrgs, changes) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine, write=False) as session:
        n = session.scalar(select(func.count(PledgeRow.id))) or 0
    reference = f"H-{n}"
    _create(engine, orgs, reference, amount="1000")
    accepted = 1
    for kind, amount in changes:
        text = None if kind in ("progress", "cancel", "close") else str(amount)
        try:
            _change(engine, orgs, reference, kind, text, note="why" if kind in ("adjust", "progress") else "")
            accepted += 1
        except RuleRefused:
            pass  # refused changes must leave no trace: checked by the count below
    with transaction(engine, write=False) as session:
        view = pledges.get_pledge(session, actor=orgs.a_viewer.actor, reference=reference)
        rows = view.row.events
        assert [e.seq for e in rows] == list(range(1, accepted + 1))
        again = replay(new_pledge(reference, "financial", ["Agency A"], "USD"),
                       [PledgeEvent(e.kind, amount=e.amount, note=e.note, target=e.target) for e in rows])  # type: ignore[arg-type]
    state = view.state
    assert (again.status, again.pledged, again.committed, again.paid) == (
        state.status, state.pledged, state.committed, state.paid)
    assert 0 <= state.paid <= state.committed <= state.pledged


def test_an_import_is_all_or_nothing(engine: Engine, orgs: TwoOrgs) -> None:
    _setup(engine, orgs)
    _create(engine, orgs, "K-1", situation="AFG-RRP")
    _change(engine, orgs, "K-1", "commit", "500")
    _change(engine, orgs, "K-1", "pay", "500")
    header = "id,source,destination_org,situation,sector,amount_usd,status,date,description\n"
    text = header + ("NEW-1,Donor X,,AFG-RRP,Education,10,paid,2025-01-01,\n"
                     "K-1:paid,Agency A,,AFG-RRP,,100,paid,2025-01-01,\n")
    with pytest.raises(InvalidFile) as caught, transaction(engine) as session:
        funding.import_flows(session, actor=orgs.a_caseworker.actor, content=text.encode(), filename="x.csv")
    assert caught.value.problems[0].row == 3 and "never undone" in caught.value.message
    with transaction(engine, write=False) as session:
        assert session.scalar(select(func.count(PledgeRow.id))) == 1  # K-1 only: NEW-1 was not written either
        assert session.scalar(select(PledgeRow.id).where(PledgeRow.reference == "NEW-1")) is None


def test_quotas_are_a_plain_dict_for_placement() -> None:
    quotas = fairshare.quotas(key="dublin-2016", total=1000, states=["DEU", "FRA", "ITA", "ESP"], year=2023)
    assert set(quotas) == {"DEU", "FRA", "ITA", "ESP"} and sum(quotas.values()) == 1000
    assert all(type(v) is int for v in quotas.values())
    assert quotas["DEU"] > quotas["ESP"]
