"""Organisations, users and API tokens; authentication by password or bearer token."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session, selectinload

from asylon.config import get_settings
from asylon.db.base import utcnow
from asylon.db.models import ApiToken, Organisation, User
from asylon.domain.countries import CountryError, normalise_country
from asylon.domain.organisations import OrgKind, Role
from asylon.errors import Conflict, InvalidInput, NotFound, Problem, Unauthenticated
from asylon.services.actors import Actor

TOKEN_PREFIX = "asy_"
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verifying against this keeps a failed login for an unknown e-mail as slow as one for a wrong password,
    so timing does not reveal which accounts exist. Made on first use: hashing takes half a second, which every
    command would otherwise pay at import."""
    return _hasher.hash("not a password")


def actor_for(user: User) -> Actor:
    return Actor(
        user_id=user.id,
        organisation_id=user.organisation_id,
        organisation_slug=user.organisation.slug,
        role=Role(user.role),
        name=user.display_name,
    )


def create_organisation(
    session: Session, *, slug: str, name: str, kind: OrgKind, country: str | None = None
) -> Organisation:
    problems = []
    if kind is OrgKind.STATE_AUTHORITY and not country:
        problems.append(Problem("a state authority needs its country", field="country", fix="give an ISO 3166 alpha-3 code"))
    if country:
        try:
            country = normalise_country(country)
        except CountryError as exc:
            problems.append(Problem(str(exc), field="country", value=country))
    if problems:
        raise InvalidInput(problems)
    if session.scalar(select(Organisation.id).where(Organisation.slug == slug)) is not None:
        raise Conflict(f"an organisation '{slug}' already exists")
    org = Organisation(slug=slug, name=name, kind=str(kind), country=country)
    session.add(org)
    session.flush()
    return org


def get_organisation(session: Session, slug: str) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        raise NotFound("organisation", slug)
    return org


def create_user(
    session: Session,
    *,
    organisation: Organisation,
    email: str,
    display_name: str,
    role: Role,
    password: str | None = None,
    password_hash: str | None = None,
) -> User:
    """Create a user; give ``password`` (hashed here) or an already computed ``password_hash``."""
    email = email.strip().lower()
    if "@" not in email:
        raise InvalidInput(Problem(f"'{email}' is not an e-mail address", field="email"))
    if password is not None and len(password) < 8:
        raise InvalidInput(Problem("a password needs at least 8 characters", field="password"))
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"a user with e-mail {email} already exists")
    user = User(
        organisation_id=organisation.id,
        email=email,
        display_name=display_name,
        role=str(role),
        password_hash=password_hash or (hash_password(password) if password else None),
    )
    session.add(user)
    session.flush()
    return user


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def find_user(session: Session, email: str) -> User:
    user = session.scalar(
        select(User).where(User.email == email.strip().lower()).options(selectinload(User.organisation))
    )
    if user is None:
        raise NotFound("user", email)
    return user


def authenticate_password(session: Session, email: str, password: str) -> User:
    user = session.scalar(
        select(User).where(User.email == email.strip().lower()).options(selectinload(User.organisation))
    )
    try:
        _hasher.verify(user.password_hash if user and user.password_hash else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        raise Unauthenticated("wrong e-mail or password") from None
    if user is None or not user.active:
        raise Unauthenticated("wrong e-mail or password")
    return user


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str  # shown once; only its hash is stored
    record: ApiToken


def _hash_token(token: str) -> str:
    # Tokens are 256 random bits, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, *, user: User, name: str, days: int | None = None) -> IssuedToken:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ttl = days if days is not None else get_settings().token_ttl_days
    record = ApiToken(
        user_id=user.id,
        name=name,
        prefix=token[:12],
        token_hash=_hash_token(token),
        expires_at=utcnow() + dt.timedelta(days=ttl),
    )
    session.add(record)
    session.flush()
    return IssuedToken(token, record)


def revoke_token(session: Session, *, user: User, token_id: int) -> ApiToken:
    record = session.get(ApiToken, token_id)
    if record is None or record.user.organisation_id != user.organisation_id:
        raise NotFound("token", token_id)
    if record.user_id != user.id and Role(user.role) is not Role.ADMIN:
        raise NotFound("token", token_id)
    record.revoked_at = record.revoked_at or utcnow()
    return record


def list_tokens(session: Session, *, user: User) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))


_TOKEN_ACTOR = (
    select(ApiToken.revoked_at, ApiToken.expires_at, User.active, User.id, User.organisation_id, Organisation.slug,
           User.role, User.display_name)
    .join(User, User.id == ApiToken.user_id)
    .join(Organisation, Organisation.id == User.organisation_id)
    # A bound parameter, not a value: the same statement object every time, so its compiled form and result
    # layout are reused as they are (a new statement per request cost as much again as the query).
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


def actor_for_token(connection: Session | Connection, token: str) -> Actor:
    """Who a bearer token acts for; one query, as every API request asks it."""
    row = connection.execute(_TOKEN_ACTOR, {"token_hash": _hash_token(token)}).first()
    if row is None or row.revoked_at is not None or not row.active:
        raise Unauthenticated("the API token is unknown or revoked; create one with `asylon tokens create`")
    if row.expires_at is not None and row.expires_at <= utcnow():
        raise Unauthenticated("the API token has expired; create a new one with `asylon tokens create`")
    return Actor(user_id=row.id, organisation_id=row.organisation_id, organisation_slug=row.slug,
                 role=Role(row.role), name=row.display_name)
