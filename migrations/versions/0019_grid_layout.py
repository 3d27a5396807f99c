"""each user's grid layout: which columns the leads grid shows, in which order, and which stay pinned

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-05 20:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from leadcore.db.coltypes import JSONDoc

revision: str = '0019'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('work_prefs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('grid_layout', JSONDoc(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('work_prefs', schema=None) as batch_op:
        batch_op.drop_column('grid_layout')
