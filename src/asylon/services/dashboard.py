"""Figures for the coordination dashboard: totals and trends of the cases an actor may see.

Changes (status moves, pathways started) are counted per week over the last 12 weeks: "what changed
this week". Registrations and the needs they bring are counted per month over the last 12 months, by
the registration date (which imports back-date), so the trend shows the caseload growing.

Every query here is restricted by :attr:`asylon.services.visibility.Access.case_filter`, the one
visibility check, exactly as :mod:`asylon.services.caseviews` is; recent events name a case only through
the fields :meth:`Access.fields_for` allows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from asylon.db.models import Case, CaseEvent, Person, PersonNeed
from asylon.services.actors import Actor
from asylon.services.visibility import ALL_FIELDS, access_for

WEEKS = 12
MONTHS = 12


@dataclass(frozen=True, slots=True)
class Breakdown:
    """Totals per key, and per key a series (oldest period first) of how many entered it."""

    totals: dict[str, int]
    series: dict[str, list[int]]
    periods: int

    def rows(self) -> list[tuple[str, int, list[int]]]:
        """(key, total, series), largest total first."""
        keys = sorted(set(self.totals) | set(self.series), key=lambda k: (-self.totals.get(k, 0), k))
        return [(k, self.totals.get(k, 0), self.series.get(k, [0] * self.periods)) for k in keys]


@dataclass(frozen=True, slots=True)
class RecentEvent:
    at: dt.datetime
    kind: str
    case_id: int
    case_number: str | None
    organisation: str
    actor: str | None
    summary: dict[str, object]
    reason: str


@dataclass(frozen=True, slots=True)
class Overview:
    """Everything the dashboard shows. ``week_starts`` labels the weekly series of status and pathway
    (Mondays, oldest first); ``month_starts`` labels the monthly registrations and needs series."""

    cases: int
    persons: int
    persons_with_needs: int
    cases_on_pathway: int
    events_last_7_days: int
    week_starts: list[dt.date]
    month_starts: list[dt.date]
    registrations: list[int]
    by_status: Breakdown
    by_pathway: Breakdown
    by_need: Breakdown
    persons_by_asylum: dict[str, int]
    persons_by_origin: dict[str, int]
    recent: list[RecentEvent] = field(default_factory=list)


def _month_index(day: dt.date, first: dt.date) -> int:
    return (day.year - first.year) * 12 + day.month - first.month


def _week_index(day: dt.date, first: dt.date) -> int:
    return (day - first).days // 7


def overview(
    session: Session, *, actor: Actor, weeks: int = WEEKS, months: int = MONTHS, recent: int = 12,
    today: dt.date | None = None,
    purpose: str | None = None,
) -> Overview:
    """Totals, weekly trends and recent events over the cases ``actor`` may see.

    >>> # overview(session, actor=actor).by_status.totals -> {"asylum-seeker": 3, "refugee": 1}
    """
    access = access_for(session, actor, purpose=purpose)
    visible = access.case_filter
    today = today or dt.datetime.now(dt.UTC).date()
    first = today - dt.timedelta(days=today.weekday() + 7 * (weeks - 1))
    starts = [first + dt.timedelta(days=7 * i) for i in range(weeks)]
    since = dt.datetime.combine(first, dt.time.min, tzinfo=dt.UTC)
    first_month = dt.date(today.year, today.month, 1)
    for _ in range(months - 1):
        first_month = (first_month - dt.timedelta(days=1)).replace(day=1)
    month_starts = [dt.date(first_month.year + (first_month.month - 1 + i) // 12,
                            (first_month.month - 1 + i) % 12 + 1, 1) for i in range(months)]

    cases, persons = session.execute(
        select(func.count(Case.id), func.coalesce(func.sum(Case.size), 0)).where(visible)
    ).one()
    with_needs = session.scalar(
        select(func.count(func.distinct(PersonNeed.person_id))).join(Case, PersonNeed.case_id == Case.id).where(visible)
    ) or 0
    on_pathway = session.scalar(select(func.count(Case.id)).where(visible, Case.pathway != "none")) or 0

    status_totals = dict(session.execute(select(Case.legal_status, func.count()).where(visible)
                                         .group_by(Case.legal_status)).all())
    pathway_totals = dict(session.execute(select(Case.pathway, func.count()).where(visible, Case.pathway != "none")
                                          .group_by(Case.pathway)).all())
    need_totals = dict(session.execute(
        select(PersonNeed.code, func.count(func.distinct(PersonNeed.person_id)))
        .join(Case, PersonNeed.case_id == Case.id).where(visible).group_by(PersonNeed.code)
    ).all())

    registrations = [0] * months
    for day in session.scalars(select(Case.registered_on).where(visible, Case.registered_on >= first_month,
                                                               Case.registered_on <= today)):
        registrations[_month_index(day, first_month)] += 1

    status_weekly: dict[str, list[int]] = defaultdict(lambda: [0] * weeks)
    pathway_weekly: dict[str, list[int]] = defaultdict(lambda: [0] * weeks)
    last_week = dt.datetime.combine(today - dt.timedelta(days=6), dt.time.min, tzinfo=dt.UTC)
    events_7 = 0
    rows = session.execute(
        select(CaseEvent.at, CaseEvent.kind, CaseEvent.data, Case.legal_status)
        .join(Case, CaseEvent.case_id == Case.id)
        .where(visible, CaseEvent.at >= since)
    )
    for at, kind, data, status in rows:
        index = min(_week_index(at.date(), first), weeks - 1)
        if at >= last_week:
            events_7 += 1
        if kind == "status.changed":
            status_weekly[str(data.get("to"))][index] += 1
        elif kind == "case.registered":
            # A registration (or an import) enters a status, and a pathway when the case arrives on one.
            snapshot = data.get("case")
            entered = snapshot.get("legal_status") if isinstance(snapshot, dict) else status
            status_weekly[str(entered)][index] += 1
            pathway = snapshot.get("pathway") if isinstance(snapshot, dict) else None
            if pathway and pathway != "none":
                pathway_weekly[str(pathway)][index] += 1
        elif kind == "pathway.started":
            pathway_weekly[str(data.get("pathway"))][index] += 1

    need_monthly: dict[str, list[int]] = defaultdict(lambda: [0] * months)
    for code, day in session.execute(
        select(PersonNeed.code, Case.registered_on).join(Case, PersonNeed.case_id == Case.id)
        .where(visible, Case.registered_on >= first_month, Case.registered_on <= today)
    ):
        need_monthly[code][_month_index(day, first_month)] += 1

    by_asylum = dict(session.execute(select(Case.country_of_asylum, func.sum(Case.size)).where(visible)
                                     .group_by(Case.country_of_asylum)).all())
    by_origin = dict(session.execute(
        select(Case.origin_country, func.sum(Case.size)).where(visible, Case.origin_country.is_not(None))
        .group_by(Case.origin_country)
    ).all())

    return Overview(
        cases=int(cases),
        persons=int(persons),
        persons_with_needs=int(with_needs),
        cases_on_pathway=int(on_pathway),
        events_last_7_days=events_7,
        week_starts=starts,
        month_starts=month_starts,
        registrations=registrations,
        by_status=Breakdown({str(k): int(v) for k, v in status_totals.items()}, dict(status_weekly), weeks),
        by_pathway=Breakdown({str(k): int(v) for k, v in pathway_totals.items()}, dict(pathway_weekly), weeks),
        by_need=Breakdown({str(k): int(v) for k, v in need_totals.items()}, dict(need_monthly), months),
        persons_by_asylum={str(k): int(v) for k, v in by_asylum.items() if k},
        persons_by_origin={str(k): int(v) for k, v in by_origin.items() if k},
        recent=recent_events(session, actor=actor, limit=recent, purpose=purpose),
    )


def recent_events(session: Session, *, actor: Actor, limit: int = 12, purpose: str | None = None
                  ) -> list[RecentEvent]:
    """The latest changes to cases the actor may see, newest first."""
    access = access_for(session, actor, purpose=purpose)
    events = session.scalars(
        select(CaseEvent)
        .join(Case, CaseEvent.case_id == Case.id)
        .where(access.case_filter)
        .options(selectinload(CaseEvent.organisation), selectinload(CaseEvent.actor))
        .order_by(CaseEvent.id.desc())
        .limit(limit)
    ).all()
    cases = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_({e.case_id for e in events}),
                                                                  access.case_filter))}
    out = []
    for event in events:
        case = cases[event.case_id]
        fields = access.fields_for(case)
        number = case.case_number if fields == ALL_FIELDS or "case.case_number" in fields else None
        out.append(RecentEvent(
            at=event.at,
            kind=event.kind,
            case_id=case.id,
            case_number=number,
            organisation=event.organisation.slug,
            actor=event.actor.display_name if event.actor else None,
            summary=_summary(event.kind, event.data) if fields == ALL_FIELDS else {},
            reason=event.reason if fields == ALL_FIELDS else "",
        ))
    return out


def _summary(kind: str, data: dict[str, object]) -> dict[str, object]:
    """The few values worth a line in a feed (never personal fields)."""
    keep = {"from", "to", "pathway", "destination", "person_ref", "source"}
    summary = {k: v for k, v in data.items() if k in keep and not isinstance(v, dict | list)}
    changes = data.get("changes")
    if kind == "case.updated" and isinstance(changes, dict):
        summary["changed"] = ", ".join(sorted(str(k) for k in changes))
    return summary


def person_count(session: Session, *, actor: Actor) -> int:
    """How many persons the actor's visible cases hold (a cheap figure for page headers)."""
    access = access_for(session, actor)
    return session.scalar(select(func.count(Person.id)).join(Case, Person.case_id == Case.id)
                          .where(access.case_filter)) or 0




def case_countries(session: Session, *, actor: Actor) -> tuple[list[str], list[str]]:
    """The countries of asylum and of origin that occur in the actor's visible cases (for filter choices)."""
    access = access_for(session, actor)
    asylum = session.scalars(select(Case.country_of_asylum).where(access.case_filter).distinct()).all()
    origin = session.scalars(select(Case.origin_country).where(access.case_filter,
                                                              Case.origin_country.is_not(None)).distinct()).all()
    return sorted(a for a in asylum if a), sorted(o for o in origin if o)


__all__ = ["Breakdown", "Overview", "RecentEvent", "case_countries", "overview", "person_count", "recent_events"]
