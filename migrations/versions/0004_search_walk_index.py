"""search walk index: on PostgreSQL the (team, score, id) index covers active leads and carries name, email, company

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 10:00:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A text search walks the team's active leads in score order and tests name, email and company (leadcore.grid.listing.
# _search_page): with these columns in the index that walk reads the index alone, never the (wide) table. Only active
# leads: every grid page but the trash's is of those, and a full scan of the index can then never look cheaper to
# the planner than the trigram index for a search of the whole table. INCLUDE and partial indexes as used here are
# PostgreSQL's; SQLite keeps the plain index (its search runs on the FTS5 index instead).
INCLUDED = ['lead_name', 'email', 'company']


def _recreate(**postgresql: Any) -> None:
    op.drop_index('ix_leads_team_score', table_name='leads')
    op.create_index('ix_leads_team_score', 'leads', ['team_id', 'lead_score', 'id'], unique=False,
                    **{f'postgresql_{k}': v for k, v in postgresql.items()})


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        _recreate(include=INCLUDED, where=sa.text('is_active'))


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        _recreate()
