"""background jobs: the jobs table (the queue's source of truth) and a search run's live progress (pages done,
cancel request)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 20:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'jobs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=100), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=True),
        sa.Column('ref', sa.String(length=200), nullable=True),
        sa.Column('payload', sa.JSON(), nullable=True),
        sa.Column('unique_key', sa.String(length=200), nullable=True),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('max_attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('run_after', sa.DateTime(timezone=True), nullable=False),
        sa.Column('enqueued_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'),
                  nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')",
                           name=op.f('ck_jobs_state')),
        sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_jobs_team_id_teams'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs')),
    )
    op.create_index('ix_jobs_state_run_after', 'jobs', ['state', 'run_after'], unique=False)
    op.create_index('ix_jobs_team_kind_ref', 'jobs', ['team_id', 'kind', 'ref'], unique=False)
    op.create_index('uq_jobs_unique_key', 'jobs', ['unique_key'], unique=True)
    with op.batch_alter_table('lead_searches', recreate='never') as batch:
        batch.add_column(sa.Column('pages', sa.Integer(), server_default=sa.text('0'), nullable=False))
        batch.add_column(sa.Column('cancel_requested_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('lead_searches', recreate='never') as batch:
        batch.drop_column('cancel_requested_at')
        batch.drop_column('pages')
    op.drop_table('jobs')
