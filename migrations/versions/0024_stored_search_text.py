"""search reads a stored search text: PostgreSQL keeps the lowercased searched fields in a generated column, which
the trigram index and the walk index hold, so a search no longer joins and lowercases six fields per lead it tests;
and an index of each lead's trigrams by score band tells a search which bands hold any match

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 06:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0024'
down_revision: str | None = '0023'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIELDS = ['lead_name', 'email', 'company', 'job_title', 'location', 'industry']
# Must equal what leadcore.grid.clauses searches (the same expression as migration 0013's index).
SEARCH_TEXT_SQL = "lower(" + " || chr(10) || ".join(f"coalesce({f}, '')" for f in FIELDS) + ")"


def _walk_index(include: list[str]) -> None:
    op.drop_index('ix_leads_team_score', table_name='leads')
    op.create_index('ix_leads_team_score', 'leads', ['team_id', 'lead_score', 'id'], unique=False,
                    postgresql_include=include, postgresql_where=sa.text('is_active'))


# The score bands of ix_leads_search_bands: 0–4, 5–9, …, 100 (leadcore.grid.search.BAND_WIDTH).
BAND_WIDTH = 5
# Every trigram of a lead's search text (pg_trgm's show_trgm) prefixed by the lead's score band: "13:gma". PL/pgSQL,
# not an inlinable SQL function, so that the planner sees its COST. Inlined, it looked as cheap as a comparison, and
# a probe planned with its values in hand (a custom plan) could pick a sequential scan computing it for every lead,
# once per band: minutes instead of milliseconds under load. It takes about 25 µs a row (show_trgm over the whole
# text); COST 20000 (50 units at cpu_operator_cost 0.0025) says more on purpose: no plan should compute it row by
# row, and reading the band index, its pending list included (up to 4 MB), must look cheaper than computing it for
# even a hundred leads. The call itself costs nothing measurable next to show_trgm (50,000 inserts into a table
# with this index: 5.3 s either way).
_BAND = f"(score / {BAND_WIDTH})::text || ':'"
BANDS_FUNCTION = f"""
CREATE FUNCTION leads_search_bands(score integer, search text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE COST 20000 AS $$
BEGIN
    RETURN string_to_array({_BAND} || replace(array_to_string(public.show_trgm(search), chr(1)), chr(1),
                                               chr(1) || {_BAND}), chr(1));
END
$$"""


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return  # SQLite searches its FTS5 table (migration 0013)
    op.execute(f'ALTER TABLE leads ADD COLUMN search_text text GENERATED ALWAYS AS ({SEARCH_TEXT_SQL}) STORED')
    op.execute('DROP INDEX ix_leads_search_trgm')
    op.execute('CREATE INDEX ix_leads_search_trgm ON leads USING gin (search_text public.gin_trgm_ops)')
    _walk_index(['search_text'])
    op.execute(BANDS_FUNCTION)
    # Byte order ("C") for the keys: the index compares them on every insert, and a locale's rules cost a fifth more.
    op.execute('CREATE INDEX ix_leads_search_bands ON leads '
               'USING gin ((leads_search_bands(lead_score, search_text)) COLLATE "C") WHERE is_active')


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('DROP INDEX ix_leads_search_bands')
    op.execute('DROP FUNCTION leads_search_bands(integer, text)')
    op.execute('DROP INDEX ix_leads_search_trgm')
    op.execute(f'CREATE INDEX ix_leads_search_trgm ON leads USING gin (({SEARCH_TEXT_SQL}) public.gin_trgm_ops)')
    _walk_index(FIELDS)
    op.execute('ALTER TABLE leads DROP COLUMN search_text')
