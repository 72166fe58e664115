"""Durable-solution pathways, each an explicit state machine.

A case is on at most one pathway at a time (``none`` when it is on none). Every pathway starts at
``identified`` and can be ``withdrawn`` from any non-final state (by the person, or when it no longer
fits); finishing states are final.

- ``resettlement``: identified → submitted → accepted (by a resettlement state) → departure-scheduled →
  departed; or rejected by the state (→ ``not-accepted``, after which resubmission to another state is
  a new ``submitted``).
- ``relocation``: the same shape, between states of one region.
- ``local-integration``: identified → in-progress → residence-granted → naturalised.
- ``voluntary-repatriation``: identified → intention (expressed) → voluntariness-verified →
  return-scheduled → returned. Leaving ``intention`` needs a recorded individual voluntariness
  declaration (a safeguard, see :mod:`asylon.domain.safeguards`).
- ``complementary``: family reunification, labour, education pathways: identified → applied → granted →
  departed, or refused.
"""

from __future__ import annotations

from enum import StrEnum

from asylon.domain.statemachine import StateMachine


class PathwayKind(StrEnum):
    NONE = "none"
    RESETTLEMENT = "resettlement"
    RELOCATION = "relocation"
    LOCAL_INTEGRATION = "local-integration"
    VOLUNTARY_REPATRIATION = "voluntary-repatriation"
    FAMILY_REUNIFICATION = "family-reunification"
    LABOUR_PATHWAY = "labour-pathway"
    EDUCATION_PATHWAY = "education-pathway"


WITHDRAWN = "withdrawn"


def _with_withdrawal(name: str, flow: dict[str, set[str]]) -> StateMachine:
    states = dict(flow)
    for state, targets in states.items():
        if targets:  # only non-final states can be withdrawn from
            states[state] = targets | {WITHDRAWN}
    states[WITHDRAWN] = set()
    return StateMachine(name, "identified", states)


_TRANSFER_FLOW: dict[str, set[str]] = {
    "identified": {"submitted"},
    "submitted": {"accepted", "not-accepted"},
    "not-accepted": {"submitted"},
    "accepted": {"departure-scheduled"},
    "departure-scheduled": {"departed", "accepted"},
    "departed": set(),
}
_COMPLEMENTARY_FLOW: dict[str, set[str]] = {
    "identified": {"applied"},
    "applied": {"granted", "refused"},
    "refused": {"applied"},
    "granted": {"departed"},
    "departed": set(),
}

PATHWAY_MACHINES: dict[PathwayKind, StateMachine] = {
    PathwayKind.NONE: StateMachine("pathway.none", "none", {"none": set()}),
    PathwayKind.RESETTLEMENT: _with_withdrawal("pathway.resettlement", _TRANSFER_FLOW),
    PathwayKind.RELOCATION: _with_withdrawal("pathway.relocation", _TRANSFER_FLOW),
    PathwayKind.LOCAL_INTEGRATION: _with_withdrawal(
        "pathway.local-integration",
        {
            "identified": {"in-progress"},
            "in-progress": {"residence-granted"},
            "residence-granted": {"naturalised"},
            "naturalised": set(),
        },
    ),
    PathwayKind.VOLUNTARY_REPATRIATION: _with_withdrawal(
        "pathway.voluntary-repatriation",
        {
            "identified": {"intention"},
            "intention": {"voluntariness-verified"},
            "voluntariness-verified": {"return-scheduled"},
            "return-scheduled": {"returned", "voluntariness-verified"},
            "returned": set(),
        },
    ),
    PathwayKind.FAMILY_REUNIFICATION: _with_withdrawal("pathway.family-reunification", _COMPLEMENTARY_FLOW),
    PathwayKind.LABOUR_PATHWAY: _with_withdrawal("pathway.labour-pathway", _COMPLEMENTARY_FLOW),
    PathwayKind.EDUCATION_PATHWAY: _with_withdrawal("pathway.education-pathway", _COMPLEMENTARY_FLOW),
}

# Pathways that move a person to another country: a destination is required and safeguards apply.
TRANSFER_PATHWAYS = frozenset(
    {
        PathwayKind.RESETTLEMENT,
        PathwayKind.RELOCATION,
        PathwayKind.FAMILY_REUNIFICATION,
        PathwayKind.LABOUR_PATHWAY,
        PathwayKind.EDUCATION_PATHWAY,
    }
)


def initial_state(kind: PathwayKind) -> str:
    return PATHWAY_MACHINES[kind].initial
