"""Time to first touch counts the untouched leads instead of fetching them: the figures match a row-by-row count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from leadcore.db.models import Lead
from leadcore.db.runtime import Database
from leadcore.work.activities import first_touch, log_activity

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


def test_first_touch_figures_match_a_row_by_row_count(db: Database, make: Any) -> None:
    rep = make.user("rep")
    # (created hours ago, first touch hours after creation or None)
    plan = [(100, 2), (100, 30), (100, None), (50, 10), (50, None), (10, 1), (10, None), (24 * 120, 5)]
    for ago, touch in plan:
        lead_id = make.lead(rep, owner_id=rep.user_id)
        created = NOW - timedelta(hours=ago)
        with db.uow() as uow:
            uow.session.execute(update(Lead).where(Lead.id == lead_id).values(created_at=created))
            uow.commit()
        if touch is not None:
            log_activity(db.uow(), rep, lead_id, kind="call", occurred_at=created + timedelta(hours=touch),
                         clock=lambda: NOW)
    out = first_touch(db.uow(), rep, clock=lambda: NOW)
    in_window = [(ago, t) for ago, t in plan if ago <= 90 * 24]
    hours = sorted(float(t) for _, t in in_window if t is not None)  # [1, 2, 10, 30]
    old = [(ago, t) for ago, t in in_window if ago >= 24]
    late = sum(1 for _, t in old if t is None or t > 24)
    assert out == {"medianHours": hours[2], "p90Hours": hours[3], "untouchedAfter24h": round(late / len(old), 4)}
    assert out["untouchedAfter24h"] == 0.6  # 5 day-old leads, 3 of them not touched in their first day
