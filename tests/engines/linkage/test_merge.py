from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asylon.engines.linkage.merge import MergedPerson, SourceRecord, merge, unmerge
from asylon.errors import InvalidInput

FIELDS = ["given_name", "family_name", "date_of_birth", "sex"]
values = st.one_of(
    st.sampled_from(["", "1990", "~1989", "1990-01-01", "1990-05-17", "Ali", "علي", "M"]), st.text(max_size=5)
)
records = st.lists(st.fixed_dictionaries({f: values for f in FIELDS}), min_size=2, max_size=7).map(
    lambda rows: [SourceRecord(f"r{k}", "org" if k % 2 else "ngo", row) for k, row in enumerate(rows)]
)


@settings(max_examples=150, derandomize=True)
@given(records, st.data())
def test_merge_then_unmerge_recovers_every_original_value(
    recs: list[SourceRecord], data: st.DataObject
) -> None:
    person = MergedPerson.of(recs[0])
    for r in recs[1:]:
        person = merge(person, MergedPerson.of(r), by="tester", reason="test")
    # every value of every record is there, and the merged view is one of them
    for r in recs:
        assert person.record(r.record_id, r.source) == r
    for f in FIELDS:
        held = {r.fields[f] for r in recs if r.fields[f].strip()}
        assert {v for v, _ in person.alternatives(f)} == held
        assert person.value(f) in held | {None}
    split_ids = data.draw(
        st.sets(st.sampled_from([r.record_id for r in recs]), min_size=1, max_size=len(recs) - 1)
    )
    kept, out = unmerge(person, split_ids, by="tester", reason="not the same")
    assert {m.record_id for m in out.members} == split_ids
    assert sorted(kept.members + out.members, key=lambda m: m.record_id) == sorted(
        recs, key=lambda m: m.record_id
    )
    assert [e.action for e in kept.history].count("merge") == len(recs) - 1
    assert kept.history[-1].action == "unmerge" and kept.history == out.history


def test_precise_dates_win_and_placeholders_lose() -> None:
    person = merge(
        MergedPerson.of(SourceRecord("1", "a", {"date_of_birth": "1990-01-01"})),
        MergedPerson.of(SourceRecord("2", "b", {"date_of_birth": "1990-05-17"})),
        by="x",
        reason="y",
    )
    assert person.value("date_of_birth") == "1990-05-17"


def test_merging_a_record_twice_and_emptying_a_side_are_refused() -> None:
    a = MergedPerson.of(SourceRecord("1", "a", {}))
    b = MergedPerson.of(SourceRecord("2", "a", {}))
    ab = merge(a, b, by="x", reason="y")
    with pytest.raises(InvalidInput, match="already in this person"):
        merge(ab, a, by="x", reason="y")
    with pytest.raises(InvalidInput, match="both sides"):
        unmerge(ab, {"1", "2"}, by="x", reason="y")
    with pytest.raises(InvalidInput, match="not in this person"):
        unmerge(ab, {"9"}, by="x", reason="y")


def test_records_are_copied_so_later_edits_cannot_rewrite_history() -> None:
    fields = {"given_name": "Ali"}
    rec = SourceRecord("1", "a", fields)
    fields["given_name"] = "changed"
    assert rec.fields["given_name"] == "Ali"
