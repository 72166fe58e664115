"""Merged persons: merge two persons (or the merged persons they are in), split records out again.

The engine's model (:mod:`asylon.engines.linkage.merge`) decides: a merged person is its member records kept
whole plus the history of merges and splits; :func:`asylon.engines.linkage.merge.merge` refuses a record
merged with itself and :func:`~asylon.engines.linkage.merge.unmerge` one that would leave a side empty.
This module keeps that model in the database — members by reference, history as plain data — and never
changes a stored person, so an unmerge gives back every record exactly as it is stored. Each merge and
unmerge writes a case event (the outbox) on every case of the organisation's own that it touches; another
organisation's cases are never written to.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from asylon.db.base import utcnow
from asylon.db.models import Case, MergedPerson, MergedPersonMember
from asylon.domain.organisations import Role
from asylon.engines.linkage import merge as engine
from asylon.errors import Conflict, InvalidInput, NotFound, Problem
from asylon.schemas.linkage import LinkedRecord, MergedPersonPublic, MergeEventPublic, Unmerge
from asylon.services.actors import Actor
from asylon.services.linkage.records import RecordReader, actor_label
from asylon.services.registry import record_event

# The fields the merged view is computed over (the person fields linkage compares, and the original name).
VIEW_FIELDS: tuple[str, ...] = (
    "given_name", "family_name", "name_original", "date_of_birth", "sex", "nationality", "place_of_birth",
)


def _values(record: LinkedRecord) -> dict[str, str]:
    """The values of a record the caller may see, as the engine's :class:`SourceRecord` holds them."""
    if record.person is None:
        return {}
    out: dict[str, str] = {}
    for name in VIEW_FIELDS:
        value = getattr(record.person, name)
        if value is not None:
            out[name] = str(value)
    return out


def _source(reader: RecordReader, person_id: int) -> engine.SourceRecord:
    record = reader.record(person_id)
    return engine.SourceRecord(str(person_id), reader.slug(reader.owner(person_id)), _values(record))


def _history(rows: list[dict[str, Any]]) -> tuple[engine.MergeEvent, ...]:
    return tuple(engine.MergeEvent(str(e["action"]), tuple((str(s), str(r)) for s, r in e["records"]),
                                   str(e["by"]), str(e["reason"])) for e in rows)


def _event_row(event: engine.MergeEvent, *, pair_id: int | None = None) -> dict[str, Any]:
    return {"action": event.action, "records": [list(k) for k in event.records], "by": event.by,
            "reason": event.reason, "at": utcnow().isoformat(), "pair_id": pair_id}


def _active(group: MergedPerson) -> list[MergedPersonMember]:
    return [m for m in group.members if m.left_at is None]


def _as_engine(group: MergedPerson, reader: RecordReader) -> engine.MergedPerson:
    return engine.MergedPerson(tuple(_source(reader, m.person_id) for m in _active(group)), _history(group.history))


def group_of(session: Session, actor: Actor, person_id: int) -> MergedPerson | None:
    return session.scalar(
        select(MergedPerson)
        .join(MergedPersonMember, MergedPersonMember.merged_person_id == MergedPerson.id)
        .where(MergedPersonMember.person_id == person_id, MergedPersonMember.left_at.is_(None),
               MergedPerson.organisation_id == actor.organisation_id, MergedPerson.status == "active")
        .options(selectinload(MergedPerson.members))
    )


def _member(reader: RecordReader, person_id: int) -> MergedPersonMember:
    owner = reader.owner(person_id)
    return MergedPersonMember(person_id=person_id, owner_organisation_id=owner, source=reader.slug(owner),
                              joined_at=utcnow())


