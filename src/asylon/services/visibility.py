"""The one check that decides which cases and which of their fields an actor may see.

Every read path — API routes, web pages, exports, the event feed, webhooks, threads, linkage — asks
:func:`access_for` and applies what it returns; nothing else decides visibility.

- An organisation sees all of its own cases, every field.
- It sees another organisation's case only through an *active* data-sharing agreement (every party
  approved, today within its validity dates, not suspended or terminated) that binds both organisations,
  was made for the *purpose the request declares*, and covers the case (its situations and countries of
  asylum, when the agreement names any). It then sees only the fields the agreement names
  (:meth:`Access.fields_for`), plus the identifiers in :data:`asylon.schemas.agreements.ALWAYS_SHARED`.
- Under an agreement whose legal basis is consent, only persons with a current consent for that purpose
  and recipient are disclosed (:meth:`Access.person_visible`); a case with no such person is not visible.
  Withdrawal is read on every call, so it takes effect at once.
- The purpose comes from the caller (``purpose=``) or, for HTTP requests, from what the request declared
  (header ``X-Asylon-Purpose`` or query parameter ``purpose``, see :func:`declared_purpose`). No purpose,
  or another purpose, means no other organisation's data: access outside the purpose is refused as not found.
- Every disclosure to another organisation is written to the access log: :meth:`Access.fields_for`
  records it, and the rows are written when the reading session's transaction ends, so no read path can
  forget it (:mod:`asylon.services.access_log`).

Linkage hook: a deduplication run over several organisations' records must call
``access_for(session, actor, purpose="deduplication", channel="linkage")`` and read only
``access.case_filter`` rows and ``access.fields_for(case)`` fields (which logs the disclosure); the
privacy-preserving path may send encodings of fields the agreement names and nothing else.
:mod:`asylon.services.linkage` does so: runs read through ``case_filter``/``fields_for``/``person_visible``,
and pairs and merged persons read the other side again through this check each time they are shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.orm import Session

from asylon.db.models import Agreement, AgreementParty, Case, Consent, Situation
from asylon.schemas.agreements import Purpose
from asylon.services.actors import Actor

ALL_FIELDS: frozenset[str] = frozenset({"*"})
PURPOSES: frozenset[str] = frozenset(p.value for p in Purpose)

_purpose: ContextVar[str | None] = ContextVar("asylon_declared_purpose", default=None)
_channel: ContextVar[str] = ContextVar("asylon_channel", default="read")


@contextmanager
def declared_purpose(purpose: str | None, *, channel: str | None = None) -> Iterator[None]:
    """Within the block, reads without an explicit ``purpose=`` use ``purpose`` (set per HTTP request).

    >>> with declared_purpose("resettlement-processing", channel="api"):
    ...     current_purpose()
    'resettlement-processing'
    """
    token = _purpose.set(purpose)
    channel_token = _channel.set(channel) if channel else None
    try:
        yield
    finally:
        _purpose.reset(token)
        if channel_token is not None:
            _channel.reset(channel_token)


def current_purpose() -> str | None:
    return _purpose.get()


class PersonLike(Protocol):
    """A person as the check needs it: a stored :class:`Person` or a read-only view of one."""

    @property
    def id(self) -> int: ...


class CaseLike(Protocol):
    """A case as the check needs it: a stored :class:`Case` or a read-only view of one (lists read rows,
    not ORM objects, because building objects dominated their cost)."""

    @property
    def id(self) -> int: ...
    @property
    def organisation_id(self) -> int: ...
    @property
    def situation_id(self) -> int | None: ...
    @property
    def country_of_asylum(self) -> str: ...
    @property
    def persons(self) -> Sequence[PersonLike]: ...


@dataclass(frozen=True, slots=True)
class Grant:
    """What one active agreement opens to the actor's organisation."""

    agreement_id: int
    owners: frozenset[int]
    fields: frozenset[str]
    situation_ids: frozenset[int] | None
    countries: frozenset[str] | None
    needs_consent: bool

    def covers(self, case: CaseLike) -> bool:
        """Whether the case is within the agreement's scope (consent is checked separately)."""
        return (
            case.organisation_id in self.owners
            and (self.situation_ids is None or case.situation_id in self.situation_ids)
            and (self.countries is None or case.country_of_asylum in self.countries)
        )


