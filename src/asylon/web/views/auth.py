"""Logging in and out, and choosing the language."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from asylon.db.models import User
from asylon.errors import Unauthenticated
from asylon.services.accounts import authenticate_password
from asylon.web.i18n import LANG_COOKIE, LANGUAGES
from asylon.web.rendering import PageRoute, read_session, redirect, render, safe_next, visit_gettext, visit_of
from asylon.web.sessions import LoginLimiter

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def limiter_of(request: Request) -> LoginLimiter:
    state = request.app.state
    if not hasattr(state, "login_limiter"):
        state.login_limiter = LoginLimiter()
    limiter: LoginLimiter = state.login_limiter
    return limiter


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    visit = visit_of(request)
    if visit.user is not None:
        return redirect(safe_next(next))
    return render(request, "login.html", next=safe_next(next), email="", error=None)


@router.post("/login")
async def login(request: Request) -> Response:
    visit = visit_of(request)
    form = await request.form()
    email = str(form.get("email") or "").strip()
    password = str(form.get("password") or "")
    target = safe_next(str(form.get("next") or "/"))
    client = request.client.host if request.client else "unknown"
    limiter = limiter_of(request)
    wait = limiter.retry_after(email, client)
    if wait:
        minutes = max(1, (wait + 59) // 60)
        message = visit_gettext(visit, "Too many failed attempts. Try again in %(minutes)s minutes.") % {
            "minutes": minutes}
        response: HTMLResponse = render(request, "login.html", status=429, next=target, email=email,
                                        error=message)
        response.headers["Retry-After"] = str(wait)
        return response

    def check() -> User:
        with read_session(request) as session:
            user = authenticate_password(session, email, password)
            session.expunge(user.organisation)
            session.expunge(user)
            return user

    try:
        user = await run_in_threadpool(check)
    except Unauthenticated:
        limiter.failed(email, client)
        return render(request, "login.html", status=401, next=target, email=email,
                      error=visit_gettext(visit, "Wrong e-mail or password."))
    limiter.succeeded(email)
    visit.sign_in(user)
    return redirect(target)


@router.post("/logout")
def logout(request: Request) -> Response:
    visit_of(request).sign_out()
    return redirect("/login")


@router.post("/language")
async def choose_language(request: Request) -> Response:
    form = await request.form()
    code = str(form.get("language") or "en")
    response = redirect(safe_next(str(form.get("next") or "/")))
    if code in LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, samesite="lax", path="/")
    return response
