"""Apportionment methods: exact small cases, brute-force oracles, and the properties each method guarantees."""

from __future__ import annotations

import heapq
import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from asylon.engines.fairshare.apportion import apportion, dhondt, hamilton, independent, sainte_lague
from asylon.errors import InvalidInput

weights_strategy = st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=12).filter(
    lambda w: sum(w) > 0
)
totals = st.integers(min_value=0, max_value=500)
SUM_PRESERVING = [hamilton, dhondt, sainte_lague]
DIVISOR = [(dhondt, 1.0), (sainte_lague, 0.5)]


def divisor_oracle(weights: list[int], total: int, offset: float) -> list[int]:
    """Seat by seat: each seat to the highest w / (s + offset); ties to the earlier state."""
    seats = [0] * len(weights)
    heap = [(-w / offset if w > 0 else math.inf, i) for i, w in enumerate(weights)]
    heapq.heapify(heap)
    for _ in range(total):
        _, i = heapq.heappop(heap)
        seats[i] += 1
        heapq.heappush(heap, (-weights[i] / (seats[i] + offset), i))
    return seats


def hamilton_oracle(weights: list[int], total: int) -> list[int]:
    quotas = [w * total / sum(weights) for w in weights]
    seats = [math.floor(q) for q in quotas]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - seats[i]), i))
    for i in by_remainder[: total - sum(seats)]:
        seats[i] += 1
    return seats


@pytest.mark.parametrize(
    ("method", "weights", "total", "expected"),
    [
        ("hamilton", [0.5, 0.3, 0.2], 7, [4, 2, 1]),
        ("hamilton", [6, 6, 2], 10, [4, 4, 2]),
        ("dhondt", [0.6, 0.25, 0.15], 10, [7, 2, 1]),
        ("sainte-lague", [0.6, 0.25, 0.15], 10, [6, 3, 1]),
        ("independent", [1, 1, 1], 10, [3, 3, 3]),  # sums to 9, not 10: as the Commission's tables
        ("independent", [1, 1], 5, [3, 3]),  # halves round up: sums to 6
        ("hamilton", [1, 0], 5, [5, 0]),
        ("dhondt", [1, 0], 5, [5, 0]),
        ("sainte-lague", [1, 0, 0], 5, [5, 0, 0]),
        ("hamilton", [1, 1, 1], 0, [0, 0, 0]),
        # Ties go to the state listed first.
        ("hamilton", [1, 1, 1], 2, [1, 1, 0]),
        ("dhondt", [1, 1, 1], 2, [1, 1, 0]),
        ("sainte-lague", [1, 1, 1], 1, [1, 0, 0]),
    ],
)
def test_known_apportionments(method: str, weights: list[float], total: int, expected: list[int]) -> None:
    assert apportion(weights, total, method).tolist() == expected  # type: ignore[arg-type]


@settings(max_examples=300, derandomize=True, deadline=None)
@given(weights=weights_strategy, total=totals)
def test_sum_preserving_methods_sum_to_the_total(weights: list[int], total: int) -> None:
    for method in SUM_PRESERVING:
        assert int(method(weights, total).sum()) == total


@settings(max_examples=300, derandomize=True, deadline=None)
@given(weights=weights_strategy, total=totals)
def test_hamilton_satisfies_the_quota_rule_and_matches_the_oracle(weights: list[int], total: int) -> None:
    seats = hamilton(weights, total)
    quotas = np.array(weights) * total / sum(weights)
    assert all(math.floor(q + 1e-9) <= s <= math.ceil(q - 1e-9) for q, s in zip(quotas, seats, strict=True))
    assert seats.tolist() == hamilton_oracle(weights, total)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(weights=weights_strategy, total=totals)
@example(weights=[163, 1113, 1995, 7497, 7497], total=434)  # an exact tie: 1113/26.5 = 7497/178.5
def test_divisor_methods_match_the_seat_by_seat_oracle(weights: list[int], total: int) -> None:
    for method, offset in DIVISOR:
        assert method(weights, total).tolist() == divisor_oracle(weights, total, offset)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(weights=weights_strategy, total=st.integers(min_value=0, max_value=300))
