"""Placement exercises: the list, the form that creates one, and the exercise page where a coordinator runs
the optimiser and caseworkers review each proposal with its reasons, pin or override it, and accept."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError

from asylon.domain.organisations import Role, role_allows
from asylon.domain.pathways import PathwayKind
from asylon.engines.fairshare import PRESETS
from asylon.errors import AsylonError, InvalidInput, RuleRefused
from asylon.schemas.placement import AcceptanceCreate, ExerciseCreate, PinCreate, PinRelease
from asylon.services import placement
from asylon.web import labels
from asylon.web.forms import FormErrors, errors_from_problems, errors_from_validation, split_list
from asylon.web.i18n import N_
from asylon.web.rendering import (
    PageRoute,
    engine_of,
    read_session,
    redirect,
    render,
    signed_in,
    write_session,
)
from asylon.web.sections import Section, add_section

router = APIRouter(route_class=PageRoute, include_in_schema=False)
add_section(Section("placement", N_("Placement"), "/placement"), after="countries")

DESTINATION_COLUMNS = ("code", "name", "country", "capacity", "languages", "nationalities", "unemployment_rate",
                       "population")
EXAMPLE_DESTINATIONS = ("code,name,country,capacity,cap_medical,cap_single-parent,cap_large-family,languages\n"
                        "DEU-HH,Hamburg,DEU,40,3,4,2,\nFRA-LY,Lyon,FRA,25,1,2,1,fra\n")
STATUS_LABELS = {
    "queued": N_("queued"), "running": N_("running"), "solved": N_("solved"), "failed": N_("failed"),
    "optimised": N_("optimised"), "tie": N_("tie"), "pin": N_("pinned"), "override": N_("override"),
    "accepted": N_("accepted"), "unplaced": N_("unplaced"),
}


def _can_change(request: Request) -> bool:
    visit = signed_in(request)
    return visit.actor is not None and role_allows(visit.actor.role, Role.CASEWORKER)


@router.get("/placement")
def exercise_list(request: Request) -> Response:
    visit = signed_in(request)
    assert visit.actor is not None
    with read_session(request) as session:
        exercises = placement.exercise_summaries(session, actor=visit.actor)
    return render(request, "placement/list.html", exercises=exercises, can_change=_can_change(request),
                  status_labels=STATUS_LABELS)


def destination_rows(text: str) -> tuple[list[dict[str, Any]], FormErrors]:
    """Destinations typed or pasted as CSV with a header row (the columns of ``destinations.csv`` of
    ``asylon place``: code, name, country, capacity, cap_<service>…, languages, nationalities)."""
    errors = FormErrors()
    rows: list[dict[str, Any]] = []
    reader = csv.DictReader(io.StringIO(text.strip()))
    header = [h.strip() for h in reader.fieldnames or []]
    unknown = [h for h in header if h not in DESTINATION_COLUMNS and not h.startswith("cap_")]
    if unknown or "code" not in header:
        errors.add("destinations", f"row 1: unknown or missing columns ({', '.join(unknown) or 'code'}); use "
                                   f"{', '.join(DESTINATION_COLUMNS)} and cap_<service>")
        return rows, errors
    for raw in reader:
        values = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        row: dict[str, Any] = {"code": values.get("code", ""), "name": values.get("name", ""),
                               "country": values.get("country", "").upper(), "capacity": values.get("capacity", ""),
                               "services": {k.removeprefix("cap_"): v for k, v in values.items()
                                            if k.startswith("cap_") and v != ""},
                               "languages": [c.lower() for c in split_list(values.get("languages", ""))],
                               "nationalities": [c.upper() for c in split_list(values.get("nationalities", ""))]}
        for name in ("unemployment_rate", "population"):
            if values.get(name):
                row[name] = values[name]
        rows.append(row)
    if not rows:
        errors.add("destinations", "give at least one destination below the header row")
    return rows, errors


def _form_errors(problems: FormErrors) -> FormErrors:
    """Put messages about destinations[n] on the destinations box, naming the CSV row (header is row 1)."""
    out = FormErrors(general=list(problems.general))
    for name, messages in problems.fields.items():
        parts = name.split("-")
        if parts[0] == "destinations" and len(parts) >= 2 and parts[1].isdigit():
            column = "-".join(parts[2:]) or "row"
            if column.startswith("services"):
                column = "cap_" + "-".join(parts[3:])
            for message in messages:
                out.add("destinations", f"row {int(parts[1]) + 2}, column {column}: {message}")
        elif parts[0] in ("cases", "scores", "select"):
            for message in messages:
                out.add("case_numbers" if parts[0] != "select" else "select_" + "-".join(parts[1:]), message)
        elif parts[0] == "fair_share":
            for message in messages:
                out.add("fair_share_key", message)
        else:
            for message in messages:
                out.add(name, message)
    return out


def _new_form(request: Request, *, values: dict[str, Any], errors: FormErrors, status: int = 200) -> Response:
    with read_session(request) as session:
        situations = placement.situations(session)
    return render(request, "placement/new.html", status=status, values=values, errors=errors,
                  situations=situations, pathways=[k.value for k in PathwayKind if k is not PathwayKind.NONE],
                  presets=list(PRESETS), example=EXAMPLE_DESTINATIONS)


@router.get("/placement/new")
def new_page(request: Request) -> Response:
    visit = signed_in(request)
    assert visit.actor is not None
    visit.actor.require(Role.CASEWORKER, "creating a placement exercise")
    return _new_form(request, values={"destinations": EXAMPLE_DESTINATIONS, "score_source": "outcome-expected",
                                      "time_limit": "120"}, errors=FormErrors())


@router.post("/placement/new")
async def create(request: Request) -> Response:
    visit = signed_in(request)
    actor = visit.actor
    assert actor is not None
    actor.require(Role.CASEWORKER, "creating a placement exercise")
    form = await request.form()
    values = {k: v.strip() for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    destinations, errors = destination_rows(values.get("destinations", ""))
    numbers = split_list(values.get("case_numbers", ""))
    with read_session(request) as session:
        found = placement.case_ids_by_number(session, actor=actor, numbers=numbers)
    for number in numbers:
        if number not in found:
            errors.add("case_numbers", f"case {number} not found among your organisation's cases")
    select = {k: values[f"select_{k}"] for k in ("situation", "pathway", "pathway_state", "country_of_asylum")
              if values.get(f"select_{k}")}
    body: dict[str, Any] = {
        "title": values.get("title", ""), "description": values.get("description", ""),
        "cases": [{"case_id": found[n]} for n in dict.fromkeys(numbers) if n in found],
        "destinations": destinations, "score_source": values.get("score_source") or "outcome-expected",
    }
    if select:
        body["select"] = select
    if values.get("time_limit"):
        body["time_limit"] = values["time_limit"]
    if values.get("fair_share_key"):
        body["fair_share"] = {"key": values["fair_share_key"]} | (
            {"year": values["fair_share_year"]} if values.get("fair_share_year") else {})
    if errors:
        return _new_form(request, values=values, errors=errors, status=422)
    try:
        data = ExerciseCreate.model_validate(body)
    except ValidationError as exc:
        return _new_form(request, values=values, errors=_form_errors(errors_from_validation(exc)), status=422)
    try:
        with write_session(request) as session:
            exercise = placement.create_exercise(session, actor=actor, data=data)
            session.commit()
            exercise_id = exercise.id
    except InvalidInput as exc:
        return _new_form(request, values=values, errors=_form_errors(errors_from_problems(exc.problems)), status=422)
    return redirect(f"/placement/{exercise_id}?done=created")


def _page(request: Request, exercise_id: int, run_id: int | None = None, **extra: Any) -> Response:
    visit = signed_in(request)
    assert visit.actor is not None
    with read_session(request) as session:
        exercise = placement.exercise_public(session, actor=visit.actor, exercise_id=exercise_id)
        runs = placement.list_runs(session, actor=visit.actor, exercise_id=exercise_id)
        shown = run_id if run_id is not None else (runs[0].id if runs else None)
        run = placement.run_detail(session, actor=visit.actor, exercise_id=exercise_id, run_id=shown) if shown else None
    latest_solved = next((r.id for r in runs if r.status == "solved"), None)
    usage: dict[str, dict[str, int]] = {d.code: {"persons": 0, "cases": 0} for d in exercise.destinations}
    if run is not None:
        for p in run.proposals:
            if p.destination:
                usage[p.destination]["persons"] += p.persons
                usage[p.destination]["cases"] += 1
    active = any(r.status in ("queued", "running") for r in runs)
    context: dict[str, Any] = {"refusal": None, "errors": FormErrors(), "values": {}, **extra}
    response = render(request, "placement/detail.html", status=context.pop("status", 200), exercise=exercise,
                      runs=runs, run=run, usage=usage, can_change=_can_change(request), active=active,
                      latest_solved=latest_solved, status_labels=STATUS_LABELS,
                      pins={c.case_id: c.pin for c in exercise.cases}, done=request.query_params.get("done"),
                      **context)
    if active:
        # The page follows a run in progress without JavaScript; the reload drops the one-time notice.
        response.headers["Refresh"] = f"3; url={request.url.path}"
    return response


@router.get("/placement/{exercise_id:int}")
def exercise_page(request: Request, exercise_id: int) -> Response:
    return _page(request, exercise_id)


@router.get("/placement/{exercise_id:int}/runs/{run_id:int}")
def run_page(request: Request, exercise_id: int, run_id: int) -> Response:
    return _page(request, exercise_id, run_id)


@router.post("/placement/{exercise_id:int}/run")
async def start_run(request: Request, exercise_id: int) -> Response:
    visit = signed_in(request)
    assert visit.actor is not None
    with write_session(request) as session:
        run = placement.request_run(session, actor=visit.actor, exercise_id=exercise_id)
        session.commit()
        run_id = run.id
    placement.queue_for(request.app.state, engine_of(request)).submit(run_id)
    return redirect(f"/placement/{exercise_id}?done=queued")


async def _action(request: Request, exercise_id: int, action: str) -> Response:
    visit = signed_in(request)
    actor = visit.actor
    assert actor is not None
    form = await request.form()
    text = {k: v.strip() for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    errors = FormErrors()
    refusal = None
    try:
        with write_session(request) as session:
            if action == "pin":
                placement.pin_case(session, actor=actor, exercise_id=exercise_id, data=PinCreate.model_validate(
                    {"case_id": text.get("case_id"), "destination": text.get("destination"),
                     "reason": text.get("reason", "")}))
            elif action == "release":
                placement.release_pin(session, actor=actor, exercise_id=exercise_id, data=PinRelease.model_validate(
                    {"case_id": text.get("case_id"), "reason": text.get("reason", "")}))
            else:
                chosen = [text["case_id"]] if text.get("case_id") else None
                placement.accept(session, actor=actor, exercise_id=exercise_id, data=AcceptanceCreate.model_validate(
                    {"run_id": text.get("run_id"), "case_ids": chosen, "reason": text.get("reason", "")}))
            session.commit()
        return redirect(f"/placement/{exercise_id}?done={action}")
    except ValidationError as exc:
        errors = errors_from_validation(exc)
    except RuleRefused as exc:
        refusal = {"rule": exc.rule, "message": exc.message, "explanation": labels.RULE.get(exc.rule, "")}
    except InvalidInput as exc:
        errors = errors_from_problems(exc.problems)
    except AsylonError as exc:
        if exc.code in ("not-found", "permission-denied"):
            raise  # the page's own error pages answer these
        errors.add(None, exc.message)
    return _page(request, exercise_id, status=409 if refusal else 422, refusal=refusal, errors=errors, values=text)


@router.post("/placement/{exercise_id:int}/pin")
async def pin(request: Request, exercise_id: int) -> Response:
    return await _action(request, exercise_id, "pin")


@router.post("/placement/{exercise_id:int}/release")
async def release(request: Request, exercise_id: int) -> Response:
    return await _action(request, exercise_id, "release")


@router.post("/placement/{exercise_id:int}/accept")
async def accept(request: Request, exercise_id: int) -> Response:
    return await _action(request, exercise_id, "accept")
