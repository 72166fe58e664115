"""Dynamic placement: weekly batches against annual capacities, without seeing the future.

Policy ``potentials`` follows Ahani, Gölz, Procaccia, Teytelboym and Trapp (Operations Research 2024):
before placing a batch, solve the LP of the batch together with a guess of the rest of the year against
the capacities left, and charge each destination's resources at the LP's dual prices ("potentials");
then place the batch to maximise score net of potentials. The guess of the future is built from the
cases seen so far this year, so nothing about the future is needed in advance, not even how many will come:
the number still to come is extrapolated from the arrival rate so far. ``samples=0`` uses the expected
future (every seen case weighted by the estimated remaining count over the seen count, one LP);
``samples=k`` averages the prices of ``k`` bootstrap resamples, as in the paper.

Every arriving case that fits somewhere is placed (a batch never holds a case back to save room), ties
and overrides are placed where they are pinned, and family groups move together (a group is placed in
the batch in which its last case arrives). Baselines: ``greedy`` (first come, first served: each case to
its best-scoring destination with room) and ``random`` (a random destination with room).
Optional month balancing charges persons beyond ``(1 + month_balance) × capacity / 12`` in a month at
``month_penalty`` each; fairness floors work as in static mode, per batch.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

import numpy as np
import scipy.sparse as sp

from .explanation import Explainer
from .formulation import select
from .model import Case, DynamicResult, FloatArray, IntArray, PlacementOptions, PlacementProblem, ScoreTable
from .solver import Program, mixed_solve, relax, solve
from .static import place_units
from .units import Units, build_units
from .validation import check

Policy = Literal["resolve", "potentials", "greedy", "random"]


@dataclass(frozen=True, slots=True)
class DynamicOptions:
    """Settings of dynamic mode. ``batch_days`` is the batch length; ``horizon`` the end of the capacity
    year (default: a year after the first arrival); cases without arrival dates come in batches of
    ``batch_size`` in file order.

    ``history`` is a previous year's cases with their scores against destinations with the same ids (their
    capacities are ignored; unknown destinations are dropped). With it, policy ``resolve`` takes the rest of
    the year from the history's cases that arrived later in their year than today, each weighted by how many
    cases this year has seen against the history's count by the same day (shrunk towards 1 by
    ``history_prior`` cases, so the first weeks do not swing it). The number of arrivals is still never
    given: only its ratio to last year's is estimated as the year goes on."""

    policy: Policy = "resolve"
    batch_days: int = 7
    batch_size: int = 25
    samples: int = 0
    horizon: date | None = None
    month_balance: float | None = None
    month_penalty: float = 0.5
    fairness_floor: float | None = None
    fairness_penalty: float = 10.0
    hindsight: bool = False
    seed: int = 0
    explain: bool = True
    future_factor: float = 1.0
    reserve_ties: bool = True
    history: PlacementProblem | None = None
    history_prior: float = 50.0
    history_pool: bool = False


def _batches(problem: PlacementProblem, units: Units, opts: DynamicOptions,
             n_units: int | None = None) -> tuple[list[IntArray], date, date]:
    """Batches of the first ``n_units`` units (default: all)."""
    if n_units is not None and n_units < units.n_units:
        units = replace(units, members=units.members[:n_units])
    cases = problem.cases
    own = [cases[i] for ms in units.members for i in ms]
    dated = [c.arrival for c in own if c.arrival is not None]
    if len(dated) == len(own) and own:
        start = min(d for d in dated if d is not None)
        horizon = opts.horizon or start + timedelta(days=365)
        day = np.array([max((cases[m].arrival - start).days for m in ms)  # type: ignore[operator]
                        for ms in units.members])
        batch = day // max(opts.batch_days, 1)
    else:
        start = date(2000, 1, 1)
        horizon = start + timedelta(days=365)
        first = np.array([max(ms) for ms in units.members])
        batch = np.argsort(np.argsort(first, kind="stable"), kind="stable") // max(opts.batch_size, 1)
        n_batches = int(batch.max()) + 1 if len(batch) else 1
        # Without dates, batches stand for equal slices of the year.
        horizon = start + timedelta(days=opts.batch_days * n_batches)
    order = np.argsort(batch, kind="stable")
    bounds = np.searchsorted(batch[order], np.arange(int(batch.max()) + 2 if len(batch) else 1))
    return [order[bounds[k] : bounds[k + 1]] for k in range(len(bounds) - 1)], start, horizon


