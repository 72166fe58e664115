"""Reading caseload files into validated case drafts, with every problem reported at once.

Rows are numbered as a spreadsheet shows them: the header is row 1 (and in HXL files the hashtag row is
row 2), so the first data row is row 2 (or 3). In JSON files the "row" is the position of the case in the
list (1-based) and the column a field path such as ``persons[2].date_of_birth``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import hxl
from pydantic import ValidationError

from asylon.errors import InvalidFile, Problem
from asylon.schemas.cases import CaseCreate
from asylon.services.interchange.columns import (
    BY_NAME,
    CASE_COLUMNS,
    COLUMNS,
    LIST_SEPARATOR,
    PERSON_COLUMNS,
    REQUIRED,
)

Format = Literal["csv", "hxl", "json"]
MAX_PROBLEMS = 1000


@dataclass(slots=True)
class ParsedCase:
    draft: CaseCreate
    first_row: int
    person_rows: list[int] = field(default_factory=list)


@dataclass(slots=True)
class _Group:
    first_row: int
    case_values: dict[str, str]
    persons: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def detect_format(content: bytes, filename: str = "") -> Format:
    head = content.lstrip()[:1]
    if filename.lower().endswith(".json") or head in (b"[", b"{"):
        return "json"
    text = content[:65536].decode("utf-8-sig", errors="replace")
    lines = text.splitlines()[:25]
    if any(cell.strip().startswith("#") for line in lines for cell in line.split(",")[:3]):
        return "hxl"
    return "csv"


def read_cases(
    content: bytes,
    *,
    filename: str = "upload",
    fmt: Format | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[ParsedCase]:
    """Parse and validate a whole file; raise :class:`InvalidFile` listing every problem, or return the cases."""
    fmt = fmt or detect_format(content, filename)
    problems: list[Problem] = []
    if fmt == "json":
        groups = _json_cases(content, problems)
        parsed = _validate_json(groups, problems, progress)
    else:
        rows = _hxl_rows(content, problems) if fmt == "hxl" else _csv_rows(content, problems)
        parsed = _validate_rows(_group(rows, problems), problems, progress) if not problems else []
    if problems:
        raise InvalidFile(filename, problems[:MAX_PROBLEMS])
    return parsed


def _decode(content: bytes, problems: list[Problem]) -> str | None:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(
            Problem(f"the file is not UTF-8 (byte {exc.start})", fix="save it as UTF-8 (CSV UTF-8 in spreadsheet programs)")
        )
        return None


def _check_header(header: Iterable[str], problems: list[Problem], *, row: int) -> None:
    names = list(header)
    unknown = [n for n in names if n and n not in BY_NAME]
    for name in unknown:
        problems.append(
            Problem(f"unknown column '{name}'", field=name, row=row, fix=f"use the columns {', '.join(BY_NAME)}")
        )
    for name in REQUIRED:
        if name not in names:
            problems.append(Problem(f"the required column '{name}' is missing", field=name, row=row,
                                    fix=f"add a column '{name}' ({BY_NAME[name].help})"))
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    for name in repeated:
        problems.append(Problem(f"column '{name}' appears more than once", field=name, row=row))


def _csv_rows(content: bytes, problems: list[Problem]) -> list[tuple[int, dict[str, str]]]:
    text = _decode(content, problems)
    if text is None:
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        problems.append(Problem("the file is empty", fix="the first row must name the columns"))
        return []
    _check_header(header, problems, row=1)
    if problems:
        return []
    rows = []
    try:
        for line_no, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(header):
                problems.append(Problem(f"the row has {len(values)} cells but the header names {len(header)}",
                                        row=line_no, fix="remove the extra cells or quote values that contain commas"))
                continue
            rows.append((line_no, {h: v.strip() for h, v in zip(header, values, strict=False) if h}))
    except csv.Error as exc:
        problems.append(Problem(f"the CSV cannot be read: {exc}", row=reader.line_num))
    return rows


def _hxl_rows(content: bytes, problems: list[Problem]) -> list[tuple[int, dict[str, str]]]:
    if _decode(content, problems) is None:
        return []
    try:
        dataset = hxl.data(io.BytesIO(content))
        columns = list(dataset.columns)
    except Exception as exc:  # libhxl raises a variety of its own and csv errors for unreadable input
        problems.append(Problem(f"not a readable HXL file: {exc}", fix="the file needs a row of HXL hashtags"))
        return []
    patterns = [(c.name, hxl.model.TagPattern.parse(c.hxl), len(c.hxl.split("+"))) for c in COLUMNS]
    names: list[str | None] = []
    for column in columns:
        matches = [(n, size) for n, pattern, size in patterns if column.tag and pattern.match(column)]
        names.append(max(matches, key=lambda m: m[1])[0] if matches else None)
    hashtag_row = _hashtag_row_number(content)
    for column, name in zip(columns, names, strict=True):
        if name is None and column.tag:
            problems.append(Problem(f"hashtag {column.display_tag} is not one asylon reads", field=column.display_tag,
                                    row=hashtag_row, fix="see docs/interchange.md for the hashtags"))
    _check_header([n for n in names if n], problems, row=hashtag_row)
    if problems:
        return []
    rows = []
    for offset, row in enumerate(dataset):
        values = {name: (value or "").strip() for name, value in zip(names, row.values, strict=False) if name}
        if any(values.values()):
            rows.append((hashtag_row + 1 + offset, values))
    return rows


def _hashtag_row_number(content: bytes) -> int:
    text = content[:65536].decode("utf-8-sig", errors="replace")
    for number, line in enumerate(csv.reader(io.StringIO(text)), start=1):
        if any(cell.strip().startswith("#") for cell in line):
            return number
    return 1


def _group(rows: list[tuple[int, dict[str, str]]], problems: list[Problem]) -> list[_Group]:
    groups: dict[str, _Group] = {}
    for row_no, values in rows:
        number = values.get("case_number", "")
        if not number:
            problems.append(Problem("case_number is empty", field="case_number", row=row_no,
                                    fix="every row needs the case number of its household"))
            continue
        case_values = {k: values.get(k, "") for k in CASE_COLUMNS}
        group = groups.get(number)
        if group is None:
            group = groups[number] = _Group(row_no, case_values)
        else:
            for key in CASE_COLUMNS:
                if values.get(key, "") and group.case_values[key] and values[key] != group.case_values[key]:
                    problems.append(Problem(
                        f"'{values[key]}' differs from '{group.case_values[key]}' on row {group.first_row} of the same case",
                        field=key, row=row_no, fix="case columns must be the same on every row of a case"))
                elif values.get(key, "") and not group.case_values[key]:
                    group.case_values[key] = values[key]
        group.persons.append((row_no, {k: values.get(k, "") for k in PERSON_COLUMNS}))
    return list(groups.values())


def _listify(name: str, value: str) -> Any:
    if BY_NAME[name].is_list:
        return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]
    return value


def _draft_from_group(group: _Group) -> dict[str, Any]:
    data: dict[str, Any] = {k: _listify(k, v) for k, v in group.case_values.items() if v != ""}
    data["persons"] = [{k: _listify(k, v) for k, v in person.items() if v != ""} for _, person in group.persons]
    return data


def _message(error: Any) -> str:
    message = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if error["type"] in {"enum", "literal_error"}:
        message = f"'{error.get('input')}' is not allowed; {message.lower()}"
    return message


def _validate_rows(
    groups: list[_Group], problems: list[Problem], progress: Callable[[int, int], None] | None
) -> list[ParsedCase]:
    parsed = []
    for index, group in enumerate(groups):
        try:
            draft = CaseCreate.model_validate(_draft_from_group(group))
            parsed.append(ParsedCase(draft, group.first_row, [r for r, _ in group.persons]))
        except ValidationError as exc:
            for error in exc.errors():
                loc = error["loc"]
                row, column = group.first_row, None
                if loc and loc[0] == "persons" and len(loc) >= 2 and isinstance(loc[1], int):
                    row = group.persons[loc[1]][0]
                    column = str(loc[2]) if len(loc) > 2 else None
                elif loc:
                    column = str(loc[0])
                value = error.get("input") if column else None
                problems.append(Problem(_message(error), field=column, row=row,
                                        value=None if isinstance(value, dict | list) else _short(value)))
        if len(problems) >= MAX_PROBLEMS:
            break
        if progress and index % 500 == 0:
            progress(index, len(groups))
    return parsed


def _short(value: Any) -> str | None:
    return None if value is None else str(value)[:80]


def _json_cases(content: bytes, problems: list[Problem]) -> list[Any]:
    text = _decode(content, problems)
    if text is None:
        return []
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.append(Problem(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"))
        return []
    cases = document.get("cases") if isinstance(document, dict) else document
    if not isinstance(cases, list):
        problems.append(Problem("expected a list of cases, or an object with a 'cases' list"))
        return []
    return cases


def _validate_json(
    cases: list[Any], problems: list[Problem], progress: Callable[[int, int], None] | None
) -> list[ParsedCase]:
    parsed = []
    for index, raw in enumerate(cases, start=1):
        try:
            draft = CaseCreate.model_validate(raw)
            parsed.append(ParsedCase(draft, index))
        except ValidationError as exc:
            for error in exc.errors():
                path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"]).lstrip(".")
                problems.append(Problem(_message(error), field=path or None, row=index))
        if len(problems) >= MAX_PROBLEMS:
            break
        if progress and index % 500 == 0:
            progress(index, len(cases))
    return parsed
