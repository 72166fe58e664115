"""Apportionment: turn key shares into whole persons per state.

Each state i with share s_i is owed the exact quota q_i = s_i x total. The methods:

- **Largest remainder (Hamilton, Hare quota):** everyone gets ⌊q_i⌋; the seats left go one each to the
  largest fractional parts. Sums to the total and always satisfies the *quota rule* (each state gets
  ⌊q_i⌋ or ⌈q_i⌉). It is not *house monotone*: raising the total can take a seat away from a state (the
  **Alabama paradox**, seen in the US House apportionment of 1880), and not *population monotone* (a state
  whose share grows can lose a seat to one whose share shrinks: the population paradox), and adding a new
  state with its fair seats can move seats between the others (the **new states paradox**, Oklahoma 1907).
- **D'Hondt (Jefferson, greatest divisors 1, 2, 3, ...):** the ``total`` largest values of s_i / d among all
  states and divisors. Sums to the total, house and population monotone (no Alabama or population
  paradox), but violates the upper quota rule: it favours large states and can give one more than
  ⌈q_i⌉.
- **Sainte-Laguë (Webster, divisors 1, 3, 5, ... i.e. d + 0.5):** as D'Hondt with odd divisors. House and
  population monotone, the least biased between large and small states; can violate quota (rarely).
- **Independent rounding:** each quota rounded to the nearest integer on its own, halves up, as the
  Commission's published tables did; the sum may differ from the total by up to half the number of states.

Balinski and Young's impossibility theorem (1982): no method both satisfies quota and is free of the
population paradox; divisor methods are the only population-monotone ones.

Ties (equal remainders or priorities) go to the state listed first, so results are deterministic; callers
pass states in a stable order (the engine sorts by ISO code).

    >>> hamilton([0.5, 0.3, 0.2], 7).tolist()
    [4, 2, 1]
    >>> dhondt([0.5, 0.3, 0.2], 7).tolist()
    [4, 2, 1]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from asylon.engines.fairshare.model import FloatArray, IntArray, Method
from asylon.errors import InvalidInput, Problem

__all__ = ["APPORTIONERS", "apportion", "dhondt", "hamilton", "independent", "sainte_lague"]


def _check(shares: Sequence[float] | FloatArray, total: int) -> FloatArray:
    if isinstance(total, bool) or not isinstance(total, int | np.integer):
        raise InvalidInput(
            Problem(
                f"total must be a whole number, got {total!r}",
                field="total",
                fix="give a number such as 160000",
            )
        )
    if total < 0:
        raise InvalidInput(
            Problem(
                f"total is negative ({total})",
                field="total",
                value=str(total),
                fix="give the number of persons (or euros) to share, 0 or more",
            )
        )
    array = np.asarray(shares, dtype=np.float64)
    if array.ndim != 1 or array.size == 0:
        raise InvalidInput(Problem("no shares to apportion", field="shares", fix="give at least one state"))
    bad = [i for i, v in enumerate(array) if not math.isfinite(v) or v < 0]
    if bad:
        raise InvalidInput(
            Problem(
                f"share at position {bad[0]} is {array[bad[0]]}",
                field="shares",
                fix="shares must be finite and 0 or more",
            )
        )
    if total > 0 and array.sum() <= 0:
        raise InvalidInput(
            Problem("all shares are 0", field="shares", fix="give at least one positive share")
        )
    return array


def _quotas(array: FloatArray, total: int) -> FloatArray:
    # Normalising here makes the methods accept raw weights (populations) as well as shares.
    s = float(array.sum())
    return array * total / s if s > 0 else np.zeros_like(array)


def hamilton(shares: Sequence[float] | FloatArray, total: int) -> IntArray:
    """Largest remainder method (Hamilton / Hare-Niemeyer).

    >>> hamilton([6, 6, 2], 10).tolist(), hamilton([6, 6, 2], 11).tolist()   # Alabama paradox
    ([4, 4, 2], [5, 5, 1])
    """
    array = _check(shares, total)
    quotas = _quotas(array, total)
    seats = np.floor(quotas).astype(np.int64)
    # Floating error can leave floor(q) one short of an exact integer quota; the remainders absorb it.
    left = total - int(seats.sum())
    if left > 0:
        remainders = quotas - seats
        # Stable sort on -remainder: ties go to the earlier state.
        order = np.argsort(-remainders, kind="stable")
        seats[order[:left]] += 1
    return seats


def _divisor(array: FloatArray, total: int, offset: float) -> IntArray:
    """Divisor method with divisors d(s) = s + offset (offset 1: D'Hondt, 0.5: Sainte-Laguë).

    Hand-written rather than a seat-by-seat loop so that 195 states x 160,000 seats stay in the
    milliseconds: jump to the seats a good divisor gives, then correct one seat at a time (at most about
    one correction per state).
    """
    n = array.size
    if total == 0:
        return np.zeros(n, dtype=np.int64)
    weights = array / array.sum()
    positive = weights > 0
    # Seats s_i = #{k ≥ 0 : k + offset ≤ w_i·λ}. Each state's count falls short of w_i·λ by about
    # offset − 0.5 on average, so λ = total + (offset − 0.5)·n lands within a few seats of the total.
    lam = total + (offset - 0.5) * int(positive.sum())
    seats = np.where(positive, np.floor(weights * lam - offset + 1.0), 0).astype(np.int64)
    seats = np.maximum(seats, 0)
    # Priorities use the weights as given, not normalised: dividing by their sum first rounds, and can
    # turn an exact tie (1113/26.5 = 7497/178.5) into a difference that breaks the earlier-state rule.
    while int(seats.sum()) > total:
        # Remove the seat with the smallest priority w_i / d(s_i − 1); later states lose first on ties.
        with np.errstate(divide="ignore", invalid="ignore"):
            priority = np.where(seats > 0, array / (seats - 1 + offset), np.inf)
        candidates = np.flatnonzero(priority == priority.min())
        seats[candidates[-1]] -= 1
    while int(seats.sum()) < total:
        priority = np.where(positive, array / (seats + offset), -np.inf)
        seats[int(np.argmax(priority))] += 1
    return seats


def dhondt(shares: Sequence[float] | FloatArray, total: int) -> IntArray:
    """D'Hondt / Jefferson divisor method (divisors 1, 2, 3, ...).

    >>> dhondt([0.6, 0.25, 0.15], 10).tolist()
    [7, 2, 1]
    """
    return _divisor(_check(shares, total), total, 1.0)


def sainte_lague(shares: Sequence[float] | FloatArray, total: int) -> IntArray:
    """Sainte-Laguë / Webster divisor method (divisors 1, 3, 5, ..., i.e. s + 0.5).

    >>> sainte_lague([0.6, 0.25, 0.15], 10).tolist()
    [6, 3, 1]
    """
    return _divisor(_check(shares, total), total, 0.5)


def independent(shares: Sequence[float] | FloatArray, total: int) -> IntArray:
    """Round each quota on its own, halves up; the sum need not equal ``total``.

    >>> independent([1, 1, 1], 10).tolist()
    [3, 3, 3]
    """
    array = _check(shares, total)
    return np.floor(_quotas(array, total) + 0.5).astype(np.int64)


APPORTIONERS: dict[Method, Callable[[Sequence[float] | FloatArray, int], IntArray]] = {
    "hamilton": hamilton,
    "dhondt": dhondt,
    "sainte-lague": sainte_lague,
    "independent": independent,
}


def apportion(shares: Sequence[float] | FloatArray, total: int, method: Method) -> IntArray:
    """Apportion ``total`` by ``method`` (one of ``hamilton``, ``dhondt``, ``sainte-lague``, ``independent``).

    >>> apportion([2, 1], 3, "sainte-lague").tolist()
    [2, 1]
    """
    try:
        chosen = APPORTIONERS[method]
    except KeyError:
        raise InvalidInput(
            Problem(
                f"unknown method {method!r}",
                field="method",
                value=str(method),
                fix=f"use one of {', '.join(APPORTIONERS)}",
            )
        ) from None
    return chosen(shares, total)
