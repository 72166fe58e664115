"""The import page: upload, the full validation report, confirm."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Engine, func, select

from asylon.db.engine import transaction
from asylon.db.models import Case, ImportBatch
from tests.web.conftest import WebClient
from tests.web.files import caseload_csv

pytestmark = pytest.mark.db


def counts(engine: Engine) -> tuple[int, int]:
    with transaction(engine, write=False) as session:
        return (session.scalar(select(func.count(Case.id))) or 0,
                session.scalar(select(func.count(ImportBatch.id))) or 0)


def upload(web: WebClient, content: bytes, name: str = "caseload.csv") -> str:
    web.get("/import")
    response = web.post("/import", {}, files={"file": (name, content, "text/csv")})
    return str(response.text)


def test_report_lists_every_bad_row_and_column_and_saves_nothing(a_web: WebClient, engine: Engine) -> None:
    page = upload(a_web, caseload_csv(bad=True))
    assert "2 problems in caseload.csv" in page
    rows = re.findall(r"<tr><td class=\"num\" data-label=\"Row\">(\d+)</td><td data-label=\"Column\"><code>(\w+)</code>",
                      page)
    assert rows == [("3", "date_of_birth"), ("5", "country_of_asylum")]
    assert "1990-02-31" in page and "XYZ" in page
    assert counts(engine) == (0, 0)


def test_check_then_confirm_imports_all(a_web: WebClient, engine: Engine) -> None:
    page = upload(a_web, caseload_csv(bad=False))
    assert "The file is valid" in page and "<dd>3</dd>" in page
    assert counts(engine) == (0, 0)  # checking writes nothing
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert token
    done = a_web.post("/import/confirm", {"token": token.group(1)})
    assert done.status_code == 200 and "3 new cases, 0 updated, 0 unchanged." in done.text
    assert counts(engine) == (3, 1)
    again = a_web.post("/import/confirm", {"token": token.group(1)})
    assert again.status_code == 410 and counts(engine) == (3, 1)
    # Re-importing the same file changes nothing.
    page = upload(a_web, caseload_csv(bad=False))
    assert re.search(r"Unchanged</dt><dd>3</dd>", page)


def test_no_file_and_unreadable_file(a_web: WebClient, engine: Engine) -> None:
    a_web.get("/import")
    response = a_web.post("/import", {"format": "csv"})
    assert response.status_code == 422 and "Choose a file to upload." in response.text
    page = upload(a_web, b"\x00\x01 not a caseload", "junk.csv")
    assert "junk.csv" in page
    assert counts(engine) == (0, 0)


def test_tampered_token_is_refused(a_web: WebClient, engine: Engine) -> None:
    a_web.get("/import")
    response = a_web.post("/import/confirm", {"token": "../../etc/passwd"})
    assert response.status_code == 410
    assert counts(engine) == (0, 0)
