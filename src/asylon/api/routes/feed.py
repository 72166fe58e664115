"""The event feed (server-sent events or JSON pages) and webhooks with their dead-letter list.

``GET /feed/events`` with ``Accept: text/event-stream`` streams events as they are committed; resume
from a cursor with ``Last-Event-ID`` (what browsers' EventSource send) or ``?after=``. Without that
Accept header it answers one JSON page (``FeedPage``) for polling. Another organisation's events appear
only under an agreement for the purpose the request declares (``X-Asylon-Purpose`` or ``?purpose=``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, status
from fastapi.responses import StreamingResponse

from asylon.api.deps import CurrentActor, ReadSession, WriteSession
from asylon.schemas.agreements import (
    DeliveryPublic,
    FeedPage,
    Replay,
    WebhookCreate,
    WebhookIssued,
    WebhookPublic,
)
from asylon.services import feed, webhooks
from asylon.services.visibility import current_purpose

router = APIRouter(prefix="/feed", tags=["feed"])
MAX_ID = 2**31 - 1  # record ids are 32-bit integers on PostgreSQL


def hub(request: Request) -> feed.FeedHub:
    state = request.app.state
    if getattr(state, "feed_hub", None) is None:
        state.feed_hub = feed.FeedHub(state.engine)
    return state.feed_hub  # type: ignore[no-any-return]


@router.get("/events", response_model=FeedPage,
            responses={200: {"content": {"text/event-stream": {}, "application/json": {}}}})
async def events(
    request: Request,
    actor: CurrentActor,
    after: Annotated[int | None, Query(ge=0, le=MAX_ID, description="Cursor: the last event id you received")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    accept: Annotated[str | None, Header()] = None,
) -> StreamingResponse | FeedPage:
    resumed = last_event_id or ""
    cursor = after if after is not None else min(int(resumed), MAX_ID) if resumed.isdigit() else 0
    purpose = current_purpose()
    if "text/event-stream" in (accept or ""):
        stream: AsyncIterator[str] = hub(request).subscribe(actor, purpose=purpose, after=cursor)
        return StreamingResponse(stream, media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    import anyio

    def page() -> FeedPage:
        from asylon.db.engine import session_factory

        with session_factory(request.app.state.engine, write=False)() as session:
            return feed.read_page(session, actor=actor, after=cursor, limit=limit, purpose=purpose)

    return await anyio.to_thread.run_sync(page)


@router.get("/webhooks")
def list_webhooks(session: ReadSession, actor: CurrentActor) -> list[WebhookPublic]:
    return [WebhookPublic.model_validate(s, from_attributes=True)
            for s in webhooks.list_subscriptions(session, actor=actor)]


@router.post("/webhooks", status_code=status.HTTP_201_CREATED)
def create_webhook(data: WebhookCreate, session: WriteSession, actor: CurrentActor) -> WebhookIssued:
    """Push events to a URL, signed with the returned secret (shown once)."""
    subscription = webhooks.subscribe(session, actor=actor, data=data)
    session.commit()
    return WebhookIssued.model_validate(subscription, from_attributes=True)


@router.get("/deliveries")
def list_deliveries(
    session: ReadSession,
    actor: CurrentActor,
    delivery_status: Annotated[str | None, Query(alias="status", description="dead (default), pending, delivered, "
                                                 "withheld, cancelled, or all")] = "dead",
    subscription_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> list[DeliveryPublic]:
    """Webhook deliveries; by default the dead-letter list."""
    chosen = None if delivery_status == "all" else delivery_status
    rows = webhooks.deliveries(session, actor=actor, status=chosen, subscription_id=subscription_id)
    return [DeliveryPublic.model_validate(d, from_attributes=True) for d in rows]


@router.post("/replays")
def replay(data: Replay, session: WriteSession, actor: CurrentActor) -> dict[str, int]:
    """Send dead deliveries again."""
    count = webhooks.replay(session, actor=actor, data=data)
    session.commit()
    return {"queued": count}
