"""Merging linked records into one person, and splitting them again, without losing any value.

A :class:`MergedPerson` keeps every member record whole; the merged view of a field is computed
(survivorship), never stored in place of the originals. So unmerging is exact: the records come
back as they were, and the history says who merged and split what, and why.

>>> a = SourceRecord("A1", "unhcr", {"given_name": "Mohammed", "date_of_birth": "1990"})
>>> b = SourceRecord("B7", "ngo", {"given_name": "محمد", "date_of_birth": "1990-05-17"})
>>> person = merge(MergedPerson.of(a), MergedPerson.of(b), by="reviewer-3", reason="same household, same date")
>>> person.value("date_of_birth")          # the most precise date wins the merged view
'1990-05-17'
>>> sorted(v for v, _ in person.alternatives("given_name"))
['Mohammed', 'محمد']
>>> kept, split = unmerge(person, {"B7"}, by="reviewer-4", reason="twin brother")
>>> split.record("B7") == b
True
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from asylon.domain.dates import DateError, PartialDate
from asylon.errors import InvalidInput, Problem

__all__ = ["MergeEvent", "MergedPerson", "SourceRecord", "merge", "unmerge"]


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One organisation's record as it was registered."""

    record_id: str
    source: str
    fields: Mapping[str, str]

    def __post_init__(self) -> None:
        # A frozen copy: later changes to the caller's dict cannot alter history.
        object.__setattr__(self, "fields", dict(self.fields))

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.record_id)

    def __hash__(self) -> int:
        return hash((self.record_id, self.source, tuple(sorted(self.fields.items()))))


@dataclass(frozen=True, slots=True)
class MergeEvent:
    """A merge or a split: what, by whom, why."""

    action: str  # "merge" | "unmerge"
    records: tuple[tuple[str, str], ...]
    by: str
    reason: str


@dataclass(frozen=True, slots=True)
class MergedPerson:
    """Records believed to be one person, each kept whole, with the history of how they came together."""

    members: tuple[SourceRecord, ...]
    history: tuple[MergeEvent, ...] = ()

    @classmethod
    def of(cls, record: SourceRecord) -> MergedPerson:
        return cls((record,))

    def record(self, record_id: str, source: str | None = None) -> SourceRecord:
        """A member exactly as registered."""
        for m in self.members:
            if m.record_id == record_id and (source is None or m.source == source):
                return m
        raise KeyError(record_id)

    def alternatives(self, field: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Every distinct non-empty value of ``field`` with the records that hold it."""
        seen: dict[str, list[str]] = {}
        for m in self.members:
            value = m.fields.get(field, "")
            if value.strip():
                seen.setdefault(value, []).append(m.record_id)
        return tuple((v, tuple(ids)) for v, ids in seen.items())

    def value(self, field: str) -> str | None:
        """The merged view of ``field``: for dates the most precise; otherwise the value most records
        hold (ties: the first registered)."""
        options = self.alternatives(field)
        if not options:
            return None
        if field == "date_of_birth":
            return max(options, key=lambda o: (_precision_rank(o[0]), len(o[1])))[0]
        return max(options, key=lambda o: len(o[1]))[0]


_RANK = {"exact": 4, "month": 3, "year": 2, "estimated": 1}


def _precision_rank(text: str) -> int:
    try:
        date = PartialDate.parse(text)
    except DateError:
        return 0
    rank = _RANK[date.precision.value]
    if rank == 4 and date.month == 1 and date.day == 1:
        return 2  # 1 January is usually a placeholder for "born that year"
    return rank


def merge(a: MergedPerson, b: MergedPerson, *, by: str, reason: str) -> MergedPerson:
    """One person from two; refuses to merge a record with itself."""
    keys_a = {m.key for m in a.members}
    overlap = keys_a & {m.key for m in b.members}
    if overlap:
        raise InvalidInput(
            Problem(f"records {sorted(overlap)} are already in this person", fix="merge distinct records")
        )
    members = a.members + b.members
    event = MergeEvent("merge", tuple(m.key for m in members), by, reason)
    return MergedPerson(members, (*a.history, *b.history, event))


def unmerge(
    person: MergedPerson, record_ids: Collection[str], *, by: str, reason: str
) -> tuple[MergedPerson, MergedPerson]:
    """Split the records ``record_ids`` out of ``person``; both parts keep the full history."""
    ids = set(record_ids)
    out = tuple(m for m in person.members if m.record_id in ids)
    kept = tuple(m for m in person.members if m.record_id not in ids)
    missing = ids - {m.record_id for m in out}
    if missing:
        raise InvalidInput(
            Problem(f"records {sorted(missing)} are not in this person", fix="name member records")
        )
    if not kept or not out:
        raise InvalidInput(
            Problem("an unmerge must leave records on both sides", fix="name some, not all, members")
        )
    event = MergeEvent("unmerge", tuple(m.key for m in out), by, reason)
    history = (*person.history, event)
    return MergedPerson(kept, history), MergedPerson(out, history)
