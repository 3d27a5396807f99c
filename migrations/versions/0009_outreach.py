"""outreach: email templates, the outbox of queued and sent messages, and the do-not-contact flag on leads

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 17:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'email_templates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('subject', sa.String(length=500), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_email_templates_created_by_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_email_templates_team_id_teams')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_email_templates')),
    )
    op.create_index('uq_email_templates_team_name', 'email_templates', ['team_id', 'name'], unique=True)
    op.create_table(
        'outbox_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('lead_id', sa.Integer(), nullable=False),
        sa.Column('template_id', sa.Integer(), nullable=True),
        sa.Column('template_name', sa.String(length=200), nullable=True),
        sa.Column('sender_id', sa.Integer(), nullable=False),
        sa.Column('to_addr', sa.String(length=500), nullable=False),
        sa.Column('subject', sa.String(length=500), nullable=False),
        sa.Column('body_text', sa.Text(), nullable=False),
        sa.Column('body_html', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=20), server_default=sa.text("'queued'"), nullable=False),
        sa.Column('message_id', sa.String(length=500), nullable=True),
        sa.Column('smtp_response', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('attempts', sa.Integer(), server_default=sa.text('0'), nullable=False),
        sa.Column('repeat_confirmed', sa.Boolean(), server_default=sa.text('false'), nullable=False),
        sa.CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed')", name=op.f('ck_outbox_messages_status')),
        sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], name=op.f('fk_outbox_messages_lead_id_leads'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['sender_id'], ['users.id'], name=op.f('fk_outbox_messages_sender_id_users')),
        sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_outbox_messages_team_id_teams')),
        sa.ForeignKeyConstraint(['template_id'], ['email_templates.id'], name=op.f('fk_outbox_messages_template_id_email_templates'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages')),
    )
    op.create_index('ix_outbox_messages_status_id', 'outbox_messages', ['status', 'id'])
    op.create_index('ix_outbox_messages_attempted', 'outbox_messages', ['attempted_at'])
    op.create_index('ix_outbox_messages_sender_attempted', 'outbox_messages', ['sender_id', 'attempted_at'])
    op.create_index('ix_outbox_messages_team_sender_created', 'outbox_messages', ['team_id', 'sender_id', 'created_at'])
    op.create_index('ix_outbox_messages_lead_template', 'outbox_messages', ['lead_id', 'template_id', 'created_at'])
    # A plain ADD COLUMN on both engines: a batch rebuild of leads on SQLite would drop its search triggers.
    op.add_column('leads', sa.Column('do_not_contact', sa.Boolean(), server_default=sa.text('false'), nullable=False))


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+): no rebuild of leads, so its search triggers stay.
    op.execute('ALTER TABLE leads DROP COLUMN do_not_contact')
    op.drop_table('outbox_messages')
    op.drop_table('email_templates')
