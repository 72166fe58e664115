"""Verifiable documents and the transparency log over HTTP.

Credentials are issued from a case (``POST /cases/{case_id}/credentials``) and are visible only to the issuing
organisation: another organisation gets 404 for its envelopes, PDFs and status changes. The log (checkpoint,
inclusion and consistency proofs), status lists and the trust bundle carry no personal data and are readable with
any organisation's token.

The log is also served *without* a token, as C2SP tlog-tiles under ``/api/v1/ledger/tlog/`` (``checkpoint``,
``tile/<L>/<N>[.p/<W>]``, ``tile/entries/<N>[.p/<W>]``), so anyone can monitor or witness it. Those paths are
public on purpose and left out of the OpenAPI document, whose routes all take a token.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from asylon.api.deps import CurrentActor, ReadSession, RecordId, WriteSession
from asylon.db.models import CredentialRow
from asylon.domain.organisations import Role
from asylon.services import anchoring, documents
from asylon.services.documents import CredentialRequest, KeyVault

router = APIRouter(tags=["documents"])


def _vault(request: Request) -> KeyVault:
    return documents.vault_for(request.app.state.settings.data_dir)


class CredentialCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["refugee-status-attestation", "resettlement-decision", "travel-document"]
    person_ref: str | None = Field(
        None, max_length=32, description="Whose credential; default the principal applicant."
    )
    valid_years: int = Field(2, ge=1, le=10, description="Travel documents: years until expiry.")
    programme: str = Field("", max_length=200, description="Resettlement decisions: the programme, if any.")


class CredentialPublic(BaseModel):
    credential_id: str
    case_id: int
    person_ref: str
    type: str
    status: str
    leaf_index: int
    issued_at: dt.datetime
    valid_until: dt.datetime | None
    status_changed_at: dt.datetime | None

    @classmethod
    def of(cls, row: CredentialRow) -> CredentialPublic:
        return cls(
            credential_id=row.credential_id,
            case_id=row.case_id,
            person_ref=row.person_ref,
            type=row.type,
            status=row.status,
            leaf_index=row.leaf_index,
            issued_at=row.issued_at,
            valid_until=row.valid_until,
            status_changed_at=row.status_changed_at,
        )


class IssuedCredential(CredentialPublic):
    envelope: dict[str, Any]


class CredentialPage(BaseModel):
    items: list[CredentialPublic]
    total: int
    limit: int
    offset: int


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    credential_id: str = Field(max_length=100)
    action: Literal["revoke", "suspend", "reinstate"]
    reason: str = Field("", max_length=2000)


@router.post("/cases/{case_id}/credentials", status_code=status.HTTP_201_CREATED)
def issue_credential(
    case_id: RecordId, data: CredentialCreate, request: Request, session: WriteSession, actor: CurrentActor
) -> IssuedCredential:
    """Issue a credential from the case (refugee status attestation, resettlement decision, travel document)."""
    row = documents.issue_credential(
        session,
        actor=actor,
        vault=_vault(request),
        case_id=case_id,
        request=CredentialRequest(data.type, data.person_ref, data.valid_years, data.programme),
    )
    session.commit()
    return IssuedCredential(**CredentialPublic.of(row).model_dump(), envelope=row.envelope)


@router.get("/cases/{case_id}/credentials")
def case_credentials(case_id: RecordId, session: ReadSession, actor: CurrentActor) -> list[CredentialPublic]:
    rows, _ = documents.list_credentials(session, actor=actor, case_id=case_id, limit=500)
    return [CredentialPublic.of(r) for r in rows]


@router.get("/credentials")
def list_credentials(
    session: ReadSession,
    actor: CurrentActor,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=2**31 - 1),
) -> CredentialPage:
    """Credentials your organisation issued, newest first."""
    rows, total = documents.list_credentials(session, actor=actor, limit=limit, offset=offset)
    return CredentialPage(
        items=[CredentialPublic.of(r) for r in rows], total=total, limit=limit, offset=offset
    )


@router.get("/credentials/envelope")
def credential_envelope(
    session: ReadSession, actor: CurrentActor, credential_id: str = Query(max_length=100)
) -> dict[str, Any]:
    """The credential envelope file: the signed credential, its salt, inclusion proof and checkpoint."""
    return documents.credential_envelope(session, actor=actor, credential_id=credential_id)


@router.get(
    "/credentials/pdf", response_class=Response, responses={200: {"content": {"application/pdf": {}}}}
)
def credential_pdf(
    session: ReadSession, actor: CurrentActor, credential_id: str = Query(max_length=100)
) -> Response:
    """The credential printed as a PDF, with a QR code carrying what offline verification needs."""
    pdf = documents.credential_pdf_bytes(session, actor=actor, credential_id=credential_id)
    return Response(pdf, media_type="application/pdf")


@router.post("/credentials/status")
def change_credential_status(
    data: StatusChange, request: Request, session: WriteSession, actor: CurrentActor
) -> CredentialPublic:
    """Revoke (final), suspend or reinstate a credential; the new status lists are signed and logged."""
    row = documents.set_credential_status(
        session,
        actor=actor,
        vault=_vault(request),
        credential_id=data.credential_id,
        action=data.action,
        reason=data.reason,
    )
    session.commit()
    return CredentialPublic.of(row)


@router.post("/credentials/verifications")
def verify_credential(
    data: dict[str, Any], request: Request, session: ReadSession, actor: CurrentActor
) -> dict[str, Any]:
    """Verify an uploaded envelope (or bare credential) against the platform's trust bundle; every check named."""
    return documents.verify_upload(session, vault=_vault(request), data=data).to_json()


