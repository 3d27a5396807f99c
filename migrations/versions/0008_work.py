"""work: assignment rules (with their rotation pointer), lead activities, follow-up tasks, saved grid views, time zones

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 16:59:22.434406
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import leadcore.db.coltypes

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('assignment_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('conditions', leadcore.db.coltypes.JSONDoc(), nullable=False),
    sa.Column('strategy', sa.String(length=20), nullable=False),
    sa.Column('assignee_ids', leadcore.db.coltypes.JSONDoc(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('rotation', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.CheckConstraint("strategy IN ('fixed', 'round_robin', 'least_loaded')", name=op.f('ck_assignment_rules_strategy')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_assignment_rules_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment_rules'))
    )
    with op.batch_alter_table('assignment_rules', schema=None) as batch_op:
        batch_op.create_index('ix_assignment_rules_team_position', ['team_id', 'position', 'id'], unique=False)

    op.create_table('saved_views',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('filters', leadcore.db.coltypes.JSONDoc(), nullable=False),
    sa.Column('sort', sa.String(length=200), nullable=True),
    sa.Column('columns', leadcore.db.coltypes.JSONDoc(), nullable=True),
    sa.Column('shared', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_saved_views_owner_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_saved_views_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_views'))
    )
    with op.batch_alter_table('saved_views', schema=None) as batch_op:
        batch_op.create_index('ix_saved_views_team', ['team_id'], unique=False)
        batch_op.create_index('uq_saved_views_owner_name', ['owner_id', 'name'], unique=True)

    op.create_table('work_prefs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('time_zone', sa.String(length=64), server_default=sa.text("'UTC'"), nullable=False),
    sa.Column('quiet_days', sa.Integer(), server_default=sa.text('7'), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_work_prefs_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_prefs')),
    sa.UniqueConstraint('user_id', name=op.f('uq_work_prefs_user_id'))
    )
    op.create_table('lead_activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.String(length=500), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.CheckConstraint("kind IN ('call', 'email', 'meeting', 'other')", name=op.f('ck_lead_activities_kind')),
    sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], name=op.f('fk_lead_activities_lead_id_leads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lead_activities'))
    )
    with op.batch_alter_table('lead_activities', schema=None) as batch_op:
        batch_op.create_index('ix_lead_activities_lead_occurred', ['lead_id', 'occurred_at'], unique=False)
        batch_op.create_index('ix_lead_activities_team_user_occurred', ['team_id', 'user_id', 'occurred_at'], unique=False)

    op.create_table('lead_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('snoozed', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_lead_tasks_assignee_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], name=op.f('fk_lead_tasks_lead_id_leads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lead_tasks'))
    )
    with op.batch_alter_table('lead_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_lead_tasks_lead', ['lead_id'], unique=False)
        batch_op.create_index('ix_lead_tasks_open_assignee_due', ['assignee_id', 'due_at', 'id'], unique=False, sqlite_where=sa.text('done_at IS NULL'), postgresql_where=sa.text('done_at IS NULL'))



def downgrade() -> None:
    with op.batch_alter_table('lead_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_lead_tasks_open_assignee_due', sqlite_where=sa.text('done_at IS NULL'), postgresql_where=sa.text('done_at IS NULL'))
        batch_op.drop_index('ix_lead_tasks_lead')

    op.drop_table('lead_tasks')
    with op.batch_alter_table('lead_activities', schema=None) as batch_op:
        batch_op.drop_index('ix_lead_activities_team_user_occurred')
        batch_op.drop_index('ix_lead_activities_lead_occurred')

    op.drop_table('lead_activities')
    op.drop_table('work_prefs')
    with op.batch_alter_table('saved_views', schema=None) as batch_op:
        batch_op.drop_index('uq_saved_views_owner_name')
        batch_op.drop_index('ix_saved_views_team')

    op.drop_table('saved_views')
    with op.batch_alter_table('assignment_rules', schema=None) as batch_op:
        batch_op.drop_index('ix_assignment_rules_team_position')

    op.drop_table('assignment_rules')
