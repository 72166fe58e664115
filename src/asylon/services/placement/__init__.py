"""Placement exercises on the platform: create from the organisation's cases, run the optimiser in the
background, review proposals with their explanations, pin or override cases, accept into case events.

The engine (:mod:`asylon.engines.placement`) does the optimisation; this package feeds it the platform's
data — cases through the visibility check, the safeguards, households and family groups — and stores what
it answers.
"""

from __future__ import annotations

from asylon.services.placement.exercises import (
    accept,
    case_ids_by_number,
    create_exercise,
    latest_solved,
    list_exercises,
    load_exercise,
    pin_case,
    release_pin,
    situations,
)
from asylon.services.placement.inputs import LARGE_FAMILY, NEED_SERVICES
from asylon.services.placement.runs import RunQueue, execute_run, queue_for, request_run
from asylon.services.placement.views import (
    exercise_public,
    exercise_summaries,
    list_runs,
    run_detail,
    run_public,
)

__all__ = [
    "LARGE_FAMILY",
    "NEED_SERVICES",
    "RunQueue",
    "accept",
    "case_ids_by_number",
    "create_exercise",
    "execute_run",
    "exercise_public",
    "exercise_summaries",
    "latest_solved",
    "list_exercises",
    "list_runs",
    "load_exercise",
    "pin_case",
    "queue_for",
    "release_pin",
    "request_run",
    "run_detail",
    "run_public",
    "situations",
]
