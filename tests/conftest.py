"""Shared fixtures: a clean database per test (SQLite by default, PostgreSQL when
ASYLON_TEST_DATABASE_URL is set), two organisations with users and tokens, an API client, a live server.

Each test gets a clean database rather than a rolled-back transaction because many tests go through real
HTTP and several connections at once, which cannot share one transaction.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from asylon.config import Settings
from asylon.db.base import Base
from asylon.db.engine import make_engine
from asylon.db.migrate import upgrade
from tests.support.world import TwoOrgs, make_two_orgs

PG_URL = os.environ.get("ASYLON_TEST_DATABASE_URL", "")
# Hundreds of short-lived test applications and servers: each opens PostgreSQL connections when it needs them
# rather than a full pool at start (tests/db/test_engine.py checks the prefill itself).
os.environ.setdefault("ASYLON_DB_POOL_PREFILL", "false")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # On PostgreSQL only database tests run (make test-pg): everything else was covered on SQLite.
    if PG_URL:
        skip = pytest.mark.skip(reason="runs on SQLite only; this run covers the database tests")
        for item in items:
            if "db" not in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database to copy (SQLite) or to truncate (PostgreSQL)."""
    if PG_URL:
        engine = make_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        upgrade(engine)
        engine.dispose()
        return PG_URL
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return str(path)


@pytest.fixture
def database_url(_template: str, tmp_path: Path) -> str:
    if PG_URL:
        engine = make_engine(PG_URL)
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return PG_URL
    path = tmp_path / "asylon.db"
    shutil.copy(_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, data_dir=tmp_path, environment="test", db_pool_prefill=False)


@pytest.fixture
def orgs(engine: Engine) -> TwoOrgs:
    return make_two_orgs(engine)


@pytest.fixture
def api(settings: Settings, engine: Engine):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from asylon.api.app import create_app

    with TestClient(create_app(settings, engine=engine)) as client:
        yield client


@pytest.fixture
def live_url(settings: Settings, engine: Engine) -> Iterator[str]:
    """Base URL of the platform served over real HTTP on loopback."""
    from asylon.api.app import create_app
    from tests.support.server import serve

    with serve(create_app(settings, engine=engine)) as url:
        yield url
