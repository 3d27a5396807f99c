"""SQLite uses the partial indexes on active leads: their conditions read "is_active = 1" and "imported = 1", the
way SQLAlchemy writes those filters there (SQLite only uses a partial index whose condition appears as such in the
query, and a bare "is_active" is not "is_active = 1" to it); PostgreSQL's are unchanged

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0026'
down_revision: str | None = '0025'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# name: (columns, condition before, condition after)
INDEXES = {
    'ix_leads_team_owner_status_created': (['team_id', 'owner_id', 'status', 'created_at', 'id'],
                                           'is_active', 'is_active = 1'),
    'ix_leads_team_owner_last_touch': (['team_id', 'owner_id', 'last_touch_at', 'id'],
                                       'is_active AND last_touch_at IS NOT NULL',
                                       'is_active = 1 AND last_touch_at IS NOT NULL'),
    'ix_leads_team_imported': (['team_id', 'is_active'], 'imported', 'imported = 1'),
}


def _recreate(after: bool) -> None:
    if op.get_bind().dialect.name != 'sqlite':
        return
    for name, (columns, before, then) in INDEXES.items():
        op.drop_index(name, table_name='leads')
        op.create_index(name, 'leads', columns, unique=False, sqlite_where=sa.text(then if after else before))


def upgrade() -> None:
    _recreate(after=True)


def downgrade() -> None:
    _recreate(after=False)
