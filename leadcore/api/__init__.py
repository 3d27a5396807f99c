"""The REST API over leadcore (SPEC §9): ``uvicorn leadcore.api:app``.

The same services and permissions as the UI, spoken in the original system's camelCase. Every endpoint is a sync
``def`` (leadcore is synchronous; FastAPI runs them in its thread pool). See docs/api.md for a walk-through.
"""

from __future__ import annotations

from fastapi import FastAPI

from leadcore.api import errors
from leadcore.api.routes import analytics, bulk, directory, discovery, duplicates, leads, outreach, webhooks, work
from leadcore.db.runtime import Database

__all__ = ["app", "create_app"]

DESCRIPTION = """\
Leads over HTTP: discovery, the grid, edits with optimistic concurrency, bulk actions, import, timeline,
search history, analytics and CSV export.

**Auth**: every call needs `Authorization: Bearer <token>`; get a token with
`python -m leadcore create-token --email you@example.com`. A token acts as its user, with that user's role
and team: another team's leads answer 404, changes a rep may not make answer 403.

**Errors** are JSON: `{"error": {"code", "message", "field"}}` (422s also list `details`).

**Updates** need the version you read: `If-Match: "3"` (the ETag of GET /api/leads/{id}) or `"version": 3` in the
body. A stale version answers 409 with the lead as it is now in `current`; nothing is written.
"""

TAGS = [
    {"name": "leads", "description": "The team's leads: list, read, change, delete, import, notes, export."},
    {"name": "discovery", "description": "Find new leads through a provider; the search history."},
    {"name": "analytics", "description": "Where good leads come from."},
    {"name": "contacts", "description": "Contacts and companies: what imported leads became."},
    {"name": "duplicates", "description": "Near-duplicate review: pairs, dismiss, merge, unmerge, undo an import."},
    {"name": "work", "description": "Assignment rules, activities, follow-up tasks and saved views."},
    {"name": "email", "description": "Outreach email: templates with merge fields, sending one lead or many."},
    {"name": "webhooks", "description": "Signed webhooks: endpoints, their delivery log, a test request."},
]


def create_app(database: Database | None = None) -> FastAPI:
    """The API app over ``database`` (tests pass theirs); by default the configured database, opened and
    migrated on the first request."""
    app = FastAPI(title="Leads workspace API", version="1.0.0", description=DESCRIPTION, openapi_tags=TAGS)
    app.state.database = database
    errors.install(app)
    # fixed paths such as /api/leads/discover before /api/leads/{id}
    for module in (discovery, bulk, analytics, directory, duplicates, work, outreach, webhooks, leads):
        app.include_router(module.router)
    return app


app = create_app()
