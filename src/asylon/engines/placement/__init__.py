"""Placement engine: outcome-optimised resettlement and relocation matching, static and dynamic.

The platform calls :func:`place` (static: all cases at once) or :func:`place_dynamic` (weekly batches),
both taking a :class:`PlacementProblem` and returning assignments with explanations. Scores come from
:class:`OutcomeModel` (or any other source). Safeguards, family unity, ties and overrides are enforced
inside the engine.
"""

from __future__ import annotations

from .dynamic import DynamicOptions, place_dynamic
from .eligibility import PairCheck, check_pair
from .model import (
    Alternative,
    Assignment,
    Case,
    ConstraintPrice,
    Destination,
    DynamicResult,
    FamilyUnityDecision,
    Override,
    Person,
    PlacementOptions,
    PlacementProblem,
    PlacementResult,
    ScoreTable,
)
from .outcome import OutcomeModel, OutcomeReport, synthetic_history
from .static import place

__all__ = [
    "Alternative",
    "Assignment",
    "Case",
    "ConstraintPrice",
    "Destination",
    "DynamicOptions",
    "DynamicResult",
    "FamilyUnityDecision",
    "OutcomeModel",
    "OutcomeReport",
    "Override",
    "PairCheck",
    "Person",
    "PlacementOptions",
    "PlacementProblem",
    "PlacementResult",
    "ScoreTable",
    "check_pair",
    "place",
    "place_dynamic",
    "synthetic_history",
]
