"""Background jobs: the database record of every piece of work the task queue runs (leadcore.jobs).

The row is the truth; a queue message only says "look at job N now". A job is claimed (``queued`` → ``running``)
with a conditional UPDATE, so a duplicated message runs it once, and the sweep re-sends the message for a due row
whose message was lost.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from leadcore.db.models.base import Base, now_column

JOB_STATES = ("queued", "running", "succeeded", "failed", "cancelled")


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')", name="state"),
        # The sweep reads due queued rows and stale running ones; the Admin page lists by state.
        Index("ix_jobs_state_run_after", "state", "run_after"),
        Index("ix_jobs_team_kind_ref", "team_id", "kind", "ref"),
        # One row per periodic job (and per any other job that must exist once): NULLs never collide.
        Index("uq_jobs_unique_key", "unique_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(100))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    ref: Mapped[str | None] = mapped_column(String(200))
    payload: Mapped[Any] = mapped_column(JSON, nullable=True)
    unique_key: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(20), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    last_error: Mapped[str | None] = mapped_column(Text)
    run_after: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # When a queue message was last sent for this row: the sweep re-sends only for rows whose message is overdue.
    enqueued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = now_column()
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
