"""Small, explicit test worlds built through the services (so tests exercise the real write paths)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from asylon.db.engine import transaction
from asylon.domain.organisations import OrgKind, Role
from asylon.schemas.cases import CaseCreate
from asylon.services import accounts, registry
from asylon.services.actors import Actor


@dataclass(frozen=True)
class Member:
    actor: Actor
    token: str
    email: str
    password: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass(frozen=True)
class TwoOrgs:
    a_admin: Member
    a_caseworker: Member
    a_viewer: Member
    b_admin: Member
    b_caseworker: Member


PASSWORD = "correct horse battery"
_HASH: list[str] = []


def _member(session: Any, org: Any, email: str, role: Role) -> Member:
    if not _HASH:  # hashing is deliberately slow; every test user shares one hash of the same password
        _HASH.append(accounts.hash_password(PASSWORD))
    user = accounts.create_user(session, organisation=org, email=email, display_name=email.split("@")[0],
                                role=role, password_hash=_HASH[0])
    token = accounts.issue_token(session, user=user, name="tests").token
    return Member(accounts.actor_for(user), token, email, PASSWORD)


def make_two_orgs(engine: Engine) -> TwoOrgs:
    with transaction(engine) as session:
        a = accounts.create_organisation(session, slug="agency-a", name="Agency A", kind=OrgKind.UN_AGENCY)
        b = accounts.create_organisation(session, slug="state-b", name="State B asylum office",
                                         kind=OrgKind.STATE_AUTHORITY, country="DEU")
        return TwoOrgs(
            a_admin=_member(session, a, "admin@a.example", Role.ADMIN),
            a_caseworker=_member(session, a, "caseworker@a.example", Role.CASEWORKER),
            a_viewer=_member(session, a, "viewer@a.example", Role.VIEWER),
            b_admin=_member(session, b, "admin@b.example", Role.ADMIN),
            b_caseworker=_member(session, b, "caseworker@b.example", Role.CASEWORKER),
        )


def case_payload(number: str = "C-1", **overrides: Any) -> dict[str, Any]:
    """A valid two-person household, as the API and imports take it."""
    payload: dict[str, Any] = {
        "case_number": number,
        "country_of_asylum": "JOR",
        "origin_country": "SYR",
        "fled_countries": ["SYR"],
        "persons": [
            {"person_ref": "P1", "relationship": "principal", "given_name": "Rania", "family_name": "Haddad",
             "name_original": "رانيا حداد", "name_script": "Arab", "sex": "F", "date_of_birth": "1986-03-14",
             "nationality": "SYR", "languages": ["ara"], "needs": ["single-parent"]},
            {"person_ref": "P2", "relationship": "child", "given_name": "Omar", "family_name": "Haddad",
             "sex": "M", "date_of_birth": "2015", "nationality": "SYR", "languages": ["ara"]},
        ],
    }
    payload.update(overrides)
    return payload


def register(engine: Engine, actor: Actor, number: str = "C-1", **overrides: Any) -> int:
    with transaction(engine) as session:
        case = registry.register_case(session, actor=actor, data=CaseCreate.model_validate(case_payload(number, **overrides)))
        return case.id
