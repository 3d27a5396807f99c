"""duplicates: candidate pairs of the duplicate scan, merges (undoable) and scan runs

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import leadcore.db.coltypes

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('duplicate_scans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('max_lead_id', sa.Integer(), nullable=False),
    sa.Column('incremental', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('leads', sa.Integer(), nullable=False),
    sa.Column('pairs', sa.Integer(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_duplicate_scans_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duplicate_scans'))
    )
    with op.batch_alter_table('duplicate_scans', schema=None) as batch_op:
        batch_op.create_index('ix_duplicate_scans_team_id', ['team_id', 'id'], unique=False)

    op.create_table('duplicate_pairs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('lead_a', sa.Integer(), nullable=False),
    sa.Column('lead_b', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('reasons', leadcore.db.coltypes.JSONDoc(), nullable=True),
    sa.Column('status', sa.String(length=20), server_default=sa.text("'open'"), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("status IN ('open', 'dismissed', 'merged')", name=op.f('ck_duplicate_pairs_status')),
    sa.CheckConstraint('lead_a < lead_b', name=op.f('ck_duplicate_pairs_ordered')),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_duplicate_pairs_decided_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['lead_a'], ['leads.id'], name=op.f('fk_duplicate_pairs_lead_a_leads'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lead_b'], ['leads.id'], name=op.f('fk_duplicate_pairs_lead_b_leads'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_duplicate_pairs_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duplicate_pairs'))
    )
    with op.batch_alter_table('duplicate_pairs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duplicate_pairs_lead_b'), ['lead_b'], unique=False)
        batch_op.create_index('ix_duplicate_pairs_team_status_score', ['team_id', 'status', 'score'], unique=False)
        batch_op.create_index('uq_duplicate_pairs_team_a_b', ['team_id', 'lead_a', 'lead_b'], unique=True)

    op.create_table('lead_merges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('kept_id', sa.Integer(), nullable=False),
    sa.Column('other_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('before', leadcore.db.coltypes.JSONDoc(), nullable=False),
    sa.Column('after', leadcore.db.coltypes.JSONDoc(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['kept_id'], ['leads.id'], name=op.f('fk_lead_merges_kept_id_leads'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['other_id'], ['leads.id'], name=op.f('fk_lead_merges_other_id_leads'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_lead_merges_team_id_teams')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lead_merges_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lead_merges'))
    )
    with op.batch_alter_table('lead_merges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lead_merges_kept_id'), ['kept_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_merges_other_id'), ['other_id'], unique=False)
        batch_op.create_index('ix_lead_merges_team_created', ['team_id', 'created_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('lead_merges', schema=None) as batch_op:
        batch_op.drop_index('ix_lead_merges_team_created')
        batch_op.drop_index(batch_op.f('ix_lead_merges_other_id'))
        batch_op.drop_index(batch_op.f('ix_lead_merges_kept_id'))

    op.drop_table('lead_merges')
    with op.batch_alter_table('duplicate_pairs', schema=None) as batch_op:
        batch_op.drop_index('uq_duplicate_pairs_team_a_b')
        batch_op.drop_index('ix_duplicate_pairs_team_status_score')
        batch_op.drop_index(batch_op.f('ix_duplicate_pairs_lead_b'))

    op.drop_table('duplicate_pairs')
    with op.batch_alter_table('duplicate_scans', schema=None) as batch_op:
        batch_op.drop_index('ix_duplicate_scans_team_id')

    op.drop_table('duplicate_scans')
