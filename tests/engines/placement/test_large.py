"""The large-exercise path (sampled prices, column generation stopped at a tenth of the gap, reduced-cost
neighbourhood) keeps every rule and reports a bound no placement can beat."""

from __future__ import annotations

import numpy as np

from asylon.engines.placement.formulation import select
from asylon.engines.placement.model import PlacementOptions
from asylon.engines.placement.solver import relax
from asylon.engines.placement.static import place
from asylon.engines.placement.synthetic import generate_year
from asylon.engines.placement.units import build_units

from .oracle import total_score, violations


def test_column_generation_path_is_feasible_and_its_bound_holds() -> None:
    year = generate_year(7000, 12, seed=8)  # more units than the price sample (6,000): prices are sampled
    problem = year.problem
    # Forced onto the path used by large exercises: nested samples for prices, then column generation.
    r = place(problem, PlacementOptions(mip_gap=1e-3, column_generation_threshold=0))
    assert violations(problem, r.assignments) == []
    assert abs(total_score(problem, r.assignments) - r.total_score) < 1e-6
    # The certified bound is at least the exact LP optimum over every pair (solved without pricing).
    units = build_units(problem)
    placed = np.zeros(len(units.col_unit), dtype=bool)
    for u, pin in units.pins.items():
        placed[units.column_of(u, pin.destination)] = True
    free = np.array([u for u in range(units.n_units) if u not in units.pins], dtype=np.int64)
    sel = select(units, free, limits=units.limits - units.usage @ placed.astype(float))
    exact = relax(sel.program, full_below=10**9).objective + float(units.col_score[placed].sum())
    assert r.bound >= exact - 1e-6
    assert r.objective <= exact + 1e-6
    assert r.gap <= 1e-3
