"""The integer program on HiGHS: LP relaxation by column generation, a certified bound, then the MIP.

The program is ``max Σ cost_j x_j − Σ penalty_r slack_r`` subject to ``Σ_{j ∈ unit u} x_j ≤ ub_u`` (each
unit placed at most once), ``usage · x − slack ≤ limits`` (capacities, services, quotas; ``slack`` exists
only on soft rows) and ``x`` binary (or continuous in the relaxation).

Why column generation: a 35,000 × 300 exercise has ~6.6 million allowed pairs, but the LP optimum uses
few; solving the LP over each unit's best few columns and pricing the rest with numpy is much faster than
handing HiGHS every pair, and ends with the same LP optimum (no column has a positive reduced cost).

Why the bound is certified: for *any* prices ``y ≥ 0`` on the resource rows (``y ≤ penalty`` on soft rows),
weak duality gives ``Σ_r y_r limits_r + Σ_u ub_u · max(0, max_{j∈u} (cost_j − usage_j·y))`` as an upper
bound on every placement. We evaluate it over *all* columns with the LP's prices, so the gap reported holds
for the full exercise, whatever subset of columns the MIP saw. When the last MIP was over every column
(small exercises) HiGHS's own dual bound is also valid for the whole exercise; the reported bound is the
smaller of the two, so a placement HiGHS proves optimal shows the gap of that proof rather than the LP's
integrality gap (which stays available as ``lp_bound``).

Time limits count wall-clock seconds, or with ``cpu_time`` the CPU seconds of this process (all threads):
on a shared machine the latter give the optimiser the same work whatever the load (see :class:`Budget`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from .model import BoolArray, FloatArray, IntArray

_INF = highspy.kHighsInf
_TOL = 1e-7


@dataclass(frozen=True, slots=True)
class Program:
    """Columns sorted by unit (``col_unit`` non-decreasing, ``unit_ptr`` its CSR-style index)."""

    usage: sp.csc_matrix
    limits: FloatArray
    cost: FloatArray
    col_unit: IntArray
    unit_ptr: IntArray
    unit_ub: FloatArray
    penalty: FloatArray  # per row: np.inf for hard rows

    @property
    def n_units(self) -> int:
        return len(self.unit_ub)


@dataclass(frozen=True, slots=True)
class Relaxation:
    x: FloatArray  # over all columns
    y: FloatArray  # resource prices, >= 0
    u: FloatArray  # unit prices
    objective: float
    active: IntArray  # columns the LP saw
    iterations: int


@dataclass(frozen=True, slots=True)
class Solution:
    x: BoolArray  # over all columns
    objective: float
    bound: float  # the best certified bound: the LP (Lagrangian) bound, or HiGHS's MIP bound when smaller
    gap: float
    status: str
    relaxation: Relaxation
    columns: int
    seconds: float
    lp_bound: float = np.nan  # the certified Lagrangian bound from the LP prices
    proven: bool = False  # the MIP over every column ended optimal within ``mip_gap``: ``bound`` is its proof


class Budget:
    """A time limit in wall-clock seconds, or (``cpu=True``) in CPU seconds of this process, all threads.

    HiGHS only knows wall-clock limits, so each solver call gets :meth:`wall` seconds: the CPU seconds left
    divided by the share of a core the process has had so far. On an idle machine the two clocks agree; on
    a loaded one the optimiser still gets the CPU time it was given instead of stopping half-way.

    >>> b = Budget(10.0, cpu=True)
    >>> 9.0 < b.left() <= 10.0 and b.wall() >= b.left() * 0.5
    True
    """

    def __init__(self, seconds: float, *, cpu: bool = False) -> None:
        self.seconds, self.cpu = seconds, cpu
        self._wall0, self._cpu0 = time.monotonic(), time.process_time()

    def used(self) -> float:
        return time.process_time() - self._cpu0 if self.cpu else time.monotonic() - self._wall0

    def left(self) -> float:
        return self.seconds - self.used()

    def wall(self) -> float:
        """Wall-clock seconds to give a solver call so that it ends about when the budget does."""
        left = self.left()
        if not self.cpu:
            return left
        wall = time.monotonic() - self._wall0
        # Early on the share is unknown (assume a whole core); later it is what the process has had.
        share = (time.process_time() - self._cpu0) / wall if wall > 10.0 else 1.0
        return left / min(max(share, 0.05), 2.0)


def _silence_banner() -> None:
    """HiGHS prints a copyright banner on stdout when the first instance is made, before any option can be
    set; the CLI's stdout carries results, so the first instance is made once here with stdout muted."""
    import os
    import sys

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(saved)


