"""Exporting one's own cases *for* another organisation: the file holds exactly what that organisation may
see of them under its agreements for one purpose, and handing it over is logged as a disclosure.

The recipient's view is the one visibility check (:func:`asylon.services.visibility.access_for`) asked
on the recipient's behalf, so a file can never carry more than the recipient would read through the API:
only cases an active agreement for the purpose covers, only persons with a current consent where the
agreement's legal basis is consent, only the agreement's fields. Each person written goes to the access
log with channel ``export``, naming the recipient, the agreements and the fields.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from asylon.db.models import Case, Person, Situation
from asylon.domain.organisations import Role
from asylon.errors import InvalidInput, Problem, RuleRefused
from asylon.schemas.cases import CasePublic
from asylon.services.accounts import get_organisation
from asylon.services.actors import Actor
from asylon.services.caseviews import to_public
from asylon.services.visibility import PURPOSES, access_for

AGREEMENT_REQUIRED = "sharing.agreement-required"


def cases_for_recipient(session: Session, *, actor: Actor, recipient: str, purpose: str,
                        situation: str | None = None, batch: int = 500) -> Iterator[CasePublic]:
    """The actor's organisation's cases as ``recipient`` may see them for ``purpose``, in id order.

    Refuses (rule ``sharing.agreement-required``) when no agreement in force binds the two organisations
    for the purpose, so an export without an agreement writes nothing rather than an empty file.
    """
    actor.require(Role.CASEWORKER, "exporting cases for another organisation")
    if purpose not in PURPOSES:
        raise InvalidInput(Problem(f"unknown purpose '{purpose}'", field="purpose",
                                   fix=f"use one of: {', '.join(sorted(PURPOSES))}"))
    organisation = get_organisation(session, recipient)
    if organisation.id == actor.organisation_id:
        raise InvalidInput(Problem("the recipient is your own organisation", field="for",
                                   fix="name the organisation the file is for"))
    as_recipient = Actor(user_id=None, organisation_id=organisation.id, organisation_slug=organisation.slug,
                         role=Role.VIEWER, name=organisation.slug)
    access = access_for(session, as_recipient, purpose=purpose, channel="export")
    if not any(actor.organisation_id in grant.owners for grant in access.grants):
        raise RuleRefused(AGREEMENT_REQUIRED,
                          f"no agreement in force between {actor.organisation_slug} and {organisation.slug} for "
                          f"'{purpose}'; nothing was exported — draft one and have an admin of each party approve it")
    query = select(Case).where(access.case_filter, Case.organisation_id == actor.organisation_id)
    if situation:
        query = query.where(Case.situation.has(Situation.code == situation))
    last_id = 0
    while True:
        rows = session.scalars(
            query.where(Case.id > last_id)
            .options(selectinload(Case.persons).selectinload(Person.needs), selectinload(Case.organisation),
                     selectinload(Case.situation))
            .order_by(Case.id).limit(batch)
        ).all()
        if not rows:
            return
        for case in rows:
            yield to_public(access, case)  # logs the disclosure of each person written
        last_id = rows[-1].id