@dataclass(slots=True)
class Access:
    actor: Actor
    purpose: str | None = None
    grants: tuple[Grant, ...] = ()
    session: Session | None = field(default=None, repr=False, compare=False)
    channel: str = "read"
    event_id: int | None = None  # set by the feed and webhooks so the access log names the event
    _consents: dict[int, frozenset[int]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def case_filter(self) -> ColumnElement[bool]:
        """A WHERE clause over :class:`Case` selecting exactly the cases the actor may see."""
        own = Case.organisation_id == self.actor.organisation_id
        return or_(own, *(self._grant_clause(g) for g in self.grants)) if self.grants else own

    def _grant_clause(self, grant: Grant) -> ColumnElement[bool]:
        parts: list[ColumnElement[bool]] = [Case.organisation_id.in_(sorted(grant.owners))]
        if grant.situation_ids is not None:
            parts.append(Case.situation_id.in_(sorted(grant.situation_ids)) if grant.situation_ids else false())
        if grant.countries is not None:
            parts.append(Case.country_of_asylum.in_(sorted(grant.countries)))
        if grant.needs_consent:
            parts.append(exists().where(
                Consent.case_id == Case.id,
                Consent.purpose == self.purpose,
                Consent.recipient_organisation_id == self.actor.organisation_id,
                Consent.withdrawn_at.is_(None),
            ))
        return and_(*parts)

    def _consented(self, case: CaseLike) -> frozenset[int]:
        if case.id not in self._consents:
            if self.session is None:
                return frozenset()
            self._consents[case.id] = frozenset(self.session.scalars(select(Consent.person_id).where(
                Consent.case_id == case.id,
                Consent.purpose == self.purpose,
                Consent.recipient_organisation_id == self.actor.organisation_id,
                Consent.withdrawn_at.is_(None),
            )))
        return self._consents[case.id]

    def grants_for(self, case: CaseLike) -> list[Grant]:
        """The agreements under which the actor may see ``case`` (empty for its own cases)."""
        if case.organisation_id == self.actor.organisation_id:
            return []
        return [g for g in self.grants if g.covers(case) and (not g.needs_consent or self._consented(case))]

    def can_see(self, case: CaseLike) -> bool:
        return case.organisation_id == self.actor.organisation_id or bool(self.grants_for(case))

    def person_visible(self, case: CaseLike, person: PersonLike) -> bool:
        """Whether ``person`` of a visible case may be disclosed (consent, where the agreement needs it)."""
        if case.organisation_id == self.actor.organisation_id:
            return True
        grants = self.grants_for(case)
        if any(not g.needs_consent for g in grants):
            return True
        return bool(grants) and person.id in self._consented(case)

    def fields_for(self, case: CaseLike) -> frozenset[str]:
        """The fields of ``case`` the actor may read: ``ALL_FIELDS`` for their own organisation's cases,
        the union of the covering agreements' fields for another's (empty when none covers it).

        Calling this is a disclosure of the case to another organisation, so it is logged.
        """
        if case.organisation_id == self.actor.organisation_id:
            return ALL_FIELDS
        grants = self.grants_for(case)
        fields = frozenset().union(*(g.fields for g in grants)) if grants else frozenset()
        if grants:
            self._log(case, grants, fields)
        return fields

    def can_change(self, case: CaseLike) -> bool:
        # Sharing never grants writing: only the owning organisation changes its cases.
        return case.organisation_id == self.actor.organisation_id

    def _log(self, case: CaseLike, grants: list[Grant], fields: frozenset[str]) -> None:
        if self.session is None:
            return
        from asylon.services.access_log import pending  # the log's writer lives there; it imports us

        agreements = sorted(str(g.agreement_id) for g in grants)
        rows = pending(self.session)
        for person in case.persons:
            if self.person_visible(case, person):
                rows.append({
                    "channel": self.channel,
                    "recipient_organisation_id": self.actor.organisation_id,
                    "recipient_user_id": self.actor.user_id,
                    "owner_organisation_id": case.organisation_id,
                    "case_id": case.id,
                    "person_id": person.id,
                    "agreement_ids": agreements,
                    "purpose": self.purpose or "",
                    "fields": sorted(fields),
                    "event_id": self.event_id,
                })


def active_agreements(session: Session, organisation_id: int, purpose: str, today: dt.date) -> list[Agreement]:
    """Agreements in force today that bind ``organisation_id`` for ``purpose``."""
    return list(session.scalars(
        select(Agreement)
        .join(AgreementParty, AgreementParty.agreement_id == Agreement.id)
        .where(
            AgreementParty.organisation_id == organisation_id,
            Agreement.purpose == purpose,
            Agreement.status == "active",
            Agreement.valid_from <= today,
            Agreement.valid_until >= today,
        )
    ).unique())


def access_for(
    session: Session, actor: Actor, *, purpose: str | None = None, channel: str | None = None,
    today: dt.date | None = None,
) -> Access:
    """What ``actor`` may see, for ``purpose`` (default: what the current request declared).

    >>> # access = access_for(session, actor, purpose="resettlement-processing")
    >>> # session.scalars(select(Case).where(access.case_filter)); access.fields_for(case)
    """
    purpose = purpose if purpose is not None else current_purpose()
    channel = channel or _channel.get()
    if purpose not in PURPOSES:
        return Access(actor, purpose, (), session, channel)
    today = today or dt.datetime.now(dt.UTC).date()
    grants: list[Grant] = []
    for agreement in active_agreements(session, actor.organisation_id, purpose, today):
        owners = frozenset(p.organisation_id for p in agreement.parties) - {actor.organisation_id}
        situation_ids: frozenset[int] | None = None
        if agreement.situations:
            situation_ids = frozenset(session.scalars(
                select(Situation.id).where(Situation.code.in_(agreement.situations))
            ))
        grants.append(Grant(
            agreement_id=agreement.id,
            owners=owners,
            fields=frozenset(agreement.fields),
            situation_ids=situation_ids,
            countries=frozenset(agreement.countries) if agreement.countries else None,
            needs_consent=agreement.legal_basis == "consent",
        ))
    return Access(actor, purpose, tuple(g for g in grants if g.owners), session, channel)


def describe(access: Access) -> dict[str, Any]:
    """The access as plain data, for messages and the web UI."""
    return {"purpose": access.purpose, "agreements": [g.agreement_id for g in access.grants]}