_silence_banner()


def _highs(threads: int, time_limit: float) -> highspy.Highs:
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    if threads:
        h.setOptionValue("threads", threads)
    h.setOptionValue("time_limit", max(time_limit, 1.0))
    return h


def _load(h: highspy.Highs, prog: Program, cols: IntArray, integer: bool) -> int:
    """Pass the program restricted to ``cols`` (plus slack columns) to HiGHS; returns the slack count."""
    n_u, n_r = prog.n_units, len(prog.limits)
    k = len(cols)
    unit_part = sp.csc_matrix((np.ones(k), (prog.col_unit[cols], np.arange(k))), shape=(n_u, k))
    matrix = sp.vstack([unit_part, prog.usage[:, cols]], format="csc")
    soft = np.flatnonzero(np.isfinite(prog.penalty))
    if len(soft):
        slack = sp.csc_matrix((-np.ones(len(soft)), (n_u + soft, np.arange(len(soft)))), shape=(n_u + n_r, len(soft)))
        matrix = sp.hstack([matrix, slack], format="csc")
    matrix.sort_indices()
    lp = highspy.HighsLp()
    lp.num_col_ = k + len(soft)
    lp.num_row_ = n_u + n_r
    lp.col_cost_ = np.concatenate([-prog.cost[cols], prog.penalty[soft]])  # HiGHS minimises
    lp.col_lower_ = np.zeros(k + len(soft))
    # A column may carry its unit's full weight (dynamic mode's expected future has weights above 1).
    lp.col_upper_ = np.concatenate([np.maximum(prog.unit_ub[prog.col_unit[cols]], 0.0) if not integer
                                    else np.ones(k), np.full(len(soft), _INF)])
    lp.row_lower_ = np.full(n_u + n_r, -_INF)
    lp.row_upper_ = np.concatenate([prog.unit_ub, prog.limits])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data.astype(np.float64)
    lp.a_matrix_.num_col_ = lp.num_col_
    lp.a_matrix_.num_row_ = lp.num_row_
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * k + [highspy.HighsVarType.kContinuous] * len(soft)
    h.passModel(lp)
    return len(soft)


def net_values(prog: Program, y: FloatArray) -> FloatArray:
    """Each column's cost net of resource prices ``y`` (its reduced cost before the unit price)."""
    return np.asarray(prog.cost - prog.usage.T @ y, dtype=np.float64)


def _unit_max(prog: Program, values: FloatArray) -> FloatArray:
    out = np.full(prog.n_units, -np.inf)
    nonempty = prog.unit_ptr[1:] > prog.unit_ptr[:-1]
    if len(values) and nonempty.any():
        out[nonempty] = np.maximum.reduceat(values, prog.unit_ptr[:-1][nonempty])
    return out


def lagrangian_bound(prog: Program, y: FloatArray) -> float:
    """An upper bound on every feasible placement, valid for any prices ``y >= 0``.

    >>> import numpy as np, scipy.sparse as sp
    >>> p = Program(sp.csc_matrix(np.ones((1, 2))), np.array([1.0]), np.array([2.0, 3.0]),
    ...             np.array([0, 1]), np.array([0, 1, 2]), np.ones(2), np.array([np.inf]))
    >>> lagrangian_bound(p, np.array([3.0]))
    3.0
    """
    y = np.clip(y, 0.0, prog.penalty)
    best = _unit_max(prog, net_values(prog, y))
    return float(y @ prog.limits + prog.unit_ub @ np.maximum(best, 0.0))


