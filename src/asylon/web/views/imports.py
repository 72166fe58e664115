"""Importing a caseload: upload, read the full validation report, then confirm.

The uploaded file waits between the two steps in the data folder, named by a random token and bound to
the session and organisation that uploaded it, so only they can confirm it; confirming re-validates and
writes in one transaction (all or nothing), then deletes the file.
"""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.datastructures import UploadFile

from asylon.domain.organisations import Role
from asylon.errors import InvalidFile, InvalidInput, Problem
from asylon.services.imports import import_cases
from asylon.web.rendering import (
    PageRoute,
    redirect,
    render,
    settings_of,
    signed_in,
    visit_gettext,
    write_session,
)
from asylon.web.sessions import Visit

router = APIRouter(route_class=PageRoute, include_in_schema=False)
FORMATS = ("csv", "hxl", "json")
PENDING_TTL = 3600


def _pending_dir(request: Request) -> Path:
    folder = settings_of(request).data_dir / "web-uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _owner(visit: Visit) -> dict[str, Any]:
    assert visit.actor is not None
    return {"sid": visit.sid, "org": visit.actor.organisation_id, "user": visit.actor.user_id}


def _sweep(folder: Path) -> None:
    for path in folder.glob("*.json"):
        if time.time() - path.stat().st_mtime > PENDING_TTL:
            path.unlink(missing_ok=True)
            path.with_suffix(".bin").unlink(missing_ok=True)


@router.get("/import")
def import_page(request: Request) -> Response:
    visit = signed_in(request)
    assert visit.actor is not None
    visit.actor.require(Role.CASEWORKER, "importing cases")
    return render(request, "import.html", step="upload", problems=[], report=None, formats=FORMATS)


@router.post("/import")
async def upload(request: Request) -> Response:
    visit = signed_in(request)
    actor = visit.actor
    assert actor is not None
    actor.require(Role.CASEWORKER, "importing cases")
    form = await request.form()
    file = form.get("file")
    fmt = str(form.get("format") or "") or None
    if fmt not in (None, *FORMATS):
        fmt = None
    if not isinstance(file, UploadFile) or not file.filename:
        return render(request, "import.html", status=422, step="upload", report=None, formats=FORMATS,
                      problems=[Problem(visit_gettext(visit, "Choose a file to upload."), field="file")])
    limit = settings_of(request).max_upload_bytes
    content = await file.read(limit + 1)
    name = Path(file.filename).name[:200]
    try:
        with write_session(request) as session:
            report = import_cases(session, actor=actor, content=content, filename=name,
                                  fmt=fmt, dry_run=True)  # type: ignore[arg-type]
    except InvalidFile as exc:
        return render(request, "import.html", status=422, step="report", report=None, formats=FORMATS,
                      problems=exc.problems, filename=name)
    except InvalidInput as exc:
        return render(request, "import.html", status=422, step="upload", report=None, formats=FORMATS,
                      problems=exc.problems, filename=name)
    folder = _pending_dir(request)
    _sweep(folder)
    token = secrets.token_urlsafe(16)
    (folder / f"{token}.bin").write_bytes(content)
    (folder / f"{token}.json").write_text(json.dumps({**_owner(visit), "filename": name, "format": report.format}))
    return render(request, "import.html", step="confirm", report=report, problems=[], formats=FORMATS,
                  token=token, filename=name)


@router.post("/import/confirm")
async def confirm(request: Request) -> Response:
    visit = signed_in(request)
    actor = visit.actor
    assert actor is not None
    actor.require(Role.CASEWORKER, "importing cases")
    form = await request.form()
    token = str(form.get("token") or "")
    folder = _pending_dir(request)
    meta_path = folder / f"{token}.json"
    if not token.replace("-", "").replace("_", "").isalnum() or not meta_path.exists():
        return render(request, "import.html", status=410, step="upload", report=None, formats=FORMATS,
                      problems=[Problem(visit_gettext(visit, "This upload has expired; upload the file again."))])
    meta = json.loads(meta_path.read_text())
    if {k: meta[k] for k in ("sid", "org", "user")} != _owner(visit):
        return render(request, "import.html", status=410, step="upload", report=None, formats=FORMATS,
                      problems=[Problem(visit_gettext(visit, "This upload has expired; upload the file again."))])
    content = (folder / f"{token}.bin").read_bytes()
    try:
        with write_session(request) as session:
            report = import_cases(session, actor=actor, content=content, filename=meta["filename"],
                                  fmt=meta["format"])
            session.commit()
    except InvalidFile as exc:  # the stored cases changed since the check
        return render(request, "import.html", status=422, step="report", report=None, formats=FORMATS,
                      problems=exc.problems, filename=meta["filename"])
    finally:
        meta_path.unlink(missing_ok=True)
        (folder / f"{token}.bin").unlink(missing_ok=True)
    return render(request, "import.html", step="done", report=report, problems=[], formats=FORMATS,
                  filename=meta["filename"])


@router.get("/import/confirm")
def confirm_get(request: Request) -> Response:
    signed_in(request)
    return redirect("/import")
