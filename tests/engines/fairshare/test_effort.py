"""Fair share versus effort: shares, ratios, per-capita and per-GDP figures, unknowns kept unknown."""

from __future__ import annotations

import pytest

from asylon.engines.fairshare.allocation import fair_share
from asylon.engines.fairshare.effort import EffortRecord, compare, records_from_facts
from asylon.errors import InvalidInput


def test_ratio_is_effort_share_over_key_share() -> None:
    rows = compare(
        {"AAA": 0.6, "BBB": 0.4},
        [
            EffortRecord("AAA", 2024, refugees_hosted=100, population=10_000, gdp_usd=1e9, money_paid_usd=30),
            EffortRecord(
                "BBB", 2024, refugees_hosted=300, population=5_000, gdp_usd=1e8, money_paid_usd=None
            ),
        ],
    )
    a, b = rows
    assert a.ratio["refugees_hosted"] == pytest.approx(0.25 / 0.6)
    assert b.ratio["refugees_hosted"] == pytest.approx(0.75 / 0.4)
    assert b.refugees_per_1000 == pytest.approx(60.0)
    assert b.refugees_per_usd_gdp == pytest.approx(3e-6) and b.refugees_per_million_usd_gdp == pytest.approx(
        3.0
    )
    assert a.ratio["money_paid_usd"] == pytest.approx(1 / 0.6)  # AAA paid all that is known
    assert b.ratio["money_paid_usd"] is None  # unknown stays unknown
    assert a.ratio["resettlement_delivered"] is None


def test_key_shares_are_renormalised_over_the_states_compared() -> None:
    rows = compare(
        {"AAA": 0.2, "BBB": 0.2, "CCC": 0.6},
        [EffortRecord("AAA", 2024, refugees_hosted=1), EffortRecord("BBB", 2024, refugees_hosted=1)],
    )
    assert [r.key_share for r in rows] == [0.5, 0.5]
    assert [r.ratio["refugees_hosted"] for r in rows] == [1.0, 1.0]


def test_shipped_data_effort_against_the_pact_key() -> None:
    states = ["DEU", "FRA", "ITA", "ESP", "POL"]
    key = fair_share("pact-2024", total=30_000, states=states, year=2023).key.as_dict()
    rows = {r.state: r for r in compare(key, records_from_facts(states, 2023))}
    # Germany hosts about half of these five states' refugees with a quarter-odd key share: ratio above 1.
    assert rows["DEU"].ratio["refugees_hosted"] > 1.5  # type: ignore[operator]
    assert rows["DEU"].record.refugees_hosted == 2_593_007
    assert rows["DEU"].record.sources["refugees_hosted"] == "UNHCR-PSD 2023"


def test_extra_records_add_resettlement_and_money() -> None:
    records = records_from_facts(
        ["SWE"], 2023, extra=[EffortRecord("SWE", 2023, resettlement_pledged=900, resettlement_delivered=450)]
    )
    assert records[0].resettlement_delivered == 450 and records[0].refugees_hosted is not None


@pytest.mark.parametrize(
    ("records", "text"),
    [
        ([EffortRecord("ZZZ", 2024, refugees_hosted=1)], "ZZZ has effort figures but no key share"),
        ([EffortRecord("AAA", 2024, refugees_hosted=-1)], "refugees_hosted is -1"),
        ([EffortRecord("AAA", 2024), EffortRecord("AAA", 2024)], "AAA 2024 appears twice"),
    ],
)
def test_bad_records_are_named(records: list[EffortRecord], text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        compare({"AAA": 1.0}, records)
    assert text in str(caught.value)
