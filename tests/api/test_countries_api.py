"""Country facts over the API carry their source and year."""

from __future__ import annotations

import pytest

from tests.support.world import TwoOrgs

pytestmark = pytest.mark.db


def test_country_facts_with_sources(api, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    body = api.get("/api/v1/countries/IRN/facts", params={"year": 2024}, headers=orgs.a_viewer.headers).json()
    figures = {f["indicator"]: f for f in body["figures"]}
    assert figures["hosted_refugees"]["value"] == 3489257 and figures["hosted_refugees"]["year"] == 2024
    assert figures["gdp_usd"]["year"] == 2023  # latest available, and says so
    assert all(f["source"] in body["sources"] for f in body["figures"])
    assert any(c["iso3"] == "KEN" for c in api.get("/api/v1/countries", headers=orgs.a_viewer.headers).json())


def test_unknown_country_names_the_code(api, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    response = api.get("/api/v1/countries/QQQ/facts", headers=orgs.a_viewer.headers)
    assert response.status_code == 422 and "QQQ" in response.json()["detail"]
