"""Imports: round trips with export, idempotent re-imports, all-or-nothing writes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from asylon.db.engine import transaction
from asylon.db.models import Case, CaseEvent, ImportBatch, Person
from asylon.errors import InvalidFile
from asylon.services import caseviews
from asylon.services.caseviews import CaseFilters
from asylon.services.imports import import_cases
from asylon.services.interchange.writer import write_cases
from tests.support.files import demo_rows, to_csv
from tests.support.world import TwoOrgs

pytestmark = pytest.mark.db


def _import(engine: Engine, orgs: TwoOrgs, content: bytes, name: str = "f.csv", **kw):  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        return import_cases(session, actor=orgs.a_caseworker.actor, content=content, filename=name, **kw)


def _export(engine: Engine, orgs: TwoOrgs, fmt: str) -> bytes:
    with transaction(engine, write=False) as session:
        cases = caseviews.iter_cases(session, actor=orgs.a_viewer.actor, filters=CaseFilters())
        return "".join(write_cases(cases, fmt)).encode()  # type: ignore[arg-type]


def _counts(engine: Engine) -> tuple[int, int, int]:
    with transaction(engine, write=False) as session:
        return (session.scalar(select(func.count()).select_from(Case)) or 0,
                session.scalar(select(func.count()).select_from(Person)) or 0,
                session.scalar(select(func.count()).select_from(CaseEvent)) or 0)


@pytest.mark.parametrize("fmt", ["csv", "hxl", "json"])
def test_export_writes_exactly_what_import_reads(engine: Engine, orgs: TwoOrgs, fmt: str) -> None:
    report = _import(engine, orgs, to_csv(demo_rows(60)))
    assert report.created == 60
    exported = _export(engine, orgs, fmt)
    # Re-importing the export changes nothing...
    again = _import(engine, orgs, exported, f"export.{fmt}")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 60)
    # ...and importing it into an empty organisation gives the same export.
    with transaction(engine) as session:
        import_cases(session, actor=orgs.b_caseworker.actor, content=exported, filename=f"x.{fmt}")
    with transaction(engine, write=False) as session:
        b_cases = caseviews.iter_cases(session, actor=orgs.b_admin.actor, filters=CaseFilters())
        assert "".join(write_cases(b_cases, fmt)).encode() == exported  # type: ignore[arg-type]


def test_reimport_is_idempotent_and_updates_only_what_changed(engine: Engine, orgs: TwoOrgs) -> None:
    rows = demo_rows(30)
    _import(engine, orgs, to_csv(rows))
    counts = _counts(engine)
    assert _import(engine, orgs, to_csv(rows)).unchanged == 30
    assert _counts(engine) == counts  # not even an event
    rows[0]["occupation"] = "beekeeper"
    report = _import(engine, orgs, to_csv(rows))
    assert (report.updated, report.unchanged) == (1, 29)
    with transaction(engine, write=False) as session:
        event = session.scalars(select(CaseEvent).order_by(CaseEvent.id.desc())).first()
        assert event is not None and event.kind == "case.updated"
        assert event.data["changes"] == {"persons_corrected": [rows[0]["person_ref"]]}


def test_an_illegal_status_change_in_a_reimport_is_reported_by_row(engine: Engine, orgs: TwoOrgs) -> None:
    rows = demo_rows(5)
    for row in rows:
        row["legal_status"] = "refugee"
    _import(engine, orgs, to_csv(rows))
    for row in rows:
        if row["case_number"] == rows[0]["case_number"]:
            row["legal_status"] = "asylum-seeker"
    with pytest.raises(InvalidFile) as error:
        _import(engine, orgs, to_csv(rows))
    assert error.value.problems[0].row == 2 and "legal_status" in error.value.message


def test_a_safeguard_refusal_in_a_file_writes_nothing(engine: Engine, orgs: TwoOrgs) -> None:
    rows = demo_rows(20)
    first = rows[0]["case_number"]
    for row in rows:
        if row["case_number"] == first:
            row |= {"legal_status": "refugee", "pathway": "resettlement", "pathway_state": "submitted",
                    "pathway_destination": row["nationality"]}
    with pytest.raises(InvalidFile) as error:
        _import(engine, orgs, to_csv(rows))
    assert "non-refoulement.nationality" in error.value.message
    assert _counts(engine) == (0, 0, 0)


def test_dry_run_reports_and_writes_nothing(engine: Engine, orgs: TwoOrgs) -> None:
    with transaction(engine) as session:
        report = import_cases(session, actor=orgs.a_caseworker.actor, content=to_csv(demo_rows(10)),
                              filename="f.csv", dry_run=True)
    assert report.created == 10 and report.dry_run
    assert _counts(engine) == (0, 0, 0)


def test_json_problems_name_the_case_and_field_path(engine: Engine, orgs: TwoOrgs) -> None:
    document = {"cases": [json.loads(_export_one())]}
    document["cases"][0]["persons"][0]["date_of_birth"] = "1990-13-01"
    with pytest.raises(InvalidFile) as error:
        _import(engine, orgs, json.dumps(document).encode(), "f.json")
    problem = error.value.problems[0]
    assert (problem.row, problem.field) == (1, "persons[0].date_of_birth")


def _export_one() -> str:
    from tests.support.world import case_payload

    return json.dumps(case_payload())


@pytest.mark.slow
def test_a_killed_import_leaves_nothing_and_the_rerun_completes(engine: Engine, orgs: TwoOrgs, database_url: str,
                                                                tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(to_csv(demo_rows(6000)))
    env = os.environ | {"ASYLON_DATABASE_URL": database_url, "ASYLON_USER": orgs.a_caseworker.email}
    command = [sys.executable, "-m", "asylon.cli", "import", "cases", str(path)]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    assert process.stderr is not None
    deadline = time.monotonic() + 120
    for line in process.stderr:  # wait until it is writing, then kill it without warning
        if line.startswith("writing") or time.monotonic() > deadline:
            break
    time.sleep(0.3)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, "the import finished before it could be killed"
    assert _counts(engine) == (0, 0, 0)
    with transaction(engine, write=False) as session:
        assert session.scalar(select(func.count()).select_from(ImportBatch)) == 0

    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    cases, persons, events = _counts(engine)
    assert cases == 6000 and events == 6000 and persons == len(demo_rows(6000))
