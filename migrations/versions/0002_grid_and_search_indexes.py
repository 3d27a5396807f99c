"""grid, search and analytics indexes: index-only counts, filtered pages and aggregates, pg_trgm text search

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 12:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Free-text search: one pg_trgm GIN index over name, email and company, lowercased and joined by newlines (which
# a search term never holds, so no match spans two fields). Must equal leadcore.grid.listing.SEARCH_TEXT_SQL, or the
# planner will not use it.
SEARCH_TEXT_SQL = (
    "lower(coalesce(lead_name, '') || chr(10) || coalesce(email, '') || chr(10) || coalesce(company, ''))"
)
# Trailing the grid index's keys so analytics aggregates are index-only scans (key columns, not PostgreSQL's
# INCLUDE, so SQLite can cover them too).
ANALYTICS_COLUMNS = [
    'created_at', 'imported', 'imported_at', 'imported_contact_id', 'imported_company_id', 'owner_id', 'search_query',
]
# SQLite: an FTS5 trigram index of the same three fields, kept in step with leads by triggers. A later migration
# that rebuilds the leads table in batch mode drops these triggers with it and must create them again.
SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE leads_search USING fts5(lead_name, email, company, content='leads', content_rowid='id', "
    "tokenize='trigram')",
    "INSERT INTO leads_search (leads_search) VALUES ('rebuild')",
    "CREATE TRIGGER leads_search_insert AFTER INSERT ON leads BEGIN "
    "INSERT INTO leads_search (rowid, lead_name, email, company) VALUES (new.id, new.lead_name, new.email, new.company); "
    "END",
    "CREATE TRIGGER leads_search_delete AFTER DELETE ON leads BEGIN "
    "INSERT INTO leads_search (leads_search, rowid, lead_name, email, company) "
    "VALUES ('delete', old.id, old.lead_name, old.email, old.company); "
    "END",
    "CREATE TRIGGER leads_search_update AFTER UPDATE OF lead_name, email, company ON leads BEGIN "
    "INSERT INTO leads_search (leads_search, rowid, lead_name, email, company) "
    "VALUES ('delete', old.id, old.lead_name, old.email, old.company); "
    "INSERT INTO leads_search (rowid, lead_name, email, company) VALUES (new.id, new.lead_name, new.email, new.company); "
    "END",
]


def upgrade() -> None:
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.create_index(
            'ix_leads_team_active_status_type_score',
            ['team_id', 'is_active', 'status', 'type', 'lead_score', 'id', *ANALYTICS_COLUMNS],
            unique=False,
        )
    # Rep activity counts events by user and kind: carry both in the (team, created) index.
    with op.batch_alter_table('lead_events', schema=None) as batch_op:
        batch_op.drop_index('ix_lead_events_team_created')
        batch_op.create_index('ix_lead_events_team_created', ['team_id', 'created_at', 'user_id', 'kind'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        # In public, so every schema on the search path (tests use "<schema>,public") finds the operator class.
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public')
        op.execute(f'CREATE INDEX ix_leads_search_trgm ON leads USING gin (({SEARCH_TEXT_SQL}) public.gin_trgm_ops)')
    elif op.get_bind().dialect.name == 'sqlite':
        for statement in SQLITE_SEARCH:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX ix_leads_search_trgm')  # pg_trgm stays: other schemas of the database may use it
    elif op.get_bind().dialect.name == 'sqlite':
        for trigger in ('leads_search_insert', 'leads_search_delete', 'leads_search_update'):
            op.execute(f'DROP TRIGGER {trigger}')
        op.execute('DROP TABLE leads_search')
    with op.batch_alter_table('lead_events', schema=None) as batch_op:
        batch_op.drop_index('ix_lead_events_team_created')
        batch_op.create_index('ix_lead_events_team_created', ['team_id', 'created_at'], unique=False)
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.drop_index('ix_leads_team_active_status_type_score')
