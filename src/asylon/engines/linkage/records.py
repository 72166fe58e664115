"""Registration records as linkage reads them: required columns, checks, and derived comparison columns.

A register is a table with one row per person record. The preset needs four columns and uses four more
when present (see :data:`REQUIRED` and :data:`OPTIONAL`). Other columns pass through untouched.

:func:`prepare` checks a table and adds the columns the comparisons use (name keys that ignore script and
transliteration, the date of birth split by precision, household co-member names). Every problem in the
whole table is reported at once, each with its row and column and how to fix it.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Hashable, Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from asylon.domain.dates import DateError, DatePrecision, PartialDate
from asylon.domain.names import name_key, romanise
from asylon.errors import InvalidFile, InvalidInput, Problem

__all__ = [
    "OPTIONAL",
    "REQUIRED",
    "prepare",
    "read_table",
]

REQUIRED: dict[str, str] = {
    "record_id": "the organisation's identifier of the record (unique in the file)",
    "given_name": "given name(s), in any script or spelling",
    "family_name": "family name (or father's and grandfather's names where that is the custom)",
    "date_of_birth": "YYYY-MM-DD, YYYY-MM, YYYY, or ~YYYY for an estimate; blank if unknown",
}
OPTIONAL: dict[str, str] = {
    "sex": "F or M (female/male accepted); blank if unknown",
    "nationality": "ISO 3166-1 alpha-3 code, e.g. SYR",
    "place_of_birth": "town or district, any script",
    "household_id": "identifier of the household (case) in this file; links family members",
}

# Common names for the same column in other systems, used to suggest a mapping.
_ALIASES: dict[str, tuple[str, ...]] = {
    "record_id": ("id", "rec_id", "unique_id", "individual_id", "person_id", "progres_id"),
    "given_name": ("first_name", "forename", "firstname", "given_names", "name"),
    "family_name": ("surname", "last_name", "lastname", "family_names"),
    "date_of_birth": ("dob", "birth_date", "birthdate", "date_birth"),
    "sex": ("gender",),
    "nationality": ("country_of_origin", "citizenship", "origin"),
    "place_of_birth": ("birth_place", "pob", "birthplace"),
    "household_id": ("case_id", "family_id", "group_id", "hh_id"),
}

_SEX = {"f": "F", "female": "F", "w": "F", "m": "M", "male": "M"}

# Exact dates on 1 January are, in registration data, mostly a placeholder for "born that year".
JAN1 = "jan1"


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV (or Parquet) register as text columns, naming the file in any error.

    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "r.csv")
    >>> _ = open(p, "w").write("record_id,given_name\\n1,Ali\\n")
    >>> read_table(p).loc[0, "given_name"]
    'Ali'
    """
    p = Path(path)
    if not p.exists():
        raise InvalidFile(str(p), "file not found")
    try:
        if p.suffix.lower() == ".parquet":
            frame = pd.read_parquet(p).astype("string")
        else:
            frame = pd.read_csv(p, dtype=str, keep_default_na=False, na_values=[], encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, OSError) as exc:
        raise InvalidFile(
            str(p), f"cannot be read as a table ({exc}); save it as UTF-8 CSV with a header row"
        ) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _missing_column_problem(column: str, present: Iterable[str], *, role: str) -> Problem:
    present = list(present)
    lowered = {c.lower(): c for c in present}
    guess = next((lowered[a] for a in _ALIASES.get(column, ()) if a in lowered), None)
    if guess is None:
        close = difflib.get_close_matches(column, present, n=1, cutoff=0.6)
        guess = close[0] if close else None
    hint = (
        f"map your column to it, e.g. --map {column}={guess}"
        if guess
        else f"add a column '{column}' or map yours with --map {column}=<your column>"
    )
    return Problem(
        f"missing {role} column '{column}' ({REQUIRED.get(column) or OPTIONAL.get(column)})",
        field=column,
        fix=hint,
    )


def check_columns(frame: pd.DataFrame, *, source: str = "input", need: Iterable[str] = REQUIRED) -> None:
    """Refuse a table that lacks a column the preset needs, naming the column and how to map it.

    >>> check_columns(pd.DataFrame(columns=["record_id", "first_name", "surname", "dob"]))
    Traceback (most recent call last):
    ...
    asylon.errors.InvalidFile: input: 3 problems: field given_name: missing required column 'given_name' (given name(s), in any script or spelling); map your column to it, e.g. --map given_name=first_name; ...
    """
    problems = [
        _missing_column_problem(c, frame.columns, role="required") for c in need if c not in frame.columns
    ]
    if problems:
        raise InvalidFile(source, problems)


