"""intake fills: what an import or discovery run filled on existing leads, as it was, so undoing the run is exact

Revision ID: 0017
Revises: 0013
Create Date: 2026-12-05 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import leadcore.db.coltypes

revision: str = '0017'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'intake_fills',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('search_id', sa.Integer(), nullable=False),
        sa.Column('lead_id', sa.Integer(), nullable=False),
        sa.Column('before', leadcore.db.coltypes.JSONDoc(), nullable=False),
        sa.ForeignKeyConstraint(['search_id'], ['lead_searches.id'],
                                name=op.f('fk_intake_fills_search_id_lead_searches'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], name=op.f('fk_intake_fills_lead_id_leads'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_intake_fills')),
    )
    op.create_index('ix_intake_fills_search_lead', 'intake_fills', ['search_id', 'lead_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_intake_fills_search_lead', table_name='intake_fills')
    op.drop_table('intake_fills')
