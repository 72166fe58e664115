"""The platform's CLI: accounts, tokens, import and export, and readable errors with exit codes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from asylon.cli import app
from asylon.config import override_settings
from tests.support.files import demo_rows, to_csv

pytestmark = pytest.mark.db

runner = CliRunner()


@pytest.fixture
def cli(database_url: str, tmp_path: Path) -> Iterator[CliRunner]:
    with override_settings(database_url=database_url, data_dir=tmp_path):
        yield runner


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_accounts_and_tokens(cli: CliRunner) -> None:
    assert invoke("orgs", "create", "moi-x", "--name", "Ministry X", "--kind", "state-authority")[0] == 3
    code, out = invoke("orgs", "create", "moi-x", "--name", "Ministry X", "--kind", "state-authority", "--country", "DE")
    assert code == 0
    assert invoke("orgs", "create", "moi-x", "--name", "Again", "--kind", "ngo")[0] == 6  # conflict
    assert invoke("users", "create", "ana@x.example", "--org", "moi-x", "--password", "short")[0] == 3
    assert invoke("users", "create", "ana@x.example", "--org", "nowhere", "--password", "long enough")[0] == 4
    assert invoke("users", "create", "ana@x.example", "--org", "moi-x", "--password", "long enough")[0] == 0
    code, out = invoke("tokens", "create", "--user", "ana@x.example")
    assert code == 0 and "asy_" in out
    code, out = invoke("tokens", "list", "--user", "ana@x.example")
    assert code == 0 and "cli" in out
    assert invoke("tokens", "revoke", "1", "--user", "ana@x.example")[0] == 0
    assert "yes" in invoke("tokens", "list", "--user", "ana@x.example")[1]
    assert "DEU" in invoke("orgs", "list")[1]


def test_import_errors_list_rows_and_exit_3(cli: CliRunner, tmp_path: Path) -> None:
    invoke("orgs", "create", "ngo-y", "--name", "NGO Y", "--kind", "ngo")
    invoke("users", "create", "bo@y.example", "--org", "ngo-y", "--password", "long enough")
    rows = demo_rows(10)
    rows[2]["sex"] = "woman"
    rows[5]["date_of_birth"] = "1990-02-30"
    path = tmp_path / "bad.csv"
    path.write_bytes(to_csv(rows))
    code, out = invoke("import", "cases", str(path), "--user", "bo@y.example")
    assert code == 3
    assert "row 4, column sex" in out and "row 7, column date_of_birth" in out
    assert "bad.csv" in out
    good = tmp_path / "good.csv"
    good.write_bytes(to_csv(demo_rows(10)))
    code, out = invoke("import", "cases", str(good), "--user", "bo@y.example", "--dry-run")
    assert code == 0 and "would import 10 cases" in out
    code, out = invoke("export", "cases", "--user", "bo@y.example", "--format", "csv")
    assert code == 0 and out.count("\n") == 1  # the dry run wrote nothing: header only
    assert invoke("import", "cases", str(good), "--user", "nobody@y.example")[0] == 4


def test_db_commands(cli: CliRunner) -> None:
    code, out = invoke("db", "upgrade")
    assert code == 0 and "revision" in out
    assert invoke("db", "current")[0] == 0


@pytest.mark.skipif(not __import__("sys").platform.startswith("linux"), reason="balanced listeners are Linux's")
def test_serve_on_a_port_in_use_says_so_before_starting_workers(tmp_path: Path) -> None:
    import os
    import socket
    import subprocess
    import sys

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "asylon.cli", "serve", "--port", str(port), "--workers", "2", "--no-webhooks"],
            capture_output=True, text=True, timeout=120, env=os.environ | {"ASYLON_DATA_DIR": str(tmp_path)})
    flat = " ".join(done.stdout.split())
    assert done.returncode == 1 and f"cannot listen on 127.0.0.1:{port}" in flat and "Traceback" not in done.stderr