def merge_persons(session: Session, *, actor: Actor, left_id: int, right_id: int, reason: str,
                  pair_id: int | None = None) -> MergedPerson:
    """Decide that two persons are one. Either may already be in a merged person; the two then join.

    Another organisation's person may be merged only while an agreement for deduplication covers it; its
    data is not copied (the merged person refers to it).
    """
    actor.require(Role.CASEWORKER, "merging persons")
    reader = RecordReader(session, actor)
    reader.prefetch([left_id, right_id])
    if not (reader.own(left_id) or reader.own(right_id)):
        raise InvalidInput(Problem("neither person is your organisation's", fix="merge your own persons, or "
                                   "one of yours with another organisation's"))
    for person_id in (left_id, right_id):
        record = reader.record(person_id)
        if not record.visible or record.person is None:
            raise Conflict(f"{record.organisation}'s record is no longer shared with you for deduplication "
                           "(the agreement ended or was suspended, or consent was withdrawn); it cannot be merged")
        if record.person.erased:
            raise Conflict(f"person {record.person_ref} of case {record.case_id} was erased; an erased person "
                           "cannot be merged")
    group_a, group_b = group_of(session, actor, left_id), group_of(session, actor, right_id)
    if group_a is not None and group_b is not None and group_a.id == group_b.id:
        raise Conflict(f"the two persons are already merged person {group_a.id}")
    a = _as_engine(group_a, reader) if group_a else engine.MergedPerson.of(_source(reader, left_id))
    b = _as_engine(group_b, reader) if group_b else engine.MergedPerson.of(_source(reader, right_id))
    merged = engine.merge(a, b, by=actor_label(actor), reason=reason)
    event = _event_row(merged.history[-1], pair_id=pair_id)
    now = utcnow()
    if group_a is not None and group_b is not None:
        target = group_a
        for member in _active(group_b):
            member.left_at = now
            target.members.append(_member(reader, member.person_id))
        group_b.status = "absorbed"
        group_b.absorbed_into_id = group_a.id
        group_b.updated_at = now
        target.history = [*group_a.history, *group_b.history, event]
    elif group_a is not None:
        target, joining = group_a, right_id
        target.members.append(_member(reader, joining))
        target.history = [*target.history, event]
    elif group_b is not None:
        target, joining = group_b, left_id
        target.members.append(_member(reader, joining))
        target.history = [*target.history, event]
    else:
        target = MergedPerson(organisation_id=actor.organisation_id, status="active", history=[event],
                              members=[_member(reader, left_id), _member(reader, right_id)])
        session.add(target)
    target.updated_at = now
    session.flush()
    assert len(_active(target)) == len(merged.members)  # the store holds what the engine decided
    _case_events(session, actor, reader, [left_id, right_id], "person.merged", reason,
                 {"merged_person_id": target.id,
                  "with": [_reference(reader, p) for p in (left_id, right_id)]})
    return target


def _reference(reader: RecordReader, person_id: int) -> dict[str, Any]:
    """How a case event names a record: in full for the organisation's own, by organisation for another's
    (its identifiers are not kept in our history after the agreement ends)."""
    record = reader.record(person_id)
    if reader.own(person_id):
        return {"organisation": record.organisation, "case_id": record.case_id, "person_ref": record.person_ref}
    return {"organisation": record.organisation}


def _case_events(session: Session, actor: Actor, reader: RecordReader, person_ids: list[int], kind: str,
                 reason: str, data: dict[str, Any]) -> None:
    for person_id in person_ids:
        if not reader.own(person_id):
            continue  # another organisation's case is never written to
        record = reader.record(person_id)
        assert record.case_id is not None
        case = session.get_one(Case, record.case_id)
        record_event(session, actor, case, kind, {"person_ref": record.person_ref, **data}, reason)
        case.updated_at = utcnow()