def _fits(units: Units, col: int, remaining: FloatArray) -> bool:
    lo, hi = units.usage.indptr[col], units.usage.indptr[col + 1]
    return bool(np.all(remaining[units.usage.indices[lo:hi]] >= units.usage.data[lo:hi] - 1e-9))


def _take(units: Units, col: int, remaining: FloatArray) -> None:
    lo, hi = units.usage.indptr[col], units.usage.indptr[col + 1]
    remaining[units.usage.indices[lo:hi]] -= units.usage.data[lo:hi]


def _with_rows(prog: Program, extra: sp.csc_matrix, limits: FloatArray, penalty: FloatArray) -> Program:
    return replace(prog, usage=sp.vstack([prog.usage, extra], format="csc"),
                   limits=np.concatenate([prog.limits, limits]), penalty=np.concatenate([prog.penalty, penalty]))


def place_dynamic(
    problem: PlacementProblem, options: DynamicOptions | None = None, *, units: Units | None = None
) -> DynamicResult:
    """Place cases batch by batch in order of arrival, never looking at later batches.

    >>> from asylon.engines.placement.synthetic import generate_year
    >>> year = generate_year(150, 8, seed=2)
    >>> r = place_dynamic(year.problem, DynamicOptions(hindsight=True))
    >>> r.placed_cases + r.unplaced_cases, 0.9 < r.ratio <= 1.0
    (150, True)
    """
    opts = options or DynamicOptions()
    started = time.monotonic()
    check(problem)
    own_problem, own_units = problem, units
    n_cases = len(problem.cases)
    prior_tie: IntArray = np.zeros(0, dtype=np.int64)
    if opts.history is not None and opts.policy == "resolve":
        problem, prior_tie = _with_history(problem, opts.history)
        units = build_units(problem)
    else:
        units = units or build_units(problem)
    n_own = int(units.unit_of_case[n_cases - 1]) + 1 if n_cases else 0
    rng = np.random.default_rng(opts.seed)
    batches, start, horizon = _batches(problem, units, opts, n_own)
    prior_units, prior_day = _prior_days(problem, units, n_own)
    span = max((horizon - start).days, 1)
    remaining = units.limits.copy()
    placed = np.zeros(len(units.col_unit), dtype=bool)
    batch_of: dict[int, int] = {}
    held: dict[int, str] = {}
    seen: list[int] = []
    n_dest = len(problem.destinations)
    month_used = np.zeros((13, n_dest))
    cap = units.limits[:n_dest]
    # In the expected future, tied and overridden cases go only where they are pinned, ahead of others:
    # that reserves room for the ties still to come instead of learning of them when it is too late.
    future_cost = units.col_score.copy()
    scale = 1.0 + 2.0 * float(np.abs(units.col_score).max()) if len(units.col_score) else 1.0
    for u, fixed in units.pins.items() if opts.reserve_ties else ():
        lo, hi = int(units.unit_ptr[u]), int(units.unit_ptr[u + 1])
        future_cost[lo:hi] = -1e3 * scale
        col = units.column_of(u, fixed.destination)
        future_cost[col] = units.col_score[col] + scale
    for i in np.flatnonzero(prior_tie >= 0):
        # Last year's ties stand for this year's ties still to come: room is kept for them where they were.
        u = int(units.unit_of_case[n_cases + i])
        lo, hi = int(units.unit_ptr[u]), int(units.unit_ptr[u + 1])
        col = units.column_of(u, int(prior_tie[i]))
        if col >= 0:
            future_cost[lo:hi] = -1e3 * scale
            future_cost[col] = units.col_score[col] + scale
    for b, batch in enumerate(batches):
        free: list[int] = []
        for u in batch.tolist():
            batch_of[u] = b
            pin = units.pins.get(u)
            if pin is not None:
                col = units.column_of(u, pin.destination)
                if _fits(units, col, remaining):
                    placed[col] = True
                    _take(units, col, remaining)
                else:
                    # Online, a tie is only known when the case arrives; capacity is never overrun for it.
                    held[u] = (f"{pin.status} to {problem.destinations[pin.destination].destination_id} could not "
                               "be honoured: its capacity was used up before the case arrived")
            else:
                free.append(u)
        seen.extend(batch.tolist())
        if not free:
            continue
        day = min((b + 1) * opts.batch_days, span)
        month = min(12, 1 + int(12 * (b * opts.batch_days) / span))
        if opts.policy == "resolve":
            future = None
            if len(prior_units):
                before = int((prior_day <= day).sum())
                volume = (len(seen) + opts.history_prior) / (before + opts.history_prior)
                later = prior_units[prior_day > day]
                if opts.history_pool:
                    # Every case of last year and of this year so far is a draw from the same stream of
                    # arrivals: pooling them gives the shape of the future more draws than last year's later
                    # cases alone; its size still comes from last year's later cases and this year's volume.
                    pool = np.concatenate([prior_units, np.array(seen, dtype=np.int64)])
                    future = (pool, np.full(len(pool), volume * len(later) / max(len(pool), 1)))
                else:
                    future = (later, np.full(len(later), volume))
            cols = _resolve_batch(units, np.array(free), np.array(seen), remaining, opts, rng, elapsed=day / span,
                                  future_cost=future_cost, future=future)
        elif opts.policy == "potentials":
            cols = _place_batch(units, np.array(free), np.array(seen), remaining, opts, rng,
                                elapsed=day / span, month_room=_month_room(opts, cap, month_used[month]))
        else:
            cols = _baseline(units, free, remaining, opts.policy, rng)
        for col in cols:
            placed[col] = True
            _take(units, col, remaining)
            month_used[month, units.col_dest[col]] += units.persons[units.col_unit[col]]
    explainer = Explainer(problem, units, placed, np.zeros(len(units.limits)), explain=opts.explain)
    assignments = explainer.assignments(batch_of, held)[:n_cases]  # history cases are never placed
    total = float(units.col_score[placed].sum())
    hindsight = ratio = None
    notes: list[str] = []
    if opts.hindsight:
        if problem is not own_problem:
            own_units = None
        own_units = own_units or build_units(own_problem)
        best = place_units(own_problem, own_units, PlacementOptions(explain=False, mip_gap=1e-4))
        hindsight = best.total_score
        ratio = total / hindsight if hindsight > 0 else None
        notes.append(f"hindsight optimum certified within {best.gap:.4%} of its LP bound")
    return DynamicResult(
        assignments=tuple(assignments),
        total_score=total,
        placed_cases=sum(1 for a in assignments if a.destination_id is not None),
        unplaced_cases=sum(1 for a in assignments if a.destination_id is None),
        batches=len(batches),
        policy=opts.policy,
        seconds=time.monotonic() - started,
        hindsight=hindsight,
        ratio=ratio,
        notes=tuple(notes),
    )


