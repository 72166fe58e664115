"""Discussions: threads per situation and per case among the organisations that may see them, messages
with ``@user@example.org`` mentions, and the signed-in user's notifications."""

from __future__ import annotations

from contextlib import suppress
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError

from asylon.errors import InvalidInput, NotFound
from asylon.schemas.agreements import MessageCreate, ThreadCreate, ThreadPublic
from asylon.services import caseviews, threads
from asylon.services.visibility import current_purpose
from asylon.web.forms import FormErrors, errors_from_problems, errors_from_validation
from asylon.web.i18n import N_
from asylon.web.rendering import PageRoute, read_session, redirect, render, signed_in, write_session
from asylon.web.sections import Section, add_section

router = APIRouter(route_class=PageRoute, include_in_schema=False)
add_section(Section("threads", N_("Discussions"), "/threads"), after="agreements")


def _suffix() -> str:
    """The declared purpose, carried on links and forms so another organisation's case stays readable."""
    purpose = current_purpose()
    return "?" + urlencode({"purpose": purpose}) if purpose else ""


def parts(body: str) -> list[tuple[str, bool]]:
    """A message as (text, is_mention) pieces, so mentions can be shown apart without trusting any markup.

    >>> parts("ask @ana@x.org now")
    [('ask ', False), ('@ana@x.org', True), (' now', False)]
    """
    out: list[tuple[str, bool]] = []
    last = 0
    for match in threads.MENTION.finditer(body):
        if match.start() > last:
            out.append((body[last:match.start()], False))
        out.append((match.group(0), True))
        last = match.end()
    if last < len(body):
        out.append((body[last:], False))
    return out


def _list(request: Request, *, errors: FormErrors | None = None, values: dict[str, str] | None = None,
          code: int = 200) -> Response:
    actor = signed_in(request).actor
    assert actor is not None
    with read_session(request) as session:
        rows = threads.list_threads(session, actor=actor)
        unread = len(threads.notifications(session, actor=actor, unread_only=True))
    return render(request, "threads/list.html", status=code, rows=list(reversed(rows)), unread=unread,
                  errors=errors or FormErrors(), values=values or {}, case=None, suffix=_suffix())


@router.get("/threads")
def thread_list(request: Request) -> Response:
    return _list(request)


@router.get("/cases/{case_id:int}/threads")
def case_threads(request: Request, case_id: int) -> Response:
    actor = signed_in(request).actor
    assert actor is not None
    with read_session(request) as session:
        case = caseviews.get_case(session, actor=actor, case_id=case_id)
        rows = threads.list_threads(session, actor=actor, case_id=case_id)
    return render(request, "threads/list.html", rows=list(reversed(rows)), unread=None, errors=FormErrors(),
                  values={}, case=case, suffix=_suffix())


@router.post("/threads")
async def open_thread(request: Request) -> Response:
    actor = signed_in(request).actor
    assert actor is not None
    form = await request.form()
    values = {k: v.strip() for k, v in form.items() if isinstance(v, str) and k not in ("csrf_token", "purpose")}
    errors = FormErrors()
    try:
        data = ThreadCreate.model_validate({k: v for k, v in values.items() if v})
        with write_session(request) as session:
            thread_id = threads.open_thread(session, actor=actor, data=data).id
            session.commit()
        return redirect(f"/threads/{thread_id}{_suffix()}")
    except ValidationError as exc:
        errors = errors_from_validation(exc)
    except InvalidInput as exc:
        errors = errors_from_problems(exc.problems)
    if values.get("case_id", "").isdigit():
        # Shown again on the case's own list of discussions, with what was typed.
        with read_session(request) as session:
            case_id = int(values["case_id"])
            case = caseviews.get_case(session, actor=actor, case_id=case_id)
            rows = threads.list_threads(session, actor=actor, case_id=case_id)
        return render(request, "threads/list.html", status=422, rows=list(reversed(rows)), unread=None,
                      errors=errors, values=values, case=case, suffix=_suffix())
    return _list(request, errors=errors, values=values, code=422)


def _thread(request: Request, thread_id: int, **extra: Any) -> dict[str, Any]:
    actor = signed_in(request).actor
    assert actor is not None
    with read_session(request) as session:
        thread: ThreadPublic = threads.get_thread(session, actor=actor, thread_id=thread_id)
    context: dict[str, Any] = {"thread": thread, "parts": parts, "errors": FormErrors(), "values": {},
                               "suffix": _suffix()}
    context.update(extra)
    return context


@router.get("/threads/{thread_id:int}")
def thread_page(request: Request, thread_id: int) -> Response:
    return render(request, "threads/detail.html", **_thread(request, thread_id))


@router.post("/threads/{thread_id:int}/messages")
async def post_message(request: Request, thread_id: int) -> Response:
    actor = signed_in(request).actor
    assert actor is not None
    form = await request.form()
    body = str(form.get("body") or "").strip()
    try:
        data = MessageCreate.model_validate({"thread_id": thread_id, "body": body})
    except ValidationError as exc:
        return render(request, "threads/detail.html", status=422,
                      **_thread(request, thread_id, errors=errors_from_validation(exc), values={"body": body}))
    with write_session(request) as session:
        message = threads.post_message(session, actor=actor, thread_id=data.thread_id, body=data.body)
        session.commit()
        message_id = message.id
    suffix = _suffix()
    return redirect(f"/threads/{thread_id}{suffix}#message-{message_id}")


@router.get("/notifications")
def notification_page(request: Request) -> Response:
    actor = signed_in(request).actor
    assert actor is not None
    titles: dict[int, str] = {}
    with read_session(request) as session:
        rows = threads.notifications(session, actor=actor)
        for thread_id in {n.thread_id for n in rows}:
            # A thread no longer visible (its agreement ended) keeps its notification, not its title.
            with suppress(NotFound):
                titles[thread_id] = threads.get_thread(session, actor=actor, thread_id=thread_id).title
    return render(request, "threads/notifications.html", rows=rows, titles=titles,
                  unread=sum(1 for n in rows if n.read_at is None))


@router.post("/notifications/read")
async def mark_read(request: Request) -> Response:
    actor = signed_in(request).actor
    assert actor is not None
    form = await request.form()
    ids = [int(v) for v in form.getlist("id") if isinstance(v, str) and v.isdigit()]
    with write_session(request) as session:
        threads.mark_read(session, actor=actor, ids=ids)
        session.commit()
    return redirect("/notifications")
