"""Pledge lifecycle as a pure state machine over events: pledge → commitment → paid / fulfilled.

A pledge's state is never edited: it is the fold of its events (:func:`replay`). The platform stores the
events; this module decides whether the next one is allowed (:func:`apply`) and raises a readable error
when it is not. Amounts are :class:`~decimal.Decimal` in the pledge's unit (a currency for money, persons
for resettlement places, units for goods), so cents never drift.

Statuses and transitions::

    pledged ──commit──▶ committed ──pay/deliver──▶ partly_paid ──pay/deliver (to 100%)──▶ paid
       │                   │  ▲                        │                                 │
       │                   └──┘ adjust (raise/lower the commitment or pledge, reason required; a paid
       │                            pledge whose commitment is raised is partly paid again)
       └──────── cancel ───────┴────────── cancel ─────┘   (cancelled and paid are final;
                                                            ``close`` ends a partly paid pledge)

Rules (``RuleRefused.rule`` values):

- ``pledge.commit-exceeds-pledge``: a commitment larger than what is pledged needs an ``adjust`` of
  the pledged amount first;
- ``pledge.payment-exceeds-commitment``: no payment or delivery beyond the commitment without an
  explicit ``adjust`` raising the commitment;
- ``pledge.payment-before-commitment``: money is paid (places delivered) against a commitment;
- ``pledge.adjust-needs-reason`` and ``pledge.adjust-below-paid``: an adjustment says why, and never
  goes below what was already paid;
- ``pledge.amount``: amounts are positive.

    >>> from decimal import Decimal as D
    >>> p = replay(new_pledge("p1", "financial", ("Donor A",), "USD"), [
    ...     PledgeEvent("pledge", amount=D("1000")), PledgeEvent("commit", amount=D("800")),
    ...     PledgeEvent("pay", amount=D("800"))])
    >>> p.status, p.paid, p.outstanding
    ('paid', Decimal('800'), Decimal('0'))
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Literal

from asylon.errors import InvalidInput, Problem, RuleRefused, TransitionRefused

__all__ = [
    "PLEDGE_TYPES",
    "EventKind",
    "Pledge",
    "PledgeEvent",
    "PledgeStatus",
    "PledgeType",
    "allowed_events",
    "apply",
    "new_pledge",
    "replay",
]

PledgeType = Literal[
    "financial", "material", "technical", "policy", "resettlement_places", "complementary_pathways"
]
PLEDGE_TYPES: tuple[PledgeType, ...] = (
    "financial",
    "material",
    "technical",
    "policy",
    "resettlement_places",
    "complementary_pathways",
)
PledgeStatus = Literal["draft", "pledged", "committed", "partly_paid", "paid", "closed", "cancelled"]
EventKind = Literal["pledge", "commit", "pay", "adjust", "progress", "cancel", "close"]

_ALLOWED: dict[str, frozenset[str]] = {
    "draft": frozenset({"pledge"}),
    "pledged": frozenset({"commit", "adjust", "progress", "cancel"}),
    "committed": frozenset({"pay", "adjust", "progress", "cancel"}),
    "partly_paid": frozenset({"pay", "adjust", "progress", "cancel", "close"}),
    "paid": frozenset({"adjust", "progress"}),
    "closed": frozenset(),
    "cancelled": frozenset(),
}


@dataclass(frozen=True, slots=True)
class PledgeEvent:
    """One change to a pledge. ``amount`` is in the pledge's unit; ``target`` is what ``adjust`` changes."""

    kind: EventKind
    amount: Decimal | None = None
    at: str = ""
    actor: str = ""
    note: str = ""
    target: Literal["pledged", "committed"] = "committed"


@dataclass(frozen=True, slots=True)
class Pledge:
    """The current state of a pledge, derived from its events (kept in ``events``)."""

    id: str
    type: PledgeType
    pledgers: tuple[str, ...]
    unit: str
    status: PledgeStatus = "draft"
    pledged: Decimal = Decimal(0)
    committed: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    events: tuple[PledgeEvent, ...] = field(default_factory=tuple)
    situation: str = ""
    sector: str = ""

    @property
    def outstanding(self) -> Decimal:
        """Committed but not yet paid or delivered."""
        return self.committed - self.paid

    @property
    def progress_reports(self) -> tuple[PledgeEvent, ...]:
        return tuple(e for e in self.events if e.kind == "progress")


