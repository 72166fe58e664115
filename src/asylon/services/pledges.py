"""Pledges: record them and change them through their lifecycle (appeals, coverage and flows are in
:mod:`asylon.services.funding`).

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

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from asylon.db.base import utcnow
from asylon.db.models import (
    Appeal,
    AppealRequirement,
    Organisation,
    PledgeEventRow,
    PledgeParty,
    PledgeRow,
    Situation,
)
from asylon.domain.organisations import Role
from asylon.engines.fairshare import Pledge, PledgeEvent, allowed_events, apply, new_pledge, replay
from asylon.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Problem, ProblemCollector
from asylon.schemas.pledges import (
    PledgeChange,
    PledgeCreate,
    PledgeEventPublic,
    PledgePublic,
    PledgerPublic,
)
from asylon.services.actors import Actor

__all__ = [
    "PledgeView",
    "appeal_by_code",
    "append_event",
    "can_change",
    "change_pledge",
    "create_pledge",
    "event_public",
    "find_appeal",
    "find_situation",
    "get_pledge",
    "list_pledges",
    "parties",
    "plain_amount",
    "pledge_public",
    "pledge_query",
    "replayed",
    "resolve_pledgers",
    "sector_problem",
    "situation_sectors",
]


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


def replayed(row: PledgeRow) -> PledgeView:
    start = new_pledge(
        row.reference,
        row.type,
        [p.name for p in row.parties],
        row.unit,
        situation=row.situation.code if row.situation else "",
        sector=row.sector,
    )
    return PledgeView(row, replay(start, [_engine_event(e) for e in row.events]))


def pledge_query() -> Select[PledgeRow]:
    return select(PledgeRow).options(
        selectinload(PledgeRow.parties).selectinload(PledgeParty.organisation),
        selectinload(PledgeRow.events).selectinload(PledgeEventRow.organisation),
        selectinload(PledgeRow.events).selectinload(PledgeEventRow.actor),
        selectinload(PledgeRow.situation),
        selectinload(PledgeRow.appeal),
        selectinload(PledgeRow.organisation),
    )


def _load(session: Session, reference: str, *, for_change: bool = False) -> PledgeRow:
    query = pledge_query().where(PledgeRow.reference == reference)
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
    return replayed(_load(session, reference))


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
    query = pledge_query().order_by(PledgeRow.reference)
    if situation is not None:
        query = query.where(PledgeRow.situation_id == find_situation(session, situation).id)
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
    views = [replayed(r) for r in session.scalars(query)]
    if status is not None:
        views = [v for v in views if v.state.status == status]
    return views


# ---------------------------------------------------------------- recording and changing


def find_situation(session: Session, code: str, *, field: str = "situation") -> Situation:
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


def appeal_by_code(session: Session, code: str) -> Appeal | None:
    """The appeal with its requirements, or None (callers say what a missing appeal means to them)."""
    return session.scalars(select(Appeal).where(Appeal.code == code).options(selectinload(Appeal.requirements))).first()


def find_appeal(session: Session, code: str, *, field: str = "appeal") -> Appeal:
    found = appeal_by_code(session, code)
    if found is None:
        raise InvalidInput(
            Problem(f"unknown appeal '{code}'", field=field, value=code, fix="use the code of an existing appeal")
        )
    return found


def situation_sectors(session: Session, situation_id: int) -> list[str]:
    return sorted(
        set(
            session.scalars(
                select(AppealRequirement.sector).join(Appeal).where(Appeal.situation_id == situation_id)
            )
        )
    )


def sector_problem(
    session: Session, situation: Situation, sector: str, *, field: str = "sector", row: int | None = None
) -> Problem | None:
    """What is wrong with ``sector`` for ``situation`` (not a sector of its appeals), or None."""
    sectors = situation_sectors(session, situation.id)
    if sector in sectors:
        return None
    return Problem(
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


def resolve_pledgers(session: Session, names: Sequence[str]) -> list[tuple[str, Organisation | None]]:
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


def parties(pledgers: Sequence[tuple[str, Organisation | None]]) -> list[PledgeParty]:
    """Party rows for resolved pledgers (:func:`resolve_pledgers`), in the order given."""
    return [
        PledgeParty(position=i, name=name, organisation_id=org.id if org else None)
        for i, (name, org) in enumerate(pledgers)
    ]


def can_change(row: PledgeRow, actor: Actor) -> bool:
    organisations = {row.organisation_id} | {p.organisation_id for p in row.parties if p.organisation_id}
    return actor.organisation_id in organisations


def _require_change(row: PledgeRow, actor: Actor) -> None:
    actor.require(Role.CASEWORKER, "changing a pledge")
    if not can_change(row, actor):
        raise PermissionDenied(
            f"pledge {row.reference} can be changed only by its recording organisation or a pledger on the "
            "platform; ask one of them to record the change"
        )


def append_event(
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
    pledgers = resolve_pledgers(session, data.pledgers)
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
            appeal = find_appeal(session, data.appeal)
            situation = appeal.situation
        except InvalidInput as exc:
            problems.problems.extend(exc.problems)
    if data.situation is not None:
        try:
            chosen = find_situation(session, data.situation)
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
            problem = sector_problem(session, situation, data.sector)
            if problem is not None:
                problems.problems.append(problem)
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
    row.parties = parties(pledgers)
    session.add(row)
    append_event(session, actor, row, first, source=source)
    _flush(session, data.reference)
    return replayed(row)


def change_pledge(session: Session, *, actor: Actor, data: PledgeChange, source: str = "api") -> PledgeView:
    """Record one change; the engine refuses it, naming the rule, when the lifecycle does not allow it."""
    row = _load(session, data.reference, for_change=True)
    _require_change(row, actor)
    current = replayed(row).state
    event = PledgeEvent(data.kind, amount=data.amount, note=data.note, target=data.target)
    if data.kind in ("progress", "cancel", "close") and data.amount is not None:
        raise InvalidInput(
            Problem(f"a {data.kind} carries no amount", field="amount", fix="leave the amount out")
        )
    if data.kind != "adjust" and data.target != "committed":
        raise InvalidInput(Problem("only an adjustment has a target", field="target", fix="leave the target out"))
    apply(current, event)  # raises RuleRefused / TransitionRefused before anything is written
    append_event(session, actor, row, event, source=source)
    _flush(session, data.reference)
    return replayed(row)


def _flush(session: Session, reference: str) -> None:
    # Two writers racing on one reference (or one event number) meet the unique constraints; the loser is told
    # to retry rather than shown a server error.
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(f"pledge {reference} was changed by someone else at the same moment; reload and try again") from None


# ---------------------------------------------------------------- public shapes


def plain_amount(amount: Decimal) -> Decimal:
    return amount.normalize() + Decimal(0)  # 8E+2 -> 800, 800.5000 -> 800.5


def event_public(row: PledgeEventRow, viewer: Actor) -> PledgeEventPublic:
    """One change to a pledge. Pledges are public, the people who record them are not: who acted is named only
    to their own organisation; others see the organisation."""
    own = viewer.organisation_id == row.organisation_id
    return PledgeEventPublic(
        seq=row.seq,
        kind=row.kind,
        amount=None if row.amount is None else plain_amount(row.amount),
        target=row.target,
        note=row.note,
        source=row.source,
        organisation=row.organisation.slug,
        actor=row.actor.email if row.actor is not None and own else None,
        at=row.at,
    )


def pledge_public(view: PledgeView, *, viewer: Actor | None = None) -> PledgePublic:
    """A pledge; with its events when ``viewer`` is given (who acted is shown as :func:`event_public` allows)."""
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
        usd_rate=None if row.usd_rate is None else plain_amount(row.usd_rate),
        title=row.title,
        description=row.description,
        situation=row.situation.code if row.situation else None,
        appeal=row.appeal.code if row.appeal else None,
        sector=row.sector,
        country=row.country,
        year=row.year,
        status=state.status,
        pledged=plain_amount(state.pledged),
        committed=plain_amount(state.committed),
        paid=plain_amount(state.paid),
        outstanding=plain_amount(state.outstanding),
        allowed_events=sorted(view.allowed),
        progress_reports=len(state.progress_reports),
        created_at=row.created_at,
        events=[event_public(e, viewer) for e in row.events] if viewer is not None else None,
    )
