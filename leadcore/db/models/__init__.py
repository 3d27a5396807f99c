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
from leadcore.db.models.work import AssignmentRule, LeadActivity, LeadTask, SavedView, WorkPrefs

__all__ = [
    "ANALYTICS_COLUMNS",
    "NAMING_CONVENTION",
    "ROLLUP_TABLES",
    "UNMODELED_INDEXES",
    "UNMODELED_TABLE_PREFIX",
    "ApiToken",
    "AssignmentRule",
    "Base",
    "Company",
    "Contact",
    "EventRollup",
    "Lead",
    "LeadActivity",
    "LeadEvent",
    "LeadRollup",
    "LeadScoreRollup",
    "LeadSearch",
    "LeadTask",
    "SavedView",
    "Short",
    "Team",
    "User",
    "WorkPrefs",
    "now_column",
]