def new_pledge(
    pledge_id: str,
    pledge_type: str,
    pledgers: Iterable[str],
    unit: str,
    *,
    situation: str = "",
    sector: str = "",
) -> Pledge:
    """A pledge with no events yet; several pledgers make a joint pledge.

    >>> new_pledge("p", "policy", ["State A", "NGO B"], "commitments").pledgers
    ('State A', 'NGO B')
    """
    names = tuple(p.strip() for p in pledgers if p.strip())
    problems = []
    if pledge_type not in PLEDGE_TYPES:
        problems.append(
            Problem(
                f"unknown pledge type {pledge_type!r}",
                field="type",
                fix=f"use one of {', '.join(PLEDGE_TYPES)}",
            )
        )
    if not names:
        problems.append(
            Problem("a pledge needs at least one pledger", field="pledgers", fix="name the organisation")
        )
    if len(set(names)) != len(names):
        problems.append(
            Problem("a pledger is listed twice", field="pledgers", fix="list each organisation once")
        )
    if not unit.strip():
        problems.append(
            Problem("no unit", field="unit", fix="give a currency (USD, EUR) or persons, places, units")
        )
    if problems:
        raise InvalidInput(problems)
    return Pledge(pledge_id, pledge_type, names, unit.strip(), situation=situation, sector=sector)  # type: ignore[arg-type]


def allowed_events(pledge: Pledge) -> frozenset[str]:
    """The event kinds the pledge accepts in its current status."""
    return _ALLOWED[pledge.status]


def _positive(pledge: Pledge, event: PledgeEvent) -> Decimal:
    if event.amount is None or not event.amount.is_finite() or event.amount <= 0:
        raise RuleRefused(
            "pledge.amount",
            f"pledge {pledge.id}: {event.kind} needs a positive amount in {pledge.unit}, got {event.amount}",
        )
    return event.amount


def apply(pledge: Pledge, event: PledgeEvent) -> Pledge:
    """The pledge after ``event``, or a :class:`RuleRefused` / :class:`TransitionRefused` saying why not."""
    if event.kind not in _ALLOWED[pledge.status]:
        if event.kind == "pay" and pledge.status == "pledged":
            raise RuleRefused(
                "pledge.payment-before-commitment",
                f"pledge {pledge.id}: nothing is committed yet, so nothing can be paid; record a commitment first",
            )
        raise TransitionRefused(f"pledge {pledge.id}", pledge.status, event.kind, _ALLOWED[pledge.status])
    events = (*pledge.events, event)
    if event.kind == "pledge":
        return replace(pledge, status="pledged", pledged=_positive(pledge, event), events=events)
    if event.kind == "commit":
        amount = _positive(pledge, event)
        if pledge.committed + amount > pledge.pledged:
            raise RuleRefused(
                "pledge.commit-exceeds-pledge",
                f"pledge {pledge.id}: committing {amount} would make {pledge.committed + amount} {pledge.unit} committed"
                f" against {pledge.pledged} pledged; record an adjustment of the pledged amount first",
            )
        return replace(pledge, status="committed", committed=pledge.committed + amount, events=events)
    if event.kind == "pay":
        amount = _positive(pledge, event)
        if pledge.paid + amount > pledge.committed:
            raise RuleRefused(
                "pledge.payment-exceeds-commitment",
                f"pledge {pledge.id}: paying {amount} would make {pledge.paid + amount} {pledge.unit} paid against"
                f" {pledge.committed} committed (outstanding {pledge.outstanding}); record an adjustment raising"
                " the commitment first, with its reason",
            )
        paid = pledge.paid + amount
        return replace(
            pledge, status="paid" if paid == pledge.committed else "partly_paid", paid=paid, events=events
        )
    if event.kind == "adjust":
        if not event.note.strip():
            raise RuleRefused(
                "pledge.adjust-needs-reason", f"pledge {pledge.id}: an adjustment must say why (note)"
            )
        amount = _positive(pledge, event)
        if amount < pledge.paid:
            raise RuleRefused(
                "pledge.adjust-below-paid",
                f"pledge {pledge.id}: {event.target} cannot go below the {pledge.paid} {pledge.unit} already paid",
            )
        if event.target == "pledged":
            if amount < pledge.committed:
                raise RuleRefused(
                    "pledge.commit-exceeds-pledge",
                    f"pledge {pledge.id}: pledged cannot go below the {pledge.committed} {pledge.unit} committed;"
                    " lower the commitment first",
                )
            return replace(pledge, pledged=amount, events=events)
        pledged = max(pledge.pledged, amount)  # raising a commitment beyond the pledge raises the pledge too
        status: PledgeStatus = (
            "paid" if pledge.paid == amount else "partly_paid" if pledge.paid > 0 else "committed"
        )
        return replace(pledge, pledged=pledged, committed=amount, status=status, events=events)
    if event.kind == "progress":
        if not event.note.strip():
            raise InvalidInput(Problem("a progress report needs text", field="note", fix="say what was done"))
        return replace(pledge, events=events)
    if event.kind == "cancel":
        return replace(pledge, status="cancelled", events=events)
    return replace(pledge, status="closed", events=events)  # close


def replay(pledge: Pledge, events: Iterable[PledgeEvent]) -> Pledge:
    """Apply events in order; the first refused event raises, naming its position.

    >>> replay(new_pledge("p", "financial", ["A"], "USD"), []).status
    'draft'
    """
    current = pledge
    for position, event in enumerate(events):
        try:
            current = apply(current, event)
        except RuleRefused as exc:
            exc.message = f"event {position + 1} ({event.kind}): {exc.message}"
            exc.args = (exc.message,)
            raise
    return current
