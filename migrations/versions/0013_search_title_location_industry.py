"""search covers job title, location and industry: the trigram index (PostgreSQL), the walk index's included
columns and the FTS5 table (SQLite) take the three fields beside name, email and company

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 17:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_FIELDS = ['lead_name', 'email', 'company']
NEW_FIELDS = ['lead_name', 'email', 'company', 'job_title', 'location', 'industry']


def search_text_sql(fields: list[str]) -> str:
    """Must equal leadcore.grid.listing.SEARCH_TEXT_SQL for the fields searched, or the planner ignores the index."""
    return "lower(" + " || chr(10) || ".join(f"coalesce({f}, '')" for f in fields) + ")"


def _postgresql(fields: list[str]) -> None:
    op.execute('DROP INDEX ix_leads_search_trgm')
    op.execute(f'CREATE INDEX ix_leads_search_trgm ON leads USING gin (({search_text_sql(fields)}) public.gin_trgm_ops)')
    op.drop_index('ix_leads_team_score', table_name='leads')
    op.create_index('ix_leads_team_score', 'leads', ['team_id', 'lead_score', 'id'], unique=False,
                    postgresql_include=fields, postgresql_where=sa.text('is_active'))


def _sqlite(fields: list[str]) -> None:
    for trigger in ('leads_search_insert', 'leads_search_delete', 'leads_search_update'):
        op.execute(f'DROP TRIGGER IF EXISTS {trigger}')
    op.execute('DROP TABLE leads_search')
    names = ', '.join(fields)
    new = ', '.join(f'new.{f}' for f in fields)
    old = ', '.join(f'old.{f}' for f in fields)
    insert_new = f"INSERT INTO leads_search (rowid, {names}) VALUES (new.id, {new}); "
    delete_old = f"INSERT INTO leads_search (leads_search, rowid, {names}) VALUES ('delete', old.id, {old}); "
    op.execute(f"CREATE VIRTUAL TABLE leads_search USING fts5({names}, content='leads', content_rowid='id', "
               "tokenize='trigram')")
    op.execute("INSERT INTO leads_search (leads_search) VALUES ('rebuild')")
    # the bulk-insert exception of migration 0005: the matcher indexes its own batches in one statement
    op.execute('CREATE TRIGGER leads_search_insert AFTER INSERT ON leads '
               'WHEN NOT EXISTS (SELECT 1 FROM leads_search_bulk WHERE new.id BETWEEN first_id AND last_id) '
               f'BEGIN {insert_new}END')
    op.execute(f'CREATE TRIGGER leads_search_delete AFTER DELETE ON leads BEGIN {delete_old}END')
    op.execute(f'CREATE TRIGGER leads_search_update AFTER UPDATE OF {names} ON leads BEGIN {delete_old}{insert_new}END')


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        _postgresql(NEW_FIELDS)
    elif dialect == 'sqlite':
        _sqlite(NEW_FIELDS)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        _postgresql(OLD_FIELDS)
    elif dialect == 'sqlite':
        _sqlite(OLD_FIELDS)
