"""ICAO Doc 9303 TD3 machine-readable zone (passport-size books, incl. Convention Travel Documents).

Two lines of 44 characters. Check digits use weights 7, 3, 1 over digit values, letters A=10…Z=35 and ``<`` = 0
(Doc 9303 Part 3 §4.9). Refugees under the 1951 Convention carry nationality code ``XXB``; stateless persons ``XXA``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from asylon.errors import InvalidInput, Problem

__all__ = ["MrzFields", "check_digit", "format_td3", "mrz_name", "parse_td3"]

NATIONALITY_REFUGEE_1951 = "XXB"
NATIONALITY_STATELESS = "XXA"
_WEIGHTS = (7, 3, 1)
_ALLOWED = re.compile(r"^[A-Z0-9<]*$")


def _value(c: str) -> int:
    if c.isdigit():
        return ord(c) - 48
    if "A" <= c <= "Z":
        return ord(c) - 55
    if c == "<":
        return 0
    raise InvalidInput(Problem(f"character {c!r} cannot appear in a machine-readable zone"))


def check_digit(field: str) -> str:
    """ICAO 9303 check digit of a field.

    >>> check_digit("L898902C3"), check_digit("740812"), check_digit("120415")
    ('6', '2', '9')
    """
    return str(sum(_value(c) * _WEIGHTS[i % 3] for i, c in enumerate(field)) % 10)


def _field(value: str, width: int, name: str) -> str:
    value = value.upper().replace(" ", "<")
    if not _ALLOWED.match(value):
        raise InvalidInput(Problem("may hold only A–Z, 0–9 and '<'", field=name, value=value))
    if len(value) > width:
        raise InvalidInput(Problem(f"is longer than {width} characters", field=name, value=value))
    return value.ljust(width, "<")


def _transliterate(text: str) -> str:
    # Doc 9303 Part 3 §6 recommends transliteration tables per script; NFKD removal of diacritics covers the Latin
    # cases (É→E); other scripts must be given already transliterated, and anything left becomes a filler.
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().upper()
    plain = plain.replace("'", "")
    return re.sub(r"[^A-Z]+", "<", plain).strip("<")


def mrz_name(surname: str, given_names: str, width: int = 39) -> str:
    """The name field: ``SURNAME<<GIVEN<NAMES`` padded or truncated to ``width``.

    >>> mrz_name("Eriksson", "Anna María")
    'ERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<'
    """
    name = _transliterate(surname)
    given = _transliterate(given_names)
    if given:
        name = f"{name}<<{given}"
    return name[:width].ljust(width, "<")


def _yymmdd(d: date) -> str:
    return d.strftime("%y%m%d")


@dataclass(frozen=True, slots=True)
class MrzFields:
    document_code: str
    issuing_state: str
    name: str
    document_number: str
    nationality: str
    birth_date: str
    """YYMMDD, as printed; ``<`` for unknown parts."""
    sex: str
    expiry_date: str
    personal_number: str


def format_td3(
    *,
    issuing_state: str,
    surname: str,
    given_names: str,
    document_number: str,
    nationality: str,
    birth_date: date,
    sex: str,
    expiry_date: date,
    personal_number: str = "",
    document_code: str = "P",
) -> tuple[str, str]:
    """The two lines of a TD3 MRZ with correct check digits.

    >>> l1, l2 = format_td3(issuing_state="UTO", surname="Eriksson", given_names="Anna Maria",
    ...     document_number="L898902C3", nationality="UTO", birth_date=date(1974, 8, 12), sex="F",
    ...     expiry_date=date(2012, 4, 15), personal_number="ZE184226B")
    >>> l2
    'L898902C36UTO7408122F1204159ZE184226B<<<<<10'
    """
    if sex not in ("M", "F", "X", "<"):
        raise InvalidInput(Problem("sex must be M, F, X or <", field="sex", value=sex))
    line1 = _field(document_code, 2, "document_code") + _field(issuing_state, 3, "issuing_state")
    line1 += mrz_name(surname, given_names)
    number = _field(document_number, 9, "document_number")
    personal = _field(personal_number, 14, "personal_number")
    dob, exp = _yymmdd(birth_date), _yymmdd(expiry_date)
    personal_cd = check_digit(personal) if personal.strip("<") else "<"
    part_number = number + check_digit(number)
    part_dob = dob + check_digit(dob)
    part_exp = exp + check_digit(exp)
    part_personal = personal + personal_cd
    composite = check_digit(part_number + part_dob + part_exp + part_personal)
    line2 = (
        part_number
        + _field(nationality, 3, "nationality")
        + part_dob
        + sex.replace("X", "<")
        + part_exp
        + part_personal
        + composite
    )
    return line1, line2


def parse_td3(line1: str, line2: str) -> MrzFields:
    """Parse and check a TD3 MRZ; raise :class:`InvalidInput` naming each wrong check digit."""
    problems: list[Problem] = []
    if len(line1) != 44 or len(line2) != 44:
        raise InvalidInput(Problem("each TD3 line must be 44 characters", value=f"{len(line1)}/{len(line2)}"))
    for n, line in ((1, line1), (2, line2)):
        if not _ALLOWED.match(line):
            raise InvalidInput(Problem(f"line {n} holds characters other than A–Z, 0–9 and '<'"))
    checks = [
        ("document_number", line2[0:9], line2[9]),
        ("birth_date", line2[13:19], line2[19]),
        ("expiry_date", line2[21:27], line2[27]),
    ]
    personal = line2[28:42]
    if personal.strip("<") or line2[42] not in ("<", "0"):
        checks.append(("personal_number", personal, line2[42]))
    checks.append(("composite", line2[0:10] + line2[13:20] + line2[21:43], line2[43]))
    for name, data, digit in checks:
        if check_digit(data) != digit:
            problems.append(
                Problem(
                    f"check digit {digit} is wrong (should be {check_digit(data)})",
                    field=f"mrz.{name}",
                    value=data,
                )
            )
    if problems:
        raise InvalidInput(problems)
    return MrzFields(
        document_code=line1[0:2].rstrip("<"),
        issuing_state=line1[2:5],
        name=line1[5:],
        document_number=line2[0:9].rstrip("<"),
        nationality=line2[10:13],
        birth_date=line2[13:19],
        sex=line2[20],
        expiry_date=line2[21:27],
        personal_number=personal.rstrip("<"),
    )
