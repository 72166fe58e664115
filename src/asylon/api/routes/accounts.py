"""The caller, their organisation's users, API tokens; organisations, situations, unsafe-country flags."""

from __future__ import annotations

from fastapi import APIRouter, status
from sqlalchemy import select

from asylon.api.deps import CurrentActor, ReadSession, RecordId, WriteSession
from asylon.db.models import ApiToken, Organisation, Situation, UnsafeFlagRow, User
from asylon.domain.organisations import Role
from asylon.schemas.accounts import (
    Me,
    OrganisationPublic,
    SituationCreate,
    SituationPublic,
    TokenCreate,
    TokenIssued,
    TokenPublic,
    UnsafeFlagCreate,
    UnsafeFlagPublic,
    UserCreate,
    UserPublic,
)
from asylon.services import accounts, pathways, situations

router = APIRouter(tags=["accounts"])


@router.get("/me")
def me(session: ReadSession, actor: CurrentActor) -> Me:
    user = session.get_one(User, actor.user_id)
    return Me(user=UserPublic.model_validate(user), organisation=OrganisationPublic.model_validate(user.organisation))


@router.get("/organisations")
def list_organisations(session: ReadSession, actor: CurrentActor) -> list[OrganisationPublic]:
    rows = session.scalars(select(Organisation).order_by(Organisation.slug))
    return [OrganisationPublic.model_validate(o) for o in rows]


@router.get("/users")
def list_users(session: ReadSession, actor: CurrentActor) -> list[UserPublic]:
    actor.require(Role.ADMIN, "listing users")
    rows = session.scalars(select(User).where(User.organisation_id == actor.organisation_id).order_by(User.id))
    return [UserPublic.model_validate(u) for u in rows]


@router.post("/users", status_code=status.HTTP_201_CREATED)
def create_user(data: UserCreate, session: WriteSession, actor: CurrentActor) -> UserPublic:
    actor.require(Role.ADMIN, "creating users")
    org = session.get_one(Organisation, actor.organisation_id)
    user = accounts.create_user(session, organisation=org, email=data.email, display_name=data.display_name,
                                role=data.role, password=data.password)
    session.commit()
    return UserPublic.model_validate(user)


@router.get("/tokens")
def list_tokens(session: ReadSession, actor: CurrentActor) -> list[TokenPublic]:
    user = session.get_one(User, actor.user_id)
    return [TokenPublic.model_validate(t) for t in accounts.list_tokens(session, user=user)]


@router.post("/tokens", status_code=status.HTTP_201_CREATED)
def create_token(data: TokenCreate, session: WriteSession, actor: CurrentActor) -> TokenIssued:
    user = session.get_one(User, actor.user_id)
    issued = accounts.issue_token(session, user=user, name=data.name, days=data.days)
    session.commit()
    return TokenIssued(token=issued.token, **TokenPublic.model_validate(issued.record).model_dump())


@router.delete("/tokens/{token_id}")
def revoke_token(token_id: RecordId, session: WriteSession, actor: CurrentActor) -> TokenPublic:
    user = session.get_one(User, actor.user_id)
    record: ApiToken = accounts.revoke_token(session, user=user, token_id=token_id)
    session.commit()
    return TokenPublic.model_validate(record)


@router.get("/situations")
def list_situations(session: ReadSession, actor: CurrentActor) -> list[SituationPublic]:
    return [SituationPublic.model_validate(s) for s in session.scalars(select(Situation).order_by(Situation.code))]


@router.post("/situations", status_code=status.HTTP_201_CREATED)
def create_situation(data: SituationCreate, session: WriteSession, actor: CurrentActor) -> SituationPublic:
    situation = situations.create_situation(session, actor=actor, data=data)
    session.commit()
    return SituationPublic.model_validate(situation)


@router.get("/unsafe-flags")
def list_unsafe_flags(session: ReadSession, actor: CurrentActor) -> list[UnsafeFlagPublic]:
    rows = session.scalars(select(UnsafeFlagRow).where(UnsafeFlagRow.active.is_(True)).order_by(UnsafeFlagRow.id))
    return [UnsafeFlagPublic.model_validate(r) for r in rows]


@router.post("/unsafe-flags", status_code=status.HTTP_201_CREATED)
def flag_unsafe(data: UnsafeFlagCreate, session: WriteSession, actor: CurrentActor) -> UnsafeFlagPublic:
    row = pathways.flag_unsafe(session, actor=actor, country=data.country, applies_to=data.applies_to,
                               reason=data.reason)
    session.commit()
    return UnsafeFlagPublic.model_validate(row)
