"""Inputs and outputs of the fair-share engine, as plain frozen dataclasses.

A :class:`StateTable` holds the figures a key needs (one row per state, one column per criterion) with
the provenance of each figure. A :class:`KeySpec` says how to turn columns into one share per state; a
:class:`KeyResult` is the shares with every intermediate step kept, so a person can check the arithmetic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

CapReading = Literal["mean", "sum"]
Method = Literal["hamilton", "dhondt", "sainte-lague", "independent"]
METHODS: tuple[Method, ...] = ("hamilton", "dhondt", "sainte-lague", "independent")


@dataclass(frozen=True, slots=True)
class Cap:
    """Cap a criterion's share at ``fraction`` x the base share built from the ``of`` criteria.

    ``reading`` chooses the base: ``"mean"`` = the mean of the ``of`` shares (e.g. (pop + GDP) / 2),
    ``"sum"`` = their sum. See :mod:`asylon.engines.fairshare.presets` for why both exist.
    """

    fraction: float = 0.3
    of: tuple[str, ...] = ("population", "gdp_usd")
    reading: CapReading = "mean"


@dataclass(frozen=True, slots=True)
class Criterion:
    """One column of a key with its weight.

    ``invert`` uses 1/x (more unemployment or more past effort gives a smaller share). Inversion of zero
    is refused unless ``invert_floor`` is set, in which case values below it are raised to it first.
    """

    column: str
    weight: float
    invert: bool = False
    cap: Cap | None = None
    invert_floor: float | None = None
    label: str = ""


@dataclass(frozen=True, slots=True)
class KeySpec:
    """A distribution key: weighted criteria, and where the amount removed by caps goes.

    ``redistribute`` maps columns to the weights by which what caps remove is shared out again (the
    Commission's 2015 key: half by population, half by GDP).
    """

    name: str
    criteria: tuple[Criterion, ...]
    redistribute: Mapping[str, float] = field(default_factory=lambda: {"population": 0.5, "gdp_usd": 0.5})

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the key reads, in first-use order."""
        seen: dict[str, None] = {}
        for criterion in self.criteria:
            seen[criterion.column] = None
            if criterion.cap is not None:
                for column in criterion.cap.of:
                    seen[column] = None
        if any(c.cap is not None for c in self.criteria):
            for column in self.redistribute:
                seen[column] = None
        return tuple(seen)


@dataclass(frozen=True, slots=True)
class StateTable:
    """Figures per state: ``values[column][i]`` belongs to ``states[i]``.

    ``provenance[column][state]`` says where a figure came from, e.g. ``"WB-WDI:SP.POP.TOTL 2023"`` or
    ``"inputs.csv row 4"``.
    """

    states: tuple[str, ...]
    values: Mapping[str, FloatArray]
    provenance: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def column(self, name: str) -> FloatArray:
        return self.values[name]


@dataclass(frozen=True, slots=True)
class CriterionResult:
    """One criterion's contribution: its pure share, the share after any cap, and the weight."""

    column: str
    weight: float
    pure: FloatArray
    effective: FloatArray
    cap_limit: FloatArray | None


@dataclass(frozen=True, slots=True)
class KeyResult:
    """The key's shares (summing to 1) and every intermediate step."""

    name: str
    states: tuple[str, ...]
    shares: FloatArray
    criteria: tuple[CriterionResult, ...]
    removed_by_caps: float
    redistribution: FloatArray

    def share(self, state: str) -> float:
        return float(self.shares[self.states.index(state)])

    def as_dict(self) -> dict[str, float]:
        return {s: float(v) for s, v in zip(self.states, self.shares, strict=True)}


@dataclass(frozen=True, slots=True)
class Allocation:
    """Whole persons per state for a total, with the exact quota each state was owed."""

    key: str
    method: Method
    total: int
    states: tuple[str, ...]
    shares: FloatArray
    quotas: FloatArray
    seats: IntArray

    @property
    def allocated(self) -> int:
        return int(self.seats.sum())

    def as_dict(self) -> dict[str, int]:
        return {s: int(v) for s, v in zip(self.states, self.seats, strict=True)}

    def rows(self) -> list[dict[str, object]]:
        """One plain row per state, for tables, CSV and JSON."""
        return [
            {"state": s, "share": float(sh), "quota": float(q), "allocated": int(n)}
            for s, sh, q, n in zip(self.states, self.shares, self.quotas, self.seats, strict=True)
        ]
