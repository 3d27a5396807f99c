"""bulk batches: every bulk action remembers what it changed on each lead, so it can be undone

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-05 17:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import leadcore.db.coltypes

revision: str = '0011'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'bulk_batches',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('label', sa.String(length=500), nullable=False),
        sa.Column('lead_count', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'),
                  nullable=False),
        sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('undone_by', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_bulk_batches_team_id_teams')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_bulk_batches_user_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['undone_by'], ['users.id'], name=op.f('fk_bulk_batches_undone_by_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_bulk_batches')),
    )
    op.create_index('ix_bulk_batches_team_created', 'bulk_batches', ['team_id', 'created_at'], unique=False)
    op.create_table(
        'bulk_batch_leads',
        sa.Column('batch_id', sa.Integer(), nullable=False),
        sa.Column('lead_id', sa.Integer(), nullable=False),
        sa.Column('before', leadcore.db.coltypes.JSONDoc(), nullable=False),
        sa.Column('after', leadcore.db.coltypes.JSONDoc(), nullable=False),
        sa.ForeignKeyConstraint(['batch_id'], ['bulk_batches.id'], name=op.f('fk_bulk_batch_leads_batch_id_bulk_batches'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], name=op.f('fk_bulk_batch_leads_lead_id_leads'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('batch_id', 'lead_id', name=op.f('pk_bulk_batch_leads')),
    )


def downgrade() -> None:
    op.drop_table('bulk_batch_leads')
    op.drop_index('ix_bulk_batches_team_created', table_name='bulk_batches')
    op.drop_table('bulk_batches')
