"""Pledges and appeals: record them, change them through their lifecycle, compute funding coverage and gaps,
and exchange funding flows as CSV, HXL and FTS-style JSON.

A pledge's state is never stored: each change is a ``pledge_events`` row, and the pledge's status and amounts
are the replay of those rows through the fair-share engine's state machine
(:mod:`asylon.engines.fairshare.pledges`), which also decides whether the next change is allowed and names the
rule when it is not (``pledge.payment-exceeds-commitment`` and the others listed there).

Who may see and change what. Pledges and appeals are not personal data, and they exist to be seen (the Global
Refugee Forum's pledges and OCHA's Financial Tracking Service are public), so:

- **read** — every user of every organisation, any role: pledges, their events, appeals, coverage, exports;
- **record a pledge** — a caseworker or admin of any organisation; their organisation is its recorder. A
  pledger may be an organisation on the platform (named by slug) or a name from outside (a donor not on the
  platform). Naming *another* platform organisation as a pledger is allowed only in a joint pledge that also
  names one's own organisation, so nobody records a promise in another member's name alone;
- **change a pledge** (commit, pay, adjust, report progress, cancel, close) — a caseworker or admin of the
  recording organisation or of a platform organisation among its pledgers; anybody else is refused (403);
- **appeals** — an admin of any organisation creates one; only admins of the organisation that created it
  change its requirements;
- **import** flows — a caseworker or admin; a flow that changes an existing pledge needs the right to change it.

Amounts go to coverage in USD: money pledged in another currency carries ``usd_rate`` (USD per unit, fixed when
recorded, as FTS converts at the date of the flow). Only financial pledges are funding; places, goods, expertise
and policy pledges are tracked by the same lifecycle in their own units.
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

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from asylon.db.base import utcnow
from asylon.db.models import (
    Appeal,
    AppealEvent,
    AppealRequirement,
    Organisation,
    PledgeEventRow,
    PledgeParty,
    PledgeRow,
    Situation,
)
from asylon.domain.organisations import Role
from asylon.engines.fairshare import (
    CoverageRow,
    Flow,
    Pledge,
    PledgeEvent,
    Requirement,
    allowed_events,
    apply,
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
    AppealPublic,
    CoveragePublic,
    PledgeChange,
    PledgeCreate,
    PledgeEventPublic,
    PledgePublic,
    PledgerPublic,
    RequirementPublic,
    RequirementSet,
)
from asylon.services.actors import Actor

__all__ = [
    "FLOW_FORMATS",
    "ImportResult",
    "PledgeView",
    "appeal_events",
    "appeal_public",
    "change_pledge",
    "coverage_public",
    "create_appeal",
    "create_pledge",
    "event_public",
    "export_flows",
    "funding_coverage",
    "get_appeal",
    "get_pledge",
    "import_flows",
    "list_appeals",
    "list_pledges",
    "pledge_flows",
    "pledge_public",
    "set_requirement",
]

FlowFormat = Literal["csv", "hxl", "fts"]
FLOW_FORMATS: tuple[FlowFormat, ...] = ("csv", "hxl", "fts")
_STATUS_PARTS = ("pledge", "commitment", "paid")
_PARTS_SEPARATOR = ":"  # references never contain it (schemas.fields.Reference), so flow ids split cleanly


@dataclass(frozen=True, slots=True)
class PledgeView:
    """A stored pledge and its state, replayed from its events by the engine."""

    row: PledgeRow
    state: Pledge

    @property
    def allowed(self) -> frozenset[str]:
        return allowed_events(self.state)


# ---------------------------------------------------------------- loading and replay


def _engine_event(row: PledgeEventRow) -> PledgeEvent:
    return PledgeEvent(
        row.kind,  # type: ignore[arg-type]  # only kinds the engine accepted were ever stored
        amount=row.amount,
        at=row.at.isoformat(),
        actor=str(row.actor_user_id or ""),
        note=row.note,
        target=row.target,  # type: ignore[arg-type]
    )


def _replayed(row: PledgeRow) -> PledgeView:
    start = new_pledge(
        row.reference,
        row.type,
        [p.name for p in row.parties],
        row.unit,
        situation=row.situation.code if row.situation else "",
        sector=row.sector,
    )
    return PledgeView(row, replay(start, [_engine_event(e) for e in row.events]))


def _pledge_query() -> Select[PledgeRow]:
    return select(PledgeRow).options(
        selectinload(PledgeRow.parties).selectinload(PledgeParty.organisation),
        selectinload(PledgeRow.events).selectinload(PledgeEventRow.organisation),
        selectinload(PledgeRow.events).selectinload(PledgeEventRow.actor),
        selectinload(PledgeRow.situation),
        selectinload(PledgeRow.appeal),
        selectinload(PledgeRow.organisation),
    )


def _load(session: Session, reference: str, *, for_change: bool = False) -> PledgeRow:
    query = _pledge_query().where(PledgeRow.reference == reference)
    if for_change:
        # Lock the pledge row (PostgreSQL) so two writers cannot both check against the same replay; the
        # unique (pledge_id, seq) catches any that slip past on other backends.
        query = query.with_for_update(of=PledgeRow)
    row = session.scalars(query).first()
    if row is None:
        raise NotFound("pledge", reference)
    return row


def get_pledge(session: Session, *, actor: Actor, reference: str) -> PledgeView:
    """One pledge with its replayed state (every organisation may read pledges)."""
    return _replayed(_load(session, reference))


def list_pledges(
    session: Session,
    *,
    actor: Actor,
    situation: str | None = None,
    type: str | None = None,
    status: str | None = None,
    organisation: str | None = None,
    country: str | None = None,
    year: int | None = None,
) -> list[PledgeView]:
    """Pledges, filtered; ``status`` filters on the replayed status."""
    query = _pledge_query().order_by(PledgeRow.reference)
    if situation is not None:
        query = query.where(PledgeRow.situation_id == _situation(session, situation).id)
    if type is not None:
        query = query.where(PledgeRow.type == type)
    if country is not None:
        query = query.where(PledgeRow.country == country.upper())
    if year is not None:
        query = query.where(PledgeRow.year == year)
    if organisation is not None:
        org_id = session.scalar(select(Organisation.id).where(Organisation.slug == organisation))
        if org_id is None:
            raise NotFound("organisation", organisation)
        party = select(PledgeParty.pledge_id).where(PledgeParty.organisation_id == org_id)
        query = query.where((PledgeRow.organisation_id == org_id) | PledgeRow.id.in_(party))
    views = [_replayed(r) for r in session.scalars(query)]
    if status is not None:
        views = [v for v in views if v.state.status == status]
    return views


# ---------------------------------------------------------------- recording and changing


def _situation(session: Session, code: str, *, field: str = "situation") -> Situation:
    found = session.scalar(select(Situation).where(Situation.code == code))
    if found is None:
        known = list(session.scalars(select(Situation.code).order_by(Situation.code).limit(10)))
        raise InvalidInput(
            Problem(
                f"unknown situation '{code}'",
                field=field,
                value=code,
                fix=f"use one of: {', '.join(known)}" if known else "create the situation first (POST /situations)",
            )
        )
    return found


def _appeal(session: Session, code: str, *, field: str = "appeal") -> Appeal:
    found = session.scalars(
        select(Appeal).where(Appeal.code == code).options(selectinload(Appeal.requirements))
    ).first()
    if found is None:
        raise InvalidInput(
            Problem(f"unknown appeal '{code}'", field=field, value=code, fix="use the code of an existing appeal")
        )
    return found


def _sectors(session: Session, situation_id: int) -> list[str]:
    return sorted(
        set(
            session.scalars(
                select(AppealRequirement.sector).join(Appeal).where(Appeal.situation_id == situation_id)
            )
        )
    )


def _check_sector(session: Session, situation: Situation, sector: str, *, field: str = "sector", row: int | None = None) -> None:
    sectors = _sectors(session, situation.id)
    if sector not in sectors:
        raise InvalidInput(
            Problem(
                f"unknown sector '{sector}' for situation '{situation.code}'",
                field=field,
                row=row,
                value=sector,
                fix=(
                    f"use one of the sectors of its appeals: {', '.join(sectors)}; or leave the sector empty"
                    if sectors
                    else "its appeals list no sectors yet: leave the sector empty, or add a requirement first"
                ),
            )
        )


def _resolve_pledgers(session: Session, names: Sequence[str]) -> list[tuple[str, Organisation | None]]:
    """Each pledger as (display name, organisation on the platform or None); a slug or an exact name matches."""
    wanted = list(names)
    found = session.scalars(
        select(Organisation).where(Organisation.slug.in_(wanted) | Organisation.name.in_(wanted))
    )
    orgs: dict[str, Organisation] = {}
    for org in found:
        orgs[org.name] = org
        orgs[org.slug] = org  # a slug wins over another organisation's identical name
    return [(orgs[n].name if n in orgs else n, orgs.get(n)) for n in names]


def _can_change(row: PledgeRow, actor: Actor) -> bool:
    organisations = {row.organisation_id} | {p.organisation_id for p in row.parties if p.organisation_id}
    return actor.organisation_id in organisations


def _require_change(row: PledgeRow, actor: Actor) -> None:
    actor.require(Role.CASEWORKER, "changing a pledge")
    if not _can_change(row, actor):
        raise PermissionDenied(
            f"pledge {row.reference} can be changed only by its recording organisation or a pledger on the "
            "platform; ask one of them to record the change"
        )


def _append(
    session: Session, actor: Actor, row: PledgeRow, event: PledgeEvent, *, source: str = "api"
) -> PledgeEventRow:
    stored = PledgeEventRow(
        pledge=row,
        seq=len(row.events) + 1,
        kind=event.kind,
        amount=event.amount,
        target=event.target,
        note=event.note,
        source=source,
        organisation_id=actor.organisation_id,
        actor_user_id=actor.user_id,
        at=utcnow(),
    )
    session.add(stored)
    return stored


def create_pledge(session: Session, *, actor: Actor, data: PledgeCreate, source: str = "api") -> PledgeView:
    """Record a pledge and its first event (``pledge`` of ``data.amount``)."""
    actor.require(Role.CASEWORKER, "recording a pledge")
    problems = ProblemCollector()
    if session.scalar(select(PledgeRow.id).where(PledgeRow.reference == data.reference)) is not None:
        raise Conflict(f"a pledge '{data.reference}' already exists; record a change to it instead")
    unit = data.unit.strip()
    usd_rate = data.usd_rate
    if data.type == "financial":
        unit = unit.upper()
        if len(unit) != 3 or not unit.isalpha():
            problems.add(f"'{data.unit}' is not a currency", field="unit", fix="give an ISO 4217 code: USD, EUR, GBP")
        elif unit == "USD":
            if usd_rate not in (None, Decimal(1)):
                problems.add("a USD pledge has a USD rate of 1", field="usd_rate", fix="leave usd_rate out")
            usd_rate = Decimal(1)
        elif usd_rate is None:
            problems.add(
                f"money in {unit} needs its USD rate to count towards funding",
                field="usd_rate",
                fix="give usd_rate: USD per 1 " + unit + " at the pledge's date (e.g. 1.08 for EUR)",
            )
    elif usd_rate is not None:
        problems.add("only financial pledges have a USD rate", field="usd_rate", fix="leave usd_rate out")
    pledgers = _resolve_pledgers(session, data.pledgers)
    own = session.get_one(Organisation, actor.organisation_id)
    others = [o for _, o in pledgers if o is not None and o.id != actor.organisation_id]
    if others and not any(o is not None and o.id == actor.organisation_id for _, o in pledgers):
        problems.add(
            f"'{others[0].slug}' is an organisation on the platform: it records its own pledges",
            field="pledgers",
            value=others[0].slug,
            fix=f"add your organisation ('{own.slug}') for a joint pledge, or ask '{others[0].slug}' to record it",
        )
    situation: Situation | None = None
    appeal: Appeal | None = None
    if data.appeal is not None:
        try:
            appeal = _appeal(session, data.appeal)
            situation = appeal.situation
        except InvalidInput as exc:
            problems.problems.extend(exc.problems)
    if data.situation is not None:
        try:
            chosen = _situation(session, data.situation)
            if situation is not None and chosen.id != situation.id:
                problems.add(
                    f"appeal '{data.appeal}' belongs to situation '{situation.code}', not '{chosen.code}'",
                    field="situation",
                    fix="leave the situation out, or name an appeal of that situation",
                )
            situation = chosen
        except InvalidInput as exc:
            problems.problems.extend(exc.problems)
    if data.sector is not None:
        if situation is None:
            if not problems:
                problems.add("a sector needs a situation", field="sector", fix="give the situation or the appeal")
        else:
            try:
                _check_sector(session, situation, data.sector)
            except InvalidInput as exc:
                problems.problems.extend(exc.problems)
    problems.raise_if_any()
    start = new_pledge(
        data.reference,
        data.type,
        [name for name, _ in pledgers],
        unit,
        situation=situation.code if situation else "",
        sector=data.sector or "",
    )
    first = PledgeEvent("pledge", amount=data.amount, note=data.note)
    apply(start, first)  # refuses before anything is written
    row = PledgeRow(
        reference=data.reference,
        type=data.type,
        unit=unit,
        usd_rate=usd_rate,
        title=data.title,
        description=data.description,
        situation=situation,
        appeal=appeal,
        sector=data.sector or "",
        country=data.country,
        year=data.year or dt.date.today().year,
        organisation_id=actor.organisation_id,
    )
    row.parties = [
        PledgeParty(position=i, name=name, organisation_id=org.id if org else None)
        for i, (name, org) in enumerate(pledgers)
    ]
    session.add(row)
    _append(session, actor, row, first, source=source)
    session.flush()
    return _replayed(row)


def change_pledge(session: Session, *, actor: Actor, data: PledgeChange, source: str = "api") -> PledgeView:
    """Record one change; the engine refuses it, naming the rule, when the lifecycle does not allow it."""
    row = _load(session, data.reference, for_change=True)
    _require_change(row, actor)
    current = _replayed(row).state
    event = PledgeEvent(data.kind, amount=data.amount, note=data.note, target=data.target)
    if data.kind in ("progress", "cancel", "close") and data.amount is not None:
        raise InvalidInput(
            Problem(f"a {data.kind} carries no amount", field="amount", fix="leave the amount out")
        )
    if data.kind != "adjust" and data.target != "committed":
        raise InvalidInput(Problem("only an adjustment has a target", field="target", fix="leave the target out"))
    apply(current, event)  # raises RuleRefused / TransitionRefused before anything is written
    _append(session, actor, row, event, source=source)
    session.flush()
    return _replayed(row)


# ---------------------------------------------------------------- appeals


def create_appeal(session: Session, *, actor: Actor, data: AppealCreate) -> Appeal:
    """An appeal (plan) for a situation and year with requirements by sector (admins only)."""
    actor.require(Role.ADMIN, "creating an appeal")
    situation = _situation(session, data.situation)
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
    session.add(
        AppealEvent(
            appeal_id=appeal.id,
            organisation_id=actor.organisation_id,
            actor_user_id=actor.user_id,
            kind="created",
            data={
                "situation": situation.code,
                "year": data.year,
                "requirements": {r.sector: str(r.amount_usd) for r in data.requirements},
            },
        )
    )
    return appeal


def set_requirement(session: Session, *, actor: Actor, data: RequirementSet) -> Appeal:
    """Set one sector's requirement (admins of the appeal's organisation); the old and new amounts are an event."""
    actor.require(Role.ADMIN, "changing an appeal's requirements")
    appeal = _appeal(session, data.appeal)
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
    session.add(
        AppealEvent(
            appeal_id=appeal.id,
            organisation_id=actor.organisation_id,
            actor_user_id=actor.user_id,
            kind="requirement",
            data={"sector": data.sector, "before": None if before is None else str(before), "after": str(data.amount_usd)},
            reason=data.reason,
        )
    )
    session.flush()
    return appeal


def list_appeals(session: Session, *, actor: Actor, situation: str | None = None, year: int | None = None) -> list[Appeal]:
    query = (
        select(Appeal)
        .options(selectinload(Appeal.requirements), selectinload(Appeal.situation), selectinload(Appeal.organisation))
        .order_by(Appeal.code)
    )
    if situation is not None:
        query = query.where(Appeal.situation_id == _situation(session, situation).id)
    if year is not None:
        query = query.where(Appeal.year == year)
    return list(session.scalars(query))


def get_appeal(session: Session, *, actor: Actor, code: str) -> Appeal:
    appeal = session.scalars(
        select(Appeal).where(Appeal.code == code).options(selectinload(Appeal.requirements))
    ).first()
    if appeal is None:
        raise NotFound("appeal", code)
    return appeal


def appeal_events(session: Session, *, actor: Actor, code: str) -> list[AppealEvent]:
    appeal = get_appeal(session, actor=actor, code=code)
    return list(session.scalars(select(AppealEvent).where(AppealEvent.appeal_id == appeal.id).order_by(AppealEvent.id)))


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
    pledges_q = _pledge_query().where(PledgeRow.type == "financial")
    if appeal is not None:
        chosen = _appeal(session, appeal)
        requirements_q = requirements_q.where(Appeal.id == chosen.id)
        pledges_q = pledges_q.where(PledgeRow.appeal_id == chosen.id)
    elif situation is not None:
        found = _situation(session, situation)
        requirements_q = requirements_q.where(Appeal.situation_id == found.id)
        pledges_q = pledges_q.where(PledgeRow.situation_id == found.id)
    else:
        pledges_q = pledges_q.where(PledgeRow.situation_id.is_not(None))
    summed: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for a in session.scalars(requirements_q):
        for r in a.requirements:
            summed[(a.situation.code, r.sector)] += r.amount_usd
    requirements = [Requirement(s, sector, amount) for (s, sector), amount in sorted(summed.items())]
    flows = [f for row in session.scalars(pledges_q) for f in pledge_flows(_replayed(row))]
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
            _pledge_query().where(PledgeRow.reference.in_([g.reference for g in groups])).with_for_update(of=PledgeRow)
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
        if group.sector and group.sector not in _sectors(session, situation.id):
            problems.add(
                f"unknown sector '{group.sector}' for situation '{situation.code}'",
                row=row_no,
                field=f"{field_prefix}sector",
                value=group.sector,
                fix=f"use one of: {', '.join(_sectors(session, situation.id)) or '(none yet)'}; or leave it empty",
            )
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
        state = _replayed(row).state
        if group.target[2] < state.paid:
            problems.add(
                f"pledge '{row.reference}': the file says {group.target[2]} paid, {state.paid} is already recorded",
                row=row_no,
                field=f"{field_prefix}amount_usd",
                fix="payments are never undone by an import; correct the file",
            )
            continue
        if not _can_change(row, actor):
            problems.add(
                f"pledge '{row.reference}' belongs to another organisation",
                row=row_no,
                field=f"{field_prefix}id",
                fix="leave it out; only its recorder or pledgers change it",
            )
            continue
        plans.append((group, row, _events_towards(state, group.target, note)))
    problems.raise_if_any(filename)

    created = updated = unchanged = 0
    source = f"import {filename}"
    for group, row, events in plans:
        try:
            if row is None:
                pledgers = [p.strip() for p in group.source.split(";") if p.strip()] or ["(unknown)"]
                resolved = _resolve_pledgers(session, pledgers)
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
                row.parties = [
                    PledgeParty(position=i, name=n, organisation_id=o.id if o else None) for i, (n, o) in enumerate(resolved)
                ]
                session.add(row)
                created += 1
            elif events:
                replay(_replayed(row).state, events)
                updated += 1
            else:
                unchanged += 1
                continue
        except RuleRefused as exc:
            # A file whose amounts the lifecycle refuses is a problem with that row of the file.
            raise InvalidFile(filename, Problem(f"{group.where}: {exc.message}", fix="correct the amounts")) from None
        for event in events:
            _append(session, actor, row, event, source=source)
            session.flush()
    return ImportResult(filename, fmt, len(flows), len(groups), created, updated, unchanged)



# ---------------------------------------------------------------- public shapes


def _plain(amount: Decimal) -> Decimal:
    return amount.normalize() + Decimal(0)  # 8E+2 -> 800, 800.5000 -> 800.5


def event_public(row: PledgeEventRow) -> PledgeEventPublic:
    return PledgeEventPublic(
        seq=row.seq,
        kind=row.kind,
        amount=None if row.amount is None else _plain(row.amount),
        target=row.target,
        note=row.note,
        source=row.source,
        organisation=row.organisation.slug,
        actor=row.actor.email if row.actor is not None else None,
        at=row.at,
    )


def pledge_public(view: PledgeView, *, with_events: bool = False) -> PledgePublic:
    row, state = view.row, view.state
    return PledgePublic(
        reference=row.reference,
        type=row.type,
        pledgers=[
            PledgerPublic(name=p.name, organisation=p.organisation.slug if p.organisation else None)
            for p in row.parties
        ],
        recorded_by=row.organisation.slug,
        unit=row.unit,
        usd_rate=None if row.usd_rate is None else _plain(row.usd_rate),
        title=row.title,
        description=row.description,
        situation=row.situation.code if row.situation else None,
        appeal=row.appeal.code if row.appeal else None,
        sector=row.sector,
        country=row.country,
        year=row.year,
        status=state.status,
        pledged=_plain(state.pledged),
        committed=_plain(state.committed),
        paid=_plain(state.paid),
        outstanding=_plain(state.outstanding),
        allowed_events=sorted(view.allowed),
        progress_reports=len(state.progress_reports),
        created_at=row.created_at,
        events=[event_public(e) for e in row.events] if with_events else None,
    )


def appeal_public(appeal: Appeal) -> AppealPublic:
    return AppealPublic(
        code=appeal.code,
        situation=appeal.situation.code,
        name=appeal.name,
        year=appeal.year,
        description=appeal.description,
        organisation=appeal.organisation.slug,
        requirements=[RequirementPublic(sector=r.sector, amount_usd=_plain(r.amount_usd)) for r in appeal.requirements],
        total_usd=_plain(sum((r.amount_usd for r in appeal.requirements), Decimal(0))),
    )


def coverage_public(row: CoverageRow) -> CoveragePublic:
    return CoveragePublic(
        situation=row.situation,
        sector=row.sector,
        required_usd=_plain(row.required),
        pledged_usd=_plain(row.pledged),
        committed_usd=_plain(row.committed),
        paid_usd=_plain(row.paid),
        funded_usd=_plain(row.funded),
        gap_usd=_plain(row.gap),
        coverage_pct=row.coverage_pct,
    )
