"""Distribution keys: weighted criteria, optional inversion, optional caps, redistribution of what caps remove.

For states i and a criterion with values x_i, the *pure share* is x_i / Σx (or (1/x_i) / Σ(1/x) when
inverted). With a cap, the *effective share* is min(pure_i, fraction x base_i), where base_i is the mean
(or sum) of the shares of the cap's ``of`` criteria. The key is

    key_i = Σ_c w_c · effective_ci  +  R · r_i,     R = Σ_c w_c · Σ_i (pure_ci − effective_ci),

with r_i the redistribution share (Σ_k v_k · share_ki over ``KeySpec.redistribute``). Because every pure
share sums to 1 and Σ r_i = 1, the key sums to 1 whenever the weights do. This is the construction of
COM(2015) 450 Annex as written out by Grech (2017), generalised to any columns.

    >>> import numpy as np
    >>> from asylon.engines.fairshare.model import Criterion, KeySpec, StateTable
    >>> table = StateTable(("AAA", "BBB"), {"population": np.array([3.0, 1.0]), "gdp_usd": np.array([1.0, 1.0])})
    >>> spec = KeySpec("half-half", (Criterion("population", 0.5), Criterion("gdp_usd", 0.5)))
    >>> compute_key(spec, table).as_dict()
    {'AAA': 0.625, 'BBB': 0.375}
"""

from __future__ import annotations

import math

import numpy as np

from asylon.engines.fairshare.model import CriterionResult, FloatArray, KeyResult, KeySpec, StateTable
from asylon.errors import InvalidInput, Problem, ProblemCollector

__all__ = ["WEIGHT_TOLERANCE", "compute_key", "validate_spec"]

# Weights typed by people (0.4, 0.4, 0.1, 0.1) do not sum to exactly 1 in binary floating point.
WEIGHT_TOLERANCE = 1e-9


def validate_spec(spec: KeySpec) -> None:
    """Refuse a key whose weights are negative or do not sum to 1, naming the weights and the fix."""
    problems = ProblemCollector()
    if not spec.criteria:
        problems.add(
            "a key needs at least one criterion", field="criteria", fix="add e.g. population with weight 1"
        )
    for criterion in spec.criteria:
        if not math.isfinite(criterion.weight) or criterion.weight < 0:
            problems.add(
                f"weight of {criterion.column} is {criterion.weight}",
                field=f"weights.{criterion.column}",
                value=str(criterion.weight),
                fix="use a weight between 0 and 1",
            )
        if criterion.cap is not None and not (
            criterion.cap.fraction >= 0 and math.isfinite(criterion.cap.fraction)
        ):
            problems.add(
                f"cap fraction of {criterion.column} is {criterion.cap.fraction}",
                field=f"cap.{criterion.column}",
                fix="use a fraction such as 0.3",
            )
    total = sum(c.weight for c in spec.criteria)
    if spec.criteria and abs(total - 1.0) > WEIGHT_TOLERANCE:
        listed = ", ".join(f"{c.column}={c.weight:g}" for c in spec.criteria)
        problems.add(
            f"weights sum to {total:.10g}, not 1 ({listed})",
            field="weights",
            value=f"{total:.10g}",
            fix="scale the weights so that they sum to 1, e.g. divide each by their sum",
        )
    redistributed = sum(spec.redistribute.values())
    if any(c.cap is not None for c in spec.criteria) and abs(redistributed - 1.0) > WEIGHT_TOLERANCE:
        problems.add(
            f"redistribution weights sum to {redistributed:.10g}, not 1",
            field="redistribute",
            fix="give the redistribution weights (e.g. population 0.5, gdp_usd 0.5) a sum of 1",
        )
    problems.raise_if_any()


def _share(
    values: FloatArray, *, column: str, states: tuple[str, ...], invert: bool, floor: float | None
) -> FloatArray:
    problems = ProblemCollector()
    for state, value in zip(states, values, strict=True):
        if not math.isfinite(value):
            problems.add(f"{state}: {column} is missing", field=column, value=state, fix="supply a number")
        elif value < 0:
            problems.add(
                f"{state}: {column} is negative ({value:g})",
                field=column,
                value=state,
                fix="use a value of 0 or more",
            )
        elif invert and value == 0 and floor is None:
            problems.add(
                f"{state}: {column} is 0 and the key inverts it (1/0 would give this state everything)",
                field=column,
                value=state,
                fix="supply a positive value, or set a floor for the inversion (invert_floor)",
            )
    problems.raise_if_any()
    x = values.astype(np.float64)
    if invert:
        if floor is not None:
            x = np.maximum(x, floor)
        x = 1.0 / x
    total = float(x.sum())
    if total <= 0:
        raise InvalidInput(
            Problem(
                f"{column} is 0 for every state, so it cannot share anything",
                field=column,
                fix="supply non-zero figures or drop the criterion",
            )
        )
    return x / total


def compute_key(spec: KeySpec, table: StateTable) -> KeyResult:
    """Compute ``spec`` over ``table``; see the module docstring for the formula."""
    validate_spec(spec)
    missing = [c for c in spec.columns if c not in table.values]
    if missing:
        raise InvalidInput(
            [
                Problem(
                    f"the key {spec.name} needs column {c}, which the inputs do not have",
                    field=c,
                    fix=f"add a {c} column to the inputs CSV, or use figures from the shipped data",
                )
                for c in missing
            ]
        )
    if not table.states:
        raise InvalidInput(Problem("no states to share among", field="states", fix="name at least one state"))

    shares: dict[str, FloatArray] = {}

    def plain_share(column: str) -> FloatArray:
        if column not in shares:
            shares[column] = _share(
                table.column(column), column=column, states=table.states, invert=False, floor=None
            )
        return shares[column]

    results: list[CriterionResult] = []
    removed = 0.0
    key = np.zeros(len(table.states), dtype=np.float64)
    for criterion in spec.criteria:
        if criterion.invert:
            pure = _share(
                table.column(criterion.column),
                column=criterion.column,
                states=table.states,
                invert=True,
                floor=criterion.invert_floor,
            )
        else:
            pure = plain_share(criterion.column)
        limit: FloatArray | None = None
        effective = pure
        if criterion.cap is not None:
            base = np.sum([plain_share(c) for c in criterion.cap.of], axis=0)
            if criterion.cap.reading == "mean":
                base = base / len(criterion.cap.of)
            limit = criterion.cap.fraction * base
            effective = np.minimum(pure, limit)
            removed += criterion.weight * float((pure - effective).sum())
        key += criterion.weight * effective
        results.append(CriterionResult(criterion.column, criterion.weight, pure, effective, limit))
    redistribution = np.zeros_like(key)
    if removed > 0:
        for column, weight in spec.redistribute.items():
            redistribution += weight * plain_share(column)
        key += removed * redistribution
    return KeyResult(spec.name, table.states, key, tuple(results), removed, redistribution)
