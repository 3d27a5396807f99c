"""The schema, one module per area; changed only together with an Alembic revision (a test checks they never drift).

`base` holds the declarative base; `core` the first version's tables. A new capability adds its tables in its own
module here and imports it below, so Alembic and `Base.metadata` see every table.
"""

from leadcore.db.models.base import NAMING_CONVENTION, Base, Short, now_column
from leadcore.db.models.batches import BulkBatch, BulkBatchLead, IntakeFill
from leadcore.db.models.core import (
    ANALYTICS_COLUMNS,
    ROLLUP_TABLES,
    UNMODELED_COLUMNS,
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
from leadcore.db.models.duplicates import DuplicatePair, DuplicateScan, LeadMerge
from leadcore.db.models.enrichment import EnrichmentCredit, LeadEnrichment
from leadcore.db.models.imports import ImportMapping
from leadcore.db.models.jobs import JOB_STATES, Job
from leadcore.db.models.outreach import OUTBOX_STATUSES, EmailTemplate, OutboxMessage
from leadcore.db.models.sessions import UserSession
from leadcore.db.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from leadcore.db.models.work import AssignmentRule, LeadActivity, LeadTask, SavedView, WorkPrefs

__all__ = [
    "ANALYTICS_COLUMNS",
    "JOB_STATES",
    "NAMING_CONVENTION",
    "OUTBOX_STATUSES",
    "ROLLUP_TABLES",
    "UNMODELED_COLUMNS",
    "UNMODELED_INDEXES",
    "UNMODELED_TABLE_PREFIX",
    "ApiToken",
    "AssignmentRule",
    "Base",
    "BulkBatch",
    "BulkBatchLead",
    "Company",
    "Contact",
    "DuplicatePair",
    "DuplicateScan",
    "EmailTemplate",
    "EnrichmentCredit",
    "EventRollup",
    "ImportMapping",
    "IntakeFill",
    "Job",
    "Lead",
    "LeadActivity",
    "LeadEnrichment",
    "LeadEvent",
    "LeadMerge",
    "LeadRollup",
    "LeadScoreRollup",
    "LeadSearch",
    "LeadTask",
    "OutboxMessage",
    "SavedView",
    "Short",
    "Team",
    "User",
    "UserSession",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WorkPrefs",
    "now_column",
]