@router.post("/credentials/keys/rotations")
def rotate_key(request: Request, session: WriteSession, actor: CurrentActor) -> dict[str, Any]:
    """Start a new issuer key for your organisation (admins); earlier credentials stay verifiable."""
    key = documents.rotate_issuer_key(session, actor=actor, vault=_vault(request))
    session.commit()
    return key


@router.get("/ledger/checkpoint", response_class=PlainTextResponse)
def checkpoint(session: ReadSession, actor: CurrentActor) -> PlainTextResponse:
    """The log's latest signed checkpoint (C2SP tlog-checkpoint signed note)."""
    return PlainTextResponse(documents.latest_checkpoint(session))


@router.get("/ledger/inclusion")
def inclusion(
    request: Request,
    session: ReadSession,
    actor: CurrentActor,
    index: int = Query(ge=0, le=2**62),
    size: int | None = Query(None, ge=1, le=2**62),
) -> dict[str, Any]:
    """RFC 9162 inclusion proof of leaf ``index`` (against ``size``, default the current tree)."""
    return documents.inclusion_proof(session, vault=_vault(request), index=index, size=size)


@router.get("/ledger/consistency")
def consistency(
    request: Request,
    session: ReadSession,
    actor: CurrentActor,
    first: int = Query(ge=0, le=2**62),
    second: int | None = Query(None, ge=0, le=2**62),
) -> dict[str, Any]:
    """RFC 9162 consistency proof from tree size ``first`` to ``second`` (default the current tree)."""
    return documents.consistency_proof(session, vault=_vault(request), first=first, second=second)


@router.get("/ledger/status-lists")
def status_lists(
    session: ReadSession, actor: CurrentActor, organisation: str = Query(max_length=64)
) -> list[dict[str, Any]]:
    """An organisation's latest signed Bitstring Status List credentials (revocation, suspension)."""
    return documents.status_lists(session, organisation=organisation)


@router.get("/ledger/trust-bundle")
def trust_bundle(request: Request, session: WriteSession, actor: CurrentActor) -> dict[str, Any]:
    """The trust bundle for offline verifiers (``asylon verify FILE --trust BUNDLE``). Status lists older than a
    day are re-signed and logged first, so the bundle stays usable for about six days."""
    bundle = documents.export_trust_bundle(session, vault=_vault(request), refresh=True)
    session.commit()
    return bundle.to_json()


@router.post("/ledger/anchors")
def anchor_events(request: Request, session: WriteSession, actor: CurrentActor) -> dict[str, Any]:
    """Commit every case event not yet anchored to the log (admins; the answer holds counts only)."""
    actor.require(Role.ADMIN, "anchoring the case history")
    result = anchoring.anchor_pending_events(session, vault=_vault(request))
    session.commit()
    return {
        "events": result.events,
        "batches": result.batches,
        "leaves": [result.leaves.start, result.leaves.stop],
    }


@router.get("/ledger/tlog/checkpoint", include_in_schema=False)
def public_checkpoint(session: ReadSession) -> PlainTextResponse:
    return PlainTextResponse(documents.latest_checkpoint(session))


@router.get("/ledger/tlog/{path:path}", include_in_schema=False)
def public_tile(path: str, request: Request, session: ReadSession) -> Response:
    data = documents.tile(session, vault=_vault(request), path=path)
    # Full tiles never change; partial ones are replaced as the log grows.
    immutable = ".p/" not in path
    headers = {"Cache-Control": "public, max-age=31536000, immutable" if immutable else "no-cache"}
    return Response(data, media_type="application/octet-stream", headers=headers)
