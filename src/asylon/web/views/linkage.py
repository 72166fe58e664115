"""Linkage pages: runs (start one, follow it), the review queue side by side with each comparison's weight,
and merged persons with their history and the unmerge of each member."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError
from starlette.background import BackgroundTask

from asylon.domain.organisations import Role, role_allows
from asylon.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from asylon.schemas.linkage import LinkageRunCreate, PairDecision, PairStatus, RunStatus, Unmerge
from asylon.services import linkage
from asylon.web.forms import FormErrors, errors_from_validation
from asylon.web.i18n import N_
from asylon.web.rendering import (
    PageRoute,
    engine_of,
    read_session,
    redirect,
    render,
    signed_in,
    visit_gettext,
    write_session,
)
from asylon.web.sections import Section, add_section

router = APIRouter(route_class=PageRoute, include_in_schema=False)
add_section(Section("linkage", N_("Duplicates"), "/linkage"), after="cases")
PAGE_SIZE = 20

# What each comparison of the preset compares, and which stored field shows it side by side.
COMPARISONS: dict[str, tuple[str, str]] = {
    "given": (N_("Given name"), "given_name"),
    "family": (N_("Family name"), "family_name"),
    "dob": (N_("Date of birth"), "date_of_birth"),
    "sex": (N_("Sex"), "sex"),
    "nationality": (N_("Nationality"), "nationality"),
    "place": (N_("Place of birth"), "place_of_birth"),
    "household": (N_("Household"), "household"),
}


def _runs_page(request: Request, *, errors: FormErrors | None = None, values: dict[str, str] | None = None,
               status: int = 200) -> Response:
    visit = signed_in(request)
    assert visit.actor is not None
    with read_session(request) as session:
        runs = linkage.list_runs(session, actor=visit.actor)
        partners = linkage.partners(session, actor=visit.actor)
    busy = any(r.status in (RunStatus.QUEUED, RunStatus.RUNNING) for r in runs)
    return render(request, "linkage/runs.html", status=status, runs=runs, partners=partners, busy=busy,
                  errors=errors or FormErrors(), values=values or {},
                  can_start=role_allows(visit.actor.role, Role.CASEWORKER))


@router.get("/linkage")
def runs_page(request: Request) -> Response:
    return _runs_page(request)


@router.post("/linkage/runs")
async def start_run(request: Request) -> Response:
    visit = signed_in(request)
    actor = visit.actor
    assert actor is not None
    form = await request.form()
    values = {k: v.strip() for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    target = values.get("target", "")
    body: dict[str, Any] = {"kind": "dedupe"} if target in ("", "dedupe") else {"kind": "link", "partner": target}
    for name in ("threshold", "review_from"):
        if values.get(name):
            body[name] = values[name]
    errors = FormErrors()
    try:
        data = LinkageRunCreate.model_validate(body)
        with write_session(request) as session:
            run = linkage.start_run(session, actor=actor, data=data)
            session.commit()
            run_id = run.id
    except ValidationError as exc:
        errors = errors_from_validation(exc)
    except InvalidInput as exc:
        for problem in exc.problems:
            errors.add(None, str(problem))
    except (Conflict, PermissionDenied) as exc:
        errors.add(None, exc.message)
    if errors:
        return _runs_page(request, errors=errors, values=values, status=422)
    response = redirect(f"/linkage/runs/{run_id}")
    # The run goes on after this answer; its page shows how far it is.
    response.background = BackgroundTask(linkage.execute_run, engine_of(request), run_id)
    return response


@router.get("/linkage/runs/{run_id:int}")
def run_page(request: Request, run_id: int) -> Response:
    visit = signed_in(request)
    assert visit.actor is not None
    with read_session(request) as session:
        run = linkage.get_run(session, actor=visit.actor, run_id=run_id)
    return render(request, "linkage/run.html", run=run,
                  busy=run.status in (RunStatus.QUEUED, RunStatus.RUNNING))


@router.get("/linkage/review")
def review_page(request: Request, run: int | None = None, page: int = 1, done: str = "") -> Response:
    visit = signed_in(request)
    assert visit.actor is not None
    page = max(1, min(page, 100_000))
    with read_session(request) as session:
        result = linkage.list_pairs(session, actor=visit.actor, run_id=run, status=PairStatus.PENDING,
                                    limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    pages = max(1, (result.total + PAGE_SIZE - 1) // PAGE_SIZE)
    return render(request, "linkage/review.html", result=result, run=run, page=page, pages=pages, done=done,
                  comparisons=COMPARISONS, can_decide=role_allows(visit.actor.role, Role.CASEWORKER),
                  errors=FormErrors())


@router.post("/linkage/review/decisions")
async def decide(request: Request) -> Response:
    visit = signed_in(request)
    actor = visit.actor
    assert actor is not None
    form = await request.form()
    run = form.get("run")
    back = f"/linkage/review?run={run}" if isinstance(run, str) and run.isdigit() else "/linkage/review?"
    try:
        data = PairDecision.model_validate({"pair_id": form.get("pair_id"), "decision": form.get("decision"),
                                            "reason": form.get("reason") or ""})
        with write_session(request) as session:
            pair = linkage.decide_pair(session, actor=actor, data=data)
            session.commit()
            merged = pair.merged_person_id
    except ValidationError:
        return _review_with_error(request, run, visit_gettext(visit, "Give a reason for the decision: what you compared."))
    except (Conflict, NotFound) as exc:
        return _review_with_error(request, run, exc.message)
    if data.decision == "accept":
        return redirect(f"/linkage/merges?done=merged#merged-{merged}")
    return redirect(f"{back}&done=rejected")


def _review_with_error(request: Request, run: Any, message: str) -> Response:
    visit = signed_in(request)
    assert visit.actor is not None
    run_id = int(run) if isinstance(run, str) and run.isdigit() else None
    with read_session(request) as session:
        result = linkage.list_pairs(session, actor=visit.actor, run_id=run_id, limit=PAGE_SIZE)
    errors = FormErrors()
    errors.add(None, message)
    return render(request, "linkage/review.html", status=422, result=result, run=run_id, page=1,
                  pages=max(1, (result.total + PAGE_SIZE - 1) // PAGE_SIZE), done="", comparisons=COMPARISONS,
                  can_decide=True, errors=errors)


@router.get("/linkage/merges")
def merges_page(request: Request, done: str = "") -> Response:
    visit = signed_in(request)
    assert visit.actor is not None
    with read_session(request) as session:
        merged = linkage.list_merged(session, actor=visit.actor)
    return render(request, "linkage/merges.html", merged=merged, done=done, errors=FormErrors(),
                  can_change=role_allows(visit.actor.role, Role.CASEWORKER))


@router.post("/linkage/unmerges")
async def unmerge(request: Request) -> Response:
    visit = signed_in(request)
    actor = visit.actor
    assert actor is not None
    form = await request.form()
    errors = FormErrors()
    try:
        data = Unmerge.model_validate({"merged_person_id": form.get("merged_person_id"),
                                       "member_ids": [form.get("member_id")], "reason": form.get("reason") or ""})
        with write_session(request) as session:
            linkage.unmerge(session, actor=actor, data=data)
            session.commit()
    except ValidationError:
        errors.add(None, visit_gettext(visit, "Give a reason for splitting the record out."))
    except InvalidInput as exc:
        for problem in exc.problems:
            errors.add(None, str(problem))
    except (Conflict, NotFound) as exc:
        errors.add(None, exc.message)
    if errors:
        with read_session(request) as session:
            merged = linkage.list_merged(session, actor=actor)
        return render(request, "linkage/merges.html", status=422, merged=merged, done="", errors=errors,
                      can_change=True)
    return redirect("/linkage/merges?done=unmerged")
