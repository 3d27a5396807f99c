"""lead event context columns: the team, user and search of a timeline event are plain columns, not foreign keys

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 20:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every saved lead writes a timeline event, and on PostgreSQL each of these three keys cost a referential check per
# event row (a lookup and a row lock on the same team, user and search row, 500 times a batch): about a third of
# what a batch's events cost (docs/performance.md). Nothing deletes teams, users (they are deactivated) or
# searches, and only leadcore writes events, with the acting user's own team; the timeline already shows an event
# whose user is unknown. The lead key stays: deleting a lead deletes its timeline.
FOREIGN_KEYS = [
    ('fk_lead_events_team_id_teams', 'teams', 'team_id', None),
    ('fk_lead_events_user_id_users', 'users', 'user_id', 'SET NULL'),
    ('fk_lead_events_search_id_lead_searches', 'lead_searches', 'search_id', 'SET NULL'),
]


def upgrade() -> None:
    with op.batch_alter_table('lead_events', schema=None) as batch_op:
        for name, _table, _column, _ondelete in FOREIGN_KEYS:
            batch_op.drop_constraint(name, type_='foreignkey')


def downgrade() -> None:
    with op.batch_alter_table('lead_events', schema=None) as batch_op:
        for name, table, column, ondelete in FOREIGN_KEYS:
            batch_op.create_foreign_key(name, table, [column], ['id'], ondelete=ondelete)