def _initial_columns(prog: Program, per_unit: int) -> IntArray:
    n = len(prog.cost)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((-prog.cost, prog.col_unit))
    rank = np.arange(n) - prog.unit_ptr[prog.col_unit[order]]
    return np.sort(order[rank < per_unit])


def _top_by(prog: Program, values: FloatArray, per_unit: int) -> IntArray:
    order = np.lexsort((-values, prog.col_unit))
    rank = np.arange(len(values)) - prog.unit_ptr[prog.col_unit[order]]
    return np.sort(order[rank < per_unit])


def _subsample(prog: Program, picked: IntArray) -> Program:
    """The program of the ``picked`` units (sorted) with *all* their columns, against limits scaled to their
    share of the units."""
    lo, hi = prog.unit_ptr[picked], prog.unit_ptr[picked + 1]
    counts = hi - lo
    cols = (np.repeat(lo - np.cumsum(np.concatenate([[0], counts[:-1]])), counts) + np.arange(counts.sum())).astype(
        np.int64)
    share = len(picked) / max(prog.n_units, 1)
    return Program(prog.usage[:, cols], prog.limits * share, prog.cost[cols],
                   np.repeat(np.arange(len(picked)), counts).astype(np.int64),
                   np.concatenate([[0], np.cumsum(counts)]).astype(np.int64), prog.unit_ub[picked], prog.penalty)


def estimate_prices(prog: Program, threads: int = 0, *, sample: int = 4000, seed: int = 0) -> FloatArray:
    """Resource prices estimated from the exact LP of a random sample of units against proportionally scaled
    limits. The sample's LP is itself solved by column generation warm-started from a sample four times
    smaller (down to a few hundred units, which start from their best columns by score): each level's prices
    are close to the next level's, so every level needs few pricing rounds.
    """
    rng = np.random.default_rng(seed)
    n_u = prog.n_units
    picked = np.sort(rng.choice(n_u, size=min(n_u, sample), replace=False))
    sub = _subsample(prog, picked)
    rel = relax(sub, threads=threads, full_below=0, target_gap=2e-4, sample=sample // 4, seed=seed + 1,
                warm=sample >= 2000)
    return rel.y


def _warm_columns(prog: Program, threads: int, *, sample: int = 4000, seed: int = 0, warm: bool = True) -> IntArray:
    """Initial columns for column generation: each unit's best by score and best net of estimated prices.

    Prices come from the LP of a random sample of units (:func:`estimate_prices`): cheap, and close enough
    to the final prices that pricing adds few columns afterwards. Without ``warm`` (small samples), each
    unit's best twelve columns by score.
    """
    if not warm or prog.n_units <= sample:
        return _top_by(prog, prog.cost, 12)
    y = estimate_prices(prog, threads, sample=sample, seed=seed)
    return np.union1d(_top_by(prog, prog.cost, 2), _top_by(prog, net_values(prog, y), 4))


def _add_columns(h: highspy.Highs, prog: Program, cols: IntArray) -> None:
    """Append pair columns to a loaded model; HiGHS keeps its basis, so the next solve starts warm."""
    n_u = prog.n_units
    unit_part = sp.csc_matrix((np.ones(len(cols)), (prog.col_unit[cols], np.arange(len(cols)))),
                              shape=(n_u, len(cols)))
    matrix = sp.vstack([unit_part, prog.usage[:, cols]], format="csc")
    matrix.sort_indices()
    upper = np.maximum(prog.unit_ub[prog.col_unit[cols]], 0.0)
    h.addCols(len(cols), -prog.cost[cols], np.zeros(len(cols)), upper, matrix.nnz,
              matrix.indptr[:-1].astype(np.int32), matrix.indices.astype(np.int32), matrix.data.astype(np.float64))


