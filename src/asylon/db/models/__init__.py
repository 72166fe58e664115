"""ORM models, one module per concept. Importing this package registers every table on ``Base.metadata``."""

from asylon.db.models.accounts import ApiToken, Organisation, User
from asylon.db.models.cases import Case, CaseEvent, ImportBatch, Person, PersonNeed, Situation, UnsafeFlagRow

__all__ = [
    "ApiToken",
    "Case",
    "CaseEvent",
    "ImportBatch",
    "Organisation",
    "Person",
    "PersonNeed",
    "Situation",
    "UnsafeFlagRow",
    "User",
]
