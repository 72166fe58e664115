"""How every page is served: the visit (session, language), CSRF on every POST, errors as pages,
security headers, compression. Pages use :class:`PageRoute` and :func:`render`; nothing else is needed.
"""

from __future__ import annotations

import gettext
import gzip
from collections.abc import Callable, Coroutine
from functools import cache
from typing import Any
from urllib.parse import quote

import pycountry
from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload
from starlette.concurrency import run_in_threadpool

from asylon.api.problems import status_for
from asylon.config import Settings
from asylon.db.engine import session_factory
from asylon.db.models import User
from asylon.domain.countries import country_name
from asylon.errors import AsylonError
from asylon.web import labels
from asylon.web.i18n import LANG_COOKIE, LANGUAGES, environment, negotiate, translations
from asylon.web.sections import sections_for
from asylon.web.sessions import COOKIE, MAX_AGE, Visit, password_fingerprint

# Pages hold personal data: never cached, never framed, no script or style from anywhere but here.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
GZIP_MIN_BYTES = 1400


class LoginRequired(Exception):
    """The page needs a signed-in user; the visitor is sent to the login page and back."""


def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def read_session(request: Request) -> Session:
    return session_factory(engine_of(request), write=False)()


def write_session(request: Request) -> Session:
    return session_factory(engine_of(request), write=True)()


def visit_of(request: Request) -> Visit:
    visit: Visit = request.state.visit
    return visit


def signed_in(request: Request) -> Visit:
    """The visit of a signed-in user, or :class:`LoginRequired`."""
    visit = visit_of(request)
    if visit.user is None:
        raise LoginRequired
    return visit


def load_visit(request: Request) -> Visit:
    secret = settings_of(request).secret_key
    visit = Visit.from_cookie(request.cookies.get(COOKIE), secret)
    if visit.user_id is not None:
        with read_session(request) as session:
            user = session.scalar(select(User).where(User.id == visit.user_id)
                                  .options(selectinload(User.organisation)))
            if user is None or not user.active or password_fingerprint(user) != visit.fingerprint:
                visit = Visit.anonymous(secret)
            else:
                session.expunge(user)
                visit.user = user
    visit.language = negotiate(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))
    return visit


def number(value: float | int | None, lang: str = "en") -> str:
    """Thousands grouped the way the language writes them.

    >>> number(1234567, "fr")
    '1\u202f234\u202f567'
    """
    if value is None:
        return "–"
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    if lang == "fr":
        return text.replace(",", "\u202f").replace(".", ",")
    return text


@cache
def _country_catalogue(lang: str) -> gettext.NullTranslations:
    # pycountry ships the iso-codes project's translations of country names.
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)


def country_label(code: str | None, lang: str = "en") -> str:
    """The country's name in the page's language, falling back to English.

    >>> country_label("JOR", "fr")
    'Jordanie'
    """
    if not code:
        return "–"
    try:
        english = country_name(code)
    except KeyError:
        return code
    if lang == "en":
        return english
    catalogue = _country_catalogue(lang)
    translated = catalogue.gettext(english)
    if translated == english:
        found = pycountry.countries.get(alpha_3=code)
        if found is not None:
            translated = catalogue.gettext(str(found.name))
            translated = english if translated == found.name else translated
    return translated


def render(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    visit = visit_of(request)
    env = environment(visit.language)
    body = env.get_template(template).render(
        request=request,
        visit=visit,
        user=visit.user,
        csrf_token=visit.csrf_token,
        labels=labels,
        sections=sections_for(visit),
        country=lambda code: country_label(code, visit.language),
        number=lambda v: number(v, visit.language),
        path=request.url.path,
        **context,
    )
    return HTMLResponse(body, status_code=status)


def error_page(request: Request, status: int, title: str, detail: str, **extra: Any) -> HTMLResponse:
    return render(request, "error.html", status=status, title=title, detail=detail, **extra)


def _finish(request: Request, response: Response, visit: Visit) -> Response:
    if visit.changed:
        response.set_cookie(COOKIE, visit.cookie_value(), max_age=MAX_AGE, httponly=True, samesite="lax",
                            secure=request.url.scheme == "https", path="/")
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    body = getattr(response, "body", b"")
    if (isinstance(response, HTMLResponse) and len(body) >= GZIP_MIN_BYTES
            and "gzip" in request.headers.get("accept-encoding", "")):
        # Field offices are often on slow links; pages with maps compress about fourfold.
        response.body = gzip.compress(body, compresslevel=6)
        response.headers["content-encoding"] = "gzip"
        response.headers["content-length"] = str(len(response.body))
        response.headers["vary"] = "Accept-Encoding, Cookie, Accept-Language"
    return response


class PageRoute(APIRoute):
    """A web page: loads the visit, checks CSRF on POST, and turns errors into pages, not JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            visit = await run_in_threadpool(load_visit, request)
            request.state.visit = visit
            response: Response
            try:
                if request.method == "POST":
                    form = await request.form()
                    token = form.get("csrf_token")
                    if not visit.csrf_ok(token if isinstance(token, str) else None):
                        response = error_page(
                            request, 403, visit_gettext(visit, "This form has expired"),
                            visit_gettext(visit, "Go back, reload the page and send the form again."))
                        return _finish(request, response, visit)
                response = await handler(request)
            except LoginRequired:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                response = RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
            except RequestValidationError:
                response = error_page(request, 400, visit_gettext(visit, "This address is not valid"),
                                      visit_gettext(visit, "Check the link or go back to the list."))
            except AsylonError as exc:
                response = error_page(request, status_for(exc), visit_gettext(visit, "That did not work"),
                                      exc.message)
            return _finish(request, response, visit)

        return page


def visit_gettext(visit: Visit, message: str) -> str:
    return translations(visit.language).gettext(message)


def redirect(url: str) -> RedirectResponse:
    """After a successful POST: go to ``url`` with a GET (so a reload does not send the form again)."""
    return RedirectResponse(url, status_code=303)


def safe_next(target: str | None) -> str:
    """A local path to return to after login; anything else (another host, a scheme) becomes ``/``.

    >>> safe_next("//evil.example/")
    '/'
    >>> safe_next("/cases?q=1")
    '/cases?q=1'
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


__all__ = ["LANGUAGES", "LoginRequired", "PageRoute", "error_page", "number", "redirect", "render",
           "safe_next", "signed_in", "visit_of"]