def relax(prog: Program, *, threads: int = 0, time_limit: float = 600.0, full_below: int = 150_000,
          target_gap: float = 0.0, sample: int = 6000, seed: int = 0, warm: bool = True,
          budget: Budget | None = None) -> Relaxation:
    """Solve the LP relaxation over all columns (by column generation when there are many).

    Every pricing round evaluates the certified bound of the current prices over all columns; with
    ``target_gap > 0`` column generation stops once the restricted LP's objective is within that relative
    distance of the bound (the bound then also bounds the LP optimum, so the placement built from this LP
    keeps a certified gap). ``sample`` is the size of the random sample whose LP estimates the starting
    prices (see :func:`estimate_prices`). ``budget``, when given, replaces ``time_limit``.
    """
    budget = budget or Budget(time_limit)
    n = len(prog.cost)
    active = np.arange(n) if n <= full_below else _warm_columns(prog, threads, sample=sample, seed=seed, warm=warm)
    in_active = np.zeros(n, dtype=bool)
    in_active[active] = True
    h = _highs(threads, budget.wall())
    n_slack = _load(h, prog, active, integer=False)
    # HiGHS column order: the first active columns, the slacks, then columns added by pricing.
    layout = [active[:]]
    iterations = 0
    while True:
        iterations += 1
        h.run()
        sol = h.getSolution()
        duals = -np.asarray(sol.row_dual, dtype=np.float64)
        u = np.maximum(duals[: prog.n_units], 0.0)
        y = np.clip(duals[prog.n_units :], 0.0, prog.penalty)
        values = np.asarray(sol.col_value, dtype=np.float64)
        x = np.zeros(n)
        x[layout[0]] = values[: len(layout[0])]
        pos = len(layout[0]) + n_slack
        for block in layout[1:]:
            x[block] = values[pos : pos + len(block)]
            pos += len(block)
        objective = -float(h.getInfo().objective_function_value)
        if in_active.all():
            break
        net = net_values(prog, y)
        if target_gap > 0:
            bound = float(y @ prog.limits + prog.unit_ub @ np.maximum(_unit_max(prog, net), 0.0))
            if bound - objective <= target_gap * max(abs(bound), 1e-9):
                break
        reduced = net - u[prog.col_unit]
        enter = np.flatnonzero((reduced > _TOL) & ~in_active)
        if len(enter) == 0 or budget.left() <= 0:
            break
        # Partial pricing: each unit's most attractive column only; others follow if still attractive.
        best = np.full(prog.n_units, -1, dtype=np.int64)
        order = enter[np.argsort(reduced[enter])]
        best[prog.col_unit[order]] = order
        enter = np.sort(best[best >= 0])
        in_active[enter] = True
        layout.append(enter)
        _add_columns(h, prog, enter)
        # HiGHS's limit counts its run time since the model was made (every run), so it moves on by that much.
        h.setOptionValue("time_limit", float(h.getRunTime()) + max(budget.wall(), 1.0))
    return Relaxation(x=x, y=y, u=u, objective=objective, active=np.flatnonzero(in_active), iterations=iterations)