def test_divisor_methods_are_house_monotone(weights: list[int], total: int) -> None:
    """One more seat in the house never takes a seat from anyone (no Alabama paradox)."""
    for method, _ in DIVISOR:
        assert (method(weights, total + 1) >= method(weights, total)).all()


@settings(max_examples=200, derandomize=True, deadline=None)
@given(
    weights=st.lists(st.integers(min_value=1, max_value=10_000), min_size=2, max_size=8),
    total=st.integers(min_value=1, max_value=200),
    grow=st.integers(min_value=1, max_value=5_000),
    pair=st.tuples(st.integers(0, 7), st.integers(0, 7)),
)
def test_divisor_methods_are_population_monotone(
    weights: list[int], total: int, grow: int, pair: tuple[int, int]
) -> None:
    """If i's weight grows and j's does not, i does not lose a seat while j gains one."""
    i, j = pair[0] % len(weights), pair[1] % len(weights)
    if i == j:
        return
    after = list(weights)
    after[i] += grow
    for method, _ in DIVISOR:
        before_seats, after_seats = method(weights, total), method(after, total)
        assert not (after_seats[i] < before_seats[i] and after_seats[j] > before_seats[j])


@settings(max_examples=200, derandomize=True, deadline=None)
@given(weights=weights_strategy, total=totals)
def test_independent_rounding_is_within_half_a_person_of_each_quota(weights: list[int], total: int) -> None:
    seats = independent(weights, total)
    quotas = np.array(weights) * total / sum(weights)
    assert (np.abs(seats - quotas) <= 0.5 + 1e-9).all()


def test_alabama_paradox_for_hamilton() -> None:
    """The Alabama paradox: with weights 6, 6, 2, Hamilton gives the small state 2 of 10 seats but only
    1 of 11. Quotas at 10 are 4.29, 4.29, 1.43: the one seat left goes to the largest remainder (0.43).
    At 11 they are 4.71, 4.71, 1.57: the two seats left go to the two 0.71 remainders, and the small state's
    0.57 no longer makes it. (Named after Alabama, which lost a seat when the 1880 House grew from 299 to
    300.) Divisor methods cannot do this: see test_divisor_methods_are_house_monotone."""
    assert hamilton([6, 6, 2], 10).tolist() == [4, 4, 2]
    assert hamilton([6, 6, 2], 11).tolist() == [5, 5, 1]
    assert dhondt([6, 6, 2], 11)[2] >= dhondt([6, 6, 2], 10)[2]
    assert sainte_lague([6, 6, 2], 11)[2] >= sainte_lague([6, 6, 2], 10)[2]


def test_divisor_methods_can_violate_quota() -> None:
    """Found by random search: D'Hondt gives the largest state more than its upper quota, Sainte-Laguë
    gives the largest state less than its lower quota. Hamilton never does (property test above)."""
    seats = dhondt([19, 55, 80, 36], 7)
    assert seats.tolist() == [0, 2, 4, 1] and 80 / 190 * 7 < 3  # quota 2.95, got 4
    seats = sainte_lague([966, 323, 68, 691, 141], 25)
    assert seats[0] == 10 and 966 / 2189 * 25 > 11  # quota 11.03, got 10


def test_large_totals_are_exact() -> None:
    weights = np.random.default_rng(7).random(195)
    for method in SUM_PRESERVING:
        assert int(method(weights, 160_000).sum()) == 160_000
    assert dhondt(weights, 5000).tolist() == divisor_oracle(list(weights), 5000, 1.0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("weights", "total", "text"),
    [
        ([1, 2], -5, "total is negative (-5)"),
        ([1, -2], 5, "share at position 1"),
        ([0, 0], 5, "all shares are 0"),
        ([], 5, "no shares"),
        ([1, float("nan")], 5, "share at position 1"),
    ],
)
def test_bad_input_is_named(weights: list[float], total: int, text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        hamilton(weights, total)
    assert text in str(caught.value)


def test_unknown_method_lists_the_methods() -> None:
    with pytest.raises(InvalidInput, match="hamilton, dhondt, sainte-lague, independent"):
        apportion([1], 1, "webster")  # type: ignore[arg-type]
