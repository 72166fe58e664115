"""ORM models, one module per concept. Importing this package registers every table on ``Base.metadata``."""

from asylon.db.models.accounts import ApiToken, Organisation, User
from asylon.db.models.agreements import (
    AccessLogEntry,
    Agreement,
    AgreementEvent,
    AgreementParty,
    Consent,
    Notification,
    Thread,
    ThreadMessage,
    WebhookDelivery,
    WebhookSubscription,
)
from asylon.db.models.cases import Case, CaseEvent, ImportBatch, Person, PersonNeed, Situation, UnsafeFlagRow
from asylon.db.models.documents import (
    CredentialRow,
    EventAnchor,
    EventAnchorBatch,
    IssuerKeyringRow,
    LedgerHead,
    LedgerLeaf,
    StatusRegistryRow,
)
from asylon.db.models.pledges import (
    Appeal,
    AppealEvent,
    AppealRequirement,
    PledgeEventRow,
    PledgeParty,
    PledgeRow,
)

__all__ = [
    "AccessLogEntry",
    "Agreement",
    "AgreementEvent",
    "AgreementParty",
    "ApiToken",
    "Appeal",
    "AppealEvent",
    "AppealRequirement",
    "Case",
    "CaseEvent",
    "Consent",
    "CredentialRow",
    "EventAnchor",
    "EventAnchorBatch",
    "ImportBatch",
    "IssuerKeyringRow",
    "LedgerHead",
    "LedgerLeaf",
    "Notification",
    "Organisation",
    "Person",
    "PersonNeed",
    "PledgeEventRow",
    "PledgeParty",
    "PledgeRow",
    "Situation",
    "StatusRegistryRow",
    "Thread",
    "ThreadMessage",
    "UnsafeFlagRow",
    "User",
    "WebhookDelivery",
    "WebhookSubscription",
]