def unmerge(session: Session, *, actor: Actor, data: Unmerge) -> list[MergedPerson]:
    """Split members out of a merged person. Returns the merged person and, when two or more records were
    split out together, the new merged person they form."""
    actor.require(Role.CASEWORKER, "unmerging persons")
    group = _load(session, actor, data.merged_person_id)
    if group.status != "active":
        raise Conflict(f"merged person {group.id} is {group.status}; only an active merged person can be split")
    active = {m.id: m for m in _active(group)}
    problems = [Problem(f"{mid} is not a current member of merged person {group.id}", field=f"member_ids[{i}]",
                        value=str(mid), fix=f"use member ids from GET /api/v1/linkage/merges: {sorted(active)}")
                for i, mid in enumerate(data.member_ids) if mid not in active]
    if problems:
        raise InvalidInput(problems)
    reader = RecordReader(session, actor)
    reader.prefetch(m.person_id for m in active.values())
    split_out = {active[mid].person_id for mid in data.member_ids}
    kept, split = engine.unmerge(_as_engine(group, reader), {str(p) for p in split_out}, by=actor_label(actor),
                                 reason=data.reason)
    event = _event_row(kept.history[-1])
    now = utcnow()
    ended = [active[mid] for mid in dict.fromkeys(data.member_ids)]
    for member in ended:
        member.left_at = now
    group.history = [*group.history, event]
    group.updated_at = now
    if len(kept.members) < 2:
        for member in _active(group):
            member.left_at = now
            ended.append(member)
        group.status = "split"
    result = [group]
    new_group: MergedPerson | None = None
    if len(split.members) >= 2:
        new_group = MergedPerson(organisation_id=actor.organisation_id, status="active", history=list(group.history),
                                 members=[_member(reader, int(r.record_id)) for r in split.members])
        session.add(new_group)
        result.append(new_group)
    session.flush()
    _case_events(session, actor, reader, [m.person_id for m in ended], "person.unmerged", data.reason,
                 {"merged_person_id": group.id, "now_in": new_group.id if new_group else None})
    return result


def _load(session: Session, actor: Actor, merged_person_id: int) -> MergedPerson:
    group = session.scalar(select(MergedPerson).where(MergedPerson.id == merged_person_id,
                                                      MergedPerson.organisation_id == actor.organisation_id)
                           .options(selectinload(MergedPerson.members)))
    if group is None:
        raise NotFound("merged person", merged_person_id)
    return group


def get_merged(session: Session, *, actor: Actor, merged_person_id: int) -> MergedPersonPublic:
    return to_public(_load(session, actor, merged_person_id), RecordReader(session, actor))


def list_merged(session: Session, *, actor: Actor, status: str | None = "active", limit: int = 100,
                offset: int = 0) -> list[MergedPersonPublic]:
    query = select(MergedPerson).where(MergedPerson.organisation_id == actor.organisation_id)
    if status:
        query = query.where(MergedPerson.status == status)
    groups = session.scalars(query.options(selectinload(MergedPerson.members))
                             .order_by(MergedPerson.updated_at.desc(), MergedPerson.id.desc())
                             .limit(limit).offset(offset)).all()
    reader = RecordReader(session, actor)
    reader.prefetch(m.person_id for g in groups for m in g.members)
    return [to_public(g, reader) for g in groups]


def to_public(group: MergedPerson, reader: RecordReader) -> MergedPersonPublic:
    members = [reader.record(m.person_id, member_id=m.id) for m in group.members if m.left_at is None]
    former = [reader.record(m.person_id, member_id=m.id) for m in group.members if m.left_at is not None]
    view = engine.MergedPerson(tuple(engine.SourceRecord(str(k), r.organisation, _values(r))
                                     for k, r in enumerate(members) if r.visible))
    return MergedPersonPublic(
        id=group.id, status=group.status, members=members, former_members=former,
        view={f: view.value(f) for f in VIEW_FIELDS} if view.members else {},
        alternatives={f: [v for v, _ in view.alternatives(f)] for f in VIEW_FIELDS} if view.members else {},
        history=[MergeEventPublic(action=str(e["action"]), records=[_label(reader, s, r) for s, r in e["records"]],
                                  by=str(e["by"]), reason=str(e["reason"])) for e in group.history],
        created_at=group.created_at, updated_at=group.updated_at,
    )


def _label(reader: RecordReader, source: str, record_id: str) -> str:
    # Another organisation's records are named by organisation only: their ids are not ours to keep showing.
    return f"{source}:{record_id}" if source == reader.actor.organisation_slug else source
