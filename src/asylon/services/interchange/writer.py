"""Writing caseload files in exactly the shape :mod:`.reader` reads (round trip)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from asylon.schemas.cases import CaseCreate, CasePublic
from asylon.services.interchange.columns import COLUMNS, LIST_SEPARATOR
from asylon.services.interchange.reader import Format

_CASE_FIELDS = set(CaseCreate.model_fields) - {"persons"}


def case_document(case: CasePublic) -> dict[str, Any]:
    """The case as the JSON import reads it: registration data only, no workflow state."""
    data = case.model_dump(mode="json", include=_CASE_FIELDS)
    data["persons"] = []
    for person in case.persons:
        values = person.model_dump(mode="json", exclude={"dob_precision", "destination", "voluntariness_declared_at", "erased"})
        data["persons"].append({k: v for k, v in values.items() if v not in (None, [])})
    return {k: v for k, v in data.items() if v not in (None, [])} | {"persons": data["persons"]}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return str(value)


def case_rows(case: CasePublic) -> Iterator[list[str]]:
    document = case_document(case)
    for person in document["persons"]:
        merged = document | person
        yield [_cell(merged.get(column.name)) for column in COLUMNS]


def write_cases(cases: Iterable[CasePublic], fmt: Format) -> Iterator[str]:
    """Yield the file in chunks, so an export of any size streams without being held in memory."""
    if fmt == "json":
        yield '{"cases": [\n'
        for index, case in enumerate(cases):
            yield ("" if index == 0 else ",\n") + json.dumps(case_document(case), ensure_ascii=False)
        yield "\n]}\n"
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c.name for c in COLUMNS])
    if fmt == "hxl":
        writer.writerow([c.hxl for c in COLUMNS])
    for case in cases:
        for row in case_rows(case):
            writer.writerow(row)
        if buffer.tell() > 65536:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
