"""Merging and unmerging stored persons: any sequence of merges and splits keeps every stored value, the
merged persons are exactly the groups the decisions make, and each step is a case event (Hypothesis)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from asylon.db.engine import session_factory
from asylon.db.models import CaseEvent, MergedPerson, Person
from asylon.engines.linkage.merge import SourceRecord
from asylon.errors import Conflict, InvalidInput
from asylon.schemas.cases import CaseCreate
from asylon.schemas.linkage import Unmerge
from asylon.services import linkage, registry
from asylon.services.linkage.merges import VIEW_FIELDS
from asylon.services.linkage.records import RecordReader
from tests.support.world import TwoOrgs

pytestmark = pytest.mark.db

text = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=30).map(
    str.strip).filter(bool)
dates = st.one_of(
    st.none(),
    st.integers(1930, 2024).map(str),
    st.integers(1930, 2024).map(lambda y: f"~{y}"),
    st.tuples(st.integers(1930, 2024), st.integers(1, 12)).map(lambda t: f"{t[0]}-{t[1]:02d}"),
    st.tuples(st.integers(1930, 2024), st.integers(1, 12), st.integers(1, 28)).map(
        lambda t: f"{t[0]}-{t[1]:02d}-{t[2]:02d}"),
)
person = st.fixed_dictionaries({
    "given_name": st.one_of(st.none(), text), "family_name": st.one_of(st.none(), text),
    "name_original": st.one_of(st.none(), text), "date_of_birth": dates, "sex": st.sampled_from("FMXU"),
    "nationality": st.one_of(st.none(), st.sampled_from(["SYR", "AFG", "ERI", "SOM", "UKR"])),
    "place_of_birth": st.one_of(st.none(), text),
})
steps = st.lists(st.one_of(st.tuples(st.just("merge"), st.integers(0, 5), st.integers(0, 5)),
                           st.tuples(st.just("unmerge"), st.integers(0, 5), st.integers(0, 5))),
                 min_size=1, max_size=12)


def _register(session: Any, actor: Any, people: list[dict[str, Any]]) -> list[int]:
    ids = []
    for number, members in enumerate((people[:3], people[3:])):
        if not members:
            continue
        persons = [{"person_ref": f"P{k + 1}", "relationship": "principal" if k == 0 else "sibling", **p}
                   for k, p in enumerate(members)]
        case = registry.register_case(session, actor=actor, data=CaseCreate.model_validate(
            {"case_number": f"H-{number}", "country_of_asylum": "JOR", "persons": persons}))
        ids += [p.id for p in case.persons]
    return ids


def _groups(session: Any, organisation_id: int) -> set[frozenset[int]]:
    out = set()
    for group in session.scalars(select(MergedPerson).where(MergedPerson.organisation_id == organisation_id,
                                                            MergedPerson.status == "active")):
        out.add(frozenset(m.person_id for m in group.members if m.left_at is None))
    return out


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=st.lists(person, min_size=2, max_size=6), plan=steps)
def test_merge_then_unmerge_keeps_every_value(engine: Engine, orgs: TwoOrgs, people: list[dict[str, Any]],
                                              plan: list[tuple[str, int, int]]) -> None:
    actor = orgs.a_caseworker.actor
    session = session_factory(engine)()
    try:
        ids = _register(session, actor, people)
        originals = {pid: registry.person_snapshot(session.get_one(Person, pid)) for pid in ids}
        records = {pid: SourceRecord(str(pid), "agency-a", {f: str(v) for f in VIEW_FIELDS
                                                             if (v := originals[pid].get(f)) is not None})
                   for pid in ids}
        expected: list[set[int]] = []  # the partition the decisions make (groups of two or more)
        merges = 0

        def group_of(pid: int) -> set[int] | None:
            return next((g for g in expected if pid in g), None)

        for action, i, j in plan:
            a, b = ids[i % len(ids)], ids[j % len(ids)]
            if action == "merge":
                ga, gb = group_of(a), group_of(b)
                if a == b or (ga is not None and ga is gb):
                    # The same record, or two already one person: refused, nothing written.
                    savepoint = session.begin_nested()
                    with pytest.raises((Conflict, InvalidInput)):
                        linkage.merge_persons(session, actor=actor, left_id=a, right_id=b, reason="r")
                    savepoint.rollback()
                    continue
                linkage.merge_persons(session, actor=actor, left_id=a, right_id=b, reason=f"merge {a} {b}")
                merges += 1
                joined = (ga or {a}) | (gb or {b})
                expected = [g for g in expected if g is not ga and g is not gb] + [joined]
            else:
                group = group_of(a)
                if group is None:
                    continue
                rows = [g for g in session.scalars(select(MergedPerson).where(MergedPerson.status == "active"))
                        if any(m.person_id == a and m.left_at is None for m in g.members)]
                assert len(rows) == 1
                member = next(m for m in rows[0].members if m.person_id == a and m.left_at is None)
                linkage.unmerge(session, actor=actor, data=Unmerge(merged_person_id=rows[0].id,
                                                                   member_ids=[member.id], reason="split"))
                expected.remove(group)
                if len(group) > 2:
                    expected.append(group - {a})
            session.flush()
            assert _groups(session, actor.organisation_id) == {frozenset(g) for g in expected}
            # No stored value changed, whatever was merged or split.
            session.expire_all()
            assert {pid: registry.person_snapshot(session.get_one(Person, pid)) for pid in ids} == originals

        # Each merged person's view is made only of its members' values, and lists every value they hold.
        where = {(session.get_one(Person, pid).case_id, originals[pid]["person_ref"]): pid for pid in ids}
        shown = linkage.list_merged(session, actor=actor)
        assert {frozenset(where[(m.case_id, m.person_ref)] for m in g.members) for g in shown} == {
            frozenset(g) for g in expected}
        for merged in shown:
            pids = [where[(m.case_id, m.person_ref)] for m in merged.members]
            for f in VIEW_FIELDS:
                held = {records[pid].fields[f] for pid in pids if f in records[pid].fields}
                assert set(merged.alternatives[f]) == held
                assert merged.view[f] in held | {None} and (merged.view[f] is None) == (not held)

        # Split everything: every record comes back exactly as registered.
        for group in list(expected):
            for pid in sorted(group)[1:]:
                rows = [g for g in session.scalars(select(MergedPerson).where(MergedPerson.status == "active"))
                        if any(m.person_id == pid and m.left_at is None for m in g.members)]
                if not rows:
                    continue
                member = next(m for m in rows[0].members if m.person_id == pid and m.left_at is None)
                linkage.unmerge(session, actor=actor, data=Unmerge(merged_person_id=rows[0].id,
                                                                   member_ids=[member.id], reason="undo"))
        session.flush()
        assert _groups(session, actor.organisation_id) == set()
        reader = RecordReader(session, actor)
        for pid in ids:
            values = reader.record(pid).person
            assert values is not None
            again = SourceRecord(str(pid), "agency-a", {f: str(v) for f in VIEW_FIELDS
                                                        if (v := getattr(values, f)) is not None})
            assert again == records[pid]
        kinds = dict(session.execute(select(CaseEvent.kind, func.count()).group_by(CaseEvent.kind)).all())
        assert kinds.get("person.merged", 0) == 2 * merges
    finally:
        session.rollback()
        session.close()

