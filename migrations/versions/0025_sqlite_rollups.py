"""SQLite keeps the analytics rollups too: row triggers on leads and lead_events (PostgreSQL's statement triggers of
migration 0003 are unchanged), so the Analytics page and the grid's totals read counters on both engines

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 00:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0025'
down_revision: str | None = '0024'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The keys of migrations 0003 and 0023 (lead_score_rollup gained the status in 0023).
LEAD_KEYS = "team_id, day, owner_id, type, status, imported, search_query"
SCORE_KEYS = "team_id, day, owner_id, type, status, score"
EVENT_KEYS = "team_id, day, user_id, kind"

# What the counters are keyed by, per row (``{r}``: NEW or OLD). leadcore writes UTC "YYYY-MM-DD HH:MM:SS…", so the
# day is the text's first ten characters (leadcore.analytics.facts read it the same way before the rollups).
LEAD_VALUES = ("{r}.team_id, substr({r}.created_at, 1, 10), coalesce({r}.owner_id, 0), {r}.type, {r}.status, "
               "{r}.imported, coalesce({r}.search_query, '')")
SCORE_VALUES = ("{r}.team_id, substr({r}.created_at, 1, 10), coalesce({r}.owner_id, 0), {r}.type, {r}.status, "
                "{r}.lead_score")
EVENT_VALUES = "{r}.team_id, substr({r}.created_at, 1, 10), {r}.user_id, {r}.kind"

# An update changes the counters only when one of these changes (the rest of a lead's columns are not keyed).
LEAD_COLUMNS = ("team_id", "created_at", "owner_id", "type", "status", "imported", "search_query", "lead_score",
                "is_active")
EVENT_COLUMNS = ("team_id", "created_at", "user_id", "kind")


def _upsert(table: str, keys: str, values: str, sums: dict[str, str], row: str, sign: str, when: str) -> str:
    """Add the row's ``sign``ed counts to its key's counter (a new counter when there is none). The WHERE makes the
    SELECT's end unambiguous before ON CONFLICT, as SQLite requires, and skips rows that are not counted."""
    columns = ", ".join(sums)
    counts = ", ".join(f"{sign}{expr.format(r=row)}" for expr in sums.values())
    merge = ", ".join(f"{c} = {c} + excluded.{c}" for c in sums)
    return (f"INSERT INTO {table} ({keys}, {columns}) SELECT {values.format(r=row)}, {counts} "
            f"WHERE {when.format(r=row)} ON CONFLICT ({keys}) DO UPDATE SET {merge};")


def _lead_rows(row: str, sign: str) -> str:
    active = "{r}.is_active"
    return (_upsert('lead_rollup', LEAD_KEYS, LEAD_VALUES, {'n': '1', 'score_sum': '{r}.lead_score'}, row, sign,
                    active)
            + _upsert('lead_score_rollup', SCORE_KEYS, SCORE_VALUES, {'n': '1'}, row, sign, active))


def _event_rows(row: str, sign: str) -> str:
    return _upsert('event_rollup', EVENT_KEYS, EVENT_VALUES, {'n': '1'}, row, sign, "{r}.user_id IS NOT NULL")


def _changed(columns: Sequence[str]) -> str:
    return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)


TRIGGERS = {  # name: (event, body)
    'leads_rollup_insert': ('AFTER INSERT ON leads', _lead_rows('NEW', '')),
    'leads_rollup_update': (f"AFTER UPDATE OF {', '.join(LEAD_COLUMNS)} ON leads WHEN {_changed(LEAD_COLUMNS)}",
                            _lead_rows('OLD', '-') + _lead_rows('NEW', '')),
    'leads_rollup_delete': ('AFTER DELETE ON leads', _lead_rows('OLD', '-')),
    'lead_events_rollup_insert': ('AFTER INSERT ON lead_events', _event_rows('NEW', '')),
    'lead_events_rollup_update': (f"AFTER UPDATE OF {', '.join(EVENT_COLUMNS)} ON lead_events "
                                  f"WHEN {_changed(EVENT_COLUMNS)}", _event_rows('OLD', '-') + _event_rows('NEW', '')),
    'lead_events_rollup_delete': ('AFTER DELETE ON lead_events', _event_rows('OLD', '-')),
}

# The counters of what is already there (the tables are empty on SQLite until now).
BACKFILL = [
    f"INSERT INTO lead_rollup ({LEAD_KEYS}, n, score_sum) SELECT {LEAD_VALUES.format(r='leads')}, count(*), "
    f"sum(lead_score) FROM leads WHERE is_active GROUP BY {LEAD_VALUES.format(r='leads')}",
    f"INSERT INTO lead_score_rollup ({SCORE_KEYS}, n) SELECT {SCORE_VALUES.format(r='leads')}, count(*) "
    f"FROM leads WHERE is_active GROUP BY {SCORE_VALUES.format(r='leads')}",
    f"INSERT INTO event_rollup ({EVENT_KEYS}, n) SELECT {EVENT_VALUES.format(r='lead_events')}, count(*) "
    f"FROM lead_events WHERE user_id IS NOT NULL GROUP BY {EVENT_VALUES.format(r='lead_events')}",
]


def upgrade() -> None:
    if op.get_bind().dialect.name != 'sqlite':
        return
    for table in ('lead_rollup', 'lead_score_rollup', 'event_rollup'):
        op.execute(f'DELETE FROM {table}')
    for statement in BACKFILL:
        op.execute(statement)
    for name, (event, body) in TRIGGERS.items():
        op.execute(f'CREATE TRIGGER {name} {event} BEGIN {body} END')


def downgrade() -> None:
    if op.get_bind().dialect.name != 'sqlite':
        return
    for name in TRIGGERS:
        op.execute(f'DROP TRIGGER {name}')
    for table in ('lead_rollup', 'lead_score_rollup', 'event_rollup'):
        op.execute(f'DELETE FROM {table}')
