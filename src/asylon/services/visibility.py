"""The one check that decides which cases and which of their fields an actor may see.

Every read path — API routes, web pages, exports, linkage, the event feed — asks :func:`access_for` and
applies what it returns; nothing else decides visibility. Today an organisation sees its own cases only;
data-sharing agreements plug in here by widening :attr:`Access.case_filter` and narrowing
:meth:`Access.fields_for` for cases owned by other organisations.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from asylon.db.models import Case
from asylon.services.actors import Actor

ALL_FIELDS: frozenset[str] = frozenset({"*"})


@dataclass(frozen=True, slots=True)
class Access:
    actor: Actor

    @property
    def case_filter(self) -> ColumnElement[bool]:
        """A WHERE clause over :class:`Case` selecting exactly the cases the actor may see."""
        return Case.organisation_id == self.actor.organisation_id

    def can_see(self, case: Case) -> bool:
        return case.organisation_id == self.actor.organisation_id

    def fields_for(self, case: Case) -> frozenset[str]:
        """The fields of ``case`` the actor may read: ``ALL_FIELDS`` for their own organisation's cases."""
        return ALL_FIELDS if self.can_see(case) else frozenset()

    def can_change(self, case: Case) -> bool:
        # Sharing never grants writing: only the owning organisation changes its cases.
        return case.organisation_id == self.actor.organisation_id


def access_for(session: Session, actor: Actor, *, purpose: str | None = None) -> Access:
    """What ``actor`` may see, for ``purpose`` (checked against agreements once they exist)."""
    del session, purpose  # used once agreements exist
    return Access(actor)
