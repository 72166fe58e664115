"""ORM models, one module per concept. Importing this package registers every table on ``Base.metadata``."""

from asylon.db.models.accounts import ApiToken, Organisation, User
from asylon.db.models.cases import Case, CaseEvent, ImportBatch, Person, PersonNeed, Situation, UnsafeFlagRow
from asylon.db.models.pledges import Appeal, AppealEvent, AppealRequirement, PledgeEventRow, PledgeParty, PledgeRow

__all__ = [
    "ApiToken",
    "Appeal",
    "AppealEvent",
    "AppealRequirement",
    "Case",
    "CaseEvent",
    "ImportBatch",
    "Organisation",
    "Person",
    "PersonNeed",
    "PledgeEventRow",
    "PledgeParty",
    "PledgeRow",
    "Situation",
    "UnsafeFlagRow",
    "User",
]
