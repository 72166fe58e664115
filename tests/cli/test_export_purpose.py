"""`asylon export cases --purpose … --for …`: a file for another organisation holds exactly what its agreement
lets it see, every person written is in the access log, and without an agreement nothing is written."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from asylon.cli import app
from asylon.config import override_settings
from asylon.db.engine import transaction
from asylon.db.models import AccessLogEntry
from asylon.schemas.agreements import AgreementAction, AgreementCreate, ConsentCreate, ConsentWithdrawal
from asylon.services import access_log, agreements, consent
from tests.support.world import TwoOrgs, register

pytestmark = pytest.mark.db

PURPOSE = "resettlement-processing"
AGREED = ["case.country_of_asylum", "person.given_name", "person.needs"]
runner = CliRunner()


@pytest.fixture
def cli(database_url: str, tmp_path: Path) -> Iterator[CliRunner]:
    with override_settings(database_url=database_url, data_dir=tmp_path):
        yield runner


def export(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["export", "cases", "--user", "caseworker@a.example", *args])
    return result.exit_code, result.output


def agree(engine: Engine, orgs: TwoOrgs, *, legal_basis: str = "public-interest", purpose: str = PURPOSE) -> int:
    today = dt.date.today()
    with transaction(engine) as session:
        agreement = agreements.create_agreement(session, actor=orgs.a_admin.actor, data=AgreementCreate(
            title="Resettlement referrals", purpose=purpose, parties=["agency-a", "state-b"],  # type: ignore[arg-type]
            legal_basis=legal_basis, fields=AGREED, valid_from=today,  # type: ignore[arg-type]
            valid_until=today + dt.timedelta(days=365)))
        agreement_id = agreement.id
    for member in (orgs.a_admin, orgs.b_admin):
        with transaction(engine) as session:
            agreements.act(session, actor=member.actor,
                           data=AgreementAction(agreement_id=agreement_id, action="approve"))
    return agreement_id


def log_count(engine: Engine) -> int:
    with transaction(engine, write=False) as session:
        return session.scalar(select(func.count(AccessLogEntry.id))) or 0


def test_export_for_a_recipient_holds_only_the_agreed_fields_and_is_logged(cli: CliRunner, engine: Engine,
                                                                            orgs: TwoOrgs, tmp_path: Path) -> None:
    case_id = register(engine, orgs.a_caseworker.actor, "EXP-1")
    register(engine, orgs.b_caseworker.actor, "B-OWN")  # the recipient's own case is not in a file for it
    agreement_id = agree(engine, orgs)
    out = tmp_path / "for-b.json"
    code, output = export("--format", "json", "--purpose", PURPOSE, "--for", "state-b", "--out", str(out))
    assert code == 0, output
    cases = json.loads(out.read_text())["cases"]
    assert [c.get("case_number") for c in cases] == [None]  # one case; its number is not among the agreed fields
    (case,) = cases
    assert case["country_of_asylum"] == "JOR"
    assert [p["given_name"] for p in case["persons"]] == ["Rania", "Omar"]
    assert case["persons"][0]["needs"] == ["single-parent"]
    text = out.read_text()
    for unagreed in ("Haddad", "1986-03-14", "رانيا", "EXP-1", "SYR"):
        assert unagreed not in text

    with transaction(engine, write=False) as session:
        report = access_log.person_report(session, actor=orgs.a_caseworker.actor, case_id=case_id, person_ref="P1")
    assert [(r.channel, r.recipient, r.purpose, r.agreements, r.fields) for r in report] == [
        ("export", "state-b", PURPOSE, [agreement_id], sorted(AGREED))]


def test_no_agreement_no_export(cli: CliRunner, engine: Engine, orgs: TwoOrgs, tmp_path: Path) -> None:
    register(engine, orgs.a_caseworker.actor, "EXP-1")
    agree(engine, orgs, purpose="statistics")  # an agreement for another purpose opens nothing here
    out = tmp_path / "for-b.csv"
    code, output = export("--purpose", PURPOSE, "--for", "state-b", "--out", str(out))
    assert code == 7, output  # a rule refused it
    assert "sharing.agreement-required" in output and "nothing was exported" in output
    assert not out.exists()
    assert log_count(engine) == 0
    # The purpose is required, and must be one of the list.
    assert export("--for", "state-b")[0] == 2
    code, output = export("--purpose", "curiosity", "--for", "state-b")
    assert code == 2 and "resettlement-processing" in output
    assert export("--purpose", PURPOSE, "--for", "nowhere")[0] == 4


def test_consent_withdrawal_takes_the_person_out_of_the_next_file(cli: CliRunner, engine: Engine, orgs: TwoOrgs,
                                                                   tmp_path: Path) -> None:
    case_id = register(engine, orgs.a_caseworker.actor, "EXP-1")
    agree(engine, orgs, legal_basis="consent")
    out = tmp_path / "for-b.json"
    assert export("--format", "json", "--purpose", PURPOSE, "--for", "state-b", "--out", str(out))[0] == 0
    assert json.loads(out.read_text())["cases"] == []  # the agreement needs consent, and nobody has given it
    with transaction(engine) as session:
        given = consent.record_consent(session, actor=orgs.a_caseworker.actor, data=ConsentCreate(
            case_id=case_id, person_ref="P2", purpose=PURPOSE, recipient="state-b",  # type: ignore[arg-type]
            given_on=dt.date.today(), method="signed form"))
        consent_id = given.id
    code, output = export("--format", "json", "--purpose", PURPOSE, "--for", "state-b", "--out", str(out))
    assert code == 0, output
    (case,) = json.loads(out.read_text())["cases"]
    assert [p["given_name"] for p in case["persons"]] == ["Omar"]  # only the person who consented
    with transaction(engine) as session:
        consent.withdraw_consent(session, actor=orgs.a_caseworker.actor,
                                 data=ConsentWithdrawal(consent_id=consent_id, method="phone call"))
    code, output = export("--format", "json", "--purpose", PURPOSE, "--for", "state-b", "--out", str(out))
    assert code == 0, output
    assert json.loads(out.read_text())["cases"] == []
    assert log_count(engine) == 1  # one person disclosed once, before the withdrawal


def test_recipient_exports_what_it_was_shared_for_the_declared_purpose(cli: CliRunner, engine: Engine,
                                                                        orgs: TwoOrgs, tmp_path: Path) -> None:
    register(engine, orgs.a_caseworker.actor, "EXP-1")
    register(engine, orgs.b_caseworker.actor, "B-OWN")
    agree(engine, orgs)

    def b_export(*args: str) -> list[dict[str, object]]:
        out = tmp_path / "b.json"
        result = runner.invoke(app, ["export", "cases", "--user", "caseworker@b.example", "--format", "json",
                                     "--out", str(out), *args])
        assert result.exit_code == 0, result.output
        cases: list[dict[str, object]] = json.loads(out.read_text())["cases"]
        return cases

    assert [c.get("case_number") for c in b_export()] == ["B-OWN"]  # no purpose: its own cases only
    shared = b_export("--purpose", PURPOSE)
    assert [c.get("case_number") for c in shared] == [None, "B-OWN"]  # in id order
    assert "Haddad" not in json.dumps(shared[0])  # A's case: no family name (B's own case has one)
    assert log_count(engine) == 2  # both persons of A's case, disclosed to B by this export
    assert b_export("--purpose", "statistics") == b_export()
