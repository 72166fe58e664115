"""Organisations and what their users may do."""

from __future__ import annotations

from enum import StrEnum


class OrgKind(StrEnum):
    STATE_AUTHORITY = "state-authority"
    UN_AGENCY = "un-agency"
    NGO = "ngo"
    DONOR = "donor"
    PRIVATE_SECTOR = "private-sector"
    LOCAL_AUTHORITY = "local-authority"


class Role(StrEnum):
    """Roles, each including what the ones below it may do."""

    VIEWER = "viewer"
    ANALYST = "analyst"
    CASEWORKER = "caseworker"
    ADMIN = "admin"


ROLE_RANK: dict[Role, int] = {Role.VIEWER: 0, Role.ANALYST: 1, Role.CASEWORKER: 2, Role.ADMIN: 3}


def role_allows(role: Role, needed: Role) -> bool:
    return ROLE_RANK[role] >= ROLE_RANK[needed]
