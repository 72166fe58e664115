"""``asylon pledges`` and ``asylon appeals`` through Typer's CliRunner: the lifecycle, coverage, flows out and
back in, and refusals printed with the rule's name and a distinct exit code."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from asylon.cli import app
from asylon.config import override_settings
from tests.support.world import TwoOrgs

pytestmark = pytest.mark.db

runner = CliRunner()


def _run(*args: str, user: str = "admin@a.example") -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--user", user])
    return result.exit_code, result.output


def test_pledge_lifecycle_coverage_and_flows_from_the_command_line(database_url: str, orgs: TwoOrgs,
                                                                    tmp_path: Path) -> None:
    with override_settings(database_url=database_url):
        assert runner.invoke(app, ["--help"]).exit_code == 0
        from asylon.db.engine import transaction
        from asylon.schemas.accounts import SituationCreate
        from asylon.services import situations

        with transaction() as session:
            situations.create_situation(session, actor=orgs.a_admin.actor,
                                        data=SituationCreate(code="MMR-RRP", name="Myanmar regional response"))
        code, out = _run("appeals", "add", "MMR-2025", "--situation", "MMR-RRP", "--name", "Plan", "--year", "2025",
                         "--requirement", "Shelter=200000", "--requirement", "Health=100000")
        assert code == 0, out
        code, out = _run("pledges", "add", "--reference", "M-1", "--type", "financial", "--pledger", "agency-a",
                         "--unit", "USD", "--amount", "150000", "--situation", "MMR-RRP", "--sector", "Shelter",
                         user="caseworker@a.example")
        assert code == 0 and "pledged" in out, out
        assert _run("pledges", "change", "M-1", "commit", "--amount", "120000", user="caseworker@a.example")[0] == 0
        code, out = _run("pledges", "change", "M-1", "pay", "--amount", "130000", user="caseworker@a.example")
        assert code == 7 and "pledge.payment-exceeds-commitment" in out, out
        code, out = _run("pledges", "change", "M-1", "pay", "--amount", "-3", user="caseworker@a.example")
        assert code == 3 and "amount" in out, out
        code, out = _run("pledges", "change", "M-1", "pay", "--amount", "20000", user="caseworker@a.example")
        assert code == 0 and "partly_paid" in out, out

        code, out = _run("pledges", "coverage", "--situation", "MMR-RRP")
        assert code == 0, out
        shelter = next(line for line in out.splitlines() if "Shelter" in line)
        assert "200,000" in shelter and "80,000" in shelter and "60.0" in shelter

        path = tmp_path / "flows.json"
        assert _run("pledges", "export", "--format", "fts", "--out", str(path))[0] == 0
        code, out = _run("pledges", "import", str(path), user="caseworker@a.example")
        assert code == 0 and "0 created, 0 updated, 1 unchanged" in out, out
        code, out = _run("pledges", "show", "M-1")
        assert code == 0 and "commit" in out and "120,000" in out, out

        bad = tmp_path / "bad.csv"
        bad.write_text("id,source\nX,Y\n", encoding="utf-8")
        code, out = _run("pledges", "import", str(bad), user="caseworker@a.example")
        assert code == 3 and "bad.csv" in out and "row 1" in out, out
        code, out = _run("pledges", "add", "--reference", "M-2", "--type", "financial", "--pledger", "agency-a",
                         "--unit", "USD", "--amount", "5", "--country", "QQQ", user="caseworker@a.example")
        assert code == 3 and "country" in out and "ISO 3166" in out, out
