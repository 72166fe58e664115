"""A case's consents and disclosures: record and withdraw each person's consent per purpose and recipient,
and the per-person report of what was disclosed to whom, when, under which agreement and purpose."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError

from asylon.domain.organisations import Role
from asylon.errors import Conflict, InvalidInput, NotFound
from asylon.schemas.agreements import ConsentCreate, ConsentWithdrawal
from asylon.services import access_log, agreements, caseviews, consent
from asylon.web.forms import FormErrors, errors_from_problems, errors_from_validation
from asylon.web.i18n import N_
from asylon.web.rendering import PageRoute, read_session, redirect, render, signed_in, write_session
from asylon.web.views.agreements import LABELS

router = APIRouter(route_class=PageRoute, include_in_schema=False)
CHANNEL = {"api": N_("API"), "web": N_("web page"), "export": N_("export file"), "feed": N_("event feed"),
           "webhook": N_("webhook"), "linkage": N_("record linkage"), "read": N_("read")}


def _context(request: Request, case_id: int) -> dict[str, Any]:
    visit = signed_in(request)
    actor = visit.actor
    assert actor is not None
    actor.require(Role.CASEWORKER, "managing consent")
    with read_session(request) as session:
        case = caseviews.get_case(session, actor=actor, case_id=case_id)
        if case.organisation != actor.organisation_slug:
            raise NotFound("case", case_id)  # consent is kept by the organisation that owns the case
        consents = consent.list_consents(session, actor=actor, case_id=case_id)
        organisations, _ = agreements.drafting_choices(session)
    return {"case": case, "consents": consents, "sharing": LABELS, "errors": FormErrors(), "values": {},
            "recipients": [o for o in organisations if o.id != actor.organisation_id],
            "names": {o.slug: o.name for o in organisations},
            "today": dt.date.today().isoformat(), "done": request.query_params.get("done")}


@router.get("/cases/{case_id:int}/consent")
def consent_page(request: Request, case_id: int) -> Response:
    return render(request, "sharing/consent.html", **_context(request, case_id))


@router.post("/cases/{case_id:int}/consent")
async def record(request: Request, case_id: int) -> Response:
    actor = signed_in(request).actor
    assert actor is not None
    form = await request.form()
    values = {k: v.strip() for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    errors = FormErrors()
    try:
        data = ConsentCreate.model_validate({"case_id": case_id, **{k: v for k, v in values.items() if v}})
        with write_session(request) as session:
            consent.record_consent(session, actor=actor, data=data)
            session.commit()
        return redirect(f"/cases/{case_id}/consent?done=recorded")
    except ValidationError as exc:
        errors = errors_from_validation(exc)
    except InvalidInput as exc:
        errors = errors_from_problems(exc.problems)
    except NotFound as exc:
        if exc.kind == "case":
            raise
        errors.add("person_ref" if exc.kind == "person" else "recipient", exc.message)
    context = _context(request, case_id)
    context.update(errors=errors, values=values)
    return render(request, "sharing/consent.html", status=422, **context)


@router.post("/cases/{case_id:int}/consent/withdraw")
async def withdraw(request: Request, case_id: int) -> Response:
    actor = signed_in(request).actor
    assert actor is not None
    form = await request.form()
    values = {k: v.strip() for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    errors = FormErrors()
    try:
        data = ConsentWithdrawal.model_validate({k: v for k, v in values.items() if v})
        with write_session(request) as session:
            row = consent.withdraw_consent(session, actor=actor, data=data)
            if row.case_id != case_id:
                raise NotFound("consent", data.consent_id)
            session.commit()
        return redirect(f"/cases/{case_id}/consent?done=withdrawn")
    except ValidationError as exc:
        errors = errors_from_validation(exc, prefix=f"withdraw-{values.get('consent_id', '')}-")
    except Conflict as exc:
        errors.add(None, exc.message)
    context = _context(request, case_id)
    context.update(errors=errors, values=values)
    return render(request, "sharing/consent.html", status=422, **context)


@router.get("/cases/{case_id:int}/persons/{person_ref}/disclosures")
def disclosures(request: Request, case_id: int, person_ref: str) -> Response:
    visit = signed_in(request)
    actor = visit.actor
    assert actor is not None
    with read_session(request) as session:
        rows = access_log.person_report(session, actor=actor, case_id=case_id, person_ref=person_ref[:64])
        case = caseviews.get_case(session, actor=actor, case_id=case_id)
        organisations, _ = agreements.drafting_choices(session)
    person = next((p for p in case.persons if p.person_ref == person_ref), None)
    return render(request, "sharing/disclosures.html", case=case, person=person, rows=list(reversed(rows)),
                  names={o.slug: o.name for o in organisations}, sharing=LABELS, channels=CHANNEL,
                  recipients=sorted({r.recipient for r in rows}))
