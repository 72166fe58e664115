"""Grech (2017) Table 1: the engine reproduces his uncapped and capped key columns for 32 EU/EFTA states.

Tolerances (the table prints 4 decimals, and its inputs are rounded: shares to 4 decimals, asylum
applicants per million to integers):

- capped key and capped effects, cap reading "mean" (30% of the mean of population and GDP shares):
  within 0.0001 for every state (largest difference measured: 0.000074);
- uncapped key: within 0.0002 (largest: 0.00016, Portugal, whose 48 applicants per million are rounded
  to ±1%);
- pure unemployment effect: within 0.0001; pure asylum effect: within 0.0001 + 1% (the integer inputs again).

The other cap reading, 30% of (population share + GDP share), misses the capped key by more than 0.003.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from asylon.engines.fairshare.allocation import fair_share
from asylon.engines.fairshare.inputs import read_inputs_csv
from asylon.engines.fairshare.key import compute_key
from asylon.engines.fairshare.model import StateTable
from asylon.engines.fairshare.presets import ec_2015_relocation, eu_agenda_2015

DATA = Path(__file__).parent / "data" / "grech2017_table1_eu_efta32_inputs.csv"
PAPER_TO_ISO3 = {
    "DK": "DNK", "FI": "FIN", "SK": "SVK", "NO": "NOR", "IE": "IRL", "HR": "HRV", "LT": "LTU", "SL": "SVN",
    "LV": "LVA", "EE": "EST", "CY": "CYP", "LU": "LUX", "MT": "MLT", "IS": "ISL", "LI": "LIE", "DE": "DEU",
    "FR": "FRA", "UK": "GBR", "IT": "ITA", "ES": "ESP", "PL": "POL", "RO": "ROU", "NL": "NLD", "BE": "BEL",
    "GR": "GRC", "CZ": "CZE", "PT": "PRT", "HU": "HUN", "SE": "SWE", "AU": "AUT", "CH": "CHE", "BG": "BGR",
}  # fmt: skip


def load() -> tuple[StateTable, dict[str, np.ndarray]]:
    with DATA.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    states = tuple(PAPER_TO_ISO3[r["state_code_as_in_paper"]] for r in rows)

    def col(name: str) -> np.ndarray:
        return np.array([float(r[name]) for r in rows])

    table = StateTable(
        states,
        {
            "population": col("pop_share"),
            "gdp_usd": col("gdp_share"),
            "unemployment_pct": col("unemployment_rate_pct_jul2015"),
            "asylum_per_million": col("asylum_applicants_per_million_avg_2010_2014"),
        },
    )
    expected = {name: col(name) for name in rows[0] if name != "state_code_as_in_paper"}
    return table, expected


def test_capped_key_matches_table_1_with_the_mean_reading() -> None:
    table, expected = load()
    result = compute_key(ec_2015_relocation(cap_reading="mean"), table)
    asylum, unemployment = result.criteria[2], result.criteria[3]
    assert np.abs(unemployment.effective - expected["unemployment_effect_capped"]).max() <= 1e-4
    assert np.abs(asylum.effective - expected["asylum_effect_capped"]).max() <= 1e-4
    assert np.abs(result.shares - expected["total_share_with_cap"]).max() <= 1e-4
    assert result.shares.sum() == pytest.approx(1.0, abs=1e-12)


def test_uncapped_key_matches_table_1() -> None:
    table, expected = load()
    result = compute_key(eu_agenda_2015(), table)
    assert np.abs(result.shares - expected["total_share_without_cap"]).max() <= 2e-4
    unemployment, asylum = result.criteria[3], result.criteria[2]
    assert np.abs(unemployment.pure - expected["pure_unemployment_effect"]).max() <= 1e-4
    assert np.allclose(asylum.pure, expected["pure_asylum_effect"], rtol=0.01, atol=1e-4)
    base = (
        table.values["population"] / table.values["population"].sum()
        + table.values["gdp_usd"] / table.values["gdp_usd"].sum()
    ) / 2
    assert np.abs(base - expected["base_share"]).max() <= 1e-4


def test_the_sum_reading_does_not_reproduce_table_1() -> None:
    table, expected = load()
    result = compute_key(ec_2015_relocation(cap_reading="sum"), table)
    assert np.abs(result.shares - expected["total_share_with_cap"]).max() > 3e-3


def test_same_result_through_an_inputs_csv(tmp_path: Path) -> None:
    """The CLI path: Grech's inputs written as an inputs CSV, the preset by name, no shipped data needed."""
    table, expected = load()
    path = tmp_path / "grech.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["iso3", *table.values])
        for i, state in enumerate(table.states):
            writer.writerow([state, *(table.values[c][i] for c in table.values)])
    result = fair_share("ec-2015-relocation", total=160_000, inputs=read_inputs_csv(path))
    assert np.abs(result.key.shares - expected["total_share_with_cap"]).max() <= 1e-4
    assert result.allocation.allocated == 160_000
    assert result.table.provenance["population"]["DNK"] == f"{path} row 2"
