"""Funding coverage and gaps per situation and sector, and funding flows in FTS-style and HXL CSV form.

A *requirement* is what an appeal (response plan) asks for one situation and sector. A *flow* is money
from a source organisation to a situation (and sector, when known), with a status as in OCHA's Financial
Tracking Service: ``pledge``, ``commitment`` or ``paid``. As FTS does, **funding = commitments + paid**;
pledges are shown apart and do not count as funding. Flows without a sector count towards the situation as
"unspecified" (FTS: "Multiple sectors / unspecified"), never towards a sector's coverage.

    >>> from decimal import Decimal as D
    >>> rows = coverage([Requirement("SDN-2025", "Health", D(100))],
    ...                 [Flow("f1", "Donor A", "SDN-2025", "Health", D(30), "paid", "2025-02-01")])
    >>> rows[0].funded, rows[0].gap, rows[0].coverage_pct
    (Decimal('30'), Decimal('70'), 30.0)

The FTS-style JSON follows the shape of the FTS public API's ``flows`` objects (``amountUSD``, ``status``,
``date``, ``sourceObjects`` / ``destinationObjects`` with ``type`` Organization / Plan / GlobalCluster); it is
a compatible subset, not a full FTS record.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from asylon.errors import InvalidFile, InvalidInput, Problem, ProblemCollector

__all__ = [
    "FLOW_COLUMNS",
    "FLOW_HXL_TAGS",
    "UNSPECIFIED",
    "CoverageRow",
    "Flow",
    "FlowStatus",
    "Requirement",
    "coverage",
    "flows_from_csv",
    "flows_from_fts",
    "flows_to_csv",
    "flows_to_fts",
]

FlowStatus = Literal["pledge", "commitment", "paid"]
FLOW_STATUSES: tuple[FlowStatus, ...] = ("pledge", "commitment", "paid")
UNSPECIFIED = "Multiple sectors / unspecified"


@dataclass(frozen=True, slots=True)
class Requirement:
    situation: str
    sector: str
    amount_usd: Decimal


@dataclass(frozen=True, slots=True)
class Flow:
    id: str
    source: str
    situation: str
    sector: str
    amount_usd: Decimal
    status: FlowStatus
    date: str
    description: str = ""
    destination_org: str = ""


@dataclass(frozen=True, slots=True)
class CoverageRow:
    """One situation and sector (``sector`` = ``""`` for the situation's total)."""

    situation: str
    sector: str
    required: Decimal
    pledged: Decimal
    committed: Decimal
    paid: Decimal

    @property
    def funded(self) -> Decimal:
        return self.committed + self.paid

    @property
    def gap(self) -> Decimal:
        return max(self.required - self.funded, Decimal(0))

    @property
    def coverage_pct(self) -> float | None:
        return float(self.funded / self.required * 100) if self.required > 0 else None

    def as_dict(self) -> dict[str, object]:
        return {
            "situation": self.situation,
            "sector": self.sector,
            "required_usd": str(self.required),
            "pledged_usd": str(self.pledged),
            "committed_usd": str(self.committed),
            "paid_usd": str(self.paid),
            "funded_usd": str(self.funded),
            "gap_usd": str(self.gap),
            "coverage_pct": self.coverage_pct,
        }


def coverage(requirements: Sequence[Requirement], flows: Iterable[Flow]) -> list[CoverageRow]:
    """Per situation and sector, then one total row per situation (``sector=""``), sorted by situation.

    A requirement listed twice for the same situation and sector is refused (one appeal line each).
    """
    problems = ProblemCollector()
    required: dict[tuple[str, str], Decimal] = {}
    for i, r in enumerate(requirements):
        if (r.situation, r.sector) in required:
            problems.add(
                f"{r.situation} / {r.sector} is required twice",
                field=f"requirements[{i}]",
                fix="give one requirement per situation and sector",
            )
        if r.amount_usd < 0:
            problems.add(
                f"{r.situation} / {r.sector}: negative requirement", field=f"requirements[{i}].amount_usd"
            )
        required[(r.situation, r.sector)] = r.amount_usd
    sums: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for flow in flows:
        if flow.amount_usd < 0:
            problems.add(f"flow {flow.id}: negative amount", field="amount_usd", value=flow.id)
        if flow.status not in FLOW_STATUSES:
            problems.add(
                f"flow {flow.id}: unknown status {flow.status!r}",
                field="status",
                fix="pledge, commitment or paid",
            )
        sector = flow.sector if (flow.situation, flow.sector) in required else UNSPECIFIED
        sums[(flow.situation, sector)][flow.status] += flow.amount_usd
    problems.raise_if_any()
    keys = sorted(set(required) | set(sums))
    rows: list[CoverageRow] = []
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 4)
    for situation, sector in keys:
        got = sums.get((situation, sector), {})
        row = CoverageRow(
            situation,
            sector,
            required.get((situation, sector), Decimal(0)),
            got.get("pledge", Decimal(0)),
            got.get("commitment", Decimal(0)),
            got.get("paid", Decimal(0)),
        )
        rows.append(row)
        t = totals[situation]
        totals[situation] = [t[0] + row.required, t[1] + row.pledged, t[2] + row.committed, t[3] + row.paid]
    for situation, (req, pledged, committed, paid) in sorted(totals.items()):
        rows.append(CoverageRow(situation, "", req, pledged, committed, paid))
    rows.sort(key=lambda r: (r.situation, r.sector == "", r.sector))
    return rows


