"""Errors as RFC 9457 problem details (``application/problem+json``), mapped in this one place."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from asylon import errors
from asylon.services.imports import UploadTooLarge

log = logging.getLogger("asylon.api")

PROBLEM_TYPE = "https://asylon.example/problems/"
STATUS: dict[type[errors.AsylonError], int] = {
    UploadTooLarge: 413,
    errors.InvalidInput: 422,
    errors.NotFound: 404,
    errors.Unauthenticated: 401,
    errors.PermissionDenied: 403,
    errors.Conflict: 409,
    errors.RuleRefused: 409,
    errors.ConfigurationError: 500,
}


def status_for(exc: errors.AsylonError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def problem(status: int, title: str, detail: str, *, code: str, request: Request, **extra: Any) -> JSONResponse:
    body = {"type": PROBLEM_TYPE + code, "title": title, "status": status, "detail": detail,
            "instance": request.url.path, **extra}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type="application/problem+json", headers=headers)


def _problem_list(problems: list[errors.Problem]) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in {"field": p.field, "row": p.row, "value": p.value, "message": p.message, "fix": p.fix}.items()
         if v is not None}
        for p in problems
    ]


def install(app: FastAPI) -> None:
    @app.exception_handler(errors.AsylonError)
    async def _asylon(request: Request, exc: errors.AsylonError) -> JSONResponse:
        status = status_for(exc)
        extra: dict[str, Any] = {}
        if isinstance(exc, errors.InvalidInput):
            extra["errors"] = _problem_list(exc.problems)
        if isinstance(exc, errors.RuleRefused):
            extra["rule"] = exc.rule
        if isinstance(exc, errors.TransitionRefused):
            extra["allowed"] = exc.allowed
        return problem(status, exc.code.replace("-", " ").capitalize(), exc.message, code=exc.code,
                       request=request, **extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        malformed = False
        for error in exc.errors():
            loc = [p for p in error.get("loc", ()) if p not in ("body",)]
            field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".") or None
            message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
            if error.get("type") == "model_attributes_type" and not loc:
                malformed = True
                message = "the body must be a JSON object; send it with 'Content-Type: application/json'"
            if error.get("type") == "json_invalid":
                malformed = True
                message = f"the body is not valid JSON: {error.get('ctx', {}).get('error', message)}"
            problems.append(errors.Problem(message, field=field))
        status = 400 if malformed else 422
        detail = "; ".join(str(p) for p in problems[:5])
        return problem(status, "Invalid request", detail, code="invalid-input", request=request,
                       errors=_problem_list(problems))

    @app.exception_handler(StaleDataError)
    async def _stale(request: Request, exc: StaleDataError) -> JSONResponse:
        return problem(409, "Conflict", "the case was changed by someone else meanwhile; reload and try again",
                       code="conflict", request=request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, str(exc.detail), str(exc.detail), code=f"http-{exc.status_code}",
                       request=request)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem(500, "Internal error", "something went wrong on our side; it has been logged",
                       code="internal", request=request)
