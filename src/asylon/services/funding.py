"""Appeals (plans) with requirements by sector, funding coverage and gaps per situation and sector, and funding
flows exchanged as CSV, HXL-tagged CSV and FTS-style JSON.

Coverage is computed from stored data only: requirements from the appeals, funding from the replayed state of
each financial pledge (:func:`asylon.services.pledges.replayed`), in USD at the pledge's rate. As OCHA's FTS
counts it, funding = committed + paid; what is pledged but not committed is shown apart. Who may create and
change appeals, and who may import, is set out in :mod:`asylon.services.pledges`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from asylon.db.base import utcnow
from asylon.db.models import Appeal, AppealEvent, AppealRequirement, PledgeRow, Situation
from asylon.domain.organisations import Role
from asylon.engines.fairshare import (
    CoverageRow,
    Flow,
    Pledge,
    PledgeEvent,
    Requirement,
    coverage,
    flows_from_csv,
    flows_from_fts,
    flows_to_csv,
    flows_to_fts,
    new_pledge,
    replay,
)
from asylon.errors import (
    Conflict,
    InvalidFile,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Problem,
    ProblemCollector,
    RuleRefused,
)
from asylon.schemas.pledges import (
    AppealCreate,
    AppealEventPublic,
    AppealPublic,
    CoveragePublic,
    RequirementPublic,
    RequirementSet,
)
from asylon.services.actors import Actor
from asylon.services.pledges import (
    PledgeView,
    appeal_by_code,
    append_event,
    can_change,
    find_appeal,
    find_situation,
    list_pledges,
    parties,
    plain_amount,
    pledge_query,
    replayed,
    resolve_pledgers,
    sector_problem,
)

__all__ = [
    "FLOW_FORMATS",
    "ImportResult",
    "appeal_event_public",
    "appeal_events",
    "appeal_public",
    "coverage_public",
    "create_appeal",
    "export_flows",
    "funding_coverage",
    "get_appeal",
    "import_flows",
    "list_appeals",
    "list_situations",
    "pledge_flows",
    "set_requirement",
]

FlowFormat = Literal["csv", "hxl", "fts"]
FLOW_FORMATS: tuple[FlowFormat, ...] = ("csv", "hxl", "fts")
_STATUS_PARTS = ("pledge", "commitment", "paid")
_PARTS_SEPARATOR = ":"  # references never contain it (schemas.fields.Reference), so flow ids split cleanly


# ---------------------------------------------------------------- appeals


def create_appeal(session: Session, *, actor: Actor, data: AppealCreate) -> Appeal:
    """An appeal (plan) for a situation and year with requirements by sector (admins only)."""
    actor.require(Role.ADMIN, "creating an appeal")
    situation = find_situation(session, data.situation)
    if session.scalar(select(Appeal.id).where(Appeal.code == data.code)) is not None:
        raise Conflict(f"an appeal '{data.code}' already exists")
    appeal = Appeal(
        code=data.code,
        situation=situation,
        name=data.name,
        year=data.year,
        description=data.description,
        organisation_id=actor.organisation_id,
    )
    appeal.requirements = [AppealRequirement(sector=r.sector, amount_usd=r.amount_usd) for r in data.requirements]
    session.add(appeal)
    session.flush()
    _appeal_event(session, actor, appeal, "created", {
        "situation": situation.code,
        "year": data.year,
        "requirements": {r.sector: str(r.amount_usd) for r in data.requirements},
    })
    return appeal


def _appeal_event(session: Session, actor: Actor, appeal: Appeal, kind: str, data: dict[str, object],
                  reason: str = "") -> None:
    session.add(AppealEvent(appeal_id=appeal.id, organisation_id=actor.organisation_id, actor_user_id=actor.user_id,
                            kind=kind, data=data, reason=reason))


def set_requirement(session: Session, *, actor: Actor, data: RequirementSet) -> Appeal:
    """Set one sector's requirement (admins of the appeal's organisation); the old and new amounts are an event."""
    actor.require(Role.ADMIN, "changing an appeal's requirements")
    appeal = find_appeal(session, data.appeal)
    if appeal.organisation_id != actor.organisation_id:
        raise PermissionDenied(
            f"appeal {appeal.code} is changed only by admins of the organisation that created it"
        )
    existing = next((r for r in appeal.requirements if r.sector == data.sector), None)
    before = existing.amount_usd if existing else None
    if existing is None:
        appeal.requirements.append(AppealRequirement(sector=data.sector, amount_usd=data.amount_usd))
    else:
        existing.amount_usd = data.amount_usd
        existing.updated_at = utcnow()
    _appeal_event(session, actor, appeal, "requirement",
                  {"sector": data.sector, "before": None if before is None else str(before),
                   "after": str(data.amount_usd)}, data.reason)
    session.flush()
    return appeal


def list_appeals(session: Session, *, actor: Actor, situation: str | None = None, year: int | None = None) -> list[Appeal]:
    query = (
        select(Appeal)
        .options(selectinload(Appeal.requirements), selectinload(Appeal.situation), selectinload(Appeal.organisation))
        .order_by(Appeal.code)
    )
    if situation is not None:
        query = query.where(Appeal.situation_id == find_situation(session, situation).id)
    if year is not None:
        query = query.where(Appeal.year == year)
    return list(session.scalars(query))


def list_situations(session: Session, *, actor: Actor) -> list[Situation]:
    """Every situation, by code: the context appeals and pledges belong to (every organisation reads them)."""
    return list(session.scalars(select(Situation).order_by(Situation.code)))


def get_appeal(session: Session, *, actor: Actor, code: str) -> Appeal:
    appeal = appeal_by_code(session, code)
    if appeal is None:
        raise NotFound("appeal", code)
    return appeal


def appeal_events(session: Session, *, actor: Actor, code: str) -> list[AppealEvent]:
    appeal = get_appeal(session, actor=actor, code=code)
    query = (
        select(AppealEvent)
        .where(AppealEvent.appeal_id == appeal.id)
        .options(selectinload(AppealEvent.organisation))
        .order_by(AppealEvent.id)
    )
    return list(session.scalars(query))


# ---------------------------------------------------------------- funding: flows and coverage


def _last_date(view: PledgeView, kinds: Iterable[str]) -> str:
    wanted = set(kinds)
    dates = [e.at.date().isoformat() for e in view.row.events if e.kind in wanted]
    return dates[-1] if dates else view.row.created_at.date().isoformat()


def pledge_flows(view: PledgeView) -> list[Flow]:
    """A financial pledge as FTS-style flows in USD: the paid part, the committed-but-unpaid part, and the
    pledged-but-uncommitted part (each only when not zero), with ids ``<reference>:paid`` and so on.

    A cancelled or closed pledge keeps only what was paid: the rest will not come.
    """
    row, state = view.row, view.state
    if row.type != "financial" or row.usd_rate is None:
        return []
    rate = row.usd_rate
    ended = state.status in ("cancelled", "closed")
    parts = {
        "paid": state.paid,
        "commitment": Decimal(0) if ended else state.committed - state.paid,
        "pledge": Decimal(0) if ended else state.pledged - state.committed,
    }
    dates = {"paid": ("pay",), "commitment": ("commit", "adjust"), "pledge": ("pledge", "adjust")}
    source = "; ".join(p.name for p in row.parties)
    return [
        Flow(
            id=f"{row.reference}{_PARTS_SEPARATOR}{status}",
            source=source,
            situation=row.situation.code if row.situation else "",
            sector=row.sector,
            amount_usd=(amount * rate).normalize() + Decimal(0),
            status=status,  # type: ignore[arg-type]
            date=_last_date(view, dates[status]),
            description=row.title,
        )
        for status, amount in parts.items()
        if amount > 0
    ]


def funding_coverage(
    session: Session, *, actor: Actor, situation: str | None = None, appeal: str | None = None
) -> list[CoverageRow]:
    """Required, pledged, committed, paid and the gap per situation and sector, from stored appeals and pledges.

    With ``appeal``, only that appeal's requirements and the pledges that name it; otherwise requirements are
    summed over the situation's appeals.
    """
    requirements_q = select(Appeal).options(selectinload(Appeal.requirements), selectinload(Appeal.situation))
    pledges_q = pledge_query().where(PledgeRow.type == "financial")
    if appeal is not None:
        chosen = find_appeal(session, appeal)
        requirements_q = requirements_q.where(Appeal.id == chosen.id)
        pledges_q = pledges_q.where(PledgeRow.appeal_id == chosen.id)
    elif situation is not None:
        found = find_situation(session, situation)
        requirements_q = requirements_q.where(Appeal.situation_id == found.id)
        pledges_q = pledges_q.where(PledgeRow.situation_id == found.id)
    else:
        pledges_q = pledges_q.where(PledgeRow.situation_id.is_not(None))
    summed: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for a in session.scalars(requirements_q):
        for r in a.requirements:
            summed[(a.situation.code, r.sector)] += r.amount_usd
    requirements = [Requirement(s, sector, amount) for (s, sector), amount in sorted(summed.items())]
    flows = [f for row in session.scalars(pledges_q) for f in pledge_flows(replayed(row))]
    return coverage(requirements, flows)


def export_flows(
    session: Session, *, actor: Actor, format: str = "csv", situation: str | None = None
) -> str:
    """Financial pledges as flows: ``csv`` (plain), ``hxl`` (with the HXL hashtag row) or ``fts`` (JSON)."""
    if format not in FLOW_FORMATS:
        raise InvalidInput(Problem(f"unknown format '{format}'", field="format", fix="use csv, hxl or fts"))
    views = list_pledges(session, actor=actor, situation=situation, type="financial")
    flows = [f for v in views for f in pledge_flows(v)]
    if format == "fts":
        return json.dumps(flows_to_fts(flows), indent=2, ensure_ascii=False) + "\n"
    return flows_to_csv(flows, hxl=format == "hxl")


@dataclass(frozen=True, slots=True)
class ImportResult:
    filename: str
    format: str
    flows: int
    pledges: int
    created: int
    updated: int
    unchanged: int


@dataclass(slots=True)
class _Group:
    reference: str
    where: str
    source: str
    situation: str
    sector: str
    description: str
    date: str
    parts: dict[str, Decimal]

    @property
    def target(self) -> tuple[Decimal, Decimal, Decimal]:
        paid = self.parts.get("paid", Decimal(0))
        committed = paid + self.parts.get("commitment", Decimal(0))
        return committed + self.parts.get("pledge", Decimal(0)), committed, paid


def _read_flows(content: bytes, filename: str, fmt: str | None) -> tuple[str, list[Flow], list[str]]:
    """The flows and, for each, where it is in the file (``row 4`` or ``data.flows[2]``)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidFile(filename, Problem("the file is not UTF-8 text", fix="save it as UTF-8 CSV or JSON")) from None
    if fmt is None:
        fmt = "fts" if filename.lower().endswith(".json") or text.lstrip().startswith("{") else "csv"
    if fmt not in FLOW_FORMATS:
        raise InvalidInput(Problem(f"unknown format '{fmt}'", field="format", fix="use csv, hxl or fts"))
    if fmt == "fts":
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidFile(
                filename,
                Problem(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", fix="send FTS-style JSON flows"),
            ) from None
        try:
            flows = flows_from_fts(document)
        except InvalidInput as exc:
            raise InvalidFile(filename, exc.problems) from None
        return fmt, flows, [f"data.flows[{i}]" for i in range(len(flows))]
    flows = flows_from_csv(text, source=filename)
    # flows_from_csv skips the header, an HXL row and blank lines; find each flow's row the same way.
    rows: list[str] = []
    for number, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
        if number == 1 or not any(c.strip() for c in cells) or (number == 2 and cells and cells[0].startswith("#")):
            continue
        rows.append(f"row {number}")
    return fmt, flows, rows


def _group_flows(flows: Sequence[Flow], where: Sequence[str], filename: str) -> list[_Group]:
    problems = ProblemCollector()
    groups: dict[str, _Group] = {}
    seen: set[str] = set()
    for flow, place in zip(flows, where, strict=True):
        row = int(place.split()[1]) if place.startswith("row ") else None
        field = None if row is not None else place
        if flow.id in seen:
            problems.add(f"flow id '{flow.id}' appears twice", row=row, field=field or "id", fix="give each flow its own id")
            continue
        seen.add(flow.id)
        reference, _, part = flow.id.rpartition(_PARTS_SEPARATOR)
        if not reference or part not in _STATUS_PARTS:
            reference, part = flow.id, flow.status
        if part != flow.status:
            problems.add(
                f"flow '{flow.id}' is named as the {part} part but has status {flow.status}",
                row=row,
                field=field or "status",
                fix=f"use status {part}, or an id without ':{part}'",
            )
            continue
        if not flow.situation:
            problems.add("no situation", row=row, field=field or "situation", fix="give the situation code of each flow")
            continue
        group = groups.get(reference)
        if group is None:
            groups[reference] = _Group(
                reference, place, flow.source, flow.situation, flow.sector, flow.description, flow.date, {}
            )
            group = groups[reference]
        elif (group.source, group.situation, group.sector) != (flow.source, flow.situation, flow.sector):
            problems.add(
                f"flow '{flow.id}' belongs to pledge '{reference}' ({group.where}) but names another source,"
                " situation or sector",
                row=row,
                field=field,
                fix="give every part of one pledge the same source, situation and sector",
            )
            continue
        if part in group.parts:
            problems.add(f"pledge '{reference}' has two {part} flows", row=row, field=field, fix="merge them into one")
            continue
        group.parts[part] = flow.amount_usd
    problems.raise_if_any(filename)
    return list(groups.values())


def _events_towards(state: Pledge, target: tuple[Decimal, Decimal, Decimal], note: str) -> list[PledgeEvent]:
    """The events that move a stored pledge to the amounts a file states (never undoing a payment)."""
    pledged, committed, paid = target
    events: list[PledgeEvent] = []
    if state.status == "pledged" and committed > 0:
        if committed > state.pledged:
            events.append(PledgeEvent("adjust", amount=committed, target="pledged", note=note))
        events.append(PledgeEvent("commit", amount=committed, note=note))
    elif committed != state.committed:
        events.append(PledgeEvent("adjust", amount=committed, note=note))
    pledged_after = max(state.pledged, committed) if committed != state.committed else state.pledged
    if pledged != pledged_after:
        events.append(PledgeEvent("adjust", amount=pledged, target="pledged", note=note))
    if paid > state.paid:
        events.append(PledgeEvent("pay", amount=paid - state.paid, note=note))
    return events


def import_flows(
    session: Session, *, actor: Actor, content: bytes, filename: str, fmt: str | None = None
) -> ImportResult:
    """Read flows (CSV, HXL or FTS-style JSON) into pledges, idempotent by the pledge's own reference.

    The flows ``<ref>:pledge``, ``<ref>:commitment`` and ``<ref>:paid`` (as :func:`export_flows` writes them)
    make one pledge; a flow with any other id is a pledge of its own. A new reference becomes a financial USD
    pledge with ``pledge``, ``commit`` and ``pay`` events; a known one gets the events that bring it to the
    file's amounts (an adjustment names the file as its reason), or none when it already matches. A file that
    would lower what was paid is refused. Every row is checked before anything is written; on any problem
    nothing is.
    """
    actor.require(Role.CASEWORKER, "importing pledges")
    fmt, flows, where = _read_flows(content, filename, fmt)
    groups = _group_flows(flows, where, filename)
    problems = ProblemCollector()
    situations = {s.code: s for s in session.scalars(select(Situation).where(Situation.code.in_({g.situation for g in groups})))}
    existing = {
        r.reference: r
        for r in session.scalars(
            pledge_query().where(PledgeRow.reference.in_([g.reference for g in groups])).with_for_update(of=PledgeRow)
        )
    }
    plans: list[tuple[_Group, PledgeRow | None, list[PledgeEvent]]] = []
    for group in groups:
        row_no = int(group.where.split()[1]) if group.where.startswith("row ") else None
        field_prefix = "" if row_no is not None else f"{group.where}."
        situation = situations.get(group.situation)
        if situation is None:
            problems.add(
                f"unknown situation '{group.situation}'",
                row=row_no,
                field=f"{field_prefix}situation",
                value=group.situation,
                fix="create the situation first, or correct its code",
            )
            continue
        sector = (sector_problem(session, situation, group.sector, field=f"{field_prefix}sector", row=row_no)
                  if group.sector else None)
        if sector is not None:
            problems.problems.append(sector)
            continue
        if len(group.reference) > 64 or not group.reference[:1].isalnum():
            problems.add(
                f"'{group.reference}' cannot be a pledge reference",
                row=row_no,
                field=f"{field_prefix}id",
                fix="use letters, digits, '.', '_', '/', '-' (at most 64)",
            )
            continue
        note = f"imported from {filename} {group.where}"
        row = existing.get(group.reference)
        if row is None:
            pledged, committed, paid = group.target
            events = [PledgeEvent("pledge", amount=pledged, note=note)]
            if committed > 0:
                events.append(PledgeEvent("commit", amount=committed, note=note))
            if paid > 0:
                events.append(PledgeEvent("pay", amount=paid, note=note))
            plans.append((group, None, events))
            continue
        if row.type != "financial" or row.unit != "USD":
            problems.add(
                f"pledge '{row.reference}' is a {row.type} pledge in {row.unit}; flows are money in USD",
                row=row_no,
                field=f"{field_prefix}id",
                fix="give the flow another id",
            )
            continue
        if (row.situation.code if row.situation else "") != group.situation or row.sector != group.sector:
            problems.add(
                f"pledge '{row.reference}' is for {row.situation.code if row.situation else '-'} / {row.sector or '-'},"
                f" the file says {group.situation} / {group.sector or '-'}",
                row=row_no,
                field=f"{field_prefix}situation",
                fix="a pledge's situation and sector do not change; give the flow another id",
            )
            continue
        state = replayed(row).state
        if group.target[2] < state.paid:
            problems.add(
                f"pledge '{row.reference}': the file says {group.target[2]} paid, {state.paid} is already recorded",
                row=row_no,
                field=f"{field_prefix}amount_usd",
                fix="payments are never undone by an import; correct the file",
            )
            continue
        events = _events_towards(state, group.target, note)
        if events and not can_change(row, actor):
            # Re-importing another organisation's pledge unchanged is fine (a shared file); changing it is not.
            problems.add(
                f"pledge '{row.reference}' belongs to another organisation and the file changes it",
                row=row_no,
                field=f"{field_prefix}id",
                fix="leave it out; only its recorder or pledgers change it",
            )
            continue
        plans.append((group, row, events))
    problems.raise_if_any(filename)

    created = updated = unchanged = 0
    source = f"import {filename}"
    for group, row, events in plans:
        try:
            if row is None:
                pledgers = [p.strip() for p in group.source.split(";") if p.strip()] or ["(unknown)"]
                resolved = resolve_pledgers(session, pledgers)
                state = replay(new_pledge(group.reference, "financial", [n for n, _ in resolved], "USD"), events)
                row = PledgeRow(
                    reference=group.reference,
                    type="financial",
                    unit="USD",
                    usd_rate=Decimal(1),
                    title=group.description,
                    situation=situations[group.situation],
                    sector=group.sector,
                    year=int(group.date[:4]) if group.date[:4].isdigit() else dt.date.today().year,
                    organisation_id=actor.organisation_id,
                )
                row.parties = parties(resolved)
                session.add(row)
                created += 1
            elif events:
                replay(replayed(row).state, events)
                updated += 1
            else:
                unchanged += 1
                continue
        except RuleRefused as exc:
            # A file whose amounts the lifecycle refuses is a problem with that row of the file.
            raise InvalidFile(filename, Problem(f"{group.where}: {exc.message}", fix="correct the amounts")) from None
        for event in events:
            append_event(session, actor, row, event, source=source)
            session.flush()
    return ImportResult(filename, fmt, len(flows), len(groups), created, updated, unchanged)



# ---------------------------------------------------------------- public shapes


def appeal_event_public(event: AppealEvent) -> AppealEventPublic:
    return AppealEventPublic(kind=event.kind, data=event.data, reason=event.reason,
                             organisation=event.organisation.slug, at=event.at)


def appeal_public(appeal: Appeal) -> AppealPublic:
    return AppealPublic(
        code=appeal.code,
        situation=appeal.situation.code,
        name=appeal.name,
        year=appeal.year,
        description=appeal.description,
        organisation=appeal.organisation.slug,
        requirements=[RequirementPublic(sector=r.sector, amount_usd=plain_amount(r.amount_usd)) for r in appeal.requirements],
        total_usd=plain_amount(sum((r.amount_usd for r in appeal.requirements), Decimal(0))),
    )


def coverage_public(row: CoverageRow) -> CoveragePublic:
    return CoveragePublic(
        situation=row.situation,
        sector=row.sector,
        required_usd=plain_amount(row.required),
        pledged_usd=plain_amount(row.pledged),
        committed_usd=plain_amount(row.committed),
        paid_usd=plain_amount(row.paid),
        funded_usd=plain_amount(row.funded),
        gap_usd=plain_amount(row.gap),
        coverage_pct=row.coverage_pct,
    )
