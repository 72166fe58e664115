"""Distribution keys: the formula against a direct oracle, caps respected, shares summing to 1."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asylon.engines.fairshare.corrective import corrective_allocation
from asylon.engines.fairshare.key import compute_key
from asylon.engines.fairshare.model import Cap, Criterion, KeySpec, StateTable
from asylon.engines.fairshare.presets import ec_2015_relocation
from asylon.errors import InvalidInput

positive = st.floats(min_value=0.1, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def tables(draw: st.DrawFn) -> StateTable:
    n = draw(st.integers(min_value=1, max_value=15))
    columns = ("population", "gdp_usd", "asylum_per_million", "unemployment_pct")
    values = {c: np.array(draw(st.lists(positive, min_size=n, max_size=n))) for c in columns}
    return StateTable(tuple(f"S{i:02d}" for i in range(n)), values)


def oracle(table: StateTable, cap_reading: str) -> np.ndarray:
    """COM(2015) 450 Annex, written out state by state as in Grech (2017)."""
    v = table.values
    pop, gdp = v["population"] / v["population"].sum(), v["gdp_usd"] / v["gdp_usd"].sum()
    base = (pop + gdp) / 2 if cap_reading == "mean" else pop + gdp
    asylum = np.maximum(v["asylum_per_million"], 1.0)  # the preset floors the inversion at 1 per million
    inv_a = (1 / asylum) / (1 / asylum).sum()
    inv_u = (1 / v["unemployment_pct"]) / (1 / v["unemployment_pct"]).sum()
    a, u = (
        [min(x, 0.3 * b) for x, b in zip(inv_a, base, strict=True)],
        [min(x, 0.3 * b) for x, b in zip(inv_u, base, strict=True)],
    )
    capped = [0.4 * p + 0.4 * g + 0.1 * ai + 0.1 * ui for p, g, ai, ui in zip(pop, gdp, a, u, strict=True)]
    rest = 1 - sum(capped)
    return np.array([c + rest * (p + g) / 2 for c, p, g in zip(capped, pop, gdp, strict=True)])


@settings(max_examples=200, derandomize=True, deadline=None)
@given(table=tables(), reading=st.sampled_from(["mean", "sum"]))
def test_ec_key_matches_the_written_out_formula(table: StateTable, reading: str) -> None:
    result = compute_key(ec_2015_relocation(cap_reading=reading), table)  # type: ignore[arg-type]
    assert np.allclose(result.shares, oracle(table, reading), rtol=1e-9, atol=1e-12)
    assert result.shares.sum() == pytest.approx(1.0, abs=1e-9)
    assert (result.shares >= 0).all()
    for criterion in result.criteria:
        if criterion.cap_limit is not None:
            assert (criterion.effective <= criterion.cap_limit + 1e-15).all()


@settings(max_examples=100, derandomize=True, deadline=None)
@given(table=tables(), factor=st.floats(min_value=1.01, max_value=10))
def test_more_population_never_lowers_a_states_share_under_a_population_gdp_key(
    table: StateTable, factor: float
) -> None:
    spec = KeySpec("pg", (Criterion("population", 0.5), Criterion("gdp_usd", 0.5)))
    before = compute_key(spec, table).shares[0]
    grown = dict(table.values)
    grown["population"] = table.values["population"].copy()
    grown["population"][0] *= factor
    after = compute_key(spec, StateTable(table.states, grown)).shares[0]
    assert after >= before - 1e-15


def test_inversion_and_cap_by_hand() -> None:
    table = StateTable(
        ("A", "B"),
        {"population": np.array([1.0, 1.0]), "gdp_usd": np.array([1.0, 1.0]), "u": np.array([1.0, 4.0])},
    )
    spec = KeySpec(
        "k",
        (
            Criterion("population", 0.5),
            Criterion("u", 0.5, invert=True, cap=Cap(0.3, ("population", "gdp_usd"))),
        ),
    )
    result = compute_key(spec, table)
    # 1/u shares 0.8 / 0.2; cap 0.3 x 0.5 = 0.15 each: removed 0.5 x (0.65 + 0.05) = 0.35, shared equally.
    assert result.removed_by_caps == pytest.approx(0.35)
    assert result.as_dict() == pytest.approx({"A": 0.5, "B": 0.5})


def test_missing_column_in_table() -> None:
    with pytest.raises(InvalidInput, match="needs column gdp_usd"):
        compute_key(KeySpec("k", (Criterion("gdp_usd", 1.0),)), StateTable(("A",), {}))


def test_corrective_allocation_respects_receivers_room() -> None:
    result = corrective_allocation({"A": 0.5, "B": 0.25, "C": 0.25}, {"A": 900, "B": 90, "C": 10})
    # Reference numbers 500 / 250 / 250; A is at 180% > 150%: 150 above the threshold move.
    assert result.triggered == ("A",) and result.excess == {"A": 150}
    assert result.received == {"B": 75, "C": 75} and result.unplaced == 0
    full = corrective_allocation({"A": 0.5, "B": 0.5}, {"A": 1000, "B": 0})
    # B has room for its whole reference number (500); A passes on 1000 - 750 = 250.
    assert full.received == {"B": 250}


def test_corrective_allocation_thresholds() -> None:
    below = corrective_allocation({"A": 0.5, "B": 0.4, "C": 0.1}, {"A": 2000, "B": 790, "C": 0})
    # Reference numbers 1395 / 1116 / 279: A is at 143%, under the 150% threshold.
    assert below.reference["A"] == pytest.approx(1395.0)
    assert below.triggered == () and below.received == {}
    tight = corrective_allocation({"A": 0.2, "B": 0.8}, {"A": 1000, "B": 790})
    # A: reference 358, threshold 537, 463 above it; B: reference 1432, room 642: all placed.
    assert tight.excess == {"A": 463} and tight.received == {"B": 463} and tight.unplaced == 0
    lower = corrective_allocation({"A": 0.2, "B": 0.8}, {"A": 1000, "B": 790}, threshold=2.0)
    assert lower.excess == {"A": 284}
    with pytest.raises(InvalidInput, match="C: applications given but no key share"):
        corrective_allocation({"A": 1.0}, {"A": 1, "C": 2})
