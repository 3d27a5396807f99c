"""analytics rollups: lead and event counters kept by PostgreSQL triggers; index of imported leads

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 15:30:00
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every rollup row is a counter keyed by what the Analytics page filters and groups on. A write statement on
# leads (or lead_events) fires one statement-level trigger that turns the rows it left (-1) and entered (+1) into
# net deltas per key and upserts them in key order, so concurrent writers lock rollup rows in the same order.
# Rows whose keys and score did not change cancel out and write nothing. Only active leads are counted.
LEAD_KEYS = "team_id, day, owner_id, type, status, imported, search_query"
SCORE_KEYS = "team_id, day, owner_id, type, score"
EVENT_KEYS = "team_id, day, user_id, kind"


def _lead_rows(transition: str, sign: str) -> str:
    return (
        f"SELECT team_id, (created_at AT TIME ZONE 'UTC')::date AS day, coalesce(owner_id, 0) AS owner_id, type, "
        f"status, imported, coalesce(search_query, '') AS search_query, lead_score AS score, {sign}1 AS d "
        f"FROM {transition} WHERE is_active"
    )


def _event_rows(transition: str, sign: str) -> str:
    return (
        f"SELECT team_id, (created_at AT TIME ZONE 'UTC')::date AS day, user_id, kind, {sign}1 AS d "
        f"FROM {transition} WHERE user_id IS NOT NULL"
    )


def _upsert(table: str, keys: str, sums: dict[str, str], deltas: str) -> str:
    columns = ", ".join(sums)
    totals = ", ".join(f"sum({expr})" for expr in sums.values())
    changed = " OR ".join(f"sum({expr}) <> 0" for expr in sums.values())
    merge = ", ".join(f"{c} = r.{c} + excluded.{c}" for c in sums)
    return (
        f"INSERT INTO {table} AS r ({keys}, {columns}) "
        f"SELECT {keys}, {totals} FROM ({deltas}) AS x GROUP BY {keys} HAVING {changed} ORDER BY {keys} "
        f"ON CONFLICT ({keys}) DO UPDATE SET {merge};"
    )


def _deltas(rows: Callable[[str, str], str], op_name: str) -> str:
    """The rows a statement left (-1) and entered (+1), from its transition tables."""
    parts = []
    if op_name in ('UPDATE', 'DELETE'):
        parts.append(rows('old_rows', '-'))
    if op_name in ('UPDATE', 'INSERT'):
        parts.append(rows('new_rows', '+'))
    return " UNION ALL ".join(parts)


def _lead_body(op_name: str) -> str:
    deltas = _deltas(_lead_rows, op_name)
    return (
        _upsert('lead_rollup', LEAD_KEYS, {'n': 'd', 'score_sum': 'd * score'}, deltas)
        + _upsert('lead_score_rollup', SCORE_KEYS, {'n': 'd'}, deltas)
    )


def _event_body(op_name: str) -> str:
    return _upsert('event_rollup', EVENT_KEYS, {'n': 'd'}, _deltas(_event_rows, op_name))


REFERENCING = {
    'INSERT': 'REFERENCING NEW TABLE AS new_rows',
    'UPDATE': 'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows',
    'DELETE': 'REFERENCING OLD TABLE AS old_rows',
}
TRIGGERS = [  # (table, trigger/function name, operation, body)
    *[('leads', f'leads_rollup_{o.lower()}', o, _lead_body(o)) for o in REFERENCING],
    *[('lead_events', f'lead_events_rollup_{o.lower()}', o, _event_body(o)) for o in REFERENCING],
]
BACKFILL = [
    _upsert('lead_rollup', LEAD_KEYS, {'n': 'd', 'score_sum': 'd * score'}, _lead_rows('leads', '+')),
    _upsert('lead_score_rollup', SCORE_KEYS, {'n': 'd'}, _lead_rows('leads', '+')),
    _upsert('event_rollup', EVENT_KEYS, {'n': 'd'}, _event_rows('lead_events', '+')),
]


def upgrade() -> None:
    key = {'primary_key': True}
    op.create_table(
        'lead_rollup',
        sa.Column('team_id', sa.Integer(), **key),
        sa.Column('day', sa.Date(), **key),
        sa.Column('owner_id', sa.Integer(), **key),
        sa.Column('type', sa.String(length=20), **key),
        sa.Column('status', sa.String(length=20), **key),
        sa.Column('imported', sa.Boolean(), **key),
        sa.Column('search_query', sa.String(length=500), **key),
        sa.Column('n', sa.BigInteger(), nullable=False),
        sa.Column('score_sum', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(*LEAD_KEYS.split(', '), name=op.f('pk_lead_rollup')),
    )
    op.create_table(
        'lead_score_rollup',
        sa.Column('team_id', sa.Integer(), **key),
        sa.Column('day', sa.Date(), **key),
        sa.Column('owner_id', sa.Integer(), **key),
        sa.Column('type', sa.String(length=20), **key),
        sa.Column('score', sa.Integer(), **key),
        sa.Column('n', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(*SCORE_KEYS.split(', '), name=op.f('pk_lead_score_rollup')),
    )
    op.create_table(
        'event_rollup',
        sa.Column('team_id', sa.Integer(), **key),
        sa.Column('day', sa.Date(), **key),
        sa.Column('user_id', sa.Integer(), **key),
        sa.Column('kind', sa.String(length=40), **key),
        sa.Column('n', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(*EVENT_KEYS.split(', '), name=op.f('pk_event_rollup')),
    )
    op.create_index('ix_leads_team_imported', 'leads', ['team_id', 'is_active'], unique=False,
                    sqlite_where=sa.text('imported'), postgresql_where=sa.text('imported'))
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table, name, operation, body in TRIGGERS:
        op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$")
        op.execute(f"CREATE TRIGGER {name} AFTER {operation} ON {table} {REFERENCING[operation]} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()")
    for statement in BACKFILL:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for table, name, _, _ in TRIGGERS:
            op.execute(f'DROP TRIGGER {name} ON {table}')
            op.execute(f'DROP FUNCTION {name}()')
    op.drop_index('ix_leads_team_imported', table_name='leads')
    op.drop_table('event_rollup')
    op.drop_table('lead_score_rollup')
    op.drop_table('lead_rollup')
