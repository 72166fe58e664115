"""Cases: the searchable list, one case's page with its pathway actions, and the register and edit forms."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from asylon.domain.needs import SpecificNeed
from asylon.domain.organisations import Role, role_allows
from asylon.domain.pathways import PATHWAY_MACHINES, TRANSFER_PATHWAYS, PathwayKind
from asylon.domain.status import STATUS_MACHINE
from asylon.errors import Conflict, InvalidInput, RuleRefused, TransitionRefused
from asylon.schemas.cases import (
    CaseCreate,
    CaseUpdate,
    PathwayChange,
    PersonUpdate,
    StatusChange,
    VoluntarinessDeclaration,
)
from asylon.services import caseviews, pathways, registry
from asylon.services.actors import Actor
from asylon.services.caseviews import CaseFilters
from asylon.services.dashboard import case_countries
from asylon.web import labels
from asylon.web.forms import (
    MAX_MEMBERS,
    FormErrors,
    case_values,
    errors_from_problems,
    errors_from_validation,
    form_values,
    member_count,
    split_list,
)
from asylon.web.rendering import PageRoute, read_session, redirect, render, signed_in, write_session

router = APIRouter(route_class=PageRoute, include_in_schema=False)
PAGE_SIZE = 25


def _can_change(actor: Actor) -> bool:
    return role_allows(actor.role, Role.CASEWORKER)


@router.get("/cases")
def case_list(request: Request, q: str = "", legal_status: str = "", pathway: str = "", need: str = "",
              country_of_asylum: str = "", origin_country: str = "", page: int = 1) -> Response:
    visit = signed_in(request)
    assert visit.actor is not None
    page = max(1, min(page, 100_000))
    filters = CaseFilters(q=q.strip() or None, legal_status=legal_status or None, pathway=pathway or None,
                          need=need or None, country_of_asylum=country_of_asylum or None,
                          origin_country=origin_country or None)
    with read_session(request) as session:
        result = caseviews.list_cases(session, actor=visit.actor, filters=filters, limit=PAGE_SIZE,
                                      offset=(page - 1) * PAGE_SIZE)
        asylum_codes, origin_codes = case_countries(session, actor=visit.actor)
    query = {k: v for k, v in {"q": q, "legal_status": legal_status, "pathway": pathway, "need": need,
                               "country_of_asylum": country_of_asylum, "origin_country": origin_country}.items() if v}
    pages = max(1, (result.total + PAGE_SIZE - 1) // PAGE_SIZE)

    def page_url(number: int) -> str:
        return "/cases?" + urlencode({**query, "page": number})

    return render(request, "cases/list.html", result=result, query=query, page=page, pages=pages,
                  page_url=page_url, asylum_codes=asylum_codes, origin_codes=origin_codes,
                  filtered=bool(query))


def _case_context(request: Request, case_id: int) -> dict[str, Any]:
    visit = signed_in(request)
    assert visit.actor is not None
    with read_session(request) as session:
        case = caseviews.get_case(session, actor=visit.actor, case_id=case_id)
        events = caseviews.case_history(session, actor=visit.actor, case_id=case_id)
    # Fields outside a sharing agreement come back empty; such a case is read-only here anyway.
    kind = PathwayKind(case.pathway or PathwayKind.NONE)
    machine = PATHWAY_MACHINES[kind]
    state = case.pathway_state or machine.initial
    next_states = sorted(machine.allowed_from(state), key=lambda s: (s == "withdrawn", s))
    own = case.organisation == visit.actor.organisation_slug
    return {
        "case": case,
        "events": list(reversed(events)),
        "can_change": own and _can_change(visit.actor),
        "next_states": next_states,
        "pathway_final": kind is PathwayKind.NONE or machine.is_final(state),
        "takes_destination": kind in TRANSFER_PATHWAYS | {PathwayKind.VOLUNTARY_REPATRIATION},
        "next_statuses": sorted(STATUS_MACHINE.allowed_from(case.legal_status), key=lambda s: (s == "closed", s))
        if case.legal_status else [],
        "pathway_kinds": [k.value for k in PathwayKind if k is not PathwayKind.NONE],
        "needs_declaration": kind is PathwayKind.VOLUNTARY_REPATRIATION,
        "refusal": None,
        "errors": FormErrors(),
        "values": {},
        "done": request.query_params.get("done"),
    }


@router.get("/cases/{case_id:int}")
def case_page(request: Request, case_id: int) -> Response:
    return render(request, "cases/detail.html", **_case_context(request, case_id))


def _refusal(exc: RuleRefused) -> dict[str, Any]:
    explanation = labels.TRANSITION_RULE if isinstance(exc, TransitionRefused) else labels.RULE.get(exc.rule, "")
    return {"rule": exc.rule, "message": exc.message, "explanation": explanation,
            "allowed": getattr(exc, "allowed", None)}


async def _case_action(request: Request, case_id: int, action: str) -> Response:
    """Run one action from the case page; on refusal or bad input show the page again, saying why."""
    visit = signed_in(request)
    actor = visit.actor
    assert actor is not None
    form = await request.form()
    text = {k: v.strip() for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    errors = FormErrors()
    refusal = None
    prefix = "voluntariness-" if action == "voluntariness" else ""
    try:
        with write_session(request) as session:
            if action == "pathway":
                change = PathwayChange.model_validate({k: v for k, v in text.items()
                                                       if k in {"pathway", "state", "destination",
                                                                "initiated_by", "reason"} and v})
                pathways.change_pathway(session, actor=actor, case_id=case_id, data=change)
            elif action == "status":
                pathways.change_status(session, actor=actor, case_id=case_id,
                                       data=StatusChange.model_validate({k: v for k, v in text.items()
                                                                         if k in {"status", "reason"}}))
            else:
                pathways.declare_voluntariness(
                    session, actor=actor, case_id=case_id,
                    data=VoluntarinessDeclaration.model_validate({k: v for k, v in text.items()
                                                                  if k in {"person_ref", "method", "reason"}}))
            session.commit()
        return redirect(f"/cases/{case_id}?done={action}#{action}")
    except ValidationError as exc:
        errors = errors_from_validation(exc, prefix=prefix)
    except RuleRefused as exc:
        refusal = _refusal(exc)
    except (InvalidInput, Conflict) as exc:
        if isinstance(exc, InvalidInput):
            errors = errors_from_problems(exc.problems, prefix=prefix)
        else:
            errors.add(None, exc.message)
    context = _case_context(request, case_id)
    context.update(refusal=refusal, errors=errors, values=text, action=action)
    return render(request, "cases/detail.html", status=409 if refusal else 422, **context)


@router.post("/cases/{case_id:int}/pathway")
async def change_pathway(request: Request, case_id: int) -> Response:
    return await _case_action(request, case_id, "pathway")


@router.post("/cases/{case_id:int}/status")
async def change_status(request: Request, case_id: int) -> Response:
    return await _case_action(request, case_id, "status")


@router.post("/cases/{case_id:int}/voluntariness")
async def declare_voluntariness(request: Request, case_id: int) -> Response:
    return await _case_action(request, case_id, "voluntariness")


def _register_form(request: Request, *, values: dict[str, Any], members: int, errors: FormErrors,
                   status: int = 200) -> Response:
    return render(request, "cases/register.html", status=status, values=values, members=members,
                  errors=errors, max_members=MAX_MEMBERS, needs=[n.value for n in SpecificNeed])


@router.get("/cases/new")
def register_page(request: Request, members: int = 1) -> Response:
    visit = signed_in(request)
    assert visit.actor is not None
    visit.actor.require(Role.CASEWORKER, "registering a case")
    return _register_form(request, values={}, members=max(1, min(members, MAX_MEMBERS)), errors=FormErrors())


@router.post("/cases/new")
async def register(request: Request) -> Response:
    visit = signed_in(request)
    actor = visit.actor
    assert actor is not None
    actor.require(Role.CASEWORKER, "registering a case")
    form = await request.form()
    members = member_count(form)
    values = form_values(form)
    if form.get("action") == "add-member":
        return _register_form(request, values=values, members=min(members + 1, MAX_MEMBERS), errors=FormErrors())
    if form.get("action", "").startswith("remove-"):  # type: ignore[union-attr]
        return _register_form(request, values=_without_member(form, values, members),
                              members=max(1, members - 1), errors=FormErrors())
    try:
        data = CaseCreate.model_validate(case_values(form))
    except ValidationError as exc:
        return _register_form(request, values=values, members=members, errors=errors_from_validation(exc),
                              status=422)
    errors = FormErrors()
    try:
        with write_session(request) as session:
            case = registry.register_case(session, actor=actor, data=data, source="web")
            session.commit()
            case_id = case.id
    except Conflict as exc:
        errors.add("case_number", exc.message)
    except InvalidInput as exc:
        errors = errors_from_problems(exc.problems)
    except RuleRefused as exc:
        errors.add(None, exc.message)
    if errors:
        return _register_form(request, values=values, members=members, errors=errors, status=422)
    return redirect(f"/cases/{case_id}?done=registered")


def _without_member(form: FormData, values: dict[str, Any], members: int) -> dict[str, Any]:
    """The form values with one member row removed and the later rows moved up."""
    action = str(form.get("action"))
    try:
        gone = int(action.removeprefix("remove-"))
    except ValueError:
        return values
    out = {k: v for k, v in values.items() if not k.startswith("persons-")}
    for index in range(members):
        if index == gone:
            continue
        new = index if index < gone else index - 1
        for key, value in values.items():
            if key.startswith(f"persons-{index}-"):
                out[f"persons-{new}-" + key.removeprefix(f"persons-{index}-")] = value
    return out


def _edit_values(case: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "situation": case.situation or "",
        "country_of_asylum": case.country_of_asylum or "",
        "origin_country": case.origin_country or "",
        "fled_countries": " ".join(case.fled_countries),
    }
    for index, p in enumerate(case.persons):
        prefix = f"persons-{index}-"
        for name in ("given_name", "family_name", "name_original", "name_script", "sex", "date_of_birth",
                     "nationality", "place_of_birth", "education", "occupation", "relationship"):
            value = getattr(p, name)
            values[prefix + name] = "" if value is None else str(value)
        values[prefix + "languages"] = " ".join(p.languages)
        values[prefix + "needs"] = list(p.needs)
    return values


@router.get("/cases/{case_id:int}/edit")
def edit_page(request: Request, case_id: int) -> Response:
    visit = signed_in(request)
    assert visit.actor is not None
    visit.actor.require(Role.CASEWORKER, "changing a case")
    with read_session(request) as session:
        case = caseviews.get_case(session, actor=visit.actor, case_id=case_id)
    return render(request, "cases/edit.html", case=case, values=_edit_values(case), errors=FormErrors(),
                  needs=[n.value for n in SpecificNeed])


@router.post("/cases/{case_id:int}/edit")
async def edit(request: Request, case_id: int) -> Response:
    visit = signed_in(request)
    actor = visit.actor
    assert actor is not None
    form = await request.form()
    values = form_values(form)
    with read_session(request) as session:
        case = caseviews.get_case(session, actor=actor, case_id=case_id)
    reason = str(values.get("reason") or "")
    errors = FormErrors()
    updates: list[tuple[str, PersonUpdate]] = []
    case_update: CaseUpdate | None = None
    raw_case = {
        "situation": str(values.get("situation") or "") or None,
        "country_of_asylum": str(values.get("country_of_asylum") or ""),
        "origin_country": str(values.get("origin_country") or "") or None,
        "fled_countries": [c.upper() for c in split_list(str(values.get("fled_countries") or ""))],
        "reason": reason,
    }
    try:
        case_update = CaseUpdate.model_validate(raw_case)
    except ValidationError as exc:
        errors = errors_from_validation(exc)
    for index, person in enumerate(case.persons):
        if person.erased:
            continue
        prefix = f"persons-{index}-"
        raw: dict[str, Any] = {"reason": reason,
                               "needs": [v for v in form.getlist(prefix + "needs") if isinstance(v, str)],
                               "languages": [c.lower() for c in split_list(str(values.get(prefix + "languages") or ""))]}
        for name in ("given_name", "family_name", "name_original", "name_script", "sex", "date_of_birth",
                     "nationality", "place_of_birth", "education", "occupation"):
            text = str(values.get(prefix + name) or "").strip()
            raw[name] = text or None
        if raw["sex"] is None:
            raw.pop("sex")
        try:
            updates.append((person.person_ref, PersonUpdate.model_validate(raw)))
        except ValidationError as exc:
            for name, messages in errors_from_validation(exc, prefix=prefix).fields.items():
                for message in messages:
                    errors.add(name, message)
    if not errors and case_update is not None:
        try:
            with write_session(request) as session:
                # One transaction: the case and all member corrections are saved together or not at all.
                registry.update_case(session, actor=actor, case_id=case_id, data=case_update)
                for ref, update in updates:
                    registry.correct_person(session, actor=actor, case_id=case_id, person_ref=ref, data=update)
                session.commit()
            return redirect(f"/cases/{case_id}?done=edited")
        except InvalidInput as exc:
            errors = errors_from_problems(exc.problems)
        except (Conflict, RuleRefused) as exc:
            errors.add(None, exc.message)
    return render(request, "cases/edit.html", status=422, case=case, values=values, errors=errors,
                  needs=[n.value for n in SpecificNeed])
