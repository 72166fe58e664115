"""Distribution keys written by users as JSON files.

::

    {
      "name": "my key",
      "criteria": [
        {"column": "population", "weight": 0.5},
        {"column": "gdp_usd", "weight": 0.3},
        {"column": "unemployment_pct", "weight": 0.2, "invert": true,
         "cap": {"fraction": 0.3, "of": ["population", "gdp_usd"], "reading": "mean"}}
      ],
      "redistribute": {"population": 0.5, "gdp_usd": 0.5}
    }

Any column works: one the shipped data provides or one the inputs CSV supplies.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, cast

from asylon.engines.fairshare.key import validate_spec
from asylon.engines.fairshare.model import Cap, CapReading, Criterion, KeySpec
from asylon.errors import InvalidFile, InvalidInput, Problem, ProblemCollector

__all__ = ["read_key_file", "spec_from_mapping", "spec_to_mapping"]


def _number(value: Any, where: str, problems: ProblemCollector, default: float | None = None) -> float:
    if value is None and default is not None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        problems.add(f"{value!r} is not a number", field=where, fix="write a number such as 0.4")
        return math.nan
    return float(value)


def spec_from_mapping(data: Any, *, source: str = "key") -> KeySpec:
    """Build and validate a :class:`KeySpec` from parsed JSON; every problem is named by its JSON path.

    >>> spec_from_mapping({"criteria": [{"column": "population", "weight": 1}]}).name
    'key'
    """
    problems = ProblemCollector()
    if not isinstance(data, dict):
        problems.add("the key must be a JSON object", fix='start with {"criteria": [...]}')
        problems.raise_if_any(source)
    criteria_data = data.get("criteria")
    if not isinstance(criteria_data, list) or not criteria_data:
        problems.add(
            "needs a non-empty list", field="criteria", fix='add e.g. [{"column": "population", "weight": 1}]'
        )
        problems.raise_if_any(source)
    criteria: list[Criterion] = []
    for i, item in enumerate(cast(list[Any], criteria_data)):
        where = f"criteria[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("column"), str) or not item["column"]:
            problems.add(
                "needs a column name", field=f"{where}.column", fix='e.g. {"column": "population", ...}'
            )
            continue
        unknown = set(item) - {"column", "weight", "invert", "cap", "invert_floor", "label"}
        if unknown:
            problems.add(f"unknown field(s) {', '.join(sorted(unknown))}", field=where)
        cap: Cap | None = None
        if item.get("cap") is not None:
            cap_data = item["cap"]
            if not isinstance(cap_data, dict):
                problems.add("must be an object", field=f"{where}.cap", fix='e.g. {"fraction": 0.3}')
            else:
                reading = cap_data.get("reading", "mean")
                if reading not in ("mean", "sum"):
                    problems.add(f"{reading!r} is not mean or sum", field=f"{where}.cap.reading")
                of = cap_data.get("of", ["population", "gdp_usd"])
                if not isinstance(of, list) or not all(isinstance(c, str) for c in of) or not of:
                    problems.add("must be a list of column names", field=f"{where}.cap.of")
                    of = ["population", "gdp_usd"]
                cap = Cap(
                    fraction=_number(cap_data.get("fraction"), f"{where}.cap.fraction", problems, 0.3),
                    of=tuple(of),
                    reading=cast(CapReading, reading if reading in ("mean", "sum") else "mean"),
                )
        floor = item.get("invert_floor")
        criteria.append(
            Criterion(
                column=item["column"],
                weight=_number(item.get("weight"), f"{where}.weight", problems),
                invert=bool(item.get("invert", False)),
                cap=cap,
                invert_floor=None if floor is None else _number(floor, f"{where}.invert_floor", problems),
                label=str(item.get("label", "")),
            )
        )
    redistribute = data.get("redistribute", {"population": 0.5, "gdp_usd": 0.5})
    if not isinstance(redistribute, dict):
        problems.add("must map columns to weights", field="redistribute")
        redistribute = {"population": 0.5, "gdp_usd": 0.5}
    redistribution = {str(k): _number(v, f"redistribute.{k}", problems) for k, v in redistribute.items()}
    problems.raise_if_any(source)
    spec = KeySpec(str(data.get("name", "key")), tuple(criteria), redistribution)
    try:
        validate_spec(spec)
    except InvalidInput as exc:
        raise InvalidFile(source, exc.problems) from None
    return spec


def read_key_file(path: str | Path) -> KeySpec:
    """Read a JSON key file (see the module docstring)."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidFile(
            name, Problem("file not found", fix="give a preset name or the path of a JSON key file")
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidFile(
            name,
            Problem(
                f"not valid JSON ({exc.msg})", row=exc.lineno, fix="check the brackets, commas and quotes"
            ),
        ) from None
    return spec_from_mapping(data, source=name)


def spec_to_mapping(spec: KeySpec) -> dict[str, Any]:
    """The JSON form of a spec (the inverse of :func:`spec_from_mapping`)."""
    criteria: list[dict[str, Any]] = []
    for c in spec.criteria:
        item: dict[str, Any] = {"column": c.column, "weight": c.weight}
        if c.invert:
            item["invert"] = True
        if c.invert_floor is not None:
            item["invert_floor"] = c.invert_floor
        if c.cap is not None:
            item["cap"] = {"fraction": c.cap.fraction, "of": list(c.cap.of), "reading": c.cap.reading}
        if c.label:
            item["label"] = c.label
        criteria.append(item)
    return {"name": spec.name, "criteria": criteria, "redistribute": dict(spec.redistribute)}
