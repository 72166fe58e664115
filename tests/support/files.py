"""Caseload files for tests, made with the same writer the export uses."""

from __future__ import annotations

from typing import Any

from asylon.demo.world import generate_world
from asylon.services.interchange.columns import COLUMNS


def demo_rows(households: int, *, seed: int = 11) -> list[dict[str, str]]:
    """One dict per person, keyed by column name, for ``households`` generated households."""
    rows = []
    for _, case in generate_world(seed=seed, households=households).households:
        case = dict(case)
        case.pop("situation", None)
        for person in case["persons"]:
            merged: dict[str, Any] = {k: v for k, v in case.items() if k != "persons"} | person
            rows.append({c.name: _cell(merged.get(c.name)) for c in COLUMNS})
    return rows


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(value)
    return str(value)


def to_csv(rows: list[dict[str, str]], *, hxl: bool = False) -> bytes:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c.name for c in COLUMNS])
    if hxl:
        writer.writerow([c.hxl for c in COLUMNS])
    for row in rows:
        writer.writerow([row[c.name] for c in COLUMNS])
    return buffer.getvalue().encode()