def apply_column_map(
    frame: pd.DataFrame, mapping: Mapping[str, str], *, source: str = "input"
) -> pd.DataFrame:
    """Rename the caller's columns to ours (``{"given_name": "first_name"}`` reads first_name as given_name)."""
    problems = [
        Problem(
            f"--map {ours}={theirs}: there is no column '{theirs}'",
            field=theirs,
            fix=f"columns in the file: {', '.join(map(str, frame.columns))}",
        )
        for ours, theirs in mapping.items()
        if theirs not in frame.columns
    ]
    unknown = [ours for ours in mapping if ours not in REQUIRED and ours not in OPTIONAL]
    problems += [
        Problem(
            f"--map {o}=...: '{o}' is not a column linkage uses",
            field=o,
            fix=f"use one of {', '.join([*REQUIRED, *OPTIONAL])}",
        )
        for o in unknown
    ]
    if problems:
        raise InvalidFile(source, problems)
    return frame.rename(columns={theirs: ours for ours, theirs in mapping.items()})


@lru_cache(maxsize=1_000_000)
def _name_parts(text: str) -> tuple[str, str, tuple[str, ...]]:
    key = name_key(text)
    return romanise(text).lower(), key.replace(" ", ""), tuple(key.split())


@lru_cache(maxsize=200_000)
def _parse_date(text: str) -> PartialDate | None:
    return PartialDate.parse(text) if text else None


def _text(series: pd.Series) -> pd.Series:
    return series.fillna("").astype(str).str.strip()


def _cached_map(values: pd.Series, fn: Callable[[str], Any]) -> list[Any]:
    uniques = pd.unique(values.to_numpy())
    lookup = {u: fn(u) for u in uniques}
    return [lookup[v] for v in values.to_numpy()]


def prepare(frame: pd.DataFrame, *, source: str = "input") -> pd.DataFrame:
    """Check a register and add the derived columns the preset compares.

    Raises :class:`~asylon.errors.InvalidFile` listing every problem (missing columns with a suggested
    mapping, duplicate or blank record ids, unreadable dates or sex codes). A record without a name is
    kept: it can still be linked on its other fields, only weakly.

    >>> df = pd.DataFrame({"record_id": ["1"], "given_name": ["محمد"], "family_name": ["Al-Ahmad"],
    ...                    "date_of_birth": ["1990"]})
    >>> row = prepare(df).iloc[0]
    >>> row["given_key"], row["dob_precision"], row["dob_year"]
    ('mhmd', 'year', 1990)
    """
    check_columns(frame, source=source)
    out = pd.DataFrame(index=frame.index)
    problems: list[Problem] = []
    rows = np.arange(len(frame)) + 2  # as a spreadsheet shows them: header is row 1

    ids = _text(frame["record_id"])
    for pos in np.flatnonzero((ids == "").to_numpy())[:1000]:
        problems.append(
            Problem(
                "record_id is blank", field="record_id", row=int(rows[pos]), fix="give every record an id"
            )
        )
    dup = ids.duplicated(keep="first") & (ids != "")
    for pos in np.flatnonzero(dup.to_numpy())[:1000]:
        problems.append(
            Problem(
                f"record_id '{ids.iat[pos]}' appears more than once",
                field="record_id",
                row=int(rows[pos]),
                value=str(ids.iat[pos]),
                fix="record ids must be unique within a file",
            )
        )
    out["unique_id"] = ids.to_numpy()

    given = _text(frame["given_name"])
    family = _text(frame["family_name"])
    for col, values in (("given", given), ("family", family)):
        parts = _cached_map(values, _name_parts)
        out[f"{col}_name"] = values.to_numpy()
        out[f"{col}_rom"] = [p[0] or None for p in parts]
        out[f"{col}_key"] = [p[1] or None for p in parts]
        out[f"{col}_tokens"] = [list(p[2]) for p in parts]
    out["given_first"] = [t[0] if t else None for t in out["given_tokens"]]
    for col in ("given_tokens", "family_tokens"):
        out[col] = [t or None for t in out[col]]

    _add_dates(out, _text(frame["date_of_birth"]), rows, problems)

    if "sex" in frame.columns:
        sex = _text(frame["sex"]).str.lower()
        mapped = sex.map(_SEX)
        bad = (sex != "") & mapped.isna()
        for pos in np.flatnonzero(bad.to_numpy())[:1000]:
            problems.append(
                Problem(
                    f"'{frame['sex'].iat[pos]}' is not a sex code",
                    field="sex",
                    row=int(rows[pos]),
                    value=str(frame["sex"].iat[pos]),
                    fix="use F or M, or leave blank",
                )
            )
        out["sex"] = mapped.astype(object).where(mapped.notna(), None).to_numpy()
    else:
        out["sex"] = None
    if "nationality" in frame.columns:
        nat = _text(frame["nationality"]).str.upper()
        out["nationality"] = nat.where(nat != "", None).to_numpy()
    else:
        out["nationality"] = None
    if "place_of_birth" in frame.columns:
        place = _text(frame["place_of_birth"])
        keys = _cached_map(place, lambda t: _name_parts(t)[1] if t else "")
        out["place_key"] = [k or None for k in keys]
    else:
        out["place_key"] = None
    if "household_id" in frame.columns:
        out["household_keys"] = _household_keys(_text(frame["household_id"]), out)
        # The co-members as one value: lets EM train on "same given name, same household" pairs.
        out["household_sig"] = [" ".join(k) if k else None for k in out["household_keys"]]
    else:
        out["household_keys"] = None
        out["household_sig"] = None
    if problems:
        raise InvalidFile(source, problems)
    return out.reset_index(drop=True)