FLOW_COLUMNS = (
    "id",
    "source",
    "destination_org",
    "situation",
    "sector",
    "amount_usd",
    "status",
    "date",
    "description",
)
FLOW_HXL_TAGS = (
    "#meta+id",
    "#org+funder",
    "#org+impl",
    "#crisis+code",
    "#sector",
    "#value+funding+usd",
    "#status",
    "#date",
    "#description",
)


def flows_to_csv(flows: Iterable[Flow], *, hxl: bool = True) -> str:
    """CSV with a header row and, by default, an HXL hashtag row under it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FLOW_COLUMNS)
    if hxl:
        writer.writerow(FLOW_HXL_TAGS)
    for f in flows:
        writer.writerow(
            [
                f.id,
                f.source,
                f.destination_org,
                f.situation,
                f.sector,
                str(f.amount_usd),
                f.status,
                f.date,
                f.description,
            ]
        )
    return out.getvalue()


def flows_from_csv(text: str, *, source: str = "flows.csv") -> list[Flow]:
    """Read :func:`flows_to_csv` output (HXL row optional); every problem names its row and column."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    problems = ProblemCollector()
    if header is None or [h.strip() for h in header] != list(FLOW_COLUMNS):
        raise InvalidFile(
            source, Problem(f"header is {header}", row=1, fix=f"use the columns {','.join(FLOW_COLUMNS)}")
        )
    flows: list[Flow] = []
    for number, row in enumerate(reader, start=2):
        if number == 2 and row and row[0].startswith("#"):
            continue  # HXL hashtag row
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(FLOW_COLUMNS):
            problems.add(f"has {len(row)} fields, expected {len(FLOW_COLUMNS)}", row=number)
            continue
        values = dict(zip(FLOW_COLUMNS, (c.strip() for c in row), strict=True))
        try:
            amount = Decimal(values["amount_usd"])
            if not amount.is_finite() or amount < 0:
                raise InvalidOperation
        except InvalidOperation:
            problems.add(
                f"{values['amount_usd']!r} is not an amount",
                row=number,
                field="amount_usd",
                fix="write e.g. 1500000.00",
            )
            continue
        if values["status"] not in FLOW_STATUSES:
            problems.add(
                f"{values['status']!r} is not a status",
                row=number,
                field="status",
                fix="use pledge, commitment or paid",
            )
            continue
        if not values["id"]:
            problems.add("no id", row=number, field="id", fix="give each flow an id")
            continue
        flows.append(
            Flow(
                id=values["id"],
                source=values["source"],
                situation=values["situation"],
                sector=values["sector"],
                amount_usd=amount,
                status=values["status"],  # checked against FLOW_STATUSES above
                date=values["date"],
                description=values["description"],
                destination_org=values["destination_org"],
            )
        )
    problems.raise_if_any(source)
    return flows


def flows_to_fts(flows: Iterable[Flow]) -> dict[str, Any]:
    """FTS-style ``{"data": {"flows": [...]}}`` (amounts as strings to keep every cent)."""
    items: list[dict[str, Any]] = []
    for f in flows:
        destination: list[dict[str, str]] = [{"type": "Plan", "name": f.situation}]
        if f.sector:
            destination.append({"type": "GlobalCluster", "name": f.sector})
        if f.destination_org:
            destination.append({"type": "Organization", "name": f.destination_org})
        items.append(
            {
                "id": f.id,
                "amountUSD": str(f.amount_usd),
                "status": f.status,
                "date": f.date,
                "description": f.description,
                "flowType": "Standard",
                "sourceObjects": [{"type": "Organization", "name": f.source}],
                "destinationObjects": destination,
            }
        )
    return {"data": {"flows": items}}


def flows_from_fts(data: Any) -> list[Flow]:
    """Read FTS-style flows (the output of :func:`flows_to_fts`, or an FTS API response's subset)."""
    try:
        items = data["data"]["flows"]
        if not isinstance(items, list):
            raise TypeError
    except (KeyError, TypeError):
        raise InvalidInput(
            Problem("not FTS-style flows", field="data.flows", fix='expect {"data": {"flows": [...]}}')
        ) from None
    problems = ProblemCollector()
    flows: list[Flow] = []
    for i, item in enumerate(items):
        where = f"data.flows[{i}]"
        try:
            amount = Decimal(str(item["amountUSD"]))
            status = item["status"]
            if status not in FLOW_STATUSES:
                problems.add(f"status {status!r}", field=f"{where}.status", fix="pledge, commitment or paid")
                continue

            def named(objects: list[dict[str, str]], kind: str) -> str:
                return next((o["name"] for o in objects if o.get("type") == kind), "")

            destination = item.get("destinationObjects", [])
            flows.append(
                Flow(
                    id=str(item["id"]),
                    source=named(item.get("sourceObjects", []), "Organization"),
                    situation=named(destination, "Plan"),
                    sector=named(destination, "GlobalCluster"),
                    amount_usd=amount,
                    status=status,
                    date=str(item.get("date", "")),
                    description=str(item.get("description", "")),
                    destination_org=named(destination, "Organization"),
                )
            )
        except (KeyError, TypeError, InvalidOperation) as exc:
            problems.add(
                f"unreadable flow ({exc!r})", field=where, fix="each flow needs id, amountUSD and status"
            )
    problems.raise_if_any()
    return flows
