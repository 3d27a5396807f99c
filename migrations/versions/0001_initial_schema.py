"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-26 11:21:56.474006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import leadcore.db.coltypes


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teams')),
    sa.UniqueConstraint('name', name=op.f('uq_teams_name'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=500), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('(true)'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role IN ('rep', 'manager', 'admin')", name=op.f('ck_users_role')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_users_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_team_id'), ['team_id'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('token_hash', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('companies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('domain', sa.String(length=500), nullable=True),
    sa.Column('website', sa.String(length=500), nullable=True),
    sa.Column('linkedin_url', sa.String(length=500), nullable=True),
    sa.Column('industry', sa.String(length=500), nullable=True),
    sa.Column('headquarters', sa.String(length=500), nullable=True),
    sa.Column('phone', sa.String(length=500), nullable=True),
    sa.Column('source_lead_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_companies_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_companies_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_companies'))
    )
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.create_index('ix_companies_team_name', ['team_id', 'name'], unique=False)
        batch_op.create_index('uq_companies_team_domain', ['team_id', 'domain'], unique=True)

    op.create_table('lead_searches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('provider', sa.String(length=200), nullable=False),
    sa.Column('query', sa.String(length=500), nullable=True),
    sa.Column('mode', sa.String(length=20), nullable=True),
    sa.Column('location', sa.String(length=500), nullable=True),
    sa.Column('industry', sa.String(length=500), nullable=True),
    sa.Column('tech_stack', sa.String(length=500), nullable=True),
    sa.Column('requested', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('returned', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('saved', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('duplicates', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('invalid', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('outcome', sa.String(length=20), server_default=sa.text("'running'"), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("outcome IN ('running', 'ok', 'partial', 'failed')", name=op.f('ck_lead_searches_outcome')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_lead_searches_team_id_teams')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lead_searches_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lead_searches'))
    )
    with op.batch_alter_table('lead_searches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lead_searches_team_id_started_at'), ['team_id', 'started_at'], unique=False)

    op.create_table('contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=True),
    sa.Column('email', sa.String(length=500), nullable=True),
    sa.Column('phone', sa.String(length=500), nullable=True),
    sa.Column('job_title', sa.String(length=500), nullable=True),
    sa.Column('location', sa.String(length=500), nullable=True),
    sa.Column('linkedin_url', sa.String(length=500), nullable=True),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('source_lead_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_contacts_company_id_companies'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_contacts_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_contacts_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts'))
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacts_team_id'), ['team_id'], unique=False)
        batch_op.create_index('uq_contacts_source_lead_id', ['source_lead_id'], unique=True)

    op.create_table('leads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=20), server_default=sa.text("'INDIVIDUAL'"), nullable=False),
    sa.Column('status', sa.String(length=20), server_default=sa.text("'NEW'"), nullable=False),
    sa.Column('lead_name', sa.String(length=500), nullable=True),
    sa.Column('email', sa.String(length=500), nullable=True),
    sa.Column('phone', sa.String(length=500), nullable=True),
    sa.Column('job_title', sa.String(length=500), nullable=True),
    sa.Column('company', sa.String(length=500), nullable=True),
    sa.Column('location', sa.String(length=500), nullable=True),
    sa.Column('headquarters', sa.String(length=500), nullable=True),
    sa.Column('industry', sa.String(length=500), nullable=True),
    sa.Column('website', sa.String(length=500), nullable=True),
    sa.Column('linkedin_url', sa.String(length=500), nullable=True),
    sa.Column('lead_score', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('score_breakdown', leadcore.db.coltypes.JSONDoc(), nullable=True),
    sa.Column('search_query', sa.String(length=500), nullable=True),
    sa.Column('search_mode', sa.String(length=20), nullable=True),
    sa.Column('search_location', sa.String(length=500), nullable=True),
    sa.Column('search_industry', sa.String(length=500), nullable=True),
    sa.Column('search_tech_stack', sa.String(length=500), nullable=True),
    sa.Column('search_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=200), server_default=sa.text("'manual'"), nullable=False),
    sa.Column('raw_data', leadcore.db.coltypes.JSONDoc(), nullable=True),
    sa.Column('imported', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('imported_contact_id', sa.Integer(), nullable=True),
    sa.Column('imported_company_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('tags', leadcore.db.coltypes.TagList(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('(true)'), nullable=False),
    sa.Column('duplicate_count', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('email_norm', sa.String(length=500), nullable=True),
    sa.Column('linkedin_norm', sa.String(length=500), nullable=True),
    sa.Column('domain', sa.String(length=500), nullable=True),
    sa.Column('phone_norm', sa.String(length=40), nullable=True),
    sa.Column('name_key', sa.String(length=1100), nullable=True),
    sa.CheckConstraint("status IN ('NEW', 'CONTACTED', 'QUALIFIED', 'IMPORTED', 'REJECTED', 'ARCHIVED')", name=op.f('ck_leads_status')),
    sa.CheckConstraint("type IN ('INDIVIDUAL', 'COMPANY')", name=op.f('ck_leads_type')),
    sa.CheckConstraint('lead_score BETWEEN 0 AND 100', name=op.f('ck_leads_lead_score')),
    sa.ForeignKeyConstraint(['imported_company_id'], ['companies.id'], name=op.f('fk_leads_imported_company_id_companies'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['imported_contact_id'], ['contacts.id'], name=op.f('fk_leads_imported_contact_id_contacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_leads_owner_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['search_id'], ['lead_searches.id'], name=op.f('fk_leads_search_id_lead_searches'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_leads_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leads'))
    )
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.create_index('ix_leads_team_company', ['team_id', 'company'], unique=False)
        batch_op.create_index('ix_leads_team_created', ['team_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_leads_team_domain', ['team_id', 'domain'], unique=False)
        batch_op.create_index('ix_leads_team_name_key', ['team_id', 'name_key'], unique=False)
        batch_op.create_index('ix_leads_team_owner', ['team_id', 'owner_id'], unique=False)
        batch_op.create_index('ix_leads_team_score', ['team_id', 'lead_score', 'id'], unique=False)
        batch_op.create_index('ix_leads_team_search', ['team_id', 'search_id'], unique=False)
        batch_op.create_index('ix_leads_team_status', ['team_id', 'status'], unique=False)
        batch_op.create_index('uq_leads_team_company_domain', ['team_id', 'domain'], unique=True, sqlite_where=sa.text("type = 'COMPANY'"), postgresql_where=sa.text("type = 'COMPANY'"))
        batch_op.create_index('uq_leads_team_email_norm', ['team_id', 'email_norm'], unique=True)
        batch_op.create_index('uq_leads_team_linkedin_norm', ['team_id', 'linkedin_norm'], unique=True)
        batch_op.create_index('uq_leads_team_weak_name_key', ['team_id', 'name_key'], unique=True, sqlite_where=sa.text("email_norm IS NULL AND linkedin_norm IS NULL AND (type = 'INDIVIDUAL' OR domain IS NULL)"), postgresql_where=sa.text("email_norm IS NULL AND linkedin_norm IS NULL AND (type = 'INDIVIDUAL' OR domain IS NULL)"))

    op.create_table('lead_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('search_id', sa.Integer(), nullable=True),
    sa.Column('data', leadcore.db.coltypes.JSONDoc(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], name=op.f('fk_lead_events_lead_id_leads'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['search_id'], ['lead_searches.id'], name=op.f('fk_lead_events_search_id_lead_searches'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_lead_events_team_id_teams')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lead_events_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lead_events'))
    )
    with op.batch_alter_table('lead_events', schema=None) as batch_op:
        batch_op.create_index('ix_lead_events_lead_created', ['lead_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_lead_events_team_created', ['team_id', 'created_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('lead_events', schema=None) as batch_op:
        batch_op.drop_index('ix_lead_events_team_created')
        batch_op.drop_index('ix_lead_events_lead_created')

    op.drop_table('lead_events')
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.drop_index('uq_leads_team_weak_name_key', sqlite_where=sa.text("email_norm IS NULL AND linkedin_norm IS NULL AND (type = 'INDIVIDUAL' OR domain IS NULL)"), postgresql_where=sa.text("email_norm IS NULL AND linkedin_norm IS NULL AND (type = 'INDIVIDUAL' OR domain IS NULL)"))
        batch_op.drop_index('uq_leads_team_linkedin_norm')
        batch_op.drop_index('uq_leads_team_email_norm')
        batch_op.drop_index('uq_leads_team_company_domain', sqlite_where=sa.text("type = 'COMPANY'"), postgresql_where=sa.text("type = 'COMPANY'"))
        batch_op.drop_index('ix_leads_team_status')
        batch_op.drop_index('ix_leads_team_search')
        batch_op.drop_index('ix_leads_team_score')
        batch_op.drop_index('ix_leads_team_owner')
        batch_op.drop_index('ix_leads_team_name_key')
        batch_op.drop_index('ix_leads_team_domain')
        batch_op.drop_index('ix_leads_team_created')
        batch_op.drop_index('ix_leads_team_company')

    op.drop_table('leads')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index('uq_contacts_source_lead_id')
        batch_op.drop_index(batch_op.f('ix_contacts_team_id'))

    op.drop_table('contacts')
    with op.batch_alter_table('lead_searches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lead_searches_team_id_started_at'))

    op.drop_table('lead_searches')
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.drop_index('uq_companies_team_domain')
        batch_op.drop_index('ix_companies_team_name')

    op.drop_table('companies')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_team_id'))

    op.drop_table('users')
    op.drop_table('teams')
