"""History anchoring: events go to the log in batches, and ``asylon audit verify`` catches any later rewrite
made directly in the database — an altered, removed or reordered event, a tampered log — naming the batch."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select, text
from typer.testing import CliRunner

from asylon.cli import app as cli_app
from asylon.config import Settings, override_settings
from asylon.db.engine import transaction
from asylon.db.models import CaseEvent, EventAnchor, EventAnchorBatch
from asylon.errors import NotFound
from asylon.schemas.cases import Erasure, StatusChange
from asylon.services import anchoring, documents, pathways, registry
from tests.support.world import TwoOrgs, register

pytestmark = pytest.mark.db
runner = CliRunner()


@pytest.fixture
def vault(settings: Settings) -> documents.KeyVault:
    return documents.vault_for(settings.data_dir)


@pytest.fixture
def cli_settings(settings: Settings) -> Iterator[Settings]:
    with override_settings(database_url=settings.database_url, data_dir=settings.data_dir) as s:
        yield s


def _history(engine: Engine, orgs: TwoOrgs, cases: int = 6) -> list[int]:
    ids = [register(engine, orgs.a_caseworker.actor, f"H-{i}") for i in range(cases)]
    with transaction(engine) as session:
        for case_id in ids[::2]:
            pathways.change_status(
                session, actor=orgs.a_caseworker.actor, case_id=case_id, data=StatusChange(status="refugee")
            )
    return ids


def _anchor(engine: Engine, vault: documents.KeyVault, batch_size: int = 3) -> anchoring.AnchorResult:
    with transaction(engine) as session:
        return anchoring.anchor_pending_events(session, vault=vault, batch_size=batch_size)


def _audit(engine: Engine, vault: documents.KeyVault) -> anchoring.HistoryAudit:
    with transaction(engine, write=False) as session:
        return anchoring.audit_history(session, vault=vault)


def _event_ids(engine: Engine) -> list[int]:
    with transaction(engine, write=False) as session:
        return list(session.scalars(select(CaseEvent.id).order_by(CaseEvent.id)))


def _batch_of(engine: Engine, event_id: int) -> int:
    with transaction(engine, write=False) as session:
        return int(session.scalar(select(EventAnchor.batch_id).where(EventAnchor.event_id == event_id)) or 0)


def test_anchoring_covers_every_event_once_and_the_intact_history_verifies(
    engine: Engine, orgs: TwoOrgs, vault: documents.KeyVault, cli_settings: Settings
) -> None:
    _history(engine, orgs)
    events = _event_ids(engine)
    first = _anchor(engine, vault)
    assert first.events == len(events) and first.batches == -(-len(events) // 3)
    assert _anchor(engine, vault).events == 0  # nothing new: nothing anchored twice
    register(engine, orgs.a_caseworker.actor, "LATE-1")
    assert _audit(engine, vault).unanchored_events == 1
    assert _anchor(engine, vault).events == 1
    report = _audit(engine, vault)
    assert report.ok and report.events_checked == len(events) + 1 and report.unanchored_events == 0

    result = runner.invoke(cli_app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "history intact" in result.output


@pytest.mark.parametrize("tamper", ["altered", "removed", "reordered"])
def test_a_rewrite_in_the_database_is_caught_and_the_batch_named(
    engine: Engine, orgs: TwoOrgs, vault: documents.KeyVault, cli_settings: Settings, tamper: str
) -> None:
    _history(engine, orgs)
    _anchor(engine, vault)
    events = _event_ids(engine)
    target = events[4]
    batch_id = _batch_of(engine, target)
    with engine.begin() as conn:
        if tamper == "altered":
            conn.execute(text("UPDATE case_events SET reason = 'rewritten' WHERE id = :id"), {"id": target})
        elif tamper == "removed":
            conn.execute(text("DELETE FROM case_events WHERE id = :id"), {"id": target})
        else:
            # Swap two events of one batch in every column but the id: the history now reads in another order.
            other = next(e for e in events if e != target and _batch_of(engine, e) == batch_id)
            cols = ["case_id", "organisation_id", "actor_user_id", "at", "kind", "data", "reason"]
            rows = {
                r[0]: r[1:]
                for r in conn.execute(
                    text(f"SELECT id, {', '.join(cols)} FROM case_events WHERE id IN (:a, :b)"),
                    {"a": target, "b": other},
                )
            }
            sets = ", ".join(f"{c} = :{c}" for c in cols)
            for me, them in ((target, other), (other, target)):
                values = dict(zip(cols, rows[them], strict=True))
                if engine.dialect.name == "postgresql":
                    import json

                    values["data"] = json.dumps(values["data"])
                conn.execute(text(f"UPDATE case_events SET {sets} WHERE id = :id"), values | {"id": me})
    report = _audit(engine, vault)
    expected = {"altered": "event-altered", "removed": "event-removed", "reordered": "events-reordered"}[
        tamper
    ]
    assert [f.kind for f in report.findings] == [expected]
    finding = report.findings[0]
    assert finding.batch_id == batch_id and finding.first_event_id <= target <= (finding.last_event_id or 0)
    assert f"event batch {batch_id}" in finding.message
    if tamper == "removed":
        assert str(target) in finding.message

    result = runner.invoke(cli_app, ["audit", "verify"])
    assert result.exit_code == 1
    assert expected in result.output and f"event batch {batch_id}" in result.output


def test_a_tampered_log_entry_is_named(engine: Engine, orgs: TwoOrgs, vault: documents.KeyVault) -> None:
    _history(engine, orgs, cases=2)
    _anchor(engine, vault)
    with engine.begin() as conn:
        conn.execute(text("UPDATE ledger_leaves SET leaf_hash = entry WHERE idx = 0"))
    report = _audit(engine, vault)
    assert report.findings and report.findings[0].kind == "log-tampered"


def test_a_recorded_erasure_is_told_apart_from_tampering(
    engine: Engine, orgs: TwoOrgs, vault: documents.KeyVault
) -> None:
    case_id = register(engine, orgs.a_caseworker.actor, "ERASE-1")
    _anchor(engine, vault)
    with transaction(engine) as session:
        registry.erase_person(
            session,
            actor=orgs.a_admin.actor,
            case_id=case_id,
            person_ref="P2",
            data=Erasure(reason="data-subject request"),
        )
    report = _audit(engine, vault)
    assert report.ok, report.findings
    assert report.explained and "erasure" in report.explained[0]
    # Tampering with the same event's non-personal part is still caught.
    with engine.begin() as conn:
        first = conn.execute(text("SELECT min(id) FROM case_events")).scalar()
        conn.execute(text("UPDATE case_events SET kind = 'case.rewritten' WHERE id = :id"), {"id": first})
    assert [f.kind for f in _audit(engine, vault).findings] == ["event-altered"]


def test_concurrent_writers_and_anchorers_share_one_consistent_log(
    engine: Engine, orgs: TwoOrgs, vault: documents.KeyVault
) -> None:
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(4):
                register(engine, orgs.a_caseworker.actor, f"W{n}-{i}")
                _anchor(engine, vault, batch_size=2)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    _anchor(engine, vault)
    report = _audit(engine, vault)
    assert report.ok, report.findings
    with transaction(engine, write=False) as session:
        anchored = list(session.scalars(select(EventAnchor.event_id).order_by(EventAnchor.seq)))
        batches = list(
            session.scalars(select(EventAnchorBatch.leaf_index).order_by(EventAnchorBatch.first_seq))
        )
    assert anchored == _event_ids(engine)  # every event once, in order
    assert batches == sorted(batches) and len(set(batches)) == len(batches)


def test_audit_without_a_log_says_what_to_do(engine: Engine, vault: documents.KeyVault) -> None:
    with transaction(engine, write=False) as session, pytest.raises(NotFound, match="transparency log"):
        anchoring.audit_history(session, vault=vault)
