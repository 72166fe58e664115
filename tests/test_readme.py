"""The README's examples run as written (so they cannot go stale)."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from asylon.cli import app
from asylon.config import override_settings
from asylon.db.engine import transaction
from asylon.services import accounts
from tests.support.world import TwoOrgs

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()

pytestmark = pytest.mark.db


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_the_first_lines_give_the_two_commands() -> None:
    first = _blocks("sh")[0]
    assert [line.split("#")[0].strip() for line in first.strip().splitlines()] == ["make demo", "make test"]
    assert README.index("make demo") < 200


def test_console_examples(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    commands = [line[2:] for block in _blocks("console") for line in block.splitlines() if line.startswith("$ ")]
    assert len(commands) >= 6
    runner = CliRunner()
    outputs = []
    with override_settings(database_url=database_url, data_dir=tmp_path):
        for command in commands:
            words = shlex.split(command)
            assert words[0] == "asylon"
            result = runner.invoke(app, words[1:])
            assert result.exit_code == 0, f"{command}\n{result.output}"
            outputs.append(result.output)
    imports = [out for cmd, out in zip(commands, outputs, strict=True) if cmd.startswith("asylon import")]
    assert "6 created" in imports[0] and "0 created, 0 updated, 6 unchanged" in imports[1]
    assert (tmp_path / "cases.json").read_text().count('"case_number"') == 6


def test_python_api_example(live_url: str, engine, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        token = accounts.issue_token(session, user=accounts.find_user(session, orgs.a_caseworker.email), name="readme").token
    (code,) = _blocks("python")
    namespace = {"base_url": live_url, "token": token}
    exec(compile(code, "README.md", "exec"), namespace)
