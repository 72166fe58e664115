"""Request-scoped collaborators: database sessions and the acting user."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from asylon.db.engine import session_factory
from asylon.errors import Unauthenticated
from asylon.services.accounts import actor_for_token
from asylon.services.actors import Actor

_bearer = HTTPBearer(auto_error=False, description="An API token from `asylon tokens create`.")


def _engine_of(request: Request):  # type: ignore[no-untyped-def]
    return request.app.state.engine


def read_session(request: Request) -> Iterator[Session]:
    """A session for reading; nothing it does is committed."""
    with session_factory(_engine_of(request), write=False)() as session:
        yield session


def write_session(request: Request) -> Iterator[Session]:
    """A session for changing data. The route commits explicitly, before it answers, so an acknowledged
    write is a committed write; anything not committed is rolled back when the session closes."""
    with session_factory(_engine_of(request), write=True)() as session:
        yield session


# Record ids are 32-bit integers on PostgreSQL; anything outside is refused as invalid, not looked up.
RecordId = Annotated[int, Path(ge=1, le=2**31 - 1)]
ReadSession = Annotated[Session, Depends(read_session)]
WriteSession = Annotated[Session, Depends(write_session)]


def current_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("send an API token as 'Authorization: Bearer <token>'")
    with session_factory(_engine_of(request), write=False)() as session:
        return actor_for_token(session, credentials.credentials)


CurrentActor = Annotated[Actor, Depends(current_actor)]
