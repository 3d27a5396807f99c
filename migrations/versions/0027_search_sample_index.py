"""a common search's "about N" reads a fixed sample of leads from an index: one lead in 16 by a hash of its id,
filed by team and by that hash, with its search text and the columns the grid filters on (PostgreSQL; SQLite
counts its searches)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 03:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0027'
down_revision: str | None = '0026'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written as leadcore.grid.search.SAMPLED and SAMPLE_ORDER write them: the planner only uses a partial index whose
# condition the query states with the same literals. A sixteenth of the leads: one index entry per 16 inserts. It
# holds the search text and every column a grid filter tests (search.SAMPLE_COLUMNS), so the sample is an
# index-only scan whatever the filters; and the id, without which PostgreSQL cannot read hashint8(id) from it.
COLUMNS = ['id', 'search_text', 'is_active', 'status', 'type', 'owner_id', 'tags', 'lead_score', 'created_at',
           'imported', 'search_id', 'search_query']
SAMPLE_INDEX = (f'CREATE INDEX ix_leads_search_sample ON leads (team_id, hashint8(id)) INCLUDE ({", ".join(COLUMNS)}) '
                'WHERE is_active AND hashint8(id) % 16 = 0')


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(SAMPLE_INDEX)


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('DROP INDEX ix_leads_search_sample')
