"""The engine's public names are a deliberate list: adding or removing one is a visible change."""

from __future__ import annotations

import asylon.engines.fairshare as fairshare
from asylon.data import facts


def test_fairshare_public_api_is_pinned() -> None:
    assert set(fairshare.__all__) == {
        "METHODS", "PRESETS", "SHIPPED_COLUMNS", "Allocation", "Cap", "CorrectiveResult", "CoverageRow",
        "Criterion", "EffortRecord", "EffortRow", "FairShare", "Flow", "KeyResult", "KeySpec", "Method",
        "PactPool", "Pledge", "PledgeEvent", "Preset", "Requirement", "StateTable", "allocate",
        "allowed_events", "apply", "apportion", "build_table", "chart_rows", "compare", "compute_key",
        "corrective_allocation", "coverage", "dhondt", "fair_share", "flows_from_csv", "flows_from_fts",
        "flows_to_csv", "flows_to_fts", "hamilton", "independent", "new_pledge", "pact_2024_pool", "preset",
        "read_inputs_csv", "read_key_file", "records_from_facts", "replay", "resolve_key", "sainte_lague",
        "spec_from_mapping", "spec_to_mapping", "states_with_data", "table_from_facts",
    }  # fmt: skip
    for name in fairshare.__all__:
        assert hasattr(fairshare, name), name


def test_facts_public_api_is_pinned() -> None:
    for name in (
        "country_facts",
        "facts_for_year",
        "hosted_by_asylum_country",
        "available_years",
        "countries",
    ):
        assert name in facts.__all__ and callable(getattr(facts, name))
