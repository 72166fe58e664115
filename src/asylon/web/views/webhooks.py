"""Webhooks: the organisation's subscriptions, adding and removing one (admins), deliveries with their
status, the dead-letter list and replay."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError

from asylon.domain.organisations import Role, role_allows
from asylon.schemas.agreements import DeliveryPublic, Replay, WebhookCreate, WebhookPublic
from asylon.services import webhooks
from asylon.web.forms import FormErrors, errors_from_validation
from asylon.web.i18n import N_
from asylon.web.rendering import PageRoute, read_session, redirect, render, signed_in, write_session
from asylon.web.sections import Section, add_section
from asylon.web.views.agreements import LABELS

router = APIRouter(route_class=PageRoute, include_in_schema=False)
add_section(Section("webhooks", N_("Webhooks"), "/webhooks", Role.ADMIN), after="agreements")

STATUS = {"pending": N_("pending"), "delivered": N_("delivered"), "dead": N_("dead letter"),
          "withheld": N_("withheld"), "cancelled": N_("cancelled"), "all": N_("all")}
SHOWN = 200


def _page(request: Request, *, status: str = "dead", errors: FormErrors | None = None, values: dict[str, str] | None = None,
          issued: Any = None, code: int = 200) -> Response:
    visit = signed_in(request)
    actor = visit.actor
    assert actor is not None
    status = status if status in STATUS else "dead"
    with read_session(request) as session:
        subscriptions = [WebhookPublic.model_validate(s, from_attributes=True)
                         for s in webhooks.list_subscriptions(session, actor=actor)]
        rows = [DeliveryPublic.model_validate(d, from_attributes=True) for d in webhooks.deliveries(
            session, actor=actor, status=None if status == "all" else status, limit=SHOWN)]
        dead = len(webhooks.deliveries(session, actor=actor, status="dead"))
    return render(request, "webhooks/list.html", status=code, subscriptions=subscriptions, rows=rows,
                  chosen=status, statuses=STATUS, dead=dead, issued=issued, errors=errors or FormErrors(),
                  values=values or {}, sharing=LABELS, is_admin=role_allows(actor.role, Role.ADMIN),
                  done=request.query_params.get("done"))


@router.get("/webhooks")
def webhook_page(request: Request, status: str = "dead") -> Response:
    return _page(request, status=status)


@router.post("/webhooks")
async def create(request: Request) -> Response:
    actor = signed_in(request).actor
    assert actor is not None
    form = await request.form()
    values = {k: v.strip() for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    try:
        data = WebhookCreate.model_validate({k: v for k, v in values.items() if v})
    except ValidationError as exc:
        return _page(request, errors=errors_from_validation(exc), values=values, code=422)
    with write_session(request) as session:
        subscription = webhooks.subscribe(session, actor=actor, data=data)
        session.commit()
        issued = {"id": subscription.id, "url": subscription.url, "secret": subscription.secret}
    # The secret is shown on this answer only (it is never shown again), so no redirect here.
    return _page(request, issued=issued, code=201)


@router.post("/webhooks/{subscription_id:int}/remove")
async def remove(request: Request, subscription_id: int) -> Response:
    actor = signed_in(request).actor
    assert actor is not None
    with write_session(request) as session:
        webhooks.unsubscribe(session, actor=actor, subscription_id=subscription_id)
        session.commit()
    return redirect("/webhooks?done=removed")


@router.post("/webhooks/{subscription_id:int}/replay")
async def replay(request: Request, subscription_id: int) -> Response:
    actor = signed_in(request).actor
    assert actor is not None
    form = await request.form()
    ids = [int(v) for v in form.getlist("delivery_id") if isinstance(v, str) and v.isdigit()]
    with write_session(request) as session:
        count = webhooks.replay(session, actor=actor, data=Replay(subscription_id=subscription_id, delivery_ids=ids))
        session.commit()
    return redirect(f"/webhooks?done=replayed-{count}")
