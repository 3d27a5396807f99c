"""The schema, one module per area; changed only together with an Alembic revision (a test checks they never drift).

`base` holds the declarative base; `core` the first version's tables. A new capability adds its tables in its own
module here and imports it below, so Alembic and `Base.metadata` see every table.
"""

from leadcore.db.models.base import NAMING_CONVENTION, Base, Short, now_column
from leadcore.db.models.core import (
    ANALYTICS_COLUMNS,
    ROLLUP_TABLES,
    UNMODELED_INDEXES,
    UNMODELED_TABLE_PREFIX,
    ApiToken,
    Company,
    Contact,
    EventRollup,
    Lead,
    LeadEvent,
    LeadRollup,
    LeadScoreRollup,
    LeadSearch,
    Team,
    User,
)
from leadcore.db.models.outreach import OUTBOX_STATUSES, EmailTemplate, OutboxMessage

__all__ = [
    "ANALYTICS_COLUMNS",
    "NAMING_CONVENTION",
    "OUTBOX_STATUSES",
    "ROLLUP_TABLES",
    "UNMODELED_INDEXES",
    "UNMODELED_TABLE_PREFIX",
    "ApiToken",
    "Base",
    "Company",
    "Contact",
    "EmailTemplate",
    "EventRollup",
    "Lead",
    "LeadEvent",
    "LeadRollup",
    "LeadScoreRollup",
    "LeadSearch",
    "OutboxMessage",
    "Short",
    "Team",
    "User",
    "now_column",
]
