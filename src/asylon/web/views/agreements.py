"""Data-sharing agreements: the list with each one's state today, one agreement's terms and history, the
drafting form (admins), and approve / suspend / resume / terminate (admins of a party)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from asylon.domain.organisations import Role, role_allows
from asylon.errors import Conflict, InvalidInput, RuleRefused, TransitionRefused
from asylon.schemas.agreements import SHAREABLE_FIELDS, AgreementAction, AgreementCreate, LegalBasis, Purpose
from asylon.services import agreements
from asylon.web.forms import FormErrors, errors_from_problems, errors_from_validation, split_list
from asylon.web.i18n import N_
from asylon.web.rendering import PageRoute, read_session, redirect, render, signed_in, write_session
from asylon.web.sections import Section, add_section

router = APIRouter(route_class=PageRoute, include_in_schema=False)
add_section(Section("agreements", N_("Agreements"), "/agreements"), after="countries")

PURPOSE = {
    "resettlement-processing": N_("Resettlement processing"),
    "deduplication": N_("Deduplication"),
    "assistance-coordination": N_("Assistance coordination"),
    "protection-referral": N_("Protection referral"),
    "statistics": N_("Statistics"),
}
LEGAL_BASIS = {
    "consent": N_("Consent of each person"),
    "vital-interests": N_("Vital interests"),
    "public-interest": N_("Public interest"),
    "legal-obligation": N_("Legal obligation"),
    "legitimate-interests": N_("Legitimate interests"),
}
STATE = {
    "draft": N_("Draft"),
    "active": N_("Active"),
    "suspended": N_("Suspended"),
    "expired": N_("Expired"),
    "terminated": N_("Terminated"),
}
HISTORY = {
    "drafted": N_("Drafted"),
    "approved": N_("Approved"),
    "activated": N_("Activated: every party has approved"),
    "suspended": N_("Suspended"),
    "resumed": N_("Resumed"),
    "terminated": N_("Terminated"),
}
# What each action does, offered only where the agreement's state allows it.
ACTIONS = {
    "draft": ("approve", "terminate"),
    "active": ("suspend", "terminate"),
    "suspended": ("resume", "terminate"),
    "expired": ("terminate",),
    "terminated": (),
}
ACTION_LABEL = {"approve": N_("Approve for my organisation"), "suspend": N_("Suspend"), "resume": N_("Resume"),
                "terminate": N_("Terminate")}
RULE = {
    "agreement.transition": N_("An agreement goes draft → active → suspended ⇄ active, and any of them → "
                               "terminated; a terminated agreement is final."),
    "agreement.approval": N_("Only a draft awaits approval; an admin of every party approves it once."),
    "agreement.expired": N_("An expired agreement cannot be resumed: draft a new one with new dates."),
}
LABELS = {"purpose": PURPOSE, "legal_basis": LEGAL_BASIS, "state": STATE, "history": HISTORY,
          "action": ACTION_LABEL}


def _is_admin(request: Request) -> bool:
    actor = signed_in(request).actor
    return actor is not None and role_allows(actor.role, Role.ADMIN)


@router.get("/agreements")
def agreement_list(request: Request) -> Response:
    visit = signed_in(request)
    assert visit.actor is not None
    with read_session(request) as session:
        rows = [agreements.to_public(a) for a in agreements.list_agreements(session, actor=visit.actor)]
    rows.sort(key=lambda a: (a.status != "draft", a.status != "active", -a.id))
    return render(request, "agreements/list.html", rows=rows, sharing=LABELS, can_draft=_is_admin(request),
                  own=visit.actor.organisation_slug)


def _form(request: Request, *, values: dict[str, Any], errors: FormErrors, status: int = 200) -> Response:
    visit = signed_in(request)
    assert visit.actor is not None
    visit.actor.require(Role.ADMIN, "drafting a data-sharing agreement")
    with read_session(request) as session:
        organisations, situations = agreements.drafting_choices(session)
    return render(request, "agreements/new.html", status=status, values=values, errors=errors, sharing=LABELS,
                  organisations=[o for o in organisations if o.id != visit.actor.organisation_id],
                  situations=situations, shareable=SHAREABLE_FIELDS, purposes=[p.value for p in Purpose],
                  bases=[b.value for b in LegalBasis])


@router.get("/agreements/new")
def draft_page(request: Request) -> Response:
    today = dt.date.today()
    return _form(request, values={"valid_from": today.isoformat(),
                                  "valid_until": (today + dt.timedelta(days=365)).isoformat(),
                                  "parties": [], "fields": []}, errors=FormErrors())


def _draft_values(form: FormData, own: str) -> dict[str, Any]:
    def text(name: str) -> str:
        value = form.get(name)
        return value.strip() if isinstance(value, str) else ""

    return {
        "title": text("title"),
        "purpose": text("purpose"),
        "legal_basis": text("legal_basis"),
        "legal_reference": text("legal_reference"),
        "categories": text("categories"),
        "parties": [v for v in form.getlist("parties") if isinstance(v, str) and v],
        "fields": [v for v in form.getlist("fields") if isinstance(v, str) and v],
        "situations": text("situations"),
        "countries": text("countries"),
        "valid_from": text("valid_from"),
        "valid_until": text("valid_until"),
        "own": own,
    }


@router.post("/agreements/new")
async def draft(request: Request) -> Response:
    visit = signed_in(request)
    actor = visit.actor
    assert actor is not None
    actor.require(Role.ADMIN, "drafting a data-sharing agreement")
    values = _draft_values(await request.form(), actor.organisation_slug)
    raw = {k: v for k, v in values.items() if k != "own" and v not in ("", [])}
    raw["parties"] = [actor.organisation_slug, *[p for p in values["parties"] if p != actor.organisation_slug]]
    raw["categories"] = [c.strip() for c in values["categories"].split(",") if c.strip()]
    raw["situations"] = split_list(values["situations"])
    raw["countries"] = [c.upper() for c in split_list(values["countries"])]
    errors = FormErrors()
    try:
        data = AgreementCreate.model_validate(raw)
    except ValidationError as exc:
        errors = errors_from_validation(exc)
        # Rules checked across fields (dates, fields, parties) name no single field: put them where they belong.
        for message in list(errors.general):
            target = ("valid_until" if "valid_until" in message else "fields" if "fields" in message
                      else "parties" if "part" in message else None)
            if target:
                errors.general.remove(message)
                errors.add(target, message)
        for name in list(errors.fields):
            if name.startswith(("parties-", "fields-", "situations-", "countries-", "categories-")):
                for message in errors.fields.pop(name):
                    errors.add(name.split("-", 1)[0], message)
        return _form(request, values=values, errors=errors, status=422)
    try:
        with write_session(request) as session:
            agreement_id = agreements.create_agreement(session, actor=actor, data=data).id
            session.commit()
    except InvalidInput as exc:
        return _form(request, values=values, errors=errors_from_problems(exc.problems), status=422)
    return redirect(f"/agreements/{agreement_id}?done=drafted")


def _detail(request: Request, agreement_id: int, **extra: Any) -> dict[str, Any]:
    visit = signed_in(request)
    assert visit.actor is not None
    with read_session(request) as session:
        agreement = agreements.to_public(agreements.load_agreement(session, visit.actor, agreement_id))
        organisations, _ = agreements.drafting_choices(session)
    names = {o.slug: o.name for o in organisations}
    context: dict[str, Any] = {
        "agreement": agreement, "names": names, "sharing": LABELS, "rules": RULE,
        "actions": ACTIONS[str(agreement.status)] if _is_admin(request) else (),
        "own": visit.actor.organisation_slug,
        "approved_by_us": any(p.organisation == visit.actor.organisation_slug and p.approved_at
                              for p in agreement.parties),
        "done": request.query_params.get("done"), "refusal": None, "errors": FormErrors(),
    }
    context.update(extra)
    return context


@router.get("/agreements/{agreement_id:int}")
def agreement_page(request: Request, agreement_id: int) -> Response:
    return render(request, "agreements/detail.html", **_detail(request, agreement_id))


@router.post("/agreements/{agreement_id:int}/actions")
async def act(request: Request, agreement_id: int) -> Response:
    visit = signed_in(request)
    actor = visit.actor
    assert actor is not None
    form = await request.form()
    action = str(form.get("action") or "")
    reason = str(form.get("reason") or "").strip()
    refusal: dict[str, Any] | None = None
    errors = FormErrors()
    try:
        data = AgreementAction.model_validate({"agreement_id": agreement_id, "action": action, "reason": reason})
        with write_session(request) as session:
            agreements.act(session, actor=actor, data=data)
            session.commit()
        return redirect(f"/agreements/{agreement_id}?done={action}")
    except ValidationError as exc:
        errors = errors_from_validation(exc)
    except TransitionRefused as exc:
        refusal = {"rule": exc.rule, "message": exc.message}
    except RuleRefused as exc:
        refusal = {"rule": exc.rule, "message": exc.message}
    except Conflict as exc:
        refusal = {"rule": "agreement.approval", "message": exc.message}
    except InvalidInput as exc:
        refusal = {"rule": "agreement.expired", "message": exc.message}
    context = _detail(request, agreement_id, refusal=refusal, errors=errors)
    return render(request, "agreements/detail.html", status=409 if refusal else 422, **context)
