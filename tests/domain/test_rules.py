"""State machines and safeguards, table by table."""

from __future__ import annotations

import pytest

from asylon.domain.dates import DateError, DatePrecision, PartialDate
from asylon.domain.pathways import PATHWAY_MACHINES, PathwayKind
from asylon.domain.safeguards import MemberFacts, UnsafeFlag, check_repatriation, check_transfer
from asylon.domain.status import STATUS_MACHINE
from asylon.errors import SafeguardRefused, TransitionRefused

RESETTLEMENT = PATHWAY_MACHINES[PathwayKind.RESETTLEMENT]
REPATRIATION = PATHWAY_MACHINES[PathwayKind.VOLUNTARY_REPATRIATION]


@pytest.mark.parametrize(
    ("machine", "current", "target", "allowed"),
    [
        (STATUS_MACHINE, "asylum-seeker", "refugee", True),
        (STATUS_MACHINE, "asylum-seeker", "appeal", False),
        (STATUS_MACHINE, "rejected", "appeal", True),
        (STATUS_MACHINE, "refugee", "asylum-seeker", False),
        (STATUS_MACHINE, "closed", "refugee", False),
        (STATUS_MACHINE, "refugee", "no-such-status", False),
        (RESETTLEMENT, "identified", "submitted", True),
        (RESETTLEMENT, "identified", "departed", False),
        (RESETTLEMENT, "submitted", "accepted", True),
        (RESETTLEMENT, "accepted", "departure-scheduled", True),
        (RESETTLEMENT, "departed", "withdrawn", False),
        (RESETTLEMENT, "submitted", "withdrawn", True),
        (RESETTLEMENT, "withdrawn", "submitted", False),
        (REPATRIATION, "identified", "intention", True),
        (REPATRIATION, "intention", "returned", False),
        (PATHWAY_MACHINES[PathwayKind.LOCAL_INTEGRATION], "in-progress", "naturalised", False),
    ],
)
def test_transitions(machine, current: str, target: str, allowed: bool) -> None:  # type: ignore[no-untyped-def]
    if allowed:
        machine.check(current, target)
    else:
        with pytest.raises(TransitionRefused) as refused:
            machine.check(current, target)
        assert refused.value.rule == f"{machine.name}.transition"
        assert current in refused.value.message and target in refused.value.message
        assert refused.value.allowed == sorted(machine.allowed_from(current))


ADULT = MemberFacts("P1", nationality="SYR", age=40, is_principal=True)
CHILD = MemberFacts("P2", nationality="SYR", age=8)


@pytest.mark.parametrize(
    ("destination", "members", "fled", "unsafe", "decision", "rule"),
    [
        ("DEU", [ADULT, CHILD], ["SYR"], [], False, None),
        ("SYR", [ADULT], [], [], False, "non-refoulement.nationality"),
        ("TUR", [MemberFacts("P1", nationality="IRN")], ["TUR"], [], False, "non-refoulement.fled"),
        ("LBY", [ADULT], [], [UnsafeFlag("LBY")], False, "non-refoulement.unsafe"),
        ("LBY", [ADULT], [], [UnsafeFlag("LBY", "ERI")], False, None),
        ("LBY", [ADULT, MemberFacts("P2", nationality="ERI")], [], [UnsafeFlag("LBY", "ERI")], False,
         "non-refoulement.unsafe"),
        ("HUN", [MemberFacts("P1", needs=frozenset({"survivor"}))], [], [UnsafeFlag("HUN", "survivor")], False,
         "non-refoulement.unsafe"),
        ("DEU", [ADULT, MemberFacts("P2", nationality="SYR", destination="CAN")], [], [], False, "family-unity.split"),
        ("DEU", [ADULT, MemberFacts("P2", nationality="SYR", destination="CAN")], [], [], True, None),
        ("DEU", [ADULT, MemberFacts("P2", nationality="SYR", destination="SYR")], [], [], True,
         "non-refoulement.nationality"),
    ],
)
def test_transfer_safeguards(destination, members, fled, unsafe, decision, rule) -> None:  # type: ignore[no-untyped-def]
    call = lambda: check_transfer(destination=destination, members=members, fled=fled, unsafe=unsafe,  # noqa: E731
                                  family_unity_decision=decision)
    if rule is None:
        call()
    else:
        with pytest.raises(SafeguardRefused) as refused:
            call()
        assert refused.value.rule == rule
        assert f"(rule: {rule})" in str(refused.value)


DECLARED = MemberFacts("P1", age=40, is_principal=True, voluntariness_declared=True)
UNDECLARED_ADULT = MemberFacts("P2", age=19)


@pytest.mark.parametrize(
    ("target", "members", "initiated_by", "unsafe", "rule"),
    [
        ("intention", [MemberFacts("P1", age=40)], "person", [], None),
        ("voluntariness-verified", [MemberFacts("P1", age=40)], "person", [], "voluntariness.declaration"),
        ("voluntariness-verified", [DECLARED, CHILD], "person", [], None),
        ("voluntariness-verified", [DECLARED, UNDECLARED_ADULT], "person", [], "voluntariness.declaration"),
        ("voluntariness-verified", [MemberFacts("P1", is_principal=True)], "person", [], "voluntariness.declaration"),
        ("return-scheduled", [DECLARED], "person", [UnsafeFlag("SYR")], None),
        ("return-scheduled", [DECLARED], "organisation", [UnsafeFlag("SYR")], "return.unsafe"),
        ("intention", [DECLARED], "organisation", [UnsafeFlag("SYR")], "return.unsafe"),
        ("withdrawn", [MemberFacts("P1", age=40)], "organisation", [UnsafeFlag("SYR")], None),
    ],
)
def test_repatriation_safeguards(target, members, initiated_by, unsafe, rule) -> None:  # type: ignore[no-untyped-def]
    call = lambda: check_repatriation(target_state=target, return_country="SYR", members=members,  # noqa: E731
                                      initiated_by=initiated_by, unsafe=unsafe)
    if rule is None:
        call()
    else:
        with pytest.raises(SafeguardRefused) as refused:
            call()
        assert refused.value.rule == rule


@pytest.mark.parametrize(
    ("text", "normal", "precision"),
    [("1990-05-17", "1990-05-17", DatePrecision.EXACT), ("1990-05", "1990-05", DatePrecision.MONTH),
     ("1990", "1990", DatePrecision.YEAR), (" ~1984 ", "~1984", DatePrecision.ESTIMATED)],
)
def test_partial_dates(text: str, normal: str, precision: DatePrecision) -> None:
    parsed = PartialDate.parse(text)
    assert str(parsed) == normal and parsed.precision is precision


@pytest.mark.parametrize("text", ["31/02/1990", "1990-02-31", "1990-13", "~1990-05", "2999", "1850", "", "abc"])
def test_impossible_dates_are_refused_with_a_hint(text: str) -> None:
    with pytest.raises(DateError) as error:
        PartialDate.parse(text)
    assert repr(text) in str(error.value) or text.strip() in str(error.value)
