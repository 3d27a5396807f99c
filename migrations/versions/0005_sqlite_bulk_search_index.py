"""sqlite bulk search index: a batch of new leads enters the FTS5 index in one statement, not one trigger per row

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 20:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite only. Indexing new leads one trigger call at a time cost a batch of 500 about four times what one
# INSERT … SELECT of the same rows costs. The matcher's bulk insert now names its id range in leads_search_bulk
# (inside its own transaction, emptied again before it commits), the insert trigger skips the rows of that range,
# and the matcher indexes them in one statement (leadcore.intake.matcher._insert_sqlite). Every other insert — another
# tool, an ORM add — is still indexed by the trigger, as before.
COLUMNS = 'lead_name, email, company'
INSERT_ONE = (
    f"INSERT INTO leads_search (rowid, {COLUMNS}) VALUES (new.id, new.lead_name, new.email, new.company); "
)


def upgrade() -> None:
    if op.get_bind().dialect.name != 'sqlite':
        return
    op.execute('CREATE TABLE leads_search_bulk (first_id INTEGER NOT NULL, last_id INTEGER NOT NULL)')
    op.execute('DROP TRIGGER leads_search_insert')
    op.execute(
        'CREATE TRIGGER leads_search_insert AFTER INSERT ON leads '
        'WHEN NOT EXISTS (SELECT 1 FROM leads_search_bulk WHERE new.id BETWEEN first_id AND last_id) '
        f'BEGIN {INSERT_ONE}END'
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != 'sqlite':
        return
    op.execute('DROP TRIGGER leads_search_insert')
    op.execute(f'CREATE TRIGGER leads_search_insert AFTER INSERT ON leads BEGIN {INSERT_ONE}END')
    op.execute('DROP TABLE leads_search_bulk')
