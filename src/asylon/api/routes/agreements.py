"""Data-sharing agreements, consent, and per-person access reports; and the declaration of purpose.

Declaring a purpose: a request for another organisation's data names why it is made, in the header
``X-Asylon-Purpose: <purpose>`` or the query parameter ``purpose=<purpose>`` (one of
``resettlement-processing``, ``deduplication``, ``assistance-coordination``, ``protection-referral``,
``statistics``). It applies to every read in the request — lists, single cases, exports, the feed,
threads — and opens only agreements made for that purpose. Without it a request sees its own
organisation's data only; another organisation's case outside the purpose is "not found".
"""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, FastAPI, status
from starlette.types import ASGIApp, Receive, Scope, Send

from asylon.api.deps import CurrentActor, ReadSession, RecordId, WriteSession
from asylon.schemas.agreements import (
    AgreementAction,
    AgreementCreate,
    AgreementPublic,
    ConsentCreate,
    ConsentPublic,
    ConsentWithdrawal,
    DisclosurePublic,
    Purpose,
)
from asylon.services import access_log, agreements, consent
from asylon.services.visibility import PURPOSES, declared_purpose

router = APIRouter(tags=["sharing"])
PURPOSE_HEADER = b"x-asylon-purpose"


class PurposeDeclaration:
    """ASGI middleware: reads the declared purpose of each request and applies it to every read in it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        purpose = dict(scope.get("headers") or []).get(PURPOSE_HEADER, b"").decode("latin-1").strip() or None
        if purpose is None:
            values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("purpose")
            purpose = values[0].strip() if values else None
        if purpose is not None and purpose not in PURPOSES:
            await _refuse(scope, send, purpose)
            return
        with declared_purpose(purpose, channel="api" if scope["path"].startswith("/api/") else "web"):
            await self.app(scope, receive, send)


async def _refuse(scope: Scope, send: Send, purpose: str) -> None:
    import json

    body = json.dumps({
        "type": "https://asylon.example/problems/invalid-input", "title": "Invalid input", "status": 422,
        "detail": f"unknown purpose '{purpose[:64]}'; declare one of: {', '.join(sorted(PURPOSES))}",
        "instance": scope["path"],
    }).encode()
    await send({"type": "http.response.start", "status": 422,
                "headers": [(b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def install(app: FastAPI) -> None:
    """Apply declared purposes to every request of ``app`` (API and web pages)."""
    app.add_middleware(PurposeDeclaration)


@router.get("/agreements")
def list_agreements(session: ReadSession, actor: CurrentActor) -> list[AgreementPublic]:
    """The agreements your organisation is a party to, with their status as of today."""
    return [agreements.to_public(a) for a in agreements.list_agreements(session, actor=actor)]


@router.post("/agreements", status_code=status.HTTP_201_CREATED)
def create_agreement(data: AgreementCreate, session: WriteSession, actor: CurrentActor) -> AgreementPublic:
    """Draft an agreement; it becomes active when an admin of every party has approved it."""
    agreement = agreements.create_agreement(session, actor=actor, data=data)
    session.commit()
    return agreements.to_public(agreements.load_agreement(session, actor, agreement.id))


@router.post("/agreements/actions")
def act_on_agreement(data: AgreementAction, session: WriteSession, actor: CurrentActor) -> AgreementPublic:
    """Approve (for your organisation), suspend, resume or terminate an agreement."""
    agreement = agreements.act(session, actor=actor, data=data)
    session.commit()
    return agreements.to_public(agreements.load_agreement(session, actor, agreement.id))


@router.get("/purposes")
def list_purposes(actor: CurrentActor) -> list[str]:
    """The purposes a request may declare (``X-Asylon-Purpose`` or ``?purpose=``)."""
    return [p.value for p in Purpose]


@router.post("/consents", status_code=status.HTTP_201_CREATED)
def record_consent(data: ConsentCreate, session: WriteSession, actor: CurrentActor) -> ConsentPublic:
    row = consent.record_consent(session, actor=actor, data=data)
    session.commit()
    return consent.to_public(row, data.person_ref)


@router.post("/consents/withdrawals")
def withdraw_consent(data: ConsentWithdrawal, session: WriteSession, actor: CurrentActor) -> ConsentPublic:
    """Withdraw a consent; it takes effect on the next read, feed event and webhook delivery."""
    row = consent.withdraw_consent(session, actor=actor, data=data)
    session.commit()
    refs: dict[int, str] = {c.id: c.person_ref for c in consent.list_consents(session, actor=actor,
                                                                             case_id=row.case_id)}
    return consent.to_public(row, refs[row.id])


@router.get("/cases/{case_id}/consents")
def list_consents(case_id: RecordId, session: ReadSession, actor: CurrentActor) -> list[ConsentPublic]:
    return consent.list_consents(session, actor=actor, case_id=case_id)


@router.get("/cases/{case_id}/persons/{person_ref}/disclosures")
def person_disclosures(case_id: RecordId, person_ref: str, session: ReadSession,
                       actor: CurrentActor) -> list[DisclosurePublic]:
    """Everything disclosed about this person to other organisations: the basis of a subject access request."""
    return access_log.person_report(session, actor=actor, case_id=case_id, person_ref=person_ref)
