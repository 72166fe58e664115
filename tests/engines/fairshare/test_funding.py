"""Coverage and gaps per situation and sector; flows round-trip through HXL CSV and FTS-style JSON."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal as D

import hxl
import pytest

from asylon.engines.fairshare.funding import (
    UNSPECIFIED,
    Flow,
    Requirement,
    coverage,
    flows_from_csv,
    flows_from_fts,
    flows_to_csv,
    flows_to_fts,
)
from asylon.errors import InvalidFile, InvalidInput

REQUIREMENTS = [
    Requirement("SDN-2025", "Health", D("1000000")),
    Requirement("SDN-2025", "Shelter", D("500000")),
    Requirement("BGD-2025", "Food", D("2000000")),
]
FLOWS = [
    Flow(
        "f1", "Donor A", "SDN-2025", "Health", D("250000.50"), "paid", "2025-01-10", 'vaccines, "cold chain"'
    ),
    Flow(
        "f2",
        "Donor B",
        "SDN-2025",
        "Health",
        D("250000"),
        "commitment",
        "2025-02-01",
        destination_org="NGO X",
    ),
    Flow("f3", "Donor C", "SDN-2025", "Health", D("900000"), "pledge", "2025-02-02"),
    Flow("f4", "Donor A", "SDN-2025", "", D("100000"), "paid", "2025-03-01", "flexible"),
    Flow("f5", "Donor D", "BGD-2025", "Food", D("2500000"), "paid", "2025-03-05"),
]


def by_key() -> dict[tuple[str, str], object]:
    return {(r.situation, r.sector): r for r in coverage(REQUIREMENTS, FLOWS)}


def test_gap_per_situation_and_sector() -> None:
    rows = by_key()
    health = rows[("SDN-2025", "Health")]
    assert health.funded == D("500000.50")  # type: ignore[attr-defined]
    assert health.pledged == D("900000")  # type: ignore[attr-defined]  # pledges are not funding
    assert health.gap == D("499999.50")  # type: ignore[attr-defined]
    assert health.coverage_pct == pytest.approx(50.00005)  # type: ignore[attr-defined]
    shelter = rows[("SDN-2025", "Shelter")]
    assert shelter.gap == D("500000") and shelter.coverage_pct == 0  # type: ignore[attr-defined]
    unspecified = rows[("SDN-2025", UNSPECIFIED)]
    assert unspecified.paid == D("100000") and unspecified.required == 0  # type: ignore[attr-defined]
    total = rows[("SDN-2025", "")]
    assert total.required == D("1500000") and total.funded == D("600000.50")  # type: ignore[attr-defined]
    food = rows[("BGD-2025", "Food")]
    assert food.gap == 0 and food.coverage_pct == 125.0  # type: ignore[attr-defined]  # overfunded: no negative gap


def test_duplicate_requirement_is_refused() -> None:
    with pytest.raises(InvalidInput, match="required twice"):
        coverage([*REQUIREMENTS, Requirement("SDN-2025", "Health", D(1))], [])


def test_csv_round_trip_with_hxl_tags() -> None:
    text = flows_to_csv(FLOWS)
    assert flows_from_csv(text) == FLOWS
    # libhxl reads the hashtag row: the file is valid HXL.
    dataset = hxl.data(list(csv.reader(io.StringIO(text))))
    assert "#value+funding+usd" in [column.display_tag for column in dataset.columns]
    assert flows_from_csv(flows_to_csv(FLOWS, hxl=False)) == FLOWS


def test_fts_json_round_trip() -> None:
    data = json.loads(json.dumps(flows_to_fts(FLOWS)))
    assert data["data"]["flows"][1]["destinationObjects"][0] == {"type": "Plan", "name": "SDN-2025"}
    assert flows_from_fts(data) == FLOWS


def test_malformed_csv_names_row_and_column() -> None:
    text = (
        flows_to_csv(FLOWS[:1])
        + "f9,Donor,,SDN-2025,Health,lots,paid,2025-01-01,\nf10,Donor,,SDN,Health,5,given,2025,\n"
    )
    with pytest.raises(InvalidFile) as caught:
        flows_from_csv(text, source="flows.csv")
    message = str(caught.value)
    assert (
        "flows.csv" in message and "row 4, column amount_usd" in message and "row 5, column status" in message
    )
