"""Pledges and appeals: what each situation's appeals require by sector, what is pledged, committed and paid
against them and where the gaps are (drawn as bars, listed as tables), every pledge with its lifecycle state,
and forms to record a pledge and each change to it (commit, pay, adjust, report progress, cancel, close).

Who may do what is decided by :mod:`asylon.services.pledges` alone: pledges and appeals are read by every
organisation (as the Global Refugee Forum's and FTS's are public); the forms are offered only to those the
service lets record, and a change the lifecycle refuses is shown on its form with the rule's name. The page
shows who recorded a change by organisation; the person's address only to their own organisation.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError

from asylon.domain.organisations import Role, role_allows
from asylon.engines.fairshare import CoverageRow
from asylon.engines.fairshare.pledges import PLEDGE_TYPES
from asylon.errors import Conflict, InvalidInput, RuleRefused, TransitionRefused
from asylon.schemas.pledges import PledgeChange, PledgeCreate
from asylon.services import funding, pledges
from asylon.services.actors import Actor
from asylon.services.pledges import PledgeView
from asylon.web import charts
from asylon.web.forms import FormErrors, errors_from_problems, errors_from_validation
from asylon.web.i18n import LANGUAGES, N_
from asylon.web.rendering import (
    PageRoute,
    read_session,
    redirect,
    render,
    signed_in,
    visit_gettext,
    write_session,
)
from asylon.web.sections import Section, add_section
from asylon.web.sessions import Visit

router = APIRouter(route_class=PageRoute, include_in_schema=False)
add_section(Section("pledges", N_("Pledges and appeals"), "/pledges"), after="fairshare")

STATUSES = {
    "pledged": N_("pledged"),
    "committed": N_("committed"),
    "partly_paid": N_("partly paid"),
    "paid": N_("paid"),
    "closed": N_("closed"),
    "cancelled": N_("cancelled"),
}
TYPES = {
    "financial": N_("Financial"),
    "material": N_("Material"),
    "technical": N_("Technical"),
    "policy": N_("Policy"),
    "resettlement_places": N_("Resettlement places"),
    "complementary_pathways": N_("Complementary pathways"),
}
CHANGES = {
    "commit": N_("Record a commitment"),
    "pay": N_("Record a payment or delivery"),
    "adjust": N_("Adjust an amount"),
    "progress": N_("Report progress"),
    "cancel": N_("Cancel the pledge"),
    "close": N_("Close the pledge"),
}
EVENTS = {
    "pledge": N_("Pledged"), "commit": N_("Committed"), "pay": N_("Paid or delivered"), "adjust": N_("Adjusted"),
    "progress": N_("Progress reported"), "cancel": N_("Cancelled"), "close": N_("Closed"),
}
# What each lifecycle rule (asylon.engines.fairshare.pledges) means, in words a person acts on.
RULES = {
    "pledge.payment-exceeds-commitment": N_(
        "No payment or delivery beyond what is committed: record an adjustment raising the commitment first, "
        "with its reason."),
    "pledge.commit-exceeds-pledge": N_(
        "A commitment cannot be larger than what is pledged: adjust the pledged amount first."),
    "pledge.payment-before-commitment": N_(
        "Money is paid, and places delivered, against a commitment: record the commitment first."),
    "pledge.adjust-needs-reason": N_("An adjustment must say why."),
    "pledge.adjust-below-paid": N_("An amount can never go below what was already paid."),
    "pledge.amount": N_("Amounts are positive."),
}
TRANSITION = N_("This change does not follow from the pledge's current status.")
CREATE_FIELDS = ("reference", "type", "pledgers", "unit", "amount", "usd_rate", "title", "description",
                 "situation", "appeal", "sector", "country", "year", "note")


def amount(value: Decimal | None, lang: str = "en") -> str:
    """An amount as people write it: grouped, cents only when there are any.

    >>> amount(Decimal("1250000.50")), amount(Decimal("800.0000"), "fr")
    ('1,250,000.50', '800')
    """
    if value is None:
        return "–"
    text = f"{value:,.2f}"
    if text.endswith(".00"):
        text = text[:-3]
    return text.replace(",", "\u202f").replace(".", ",") if lang == "fr" else text


def can_record(actor: Actor) -> bool:
    return role_allows(actor.role, Role.CASEWORKER)


def _coverage_charts(rows: list[CoverageRow], visit: Visit) -> list[dict[str, Any]]:
    """Per situation: its total row, its sector rows and a chart of requirement against funding per sector."""
    _ = lambda text: visit_gettext(visit, text)  # noqa: E731
    lang = visit.language
    by_situation: dict[str, list[CoverageRow]] = defaultdict(list)
    for row in rows:
        by_situation[row.situation].append(row)
    out = []
    for situation, group in by_situation.items():
        sectors = [r for r in group if r.sector]
        total = next((r for r in group if not r.sector), None)
        pairs = [charts.BarPair(r.sector, r.sector, float(r.required), float(r.funded),
                                "USD " + amount(r.required, lang), "USD " + amount(r.funded, lang),
                                "–" if r.coverage_pct is None else f"{r.coverage_pct:.0f}%")
                 for r in sectors]
        svg = charts.paired_bars(
            pairs, mirror=LANGUAGES[lang].direction == "rtl", first_label=_("required"), second_label=_("funded"),
            label=_("Required and funded per sector, situation") + f" {situation}")
        out.append({"situation": situation, "sectors": sectors, "total": total, "svg": svg})
    return out


@router.get("/pledges")
def pledges_page(request: Request, situation: str = "", type: str = "", status: str = "") -> Response:
    visit = signed_in(request)
    actor = visit.actor
    assert actor is not None
    errors = FormErrors()
    chosen = situation or None
    with read_session(request) as session:
        known = funding.list_situations(session, actor=actor)
        if chosen is not None and chosen not in {s.code for s in known}:
            errors.add("situation", f"unknown situation '{situation}'; choose one of the list")
            chosen = None
        if type and type not in PLEDGE_TYPES:
            errors.add("type", f"unknown pledge type '{type}'; choose one of the list")
        if status and status not in STATUSES:
            errors.add("status", f"unknown status '{status}'; choose one of the list")
        coverage = funding.funding_coverage(session, actor=actor, situation=chosen)
        appeals = funding.list_appeals(session, actor=actor, situation=chosen)
        views = pledges.list_pledges(session, actor=actor, situation=chosen,
                                     type=type if type in PLEDGE_TYPES else None,
                                     status=status if status in STATUSES else None)
        names = {s.code: s.name for s in known}
        appeal_rows = [{"appeal": a, "situation": a.situation.code, "organisation": a.organisation.name,
                        "requirements": sorted(a.requirements, key=lambda r: r.sector),
                        "total": sum((r.amount_usd for r in a.requirements), Decimal(0))} for a in appeals]
        rows = [_pledge_row(v, visit) for v in views]
    query = {k: v for k, v in {"situation": chosen or "", "type": type, "status": status}.items() if v}
    return render(
        request, "pledges/list.html", status=422 if errors else 200, errors=errors,
        values={"situation": chosen or "", "type": type, "status": status},
        situations=[(s.code, f"{s.code} — {s.name}") for s in known], situation_names=names,
        types=list(TYPES.items()), statuses=list(STATUSES.items()), status_labels=STATUSES, type_labels=TYPES,
        coverage=_coverage_charts(coverage, visit), appeals=appeal_rows, pledges=rows,
        can_record=can_record(actor), csv_link="/pledges.csv" + (f"?{urlencode(query)}" if query else ""),
        first_colour=charts.FIRST, second_colour=charts.SECOND, amount=lambda v: amount(v, visit.language),
    )


def _pledge_row(view: PledgeView, visit: Visit) -> dict[str, Any]:
    row, state = view.row, view.state
    return {
        "reference": row.reference, "title": row.title, "type": row.type, "unit": row.unit,
        "pledgers": [p.name for p in row.parties], "situation": row.situation.code if row.situation else "",
        "sector": row.sector, "country": row.country, "year": row.year, "status": state.status,
        "pledged": state.pledged, "committed": state.committed, "paid": state.paid,
        "outstanding": state.outstanding, "recorded_by": row.organisation.name,
        "href": "/pledges/pledge?" + urlencode({"reference": row.reference}),
    }


@router.get("/pledges.csv")
def pledges_csv(request: Request, situation: str = "", type: str = "", status: str = "") -> Response:
    """The list of pledges the page shows, as CSV (the funding flows in FTS and HXL form are in the API)."""
    visit = signed_in(request)
    assert visit.actor is not None
    with read_session(request) as session:
        views = pledges.list_pledges(session, actor=visit.actor, situation=situation or None,
                                     type=type if type in PLEDGE_TYPES else None,
                                     status=status if status in STATUSES else None)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["reference", "type", "pledgers", "situation", "appeal", "sector", "country", "year",
                         "unit", "usd_rate", "status", "pledged", "committed", "paid", "outstanding", "title"])
        for v in views:
            row, state = v.row, v.state
            writer.writerow([row.reference, row.type, "; ".join(p.name for p in row.parties),
                             row.situation.code if row.situation else "", row.appeal.code if row.appeal else "",
                             row.sector, row.country or "", row.year, row.unit,
                             "" if row.usd_rate is None else pledges.plain_amount(row.usd_rate), state.status,
                             pledges.plain_amount(state.pledged), pledges.plain_amount(state.committed),
                             pledges.plain_amount(state.paid), pledges.plain_amount(state.outstanding), row.title])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="pledges.csv"'})


# ---------------------------------------------------------------- one pledge and its changes


def _detail(request: Request, visit: Visit, reference: str, **extra: Any) -> Response:
    actor = visit.actor
    assert actor is not None
    with read_session(request) as session:
        view = pledges.get_pledge(session, actor=actor, reference=reference)
        row, state = view.row, view.state
        history = [{
            "seq": e.seq, "kind": e.kind, "amount": e.amount, "target": e.target, "note": e.note, "at": e.at,
            "source": e.source, "organisation": e.organisation.name,
            # A person's address is for their own organisation; others see the organisation that acted.
            "actor": e.actor.email if e.actor is not None and e.organisation_id == actor.organisation_id else None,
        } for e in reversed(row.events)]
        context = {
            "row": row, "state": state, "history": history, "pledgers": [p.name for p in row.parties],
            "situation": row.situation, "appeal": row.appeal, "recorded_by": row.organisation.name,
            "allowed": [k for k in CHANGES if k in view.allowed],
            "may_change": can_record(actor) and pledges.can_change(row, actor),
        }
    status = extra.pop("status", 200)
    context.update({"errors": FormErrors(), "values": {}, "refusal": None, "kind": None, **extra})
    return render(request, "pledges/detail.html", status=status, changes=CHANGES, events=EVENTS,
                  status_labels=STATUSES, type_labels=TYPES, amount=lambda v: amount(v, visit.language),
                  done=request.query_params.get("done"), **context)


@router.get("/pledges/pledge")
def pledge_page(request: Request, reference: str = "") -> Response:
    visit = signed_in(request)
    if not reference.strip():
        return redirect("/pledges")
    return _detail(request, visit, reference.strip())


@router.post("/pledges/pledge")
async def change_pledge(request: Request) -> Response:
    """One change to a pledge; a refusal is shown on the form that asked for it, naming the rule."""
    visit = signed_in(request)
    actor = visit.actor
    assert actor is not None
    form = await request.form()
    text = {k: v.strip() for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    reference, kind = text.get("reference", ""), text.get("kind", "")
    prefix = f"{kind}-"
    fields = {name: text.get(prefix + name, "") for name in ("amount", "target", "note")}
    data = {"reference": reference, "kind": kind, "note": fields["note"],
            **({"amount": fields["amount"].replace(",", "")} if fields["amount"] else {}),
            **({"target": fields["target"]} if fields["target"] else {})}
    errors = FormErrors()
    refusal = None
    try:
        change = PledgeChange.model_validate(data)
        with write_session(request) as session:
            pledges.change_pledge(session, actor=actor, data=change, source="web")
            session.commit()
        return redirect("/pledges/pledge?" + urlencode({"reference": reference, "done": kind}))
    except ValidationError as exc:
        errors = errors_from_validation(exc, prefix=prefix)
    except RuleRefused as exc:
        explanation = TRANSITION if isinstance(exc, TransitionRefused) else RULES.get(exc.rule, "")
        refusal = {"rule": exc.rule, "message": exc.message, "explanation": explanation}
    except InvalidInput as exc:
        errors = errors_from_problems(exc.problems, prefix=prefix)
    except Conflict as exc:
        errors.add(None, exc.message)
    return _detail(request, visit, reference, status=409 if refusal else 422, errors=errors, refusal=refusal,
                   values=text, kind=kind)


# ---------------------------------------------------------------- recording a pledge


def _new_form(request: Request, visit: Visit, values: dict[str, str], errors: FormErrors,
              status: int = 200) -> Response:
    actor = visit.actor
    assert actor is not None
    with read_session(request) as session:
        known = funding.list_situations(session, actor=actor)
        appeals = funding.list_appeals(session, actor=actor)
        sectors = sorted({r.sector for a in appeals for r in a.requirements})
        appeal_options = [(a.code, f"{a.code} — {a.name} ({a.situation.code})") for a in appeals]
    return render(request, "pledges/new.html", status=status, values=values, errors=errors,
                  types=list(TYPES.items()), situations=[(s.code, f"{s.code} — {s.name}") for s in known],
                  appeals=appeal_options, sectors=sectors)


@router.get("/pledges/new")
def new_pledge_page(request: Request) -> Response:
    visit = signed_in(request)
    assert visit.actor is not None
    visit.actor.require(Role.CASEWORKER, "recording a pledge")
    values = {"pledgers": visit.actor.organisation_slug, "type": "financial", "unit": "USD"}
    return _new_form(request, visit, values, FormErrors())


def pledge_values(text: dict[str, str]) -> dict[str, Any]:
    """The form's fields shaped as :class:`PledgeCreate` input: empty fields left out, pledgers split on ``;``.

    >>> pledge_values({"pledgers": "agency-a; Donor B", "amount": "1,000", "title": ""})
    {'pledgers': ['agency-a', 'Donor B'], 'amount': '1000'}
    """
    data: dict[str, Any] = {}
    for name in CREATE_FIELDS:
        value = text.get(name, "").strip()
        if not value:
            continue
        if name == "pledgers":
            data[name] = [p.strip() for p in value.split(";") if p.strip()]
        elif name in ("amount", "usd_rate"):
            data[name] = value.replace(",", "").replace(" ", "")
        elif name == "country":
            data[name] = value.upper()
        else:
            data[name] = value
    return data


@router.post("/pledges/new")
async def record_pledge(request: Request) -> Response:
    visit = signed_in(request)
    actor = visit.actor
    assert actor is not None
    actor.require(Role.CASEWORKER, "recording a pledge")
    form = await request.form()
    text = {k: v.strip() for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    errors = FormErrors()
    try:
        data = PledgeCreate.model_validate(pledge_values(text))
        with write_session(request) as session:
            pledges.create_pledge(session, actor=actor, data=data, source="web")
            session.commit()
        return redirect("/pledges/pledge?" + urlencode({"reference": data.reference, "done": "pledge"}))
    except ValidationError as exc:
        for name, messages in errors_from_validation(exc).fields.items():
            for message in messages:
                errors.add(name.split("-")[0], message)  # pledgers-1 is the pledgers field
    except InvalidInput as exc:
        errors = errors_from_problems(exc.problems)
    except Conflict as exc:
        errors.add("reference", exc.message)
    except RuleRefused as exc:
        errors.add("amount", exc.message)
    return _new_form(request, visit, text, errors, status=422)
