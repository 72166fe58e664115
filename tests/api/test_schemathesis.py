"""Property-based requests generated from the OpenAPI document find no server error."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine

from asylon.api.app import create_app
from asylon.config import Settings
from tests.support.world import TwoOrgs, register

pytestmark = [pytest.mark.db, pytest.mark.slow]

# The schema is read from the application itself, without a database; requests go to the test's own app.
schema = schemathesis.openapi.from_dict(
    create_app(Settings(environment="test"), engine=create_engine("sqlite://")).openapi()
)


@pytest.fixture
def fuzz_target(api, engine, orgs: TwoOrgs) -> tuple[Any, dict[str, str]]:  # type: ignore[no-untyped-def]
    register(engine, orgs.a_caseworker.actor, "C-1")
    return api, orgs.a_admin.headers


@schema.parametrize()
@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture])
def test_no_server_errors(case, fuzz_target) -> None:  # type: ignore[no-untyped-def]
    client, headers = fuzz_target
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    kwargs["headers"] = {**(kwargs.get("headers") or {}), **headers}
    kwargs.pop("base_url", None)
    response = client.request(**{k: v for k, v in kwargs.items() if k in {"method", "url", "headers", "params",
                                                                           "json", "content", "data", "files", "cookies"}})
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code} {response.text}"