def solve(
    prog: Program,
    *,
    mip_gap: float = 1e-4,
    time_limit: float = 600.0,
    threads: int = 0,
    full_below: int = 150_000,
    neighbourhood_units: int = 4000,
    cpu_time: bool = False,
) -> Solution:
    """Maximise over binary ``x``; return the placement, its certified bound and gap.

    >>> import numpy as np, scipy.sparse as sp
    >>> p = Program(sp.csc_matrix(np.ones((1, 2))), np.array([1.0]), np.array([2.0, 3.0]),
    ...             np.array([0, 1]), np.array([0, 1, 2]), np.ones(2), np.array([np.inf]))
    >>> s = solve(p)
    >>> s.x.tolist(), s.objective, s.gap
    ([False, True], 3.0, 0.0)
    """
    start = time.monotonic()
    budget = Budget(time_limit, cpu=cpu_time)
    n = len(prog.cost)
    if n == 0:
        empty = Relaxation(np.zeros(0), np.zeros(len(prog.limits)), np.zeros(prog.n_units), 0.0,
                           np.zeros(0, dtype=np.int64), 0)
        return Solution(np.zeros(0, dtype=bool), 0.0, 0.0, 0.0, "optimal", empty, 0, 0.0, 0.0, True)
    # The LP needs to be only as exact as the gap asked for: a tenth of it goes to the LP, the rest to rounding.
    rel = relax(prog, threads=threads, full_below=full_below, target_gap=mip_gap / 10 if mip_gap > 0 else 0.0,
                budget=budget)
    bound = lp_bound = lagrangian_bound(prog, rel.y)
    abs_gap = mip_gap * abs(bound) / 4 if mip_gap > 0 else None
    cols = rel.active
    if len(cols) < n:
        # The MIP also sees each unit's best columns, so it has room to move.
        cols = np.union1d(cols, _initial_columns(prog, 3))
    # Fix-and-solve: an assignment LP with few coupling rows is integral for all but a few units (at most
    # one fractional unit per binding coupling row at a vertex), so fixing the integral ones and solving a
    # small MIP over the rest gets close to the LP bound in a fraction of the time of a full MIP.
    fixed = rel.x >= 1.0 - 1e-6
    x, status, _ = _mip(prog, cols[~fixed[cols]], fixed, mip_gap, budget.wall(), threads, abs_gap=abs_gap)
    objective = _objective(prog, x)
    gap = max(0.0, (bound - objective) / max(abs(bound), 1e-9))
    if gap > mip_gap and budget.left() > 1.0 and len(cols) > neighbourhood_units:
        # Capacities count persons, so the rounded LP leaves a few persons' room unused at many places.
        # Re-place the units that have near-equivalent alternatives (small reduced-cost loss) together with
        # the rest: they fill those gaps.
        x2, status2 = _neighbourhood(prog, rel, x, neighbourhood_units, mip_gap, budget.wall() / 2, threads,
                                     abs_gap)
        if _objective(prog, x2) > objective:
            x, status = x2, status2
            objective = _objective(prog, x)
            gap = max(0.0, (bound - objective) / max(abs(bound), 1e-9))
    proven = False
    if gap > mip_gap and budget.left() > 1.0:
        x2, status2, mip_bound = _mip(prog, cols, np.zeros(n, dtype=bool), mip_gap, budget.wall(), threads,
                                      start_x=x)
        if _objective(prog, x2) > objective:
            x, status = x2, status2
            objective = _objective(prog, x)
        if len(cols) == n and mip_bound < bound:
            # This MIP saw every column: its dual bound holds for the whole exercise.
            bound = max(mip_bound, objective)
            proven = status2 == "optimal"
    if objective > bound and objective - bound <= 1e-6 * max(1.0, abs(bound)):
        bound = objective  # the LP prices are exact up to solver tolerance
    lp_bound = max(lp_bound, bound)
    gap = max(0.0, (bound - objective) / max(abs(bound), 1e-9))
    return Solution(x, objective, bound, gap, status, rel, len(cols), time.monotonic() - start, lp_bound, proven)


def _neighbourhood(prog: Program, rel: Relaxation, x: BoolArray, size: int, mip_gap: float, time_limit: float,
                   threads: int, abs_gap: float | None) -> tuple[BoolArray, str]:
    """Re-solve the ``size`` units whose best alternative loses least against the LP prices (reduced cost
    nearest zero; unplaced units first), with their near-best columns, all others kept as in ``x``."""
    reduced = net_values(prog, rel.y) - rel.u[prog.col_unit]
    alt = np.where(x, -np.inf, reduced)
    best_alt = _unit_max(prog, alt)
    placed = np.zeros(prog.n_units, dtype=bool)
    placed[prog.col_unit[x]] = True
    priority = np.where(placed, best_alt, np.where(np.isfinite(best_alt), np.inf, -np.inf))
    priority[prog.unit_ub <= 0] = -np.inf  # units with no room (pinned elsewhere) stay out
    chosen = np.argsort(-priority, kind="stable")[:size]
    chosen = chosen[priority[chosen] > -np.inf]
    in_chosen = np.zeros(prog.n_units, dtype=bool)
    in_chosen[chosen] = True
    scale = float(np.abs(prog.cost).mean()) if len(prog.cost) else 1.0
    near = _top_by(prog, reduced, 4)
    near = near[in_chosen[prog.col_unit[near]] & (reduced[near] >= -0.05 * scale)]
    cols = np.union1d(near, np.flatnonzero(x & in_chosen[prog.col_unit]))
    keep = x & ~in_chosen[prog.col_unit]
    x2, status, _ = _mip(prog, cols, keep, mip_gap, time_limit, threads, start_x=x, abs_gap=abs_gap)
    return x2, status