def _with_history(problem: PlacementProblem, history: PlacementProblem) -> tuple[PlacementProblem, IntArray]:
    """``problem`` with the history's cases appended (renamed, untied, scored against this problem's
    destinations by id); also each history case's tie as a destination index (-1: none)."""
    dest_index = {d.destination_id: j for j, d in enumerate(problem.destinations)}
    remap = np.array([dest_index.get(d.destination_id, -1) for d in history.destinations], dtype=np.int64)
    table = history.scores
    keep = remap[table.destination] >= 0 if len(table) else np.zeros(0, dtype=bool)
    n = len(problem.cases)
    prior: list[Case] = [
        replace(c, case_id=f"history:{c.case_id}", tie=None,
                family_group=None if c.family_group is None else f"history:{c.family_group}")
        for c in history.cases]
    tie = np.array([dest_index.get(c.tie, -1) if c.tie else -1 for c in history.cases], dtype=np.int64)
    scores = ScoreTable(np.concatenate([problem.scores.case, table.case[keep] + n]),
                        np.concatenate([problem.scores.destination, remap[table.destination[keep]]]),
                        np.concatenate([problem.scores.score, table.score[keep]]))
    cases: Sequence[Case] = [*problem.cases, *prior]
    return replace(problem, cases=cases, scores=scores), tie


def _prior_days(problem: PlacementProblem, units: Units, n_own: int) -> tuple[IntArray, IntArray]:
    """History units (those after the first ``n_own``) and the day of their year on which they arrived."""
    if n_own >= units.n_units:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    members = units.members[n_own:]
    dates = [max((problem.cases[i].arrival or date(2000, 1, 1)) for i in ms) for ms in members]
    first = min(dates)
    return (np.arange(n_own, units.n_units, dtype=np.int64),
            np.array([(d - first).days for d in dates], dtype=np.int64))


def _month_room(opts: DynamicOptions, cap: FloatArray, used: FloatArray) -> FloatArray | None:
    if opts.month_balance is None:
        return None
    return np.asarray(np.maximum((1.0 + opts.month_balance) * cap / 12.0 - used, 0.0), dtype=np.float64)


