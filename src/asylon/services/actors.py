"""Who is acting: a user of an organisation with a role."""

from __future__ import annotations

from dataclasses import dataclass

from asylon.domain.organisations import Role, role_allows
from asylon.errors import PermissionDenied


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int | None
    organisation_id: int
    organisation_slug: str
    role: Role
    name: str = ""

    def require(self, needed: Role, action: str) -> None:
        if not role_allows(self.role, needed):
            raise PermissionDenied(f"{action} needs the role '{needed}' or higher; you are '{self.role}'")
