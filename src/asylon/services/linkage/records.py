"""Persons as linkage shows them: one's own in full, another organisation's through the one visibility check.

Nothing of another organisation's person is stored by linkage (pairs keep scores and comparison levels,
merged persons keep references). Each time a pair or a merged person is shown, the other side is read
again through :func:`asylon.services.visibility.access_for` for deduplication on the linkage channel, so
an agreement that ends, or a consent that is withdrawn, hides it at once; each read is logged.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from asylon.db.models import Case, MergedPerson, MergedPersonMember, Organisation, Person
from asylon.schemas.cases import CasePublic
from asylon.schemas.linkage import LinkedRecord
from asylon.services.actors import Actor
from asylon.services.caseviews import to_public
from asylon.services.visibility import Access, access_for

PURPOSE = "deduplication"
CHANNEL = "linkage"


def linkage_access(session: Session, actor: Actor) -> Access:
    """What ``actor`` may read for linkage: its own persons, and others' under deduplication agreements."""
    return access_for(session, actor, purpose=PURPOSE, channel=CHANNEL)


def actor_label(actor: Actor) -> str:
    return f"{actor.name or f'user {actor.user_id}'} ({actor.organisation_slug})"


class RecordReader:
    """Reads persons for one request or job; each case is read (and, if another's, logged) once."""

    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor
        self.access = linkage_access(session, actor)
        self._where: dict[int, tuple[int, str, int]] = {}  # person id -> (case id, person ref, owner)
        self._cases: dict[int, CasePublic | None] = {}
        self._slugs = dict(session.execute(select(Organisation.id, Organisation.slug)).all())
        self._groups: dict[int, int] = {}

    def slug(self, organisation_id: int) -> str:
        return self._slugs.get(organisation_id, str(organisation_id))

    def prefetch(self, person_ids: Iterable[int]) -> None:
        wanted = [p for p in set(person_ids) if p not in self._where]
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            rows = self.session.execute(
                select(Person.id, Person.case_id, Person.person_ref, Case.organisation_id)
                .join(Case, Case.id == Person.case_id)
                .where(Person.id.in_(chunk))
            )
            for person_id, case_id, ref, owner in rows:
                self._where[person_id] = (case_id, ref, owner)
            groups = self.session.execute(
                select(MergedPersonMember.person_id, MergedPersonMember.merged_person_id)
                .join(MergedPerson, MergedPerson.id == MergedPersonMember.merged_person_id)
                .where(MergedPersonMember.person_id.in_(chunk), MergedPersonMember.left_at.is_(None),
                       MergedPerson.organisation_id == self.actor.organisation_id,
                       MergedPerson.status == "active")
            )
            self._groups.update(dict(groups.all()))

    def owner(self, person_id: int) -> int:
        self.prefetch([person_id])
        return self._where[person_id][2]

    def own(self, person_id: int) -> bool:
        return self.owner(person_id) == self.actor.organisation_id

    def case(self, case_id: int) -> CasePublic | None:
        """The case as the actor may see it now, or None."""
        if case_id not in self._cases:
            case = self.session.scalar(
                select(Case).where(Case.id == case_id).options(
                    selectinload(Case.persons).selectinload(Person.needs),
                    selectinload(Case.organisation),
                    selectinload(Case.situation),
                )
            )
            if case is None or not self.access.can_see(case):
                self._cases[case_id] = None
            else:
                self._cases[case_id] = to_public(self.access, case)  # logs a disclosure to another organisation
        return self._cases[case_id]

    def record(self, person_id: int, *, member_id: int | None = None) -> LinkedRecord:
        """One person as the actor may see it now: every field of its own, the agreed fields of another's,
        nothing (not even identifiers) when no agreement covers it any more."""
        self.prefetch([person_id])
        case_id, ref, owner = self._where[person_id]
        base = LinkedRecord(organisation=self.slug(owner), visible=False, member_id=member_id,
                            merged_person_id=self._groups.get(person_id))
        public = self.case(case_id)
        if public is None:
            return base
        person = next((p for p in public.persons if p.person_ref == ref), None)
        if person is None:
            return base
        household = [p.given_name for p in public.persons if p.person_ref != ref and p.given_name]
        return base.model_copy(update={
            "visible": True, "case_id": case_id, "case_number": public.case_number, "person_ref": ref,
            "person": person, "household": household,
        })
