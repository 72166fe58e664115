"""The activity feed: recent case events the organisation may see (its own, and others' under an agreement
for the purpose chosen), newest first. Without JavaScript it is a list with a "show newer" link; with it,
``feed.js`` follows ``/feed/stream`` (server-sent events from the same hub as the API's stream) and adds
events as they are committed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse

from asylon.api.routes.feed import MAX_ID, hub
from asylon.services import feed
from asylon.services.visibility import PURPOSES, current_purpose
from asylon.web.i18n import N_
from asylon.web.labels import EVENT
from asylon.web.rendering import PageRoute, read_session, redirect, render, signed_in, visit_gettext
from asylon.web.sections import Section, add_section
from asylon.web.views.agreements import LABELS

router = APIRouter(route_class=PageRoute, include_in_schema=False)
add_section(Section("feed", N_("Activity"), "/feed"), after="cases")

SHOWN = 50
WINDOW = 2000  # events looked at for the newest SHOWN visible ones


@router.get("/feed")
def feed_page(request: Request) -> Response:
    visit = signed_in(request)
    actor = visit.actor
    assert actor is not None
    purpose = current_purpose()
    with read_session(request) as session:
        page = feed.recent(session, actor=actor, purpose=purpose, limit=SHOWN, window=WINDOW)
    events = page.events
    query = {"purpose": purpose} if purpose else {}
    return render(request, "sharing/feed.html", events=events, cursor=page.cursor, purpose=purpose or "",
                  sharing=LABELS, event_labels=EVENT, purposes=sorted(PURPOSES),
                  translated={kind: visit_gettext(visit, text) for kind, text in EVENT.items()},
                  refresh="/feed" + ("?" + urlencode(query) if query else ""),
                  stream="/feed/stream?" + urlencode(query | {"after": page.cursor}))


@router.get("/feed/stream")
async def stream(request: Request, after: int = 0) -> Response:
    """Server-sent events for the signed-in user; a plain visit (no event-stream Accept) goes to the list."""
    visit = signed_in(request)
    actor = visit.actor
    assert actor is not None
    if "text/event-stream" not in request.headers.get("accept", ""):
        return redirect("/feed")
    resumed = request.headers.get("last-event-id", "")
    cursor = min(int(resumed), MAX_ID) if resumed.isdigit() else max(0, min(after, MAX_ID))
    source = hub(request).subscribe(actor, purpose=current_purpose(), after=cursor)

    async def unnamed() -> AsyncIterator[str]:
        # The API names each event by its kind; the page listens to plain messages and reads the kind
        # from the data, so it needs no list of kinds.
        async for chunk in source:
            yield "".join(line for line in chunk.splitlines(keepends=True) if not line.startswith("event: "))

    return StreamingResponse(unnamed(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
