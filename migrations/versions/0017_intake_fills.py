"""intake fills: what an import or discovery run filled on existing leads, as it was, so undoing the run is exact

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import leadcore.db.coltypes

revision: str = '0017'
down_revision: str | None = '0016'
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
    _key_the_keyless()


def _key_the_keyless() -> None:
    """Give the active people that have no key at all their fallback key (leadcore.intake.dedupe.fallback_name_key),
    so the next import of the same rows finds them. Where earlier imports saved one person twice, only the oldest
    copy takes the key (the unique index allows one), the others stay for duplicate review."""
    from leadcore.intake.candidates import LeadCandidate
    from leadcore.intake.dedupe import email_norm, fallback_name_key

    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT id, team_id, lead_name, email, phone, location, job_title FROM leads "
        "WHERE type = 'INDIVIDUAL' AND is_active AND name_key IS NULL AND email_norm IS NULL "
        "AND linkedin_norm IS NULL ORDER BY id"
    )).all()
    taken = {(team, key) for team, key in conn.execute(sa.text(
        "SELECT team_id, name_key FROM leads WHERE name_key LIKE 'k:%'"))}
    updates: list[dict[str, object]] = []
    for lead_id, team_id, name, email, phone, location, title in rows:
        candidate = LeadCandidate(lead_name=name, email=email, phone=phone, location=location, job_title=title)
        key = fallback_name_key(candidate, email_norm(email))
        if key is not None and (team_id, key) not in taken:
            taken.add((team_id, key))
            updates.append({"id": lead_id, "key": key})
    for start in range(0, len(updates), 1000):
        conn.execute(sa.text("UPDATE leads SET name_key = :key WHERE id = :id"), updates[start:start + 1000])


def downgrade() -> None:
    op.execute("UPDATE leads SET name_key = NULL WHERE name_key LIKE 'k:%'")
    op.drop_index('ix_intake_fills_search_lead', table_name='intake_fills')
    op.drop_table('intake_fills')
