"""Bad input gets a clear error naming the state, field or row and saying how to fix it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from asylon.engines.fairshare.allocation import fair_share
from asylon.engines.fairshare.inputs import read_inputs_csv, table_from_facts
from asylon.engines.fairshare.key import compute_key
from asylon.engines.fairshare.keyfile import read_key_file, spec_from_mapping, spec_to_mapping
from asylon.engines.fairshare.model import Criterion, KeySpec, StateTable
from asylon.engines.fairshare.presets import PRESETS, pact_2024_pool
from asylon.errors import InvalidFile, InvalidInput


def message(exc: pytest.ExceptionInfo[InvalidInput]) -> str:
    return str(exc.value)


def test_unknown_iso_code_names_it_and_suggests() -> None:
    with pytest.raises(InvalidInput) as caught:
        fair_share("dublin-2016", total=10, states=["DEU", "FRQ", "XYZ"], year=2023)
    text = message(caught)
    assert "'FRQ'" in text and "'XYZ'" in text and "FRA" in text and "alpha-3" in text


def test_state_without_data_for_the_year_names_state_field_and_years() -> None:
    with pytest.raises(InvalidInput) as caught:
        fair_share("dublin-2016", total=10, states=["DEU", "IRN"], year=2024)
    text = message(caught)
    assert "no gdp_usd figure for 2024" in text and "DEU" in text and "IRN" in text
    assert "latest" in text  # says how to fix
    # With latest=True the 2023 GDP is used and recorded.
    result = fair_share("dublin-2016", total=10, states=["DEU", "IRN"], year=2024, latest=True)
    assert result.table.provenance["gdp_usd"]["IRN"] == "WB-WDI:NY.GDP.MKTP.CD 2023"


def test_weights_not_summing_to_one() -> None:
    spec = KeySpec("k", (Criterion("population", 0.5), Criterion("gdp_usd", 0.4)))
    table = StateTable(("AAA",), {"population": np.array([1.0]), "gdp_usd": np.array([1.0])})
    with pytest.raises(InvalidInput) as caught:
        compute_key(spec, table)
    text = message(caught)
    assert "weights sum to 0.9, not 1 (population=0.5, gdp_usd=0.4)" in text and "scale the weights" in text


def test_negative_total() -> None:
    with pytest.raises(InvalidInput) as caught:
        fair_share("dublin-2016", total=-3, states=["DEU", "FRA"], year=2023)
    assert "total is negative (-3)" in message(caught)


def test_malformed_inputs_csv_lists_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        "iso3,population,gdp_usd\nDEU,83000000,4.4e12\nFRX,1,2\nITA,59 million,2e12\nESP,48000000\nDEU,1,1\nPOL,-4,1\n"
    )
    with pytest.raises(InvalidFile) as caught:
        read_inputs_csv(path)
    text = str(caught.value)
    assert str(path) in text
    assert "row 3, column iso3: unknown country code 'FRX'" in text
    assert "row 4, column population: '59 million' is not a number" in text
    assert "row 5: has 2 fields but the header has 3" in text
    assert "row 6, column iso3: DEU appears twice" in text
    assert "row 7, column population" in text


@pytest.mark.parametrize(
    ("content", "text"),
    [
        ("", "the file is empty"),
        ("country,population\nDEU,1\n", "no iso3 column"),
        ("iso3,population\n", "no data rows"),
        ("iso3,population,population\nDEU,1,2\n", "column population appears twice"),
    ],
)
def test_malformed_inputs_csv_shapes(tmp_path: Path, content: str, text: str) -> None:
    path = tmp_path / "in.csv"
    path.write_text(content)
    with pytest.raises(InvalidFile) as caught:
        read_inputs_csv(path)
    assert text in str(caught.value)


def test_inputs_missing_a_key_column_not_shipped(tmp_path: Path) -> None:
    spec = spec_from_mapping({"criteria": [{"column": "reception_places", "weight": 1}]})
    with pytest.raises(InvalidInput) as caught:
        fair_share(spec, total=5, inputs=read_inputs_csv("x.csv", text="iso3,population\nDEU,1\n"))
    assert "no reception_places figure in the inputs" in message(
        caught
    ) and "add a reception_places column" in message(caught)


def test_user_column_key_with_inputs_csv() -> None:
    spec = spec_from_mapping(
        {"criteria": [{"column": "reception_places", "weight": 0.5}, {"column": "population", "weight": 0.5}]}
    )
    inputs = read_inputs_csv("x.csv", text="iso3,reception_places\nDEU,300\nFRA,100\n")
    result = fair_share(spec, total=100, inputs=inputs, year=2023)  # population comes from the shipped data
    assert result.allocation.allocated == 100
    assert result.table.provenance["population"]["FRA"] == "WB-WDI:SP.POP.TOTL 2023"
    assert result.table.provenance["reception_places"]["FRA"] == "x.csv row 3"


def test_inputs_override_shipped_figures() -> None:
    inputs = read_inputs_csv("x.csv", text="iso3,population\nDEU,1\n")
    result = fair_share("dublin-2016", total=10, states=["DEU", "FRA"], year=2023, inputs=inputs)
    assert result.table.values["population"][0] == 1.0
    assert result.table.values["population"][1] > 6e7


def test_key_file_errors_name_the_json_path(tmp_path: Path) -> None:
    path = tmp_path / "k.json"
    path.write_text('{"criteria": [{"column": "population", "weight": "0.5"}, {"weight": 0.5}]}')
    with pytest.raises(InvalidFile) as caught:
        read_key_file(path)
    text = str(caught.value)
    assert "criteria[0].weight" in text and "criteria[1].column" in text
    path.write_text("{not json")
    with pytest.raises(InvalidFile, match="not valid JSON"):
        read_key_file(path)


@pytest.mark.parametrize("name", list(PRESETS))
def test_presets_round_trip_through_key_files(name: str) -> None:
    spec = PRESETS[name].spec
    assert spec_from_mapping(spec_to_mapping(spec)) == spec


def test_zero_under_inversion_needs_a_floor() -> None:
    spec = KeySpec("k", (Criterion("unemployment_pct", 1.0, invert=True),))
    table = StateTable(("AAA", "BBB"), {"unemployment_pct": np.array([0.0, 5.0])})
    with pytest.raises(InvalidInput, match="AAA: unemployment_pct is 0 and the key inverts it"):
        compute_key(spec, table)


def test_shipped_columns_have_provenance() -> None:
    table = table_from_facts(["DEU"], 2024, ["refugees", "asylum_per_million", "refugees_per_million"])
    assert table.values["refugees"][0] == 2_749_266
    assert table.provenance["asylum_per_million"]["DEU"].endswith("2019-2023")


def test_pact_pool_minimums() -> None:
    table = StateTable(("AAA",), {"population": np.array([1.0]), "gdp_usd": np.array([1.0])})
    with pytest.raises(InvalidInput) as caught:
        pact_2024_pool(table, relocations=1000, money_eur=5)
    assert "30000" in str(caught.value) and "600000000" in str(caught.value)
