"""Legal status of a case: the refugee status determination (RSD) lifecycle.

``asylum-seeker`` is where every registered case starts. ``refugee`` is recognition (under the 1951
Convention, a regional instrument or a mandate); ``complementary-protection`` covers subsidiary and
humanitarian protection. A ``rejected`` decision can be appealed (``appeal``), after which the case is
decided again. ``closed`` is final (departure, naturalisation, death, or inactivity); a closed file is
reopened by registering the reopening as a new case linked to the old one.
"""

from __future__ import annotations

from enum import StrEnum

from asylon.domain.statemachine import StateMachine


class LegalStatus(StrEnum):
    ASYLUM_SEEKER = "asylum-seeker"
    REFUGEE = "refugee"
    COMPLEMENTARY_PROTECTION = "complementary-protection"
    REJECTED = "rejected"
    APPEAL = "appeal"
    STATELESS = "stateless"
    CLOSED = "closed"


S = LegalStatus
STATUS_MACHINE = StateMachine(
    "legal_status",
    S.ASYLUM_SEEKER,
    {
        S.ASYLUM_SEEKER: {S.REFUGEE, S.COMPLEMENTARY_PROTECTION, S.REJECTED, S.STATELESS, S.CLOSED},
        S.REJECTED: {S.APPEAL, S.CLOSED},
        S.APPEAL: {S.REFUGEE, S.COMPLEMENTARY_PROTECTION, S.REJECTED, S.CLOSED},
        S.REFUGEE: {S.CLOSED},
        S.COMPLEMENTARY_PROTECTION: {S.REFUGEE, S.CLOSED},
        S.STATELESS: {S.REFUGEE, S.COMPLEMENTARY_PROTECTION, S.CLOSED},
        S.CLOSED: set(),
    },
)
