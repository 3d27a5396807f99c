"""saved import mappings: each team's column mapping and status / type value maps per set of file headers

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 02:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from leadcore.db.coltypes import JSONDoc

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'import_mappings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('header_signature', sa.String(length=64), nullable=False),
        sa.Column('headers', JSONDoc(), nullable=False),
        sa.Column('mapping', JSONDoc(), nullable=False),
        sa.Column('status_map', JSONDoc(), nullable=False),
        sa.Column('type_map', JSONDoc(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'),
                  nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_import_mappings_created_by_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_import_mappings_team_id_teams'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_mappings')),
    )
    op.create_index('uq_import_mappings_team_signature', 'import_mappings', ['team_id', 'header_signature'],
                    unique=True)


def downgrade() -> None:
    op.drop_index('uq_import_mappings_team_signature', table_name='import_mappings')
    op.drop_table('import_mappings')
