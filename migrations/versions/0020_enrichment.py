"""enrichment: where each filled field came from (lead_enrichments) and each team's credit spend per month
(enrichment_credits)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 23:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'lead_enrichments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('lead_id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('field', sa.String(length=40), nullable=False),
        sa.Column('provider', sa.String(length=40), nullable=False),
        sa.Column('value', sa.String(length=500), nullable=True),
        sa.Column('confidence', sa.Float(), nullable=True),
        sa.Column('enriched_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], name=op.f('fk_lead_enrichments_lead_id_leads'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lead_enrichments')),
    )
    op.create_index('ix_lead_enrichments_lead_field', 'lead_enrichments', ['lead_id', 'field', 'provider'],
                    unique=False)
    op.create_index(op.f('ix_lead_enrichments_team_id'), 'lead_enrichments', ['team_id'], unique=False)
    op.create_table(
        'enrichment_credits',
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('spent', sa.Integer(), server_default=sa.text('0'), nullable=False),
        sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_enrichment_credits_team_id_teams'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('team_id', 'month', name=op.f('pk_enrichment_credits')),
    )


def downgrade() -> None:
    op.drop_table('enrichment_credits')
    op.drop_index(op.f('ix_lead_enrichments_team_id'), table_name='lead_enrichments')
    op.drop_index('ix_lead_enrichments_lead_field', table_name='lead_enrichments')
    op.drop_table('lead_enrichments')
