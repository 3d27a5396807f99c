"""user sessions: a signed-in browser stays signed in across reloads and new tabs (an HttpOnly cookie)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 17:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'user_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=True),
        sa.Column('handoff_hash', sa.String(length=64), nullable=True),
        sa.Column('handoff_expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('stay_signed_in', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'),
                  nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('end_reason', sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    )
    op.create_index('uq_user_sessions_token_hash', 'user_sessions', ['token_hash'], unique=True)
    op.create_index('uq_user_sessions_handoff_hash', 'user_sessions', ['handoff_hash'], unique=True)
    op.create_index('ix_user_sessions_user', 'user_sessions', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_table('user_sessions')
