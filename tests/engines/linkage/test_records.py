from __future__ import annotations

import pandas as pd
import pytest

from asylon.engines.linkage.records import apply_column_map, check_columns, prepare, read_table
from asylon.errors import InvalidFile

from .conftest import registration_frame


def test_missing_columns_are_named_with_a_mapping_hint() -> None:
    frame = pd.DataFrame({"id": ["1"], "first_name": ["Ali"], "surname": ["Hassan"], "dob": ["1990"]})
    with pytest.raises(InvalidFile) as err:
        check_columns(frame, source="agency.csv")
    text = str(err.value)
    assert text.startswith("agency.csv: 4 problems")
    for hint in (
        "--map record_id=id",
        "--map given_name=first_name",
        "--map family_name=surname",
        "--map date_of_birth=dob",
    ):
        assert hint in text


def test_a_mapping_to_a_column_that_is_not_there_is_refused() -> None:
    frame = pd.DataFrame({"first_name": ["Ali"]})
    with pytest.raises(InvalidFile, match="no column 'forename'"):
        apply_column_map(frame, {"given_name": "forename"})
    with pytest.raises(InvalidFile, match="not a column linkage uses"):
        apply_column_map(frame, {"shoe_size": "first_name"})


def test_malformed_dates_are_all_reported_with_rows() -> None:
    frame = registration_frame(
        [
            ("1", "Ali", "Hassan", "31/02/1990"),
            ("2", "Omar", "Ali", "1990-13-01"),
            ("3", "Sara", "Ali", "1990-02-03"),
        ]
    )
    with pytest.raises(InvalidFile) as err:
        prepare(frame, source="f.csv")
    problems = err.value.problems
    assert [(p.row, p.field) for p in problems] == [(2, "date_of_birth"), (3, "date_of_birth")]
    assert "YYYY-MM-DD" in str(problems[0])


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("1", "Ali", "Hassan", "1990"), ("1", "Omar", "Ali", "1991")], "appears more than once"),
        ([("", "Ali", "Hassan", "1990")], "record_id is blank"),
        ([("1", "Ali", "Hassan", "1990", "X")], "not a sex code"),
    ],
)
def test_bad_rows_are_refused(rows: list[tuple[str, ...]], message: str) -> None:
    with pytest.raises(InvalidFile, match=message):
        prepare(registration_frame(rows))


@pytest.mark.parametrize(
    ("text", "precision", "coarse", "exact_text"),
    [
        ("1990-05-17", "exact", False, "1990-05-17"),
        ("1990-01-01", "jan1", True, None),
        ("1990", "year", True, None),
        ("~1990", "estimated", True, None),
        ("1990-05", "month", True, None),
        ("", None, False, None),
    ],
)
def test_dates_keep_their_precision(
    text: str, precision: str | None, coarse: bool, exact_text: str | None
) -> None:
    row = prepare(registration_frame([("1", "Ali", "Hassan", text)])).iloc[0]
    assert row["dob_precision"] == precision
    assert bool(row["dob_coarse"]) is coarse
    assert row["dob_text"] == exact_text


def test_names_are_keyed_across_scripts_and_households_link_members() -> None:
    frame = registration_frame(
        [
            ("1", "محمد", "الأحمد", "1980", "m", "syr", "حلب", "H1"),
            ("2", "Fatima", "Al-Ahmad", "1982", "female", "SYR", "Aleppo", "H1"),
            ("3", "Mohammed", "Alahmad", "1980", "M", "SYR", "", "H2"),
        ]
    )
    out = prepare(frame)
    assert out["given_key"].tolist() == ["mhmd", "ftm", "mhmd"]
    assert out["family_key"].nunique() == 1
    assert out["sex"].tolist() == ["M", "F", "M"]
    assert out["nationality"].tolist() == ["SYR"] * 3
    assert out["household_keys"].iloc[0] == ["ftm"] and out["household_keys"].iloc[2] is None


def test_read_table_names_the_file(tmp_path: object) -> None:
    with pytest.raises(InvalidFile, match=r"nope\.csv: file not found"):
        read_table("nope.csv")