def _add_dates(out: pd.DataFrame, dob: pd.Series, rows: np.ndarray, problems: list[Problem]) -> None:
    def parse(text: str) -> PartialDate | str | None:
        try:
            return _parse_date(text)
        except DateError as exc:
            return str(exc)

    parsed = _cached_map(dob, parse)
    year: list[int | None] = []
    month: list[int | None] = []
    day: list[int | None] = []
    precision: list[str | None] = []
    text: list[str | None] = []
    for pos, value in enumerate(parsed):
        if isinstance(value, str):
            problems.append(
                Problem(
                    value,
                    field="date_of_birth",
                    row=int(rows[pos]),
                    value=str(dob.iat[pos]),
                    fix="fix the date, or leave it blank if unknown",
                )
            )
            value = None
        if value is None:
            for column in (year, month, day, precision, text):
                column.append(None)
            continue
        year.append(value.year)
        month.append(value.month)
        day.append(value.day)
        prec = value.precision.value
        if value.precision is DatePrecision.EXACT and value.month == 1 and value.day == 1:
            prec = JAN1
        precision.append(prec)
        text.append(str(value) if prec == DatePrecision.EXACT.value else None)
    out["dob_year"] = pd.array(year, dtype="Int64")
    out["dob_month"] = pd.array(month, dtype="Int64")
    out["dob_day"] = pd.array(day, dtype="Int64")
    out["dob_precision"] = precision
    out["dob_text"] = text
    # A date whose day is unknown or conventional: only its year is evidence.
    out["dob_coarse"] = [p is not None and p != "exact" for p in precision]


def _household_keys(household: pd.Series, out: pd.DataFrame) -> list[list[str]]:
    """For each record, the given-name keys of the other members of its household in the same file."""
    members: dict[Hashable, list[int]] = {}
    for pos, hh in enumerate(household.to_numpy()):
        if hh:
            members.setdefault(hh, []).append(pos)
    given = out["given_first"].to_numpy()
    result: list[list[str]] = [[] for _ in range(len(out))]
    for positions in members.values():
        if (
            len(positions) < 2 or len(positions) > 30
        ):  # a "household" of hundreds is a camp block, not a family
            continue
        keys = [given[p] for p in positions]
        for i, p in enumerate(positions):
            result[p] = sorted({k for j, k in enumerate(keys) if j != i and k})
    # Splink's null level reads "no household information" from NULL, not from an empty list.
    return [r or None for r in result]  # type: ignore[misc]


def require_nonempty(frame: pd.DataFrame, *, source: str) -> None:
    """A file without records cannot be linked; say so rather than report zero matches."""
    if len(frame) == 0:
        raise InvalidInput(Problem(f"{source} has no records", fix="check that the right file was given"))
