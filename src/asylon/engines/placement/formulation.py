"""From units to a :class:`~asylon.engines.placement.solver.Program`: which units, what is left, extra rows.

Static mode passes every unit that is not pinned, with the limits left after pins. Dynamic mode passes one
batch (or a batch plus a sampled future with fractional unit weights) with the limits left so far.
Fairness floors become soft rows: a group's total score should reach ``floor`` × the sum of its members'
best scores; each unit short costs ``penalty``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .model import FloatArray, IntArray
from .solver import Program
from .units import Units


@dataclass(frozen=True, slots=True)
class Selection:
    """A program over a subset of units; ``columns`` maps program columns back to :class:`Units` columns."""

    program: Program
    units: IntArray
    columns: IntArray
    n_resources: int


def select(
    units: Units,
    chosen: IntArray,
    *,
    limits: FloatArray,
    cost: FloatArray | None = None,
    unit_ub: FloatArray | None = None,
    fairness_floor: float | None = None,
    fairness_penalty: float = 10.0,
) -> Selection:
    """Build the program for ``chosen`` units (sorted unit indices) against ``limits``.

    ``cost`` is per :class:`Units` column (defaults to ``col_score``).

    >>> from asylon.engines.placement.model import Case, Destination, PlacementProblem, ScoreTable
    >>> from asylon.engines.placement.units import build_units
    >>> t = ScoreTable.from_pairs([("a", "d", 1.0)], case_ids=["a"], destination_ids=["d"])
    >>> u = build_units(PlacementProblem([Case("a", 1)], [Destination("d", "DE", 1)], t))
    >>> select(u, np.array([0]), limits=u.limits).program.cost.tolist()
    [1.0]
    """
    chosen = np.asarray(chosen, dtype=np.int64)
    full_cost = units.col_score if cost is None else cost
    if len(chosen) == units.n_units and (len(chosen) == 0 or bool(np.all(chosen == np.arange(units.n_units)))):
        # Every unit (static mode): the program shares the units' arrays instead of copying them.
        columns: IntArray = np.arange(len(units.col_unit), dtype=np.int32)
        counts = units.unit_ptr[1:] - units.unit_ptr[:-1]
        col_cost, local_unit, ptr, usage = full_cost, units.col_unit, units.unit_ptr, units.usage
    else:
        lo, hi = units.unit_ptr[chosen], units.unit_ptr[chosen + 1]
        counts = hi - lo
        columns = (np.repeat(lo - np.cumsum(np.concatenate([[0], counts[:-1]])), counts)
                   + np.arange(counts.sum())).astype(np.int64)
        col_cost = full_cost[columns]
        local_unit = np.repeat(np.arange(len(chosen)), counts)
        ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        usage = units.usage[:, columns]
    row_limits = limits.astype(np.float64)
    penalty = np.full(len(row_limits), np.inf)
    if fairness_floor is not None and fairness_floor > 0 and len(columns):
        groups = units.fairness_group[chosen]
        col_group = groups[local_unit]
        scores = units.col_score[columns]
        best = np.full(len(chosen), 0.0)
        nonempty = counts > 0
        best[nonempty] = np.maximum.reduceat(scores, ptr[:-1][nonempty])
        if unit_ub is not None:
            best[unit_ub <= 0] = 0.0  # pinned units (room for nothing) are not part of the floor
        n_groups = len(units.fairness_names)
        target = np.bincount(groups, weights=np.maximum(best, 0.0), minlength=n_groups) * fairness_floor
        present = np.flatnonzero(target > 0)
        remap = np.full(n_groups, -1, dtype=np.int64)
        remap[present] = np.arange(len(present))
        keep = remap[col_group] >= 0
        fair = sp.csc_matrix(
            (-scores[keep], (remap[col_group[keep]], np.flatnonzero(keep))), shape=(len(present), len(columns))
        )
        usage = sp.vstack([usage, fair], format="csc")
        row_limits = np.concatenate([row_limits, -target[present]])
        penalty = np.concatenate([penalty, np.full(len(present), fairness_penalty)])
    prog = Program(
        usage=usage if isinstance(usage, sp.csc_matrix) else sp.csc_matrix(usage),
        limits=row_limits,
        cost=col_cost,
        col_unit=local_unit,
        unit_ptr=ptr,
        unit_ub=np.ones(len(chosen)) if unit_ub is None else unit_ub,
        penalty=penalty,
    )
    return Selection(prog, chosen, columns, len(limits))
