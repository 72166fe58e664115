"""ICAO 9303 TD3 machine-readable zones."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asylon.engines.ledger.mrz import check_digit, format_td3, mrz_name, parse_td3
from asylon.errors import InvalidInput

# The specimen of ICAO Doc 9303 Part 4 (a fictitious holder of the fictitious state Utopia).
SPECIMEN = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")


@pytest.mark.parametrize(
    ("field", "digit"),
    [
        ("L898902C3", "6"),
        ("740812", "2"),
        ("120415", "9"),
        ("ZE184226B<<<<<", "1"),
        ("<<<<<<", "0"),
        ("AAAAAA", "0"),
    ],
)
def test_check_digits(field: str, digit: str) -> None:
    assert check_digit(field) == digit


def test_icao_specimen_is_reproduced_and_parsed() -> None:
    lines = format_td3(
        issuing_state="UTO",
        surname="Eriksson",
        given_names="Anna Maria",
        document_number="L898902C3",
        nationality="UTO",
        birth_date=date(1974, 8, 12),
        sex="F",
        expiry_date=date(2012, 4, 15),
        personal_number="ZE184226B",
    )
    assert lines == SPECIMEN
    fields = parse_td3(*SPECIMEN)
    assert (fields.document_number, fields.birth_date, fields.expiry_date) == (
        "L898902C3",
        "740812",
        "120415",
    )


@pytest.mark.parametrize(
    ("pos", "field"), [(9, "document_number"), (19, "birth_date"), (27, "expiry_date"), (43, "composite")]
)
def test_wrong_check_digit_is_named(pos: int, field: str) -> None:
    line2 = SPECIMEN[1]
    wrong = str((int(line2[pos]) + 1) % 10)
    with pytest.raises(InvalidInput, match=f"mrz.{field}"):
        parse_td3(SPECIMEN[0], line2[:pos] + wrong + line2[pos + 1 :])


@pytest.mark.parametrize(
    ("surname", "given", "want"),
    [
        ("Al-Hassan", "Nour", "AL<HASSAN<<NOUR"),
        ("O'Neil", "Siobhán", "ONEIL<<SIOBHAN"),
        ("Nguyễn", "Thị Minh", "NGUYEN<<THI<MINH"),
    ],
)
def test_names_are_transliterated(surname: str, given: str, want: str) -> None:
    assert mrz_name(surname, given).rstrip("<") == want


@settings(max_examples=100, derandomize=True)
@given(
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=9),
    st.dates(min_value=date(1930, 1, 1), max_value=date(2029, 12, 31)),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
    st.sampled_from(["M", "F", "X"]),
)
def test_generated_zones_parse_back(number: str, born: date, expiry: date, sex: str) -> None:
    l1, l2 = format_td3(
        issuing_state="DEU",
        surname="Example",
        given_names="Test",
        document_number=number,
        nationality="XXB",
        birth_date=born,
        sex=sex,
        expiry_date=expiry,
    )
    assert len(l1) == len(l2) == 44
    f = parse_td3(l1, l2)
    assert f.document_number == number and f.birth_date == born.strftime("%y%m%d") and f.nationality == "XXB"