def _potentials(units: Units, batch: IntArray, seen: IntArray, remaining: FloatArray, opts: DynamicOptions,
                rng: np.random.Generator, elapsed: float) -> FloatArray:
    """Resource prices from the LP of this batch plus a guess of the rest of the year."""
    draws: list[int | None] = [None] if opts.samples <= 0 else list(range(opts.samples))
    prices = np.zeros(len(remaining))
    for draw in draws:
        weights = _future(seen, elapsed, opts, rng, draw)
        keep = weights > 0
        chosen = np.concatenate([batch, seen[keep]])
        ub = np.concatenate([np.ones(len(batch)), weights[keep]])
        sel = select(units, chosen, limits=np.maximum(remaining, 0.0), unit_ub=ub)
        rel = relax(sel.program)
        prices += rel.y[: len(remaining)]
    return prices / len(draws)


def _future(seen: IntArray, elapsed: float, opts: DynamicOptions, rng: np.random.Generator,
            draw: int | None) -> FloatArray:
    """Weights of seen cases standing for the arrivals still to come (extrapolated from the rate so far)."""
    to_come = opts.future_factor * len(seen) * (1.0 - elapsed) / max(elapsed, 1e-9)
    if draw is None:
        return np.full(len(seen), to_come / max(len(seen), 1))
    return rng.multinomial(round(to_come), np.full(len(seen), 1.0 / len(seen))).astype(float)


def _resolve_batch(units: Units, batch: IntArray, seen: IntArray, remaining: FloatArray, opts: DynamicOptions,
                   rng: np.random.Generator, *, elapsed: float, future_cost: FloatArray,
                   future: tuple[IntArray, FloatArray] | None = None) -> list[int]:
    """Place the batch (integer) jointly with the expected future (continuous) and keep the batch's part.

    Re-solving with the future in the same program lets the batch see not only prices but the whole shape
    of the competition for each destination; it beats potentials alone on our synthetic years. ``future``
    (units and weights) replaces the future estimated from the cases seen so far.
    """
    if future is not None:
        seen, weights = future
    else:
        weights = _future(seen, elapsed, opts, rng, None) if elapsed < 1.0 - 1e-9 else np.zeros(len(seen))
    keep = weights > 1e-9
    chosen = np.concatenate([batch, seen[keep]])
    ub = np.concatenate([np.ones(len(batch)), weights[keep]])
    sel = select(units, chosen, limits=np.maximum(remaining, 0.0), unit_ub=ub, cost=future_cost,
                 fairness_floor=opts.fairness_floor, fairness_penalty=opts.fairness_penalty)
    prog = sel.program
    in_batch = prog.col_unit < len(batch)
    bonus = 1.0 + float(np.abs(prog.cost[in_batch]).sum()) * 2.0
    prog = replace(prog, cost=np.where(in_batch, prog.cost + bonus, prog.cost))
    return [int(c) for c in sel.columns[mixed_solve(prog, in_batch)]]


def _place_batch(units: Units, batch: IntArray, seen: IntArray, remaining: FloatArray, opts: DynamicOptions,
                 rng: np.random.Generator, *, elapsed: float, month_room: FloatArray | None) -> list[int]:
    if elapsed >= 1.0 - 1e-9:
        prices = np.zeros(len(remaining))
    else:
        prices = _potentials(units, batch, seen, remaining, opts, rng, elapsed)
    net = units.col_score - units.usage.T @ prices
    sel = select(units, batch, limits=np.maximum(remaining, 0.0), cost=net,
                 fairness_floor=opts.fairness_floor, fairness_penalty=opts.fairness_penalty)
    prog = sel.program
    # A bonus larger than any total of net scores in the batch: placing one more case always wins.
    bonus = 1.0 + float(np.abs(prog.cost).sum()) if len(prog.cost) else 0.0
    prog = replace(prog, cost=prog.cost + bonus)
    if month_room is not None:
        n_dest = len(month_room)
        cap_rows = sp.csc_matrix(prog.usage[:n_dest])
        prog = _with_rows(prog, cap_rows, month_room, np.full(n_dest, opts.month_penalty))
    sol = solve(prog, mip_gap=1e-9)
    return [int(c) for c in sel.columns[sol.x]]


def _baseline(units: Units, free: list[int], remaining: FloatArray, policy: Policy,
              rng: np.random.Generator) -> list[int]:
    chosen: list[int] = []
    left = remaining.copy()
    for u in free:
        lo, hi = int(units.unit_ptr[u]), int(units.unit_ptr[u + 1])
        options = [c for c in range(lo, hi) if _fits(units, c, left)]
        if not options:
            continue
        col = (max(options, key=lambda c: units.col_score[c]) if policy == "greedy"
               else options[int(rng.integers(len(options)))])
        _take(units, col, left)
        chosen.append(col)
    return chosen