def _mip(
    prog: Program,
    cols: IntArray,
    fixed: BoolArray,
    mip_gap: float,
    time_limit: float,
    threads: int,
    start_x: BoolArray | None = None,
    abs_gap: float | None = None,
) -> tuple[BoolArray, str, float]:
    """Solve the MIP over ``cols`` with the ``fixed`` columns taken and their units and usage removed.

    Returns the placement, HiGHS's status and its dual bound on the objective of the columns not fixed
    (``inf`` when it has none).
    """
    busy = np.zeros(prog.n_units, dtype=bool)
    busy[prog.col_unit[fixed]] = True
    cols = cols[~busy[prog.col_unit[cols]]]
    limits = prog.limits - np.asarray(prog.usage @ fixed.astype(np.float64), dtype=np.float64)
    x = fixed.copy()
    if len(cols) == 0:
        return x, "optimal", float(prog.cost[fixed].sum())
    sub = Program(prog.usage, limits, prog.cost, prog.col_unit, prog.unit_ptr,
                  np.where(busy, 0.0, prog.unit_ub), prog.penalty)
    h = _highs(threads, time_limit)
    n_slack = _load(h, sub, cols, integer=True)
    h.setOptionValue("mip_rel_gap", mip_gap)
    if abs_gap is not None:
        # A sub-MIP's own objective is a sliver of the exercise's: a relative gap on it would be needlessly
        # strict, so it stops at an absolute gap that is small against the whole exercise.
        h.setOptionValue("mip_abs_gap", abs_gap)
    if start_x is not None and n_slack == 0:
        hint = highspy.HighsSolution()
        hint.col_value = start_x[cols].astype(np.float64).tolist()
        h.setSolution(hint)
    h.run()
    status = h.modelStatusToString(h.getModelStatus()).lower()
    dual = float(h.getInfo().mip_dual_bound)  # HiGHS minimises the negated cost
    mip_bound = -dual + float(prog.cost[fixed].sum()) if np.isfinite(dual) else np.inf
    values = np.asarray(h.getSolution().col_value, dtype=np.float64)
    if len(values) >= len(cols):
        x[cols] = values[: len(cols)] > 0.5
    elif start_x is not None:
        return start_x.copy(), f"start solution ({status})", mip_bound
    return x, status, mip_bound


def mixed_solve(prog: Program, integer: BoolArray, *, time_limit: float = 600.0, threads: int = 0) -> BoolArray:
    """Solve with only the ``integer`` columns integral; return which of those are taken."""
    h = _highs(threads, time_limit)
    cols = np.arange(len(prog.cost))
    _load(h, prog, cols, integer=False)
    idx = np.flatnonzero(integer).astype(np.int32)
    upper = np.ones(len(idx))
    h.changeColsBounds(len(idx), idx, np.zeros(len(idx)), upper)
    h.changeColsIntegrality(len(idx), idx, np.array([highspy.HighsVarType.kInteger] * len(idx)))
    h.setOptionValue("mip_rel_gap", 1e-9)
    h.run()
    values = np.asarray(h.getSolution().col_value, dtype=np.float64)[: len(cols)]
    return np.asarray(integer & (values > 0.5), dtype=bool)


def _objective(prog: Program, x: BoolArray) -> float:
    """Score of ``x`` with soft-row shortfalls charged at their penalty."""
    used = np.asarray(prog.usage @ x.astype(np.float64), dtype=np.float64)
    over = np.maximum(used - prog.limits, 0.0)
    soft = np.isfinite(prog.penalty)
    return float(prog.cost[x].sum() - (over[soft] * prog.penalty[soft]).sum())
