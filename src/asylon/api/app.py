"""The FastAPI application."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from sqlalchemy import Engine

from asylon import __version__, web
from asylon.api import problems, routes
from asylon.api.routes import agreements
from asylon.config import Settings, get_settings
from asylon.db.engine import engine_for, prefill

API_PREFIX = "/api/v1"
OPENAPI_URL = f"{API_PREFIX}/openapi.json"


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    if settings.db_pool_prefill:
        await anyio.to_thread.run_sync(prefill, app.state.engine, settings.db_pool_size)
    # Everything loaded by now (the engines' scientific libraries among it) lives as long as the process: moved
    # out of the collector's sight, a full collection no longer walks those millions of objects, which otherwise
    # paused a worker for tens of milliseconds now and then (the API's p99 latency).
    # Requests allocate many short-lived objects; collecting the young generation every 50,000 allocations
    # instead of every 700 keeps the pauses rarer (list p99 on SQLite ~110 -> 80-90 ms).
    gc.collect()
    gc.freeze()
    thresholds = gc.get_threshold()
    gc.set_threshold(50_000, 50, 100)
    try:
        yield
    finally:
        # An application started and stopped inside a longer process (tests) leaves nothing pinned or changed.
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        lifespan=_lifespan,
        title="asylon",
        version=__version__,
        description="An open platform for international cooperation on refugee protection.",
        openapi_url=OPENAPI_URL,
        docs_url=None,  # Swagger UI loads its assets from a CDN; the OpenAPI document is at OPENAPI_URL
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine or engine_for(settings.database_url)
    for module in routes.modules():
        app.include_router(module.router, prefix=API_PREFIX)
    problems.install(app)
    agreements.install(app)  # the purpose each request declares (X-Asylon-Purpose), for every read in it
    web.install(app)
    return app
