"""Discussion threads per situation and per case, and the caller's notifications (mentions)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from asylon.api.deps import CurrentActor, ReadSession, RecordId, WriteSession
from asylon.schemas.agreements import (
    MessageCreate,
    MessagePublic,
    NotificationPublic,
    NotificationsRead,
    ThreadCreate,
    ThreadPublic,
)
from asylon.services import threads

router = APIRouter(tags=["threads"])


@router.get("/threads")
def list_threads(
    session: ReadSession,
    actor: CurrentActor,
    situation: Annotated[str | None, Query(max_length=64)] = None,
    thread_id: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="One thread, with its messages")] = None,
) -> list[ThreadPublic]:
    if thread_id is not None:
        return [threads.get_thread(session, actor=actor, thread_id=thread_id)]
    return threads.list_threads(session, actor=actor, situation=situation)


@router.get("/cases/{case_id}/threads")
def case_threads(case_id: RecordId, session: ReadSession, actor: CurrentActor) -> list[ThreadPublic]:
    return threads.list_threads(session, actor=actor, case_id=case_id)


@router.post("/threads", status_code=status.HTTP_201_CREATED)
def open_thread(data: ThreadCreate, session: WriteSession, actor: CurrentActor) -> ThreadPublic:
    thread = threads.open_thread(session, actor=actor, data=data)
    session.commit()
    return threads.get_thread(session, actor=actor, thread_id=thread.id)


@router.post("/threads/messages", status_code=status.HTTP_201_CREATED)
def post_message(data: MessageCreate, session: WriteSession, actor: CurrentActor) -> MessagePublic:
    message = threads.post_message(session, actor=actor, thread_id=data.thread_id, body=data.body)
    session.commit()
    thread = threads.get_thread(session, actor=actor, thread_id=data.thread_id)
    return next(m for m in thread.messages if m.id == message.id)


@router.get("/notifications")
def list_notifications(session: ReadSession, actor: CurrentActor, unread: bool = False) -> list[NotificationPublic]:
    return threads.notifications(session, actor=actor, unread_only=unread)


@router.post("/notifications/read")
def mark_read(data: NotificationsRead, session: WriteSession, actor: CurrentActor) -> dict[str, int]:
    count = threads.mark_read(session, actor=actor, ids=data.ids)
    session.commit()
    return {"marked": count}
