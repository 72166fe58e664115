"""Words about persons and households."""

from __future__ import annotations

from enum import StrEnum


class Sex(StrEnum):
    FEMALE = "F"
    MALE = "M"
    OTHER = "X"
    UNKNOWN = "U"


class Relationship(StrEnum):
    """Relationship to the principal applicant of the case."""

    PRINCIPAL = "principal"
    SPOUSE = "spouse"
    CHILD = "child"
    PARENT = "parent"
    SIBLING = "sibling"
    GRANDCHILD = "grandchild"
    GRANDPARENT = "grandparent"
    OTHER_RELATIVE = "other-relative"
    NON_RELATIVE = "non-relative"


class Education(StrEnum):
    NONE = "none"
    PRIMARY = "primary"
    SECONDARY = "secondary"
    VOCATIONAL = "vocational"
    TERTIARY = "tertiary"
    UNKNOWN = "unknown"
