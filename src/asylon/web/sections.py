"""The workspace's sections, in navigation order. Later capabilities (placement, fair share and pledges,
linkage review, credentials, agreements) add theirs with :func:`add_section` when they are installed, and
the navigation, page titles and layout take them in without other changes."""

from __future__ import annotations

from dataclasses import dataclass

from asylon.domain.organisations import Role, role_allows
from asylon.web.i18n import N_
from asylon.web.sessions import Visit


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    label: str  # marked with N_, translated when shown
    href: str
    needs: Role = Role.VIEWER


SECTIONS: list[Section] = [
    Section("dashboard", N_("Overview"), "/"),
    Section("cases", N_("Cases"), "/cases"),
    Section("register", N_("Register"), "/cases/new", Role.CASEWORKER),
    Section("import", N_("Import"), "/import", Role.CASEWORKER),
    Section("countries", N_("Countries"), "/countries"),
]


def add_section(section: Section, *, after: str | None = None) -> None:
    """Put a section in the navigation (after the one keyed ``after``, else at the end); idempotent."""
    if any(s.key == section.key for s in SECTIONS):
        return
    keys = [s.key for s in SECTIONS]
    SECTIONS.insert(keys.index(after) + 1 if after in keys else len(SECTIONS), section)


def sections_for(visit: Visit) -> list[Section]:
    actor = visit.actor
    if actor is None:
        return []
    return [s for s in SECTIONS if role_allows(actor.role, s.needs)]
