"""My work: a rep's untouched NEW leads, oldest first, read from an index in that order

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 21:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # "My new leads not yet touched" filtered the owner's leads through (team_id, owner_id) and sorted every NEW
    # one: 230 ms for a rep owning 300,000 leads. With this index it reads the first 50 in order.
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.create_index('ix_leads_team_owner_status_created', ['team_id', 'owner_id', 'status', 'created_at',
                                                                      'id'], unique=False,
                              sqlite_where=sa.text('is_active'), postgresql_where=sa.text('is_active'))


def downgrade() -> None:
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.drop_index('ix_leads_team_owner_status_created', sqlite_where=sa.text('is_active'),
                            postgresql_where=sa.text('is_active'))
