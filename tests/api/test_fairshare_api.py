"""The fair-share API: key shares, allocation and sources from the shipped figures; fair share vs effort with
resettlement places and money from stored pledges; bad input named."""

from __future__ import annotations

import pytest

from asylon.engines.fairshare import fair_share
from tests.support.world import TwoOrgs

pytestmark = pytest.mark.db

API = "/api/v1/fairshare"


@pytest.mark.parametrize("method", ["hamilton", "dhondt", "sainte-lague", "independent"])
def test_allocation_matches_the_engine_with_sources(api, orgs: TwoOrgs, method: str) -> None:  # type: ignore[no-untyped-def]
    params = {"key": "ec-2015-relocation", "total": 120_000, "states": "DEU,FRA,ITA,ESP,POL", "year": 2019,
              "method": method}
    response = api.get(API, params=params, headers=orgs.a_viewer.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    engine = fair_share("ec-2015-relocation", total=120_000, states=["DEU", "FRA", "ITA", "ESP", "POL"], year=2019,
                        method=method)  # type: ignore[arg-type]
    assert body["allocation"] == engine.allocation.as_dict()
    assert body["shares"] == pytest.approx(engine.key.as_dict(), abs=1e-12)
    assert sum(body["shares"].values()) == pytest.approx(1.0)
    if method != "independent":
        assert sum(body["allocation"].values()) == body["allocated"] == 120_000
    germany = next(r for r in body["rows"] if r["state"] == "DEU")
    assert germany["name"] == "Germany" and germany["sources"]["population"] == "WB-WDI:SP.POP.TOTL 2019"
    assert germany["figures"]["population"] > 80e6
    assert {"WB-WDI:SP.POP.TOTL", "UNHCR-PSD"} <= {s["code"] for s in body["sources"]}
    assert body["removed_by_caps"] >= 0 and body["title"].startswith("EC emergency relocation key")


def test_all_states_under_the_pact(api, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    body = api.get(API, params={"key": "pact-2024", "total": 30_000, "states": "all", "year": 2023},
                   headers=orgs.b_caseworker.headers).json()
    assert len(body["allocation"]) > 180 and sum(body["allocation"].values()) == 30_000


def test_cap_reading_switches_the_2015_key(api, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    base = {"key": "ec-2015-relocation", "total": 1000, "states": "DEU,FRA,ITA,HUN,GRC", "year": 2019}
    mean = api.get(API, params=base | {"cap_reading": "mean"}, headers=orgs.a_viewer.headers).json()
    total = api.get(API, params=base | {"cap_reading": "sum"}, headers=orgs.a_viewer.headers).json()
    assert mean["shares"] != total["shares"]


@pytest.mark.parametrize(
    ("params", "status", "field", "words"),
    [
        ({"key": "fifty-fifty"}, 422, "key", "dublin-2016"),
        ({"key": "/etc/passwd.json"}, 422, "key", "unknown key preset"),
        ({"states": "DEU,XYZ"}, 422, None, "XYZ"),
        ({"total": -5}, 422, "total", "greater than or equal to 0"),
        ({"method": "coin-toss"}, 422, "method", "hamilton"),
        ({"year": 1900}, 422, "year", "1951"),
        ({"year": None}, 422, "year", "year"),
        ({"states": ""}, 422, "states", "ISO3"),
        ({"cap_reading": "sum"}, 422, "cap_reading", "ec-2015-relocation only"),
    ],
)
def test_bad_fair_share_queries(api, orgs: TwoOrgs, params, status: int, field: str | None, words: str) -> None:  # type: ignore[no-untyped-def]
    query = {"key": "dublin-2016", "total": 100, "states": "DEU,FRA", "year": 2023} | params
    query = {k: v for k, v in query.items() if v is not None}
    response = api.get(API, params=query, headers=orgs.a_viewer.headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert words in response.text
    if field is not None:
        fields = [(e.get("field") or "").removeprefix("query.") for e in response.json()["errors"]]
        assert field in fields, response.json()


def test_effort_counts_stored_pledges(api, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    h = orgs.b_caseworker.headers
    pledges = [
        {"reference": "RS-DEU", "type": "resettlement_places", "pledgers": ["state-b"], "unit": "places",
         "amount": "3000", "country": "DEU", "year": 2023},
        {"reference": "RS-FRA", "type": "resettlement_places", "pledgers": ["Republique (not on the platform)"],
         "unit": "places", "amount": "1000", "country": "FRA", "year": 2023},
        {"reference": "M-DEU", "type": "financial", "pledgers": ["state-b"], "unit": "EUR", "usd_rate": "1.1",
         "amount": "1000000", "country": "DEU", "year": 2023},
    ]
    for body in pledges:
        assert api.post("/api/v1/pledges", json=body, headers=h).status_code == 201
    for kind, amount in (("commit", "2000"), ("pay", "1500")):
        api.post("/api/v1/pledges/events", json={"reference": "RS-DEU", "kind": kind, "amount": amount}, headers=h)
    response = api.get(f"{API}/effort", params={"key": "dublin-2016", "states": "DEU,FRA,ITA", "year": 2023},
                       headers=orgs.a_viewer.headers)
    assert response.status_code == 200, response.text
    rows = {r["state"]: r for r in response.json()["rows"]}
    assert (rows["DEU"]["resettlement_pledged"], rows["DEU"]["resettlement_delivered"]) == (3000, 1500)
    assert (rows["FRA"]["resettlement_pledged"], rows["ITA"]["resettlement_pledged"]) == (1000, 0)
    assert rows["DEU"]["money_pledged_usd"] == pytest.approx(1_100_000) and rows["FRA"]["money_pledged_usd"] == 0
    # Effort share / key share: Germany did 3/4 of the places pledged.
    assert rows["DEU"]["resettlement_pledged_ratio"] == pytest.approx(0.75 / rows["DEU"]["key_share"])
    assert rows["ITA"]["resettlement_pledged_ratio"] == 0
    # Hosting from the shipped UNHCR figures, with its source.
    assert rows["DEU"]["refugees_hosted"] > 1e6 and rows["DEU"]["refugees_per_1000"] > 10
    assert "UNHCR-PSD" in {s["code"] for s in response.json()["sources"]}
    assert sum(r["key_share"] for r in rows.values()) == pytest.approx(1.0)


def test_effort_without_pledges_is_unknown_not_zero(api, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    rows = api.get(f"{API}/effort", params={"key": "dublin-2016", "states": "DEU,FRA", "year": 2023},
                   headers=orgs.a_viewer.headers).json()["rows"]
    assert all(r["resettlement_pledged"] is None and r["resettlement_pledged_ratio"] is None for r in rows)
    assert all(r["refugees_hosted_ratio"] is not None for r in rows)
