"""Pledge lifecycle: allowed paths, refused ones with their rule names, every change an event."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asylon.engines.fairshare.pledges import PledgeEvent, allowed_events, apply, new_pledge, replay
from asylon.errors import InvalidInput, RuleRefused, TransitionRefused


def pledge() -> object:
    return new_pledge(
        "GRF-001", "financial", ["State A", "Foundation B"], "USD", situation="SDN", sector="Health"
    )


def events(*items: tuple[str, str | None] | tuple[str, str | None, str]) -> list[PledgeEvent]:
    out = []
    for item in items:
        kind, amount = item[0], item[1]
        note = item[2] if len(item) > 2 else ""
        out.append(PledgeEvent(kind, amount=D(amount) if amount else None, note=note))  # type: ignore[arg-type]
    return out


@pytest.mark.parametrize(
    ("steps", "status", "paid", "committed"),
    [
        ([("pledge", "1000")], "pledged", "0", "0"),
        ([("pledge", "1000"), ("commit", "600")], "committed", "0", "600"),
        ([("pledge", "1000"), ("commit", "600"), ("pay", "200")], "partly_paid", "200", "600"),
        ([("pledge", "1000"), ("commit", "600"), ("pay", "200"), ("pay", "400")], "paid", "600", "600"),
        ([("pledge", "1000"), ("commit", "600"), ("pay", "200"), ("close", None)], "closed", "200", "600"),
        ([("pledge", "1000"), ("cancel", None)], "cancelled", "0", "0"),
        # An explicit adjustment lets payment go beyond the first commitment.
        (
            [
                ("pledge", "1000"),
                ("commit", "600"),
                ("pay", "600"),
                ("adjust", "900", "top-up agreed 2025-03"),
            ],
            "partly_paid",
            "600",
            "900",
        ),
        (
            [
                ("pledge", "1000"),
                ("commit", "1000"),
                ("adjust", "1200", "exchange rate gain"),
                ("pay", "1200"),
            ],
            "paid",
            "1200",
            "1200",
        ),
    ],
)
def test_lifecycle_paths(steps: list[tuple[str, str | None]], status: str, paid: str, committed: str) -> None:
    result = replay(pledge(), events(*steps))  # type: ignore[arg-type]
    assert (result.status, result.paid, result.committed) == (status, D(paid), D(committed))
    assert len(result.events) == len(steps)  # every change is an event


@pytest.mark.parametrize(
    ("steps", "rule"),
    [
        ([("pledge", "1000"), ("commit", "600"), ("pay", "700")], "pledge.payment-exceeds-commitment"),
        ([("pledge", "1000"), ("commit", "600"), ("pay", "600"), ("pay", "1")], "pledge.transition"),
        ([("pledge", "1000"), ("pay", "10")], "pledge.payment-before-commitment"),
        ([("pledge", "1000"), ("commit", "1001")], "pledge.commit-exceeds-pledge"),
        ([("pledge", "1000"), ("commit", "600"), ("adjust", "900")], "pledge.adjust-needs-reason"),
        (
            [("pledge", "1000"), ("commit", "600"), ("pay", "500"), ("adjust", "400", "cut")],
            "pledge.adjust-below-paid",
        ),
        ([("pledge", "-5")], "pledge.amount"),
        ([("pledge", "1000"), ("cancel", None), ("commit", "1")], "pledge.transition"),
    ],
)
def test_refused_steps_name_the_rule(steps: list[tuple[str, str | None]], rule: str) -> None:
    with pytest.raises(RuleRefused) as caught:
        replay(pledge(), events(*steps))  # type: ignore[arg-type]
    assert caught.value.rule.endswith(rule.split(".")[-1])
    assert f"event {len(steps)}" in caught.value.message


def test_payment_beyond_commitment_message_says_how_to_fix() -> None:
    state = replay(pledge(), events(("pledge", "1000"), ("commit", "600")))  # type: ignore[arg-type]
    with pytest.raises(RuleRefused) as caught:
        apply(state, PledgeEvent("pay", amount=D("700")))
    assert "GRF-001" in caught.value.message and "adjustment" in caught.value.message
    assert state.paid == 0  # the refused event changed nothing


def test_final_states_accept_nothing() -> None:
    cancelled = replay(pledge(), events(("pledge", "1"), ("cancel", None)))  # type: ignore[arg-type]
    assert allowed_events(cancelled) == frozenset()
    with pytest.raises(TransitionRefused):
        apply(cancelled, PledgeEvent("pledge", amount=D(1)))


def test_joint_pledge_and_bad_construction() -> None:
    assert pledge().pledgers == ("State A", "Foundation B")  # type: ignore[attr-defined]
    with pytest.raises(InvalidInput) as caught:
        new_pledge("x", "cash", [], "")
    text = str(caught.value)
    assert "unknown pledge type 'cash'" in text and "pledger" in text and "unit" in text


@settings(max_examples=200, derandomize=True, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["commit", "pay", "adjust", "progress"]), st.integers(1, 500)), max_size=15
    )
)
def test_paid_never_exceeds_committed_nor_committed_pledged(steps: list[tuple[str, int]]) -> None:
    state = apply(pledge(), PledgeEvent("pledge", amount=D(1000)))  # type: ignore[arg-type]
    for kind, amount in steps:
        try:
            state = apply(state, PledgeEvent(kind, amount=D(amount), note="reason"))  # type: ignore[arg-type]
        except RuleRefused:
            continue
        assert D(0) <= state.paid <= state.committed <= state.pledged
