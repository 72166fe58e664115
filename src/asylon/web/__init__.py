"""The web UI: server-rendered pages for caseworkers, coordinators and donors.

:func:`install` adds the pages and their static assets to the platform's FastAPI application. Pages are
plain HTML forms and links (they work with JavaScript off); every asset ships in this package; pages are
translated through gettext (English, French, Arabic). Later capabilities add their pages with
:func:`asylon.web.sections.add_section` and an ``APIRouter(route_class=PageRoute)`` of their own.
"""

from __future__ import annotations

import inspect

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from asylon.web.i18n import translations
from asylon.web.rendering import error_page, load_visit

STATIC_PREFIX = "/static"


# Mounted first, in this order; any other module of ``asylon.web.views`` follows by name, so a capability adds
# its pages (and, with add_section, its place in the navigation) by adding a module there and nothing else.
_FIRST_VIEWS = ("auth", "dashboard", "cases", "imports", "countries")


def routers() -> list[APIRouter]:
    """Every router of pages, in the order they are mounted (tests walk these to reach every page)."""
    import importlib
    import pkgutil

    from asylon.web import views

    names = sorted(m.name for m in pkgutil.iter_modules(views.__path__) if not m.name.startswith("_"))
    ordered = [n for n in _FIRST_VIEWS if n in names] + [n for n in names if n not in _FIRST_VIEWS]
    return [importlib.import_module(f"{views.__name__}.{name}").router for name in ordered]


def install(app: FastAPI) -> None:
    """Mount the web UI on ``app`` (after the API's routes and error handlers are in place).

    >>> # from asylon.api.app import create_app; app = create_app()   # calls install(app)
    """
    from pathlib import Path

    for router in routers():
        app.include_router(router)
    app.mount(STATIC_PREFIX, StaticFiles(directory=Path(__file__).with_name("static")), name="static")

    # Unknown addresses outside the API get a page, not problem+json; the API keeps its own answers.
    api_handler = app.exception_handlers[StarletteHTTPException]

    async def not_found(request: Request, exc: Exception) -> Response:
        path = request.url.path
        if (isinstance(exc, StarletteHTTPException) and exc.status_code == 404
                and not path.startswith(("/api", STATIC_PREFIX))):
            request.state.visit = await run_in_threadpool(load_visit, request)
            return error_page(request, 404, translations(request.state.visit.language).gettext("Page not found"),
                              translations(request.state.visit.language).gettext(
                                  "There is no page at this address."))
        answer = api_handler(request, exc)
        return await answer if inspect.isawaitable(answer) else answer

    app.add_exception_handler(StarletteHTTPException, not_found)
