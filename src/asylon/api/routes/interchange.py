"""Importing and exporting whole caseloads (CSV, HXL-tagged CSV, JSON)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from asylon.api.deps import CurrentActor, WriteSession
from asylon.db.engine import session_factory
from asylon.errors import Problem
from asylon.services import caseviews
from asylon.services.caseviews import CaseFilters
from asylon.services.imports import UploadTooLarge, import_cases
from asylon.services.interchange.writer import write_cases

router = APIRouter(tags=["interchange"])
MEDIA = {"csv": "text/csv", "hxl": "text/csv", "json": "application/json"}


class ImportReportPublic(BaseModel):
    filename: str
    format: str
    rows: int
    cases: int
    created: int
    updated: int
    unchanged: int
    dry_run: bool
    batch_id: int | None
    warnings: list[str]


async def _read_limited(request: Request, upload: UploadFile) -> bytes:
    limit: int = request.app.state.settings.max_upload_bytes
    content = await upload.read(limit + 1)
    if len(content) > limit:
        raise UploadTooLarge(Problem(f"the file is larger than the limit of {limit:,} bytes", field="file",
                                     fix="split the file, or raise ASYLON_MAX_UPLOAD_BYTES"))
    return content


@router.post("/imports/cases")
async def import_caseload(
    request: Request,
    session: WriteSession,
    actor: CurrentActor,
    file: Annotated[UploadFile, File(description="CSV, HXL-tagged CSV or JSON caseload file")],
    format: Annotated[Literal["csv", "hxl", "json"] | None, Query(description="Detected when omitted")] = None,
    dry_run: Annotated[bool, Query(description="Validate and report without writing")] = False,
) -> ImportReportPublic:
    content = await _read_limited(request, file)
    report = import_cases(session, actor=actor, content=content, filename=file.filename or "upload", fmt=format,
                          dry_run=dry_run)
    if not dry_run:
        session.commit()
    return ImportReportPublic.model_validate(report, from_attributes=True)


@router.get("/exports/cases", response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {}, "application/json": {}}}})
def export_caseload(
    request: Request,
    actor: CurrentActor,
    format: Literal["csv", "hxl", "json"] = "csv",
    situation: Annotated[str | None, Query(max_length=64)] = None,
) -> StreamingResponse:
    # The stream outlives the request's dependencies, so it holds its own session.
    session = session_factory(request.app.state.engine, write=False)()
    cases = caseviews.iter_cases(session, actor=actor, filters=CaseFilters(situation=situation))
    chunks = write_cases(cases, format)
    try:
        first = next(chunks)  # errors surface now, as a problem response, not as a broken stream
    except BaseException:
        session.close()
        raise
    extension = "json" if format == "json" else "csv"

    def body() -> Iterator[str]:
        try:
            yield first
            yield from chunks
        finally:
            session.close()

    return StreamingResponse(body(), media_type=MEDIA[format],
                             headers={"Content-Disposition": f'attachment; filename="cases.{extension}"'})
