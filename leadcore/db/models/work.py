"""The rep's day and the manager's routing (leadcore.work): assignment rules, activities, follow-up tasks, saved
grid views and each user's time zone."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from leadcore.db.coltypes import JSONDoc
from leadcore.db.models.base import Base, Short, now_column


class AssignmentRule(Base):
    """One routing rule of a team: conditions over a new lead's fields and who gets it. ``rotation`` is the round
    robin's pointer (how many leads the rule has handed out), read and moved under a row lock."""

    __tablename__ = "assignment_rules"
    __table_args__ = (
        CheckConstraint("strategy IN ('fixed', 'round_robin', 'least_loaded')", name="strategy"),
        Index("ix_assignment_rules_team_position", "team_id", "position", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    conditions: Mapped[Any] = mapped_column(JSONDoc)
    strategy: Mapped[str] = mapped_column(String(20))
    assignee_ids: Mapped[Any] = mapped_column(JSONDoc)
    capacity: Mapped[int | None] = mapped_column(Integer)
    rotation: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    created_at: Mapped[datetime] = now_column()
    updated_at: Mapped[datetime] = now_column()


class LeadActivity(Base):
    """A touch on a lead: a call, email, meeting or other, when it happened, how long, how it went."""

    __tablename__ = "lead_activities"
    __table_args__ = (
        CheckConstraint("kind IN ('call', 'email', 'meeting', 'other')", name="kind"),
        Index("ix_lead_activities_lead_occurred", "lead_id", "occurred_at"),
        Index("ix_lead_activities_team_user_occurred", "team_id", "user_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str | None] = mapped_column(Short)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = now_column()


class LeadTask(Base):
    """A follow-up: what to do on a lead, by when, by whom; done or still open (a snooze moves ``due_at``)."""

    __tablename__ = "lead_tasks"
    __table_args__ = (
        # My work reads one assignee's open tasks in due order from this index alone.
        Index("ix_lead_tasks_open_assignee_due", "assignee_id", "due_at", "id",
              sqlite_where=text("done_at IS NULL"), postgresql_where=text("done_at IS NULL")),
        Index("ix_lead_tasks_lead", "lead_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(Integer)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Short)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    snoozed: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = now_column()


class SavedView(Base):
    """The grid's filters, sort and columns under a name; private to its owner or shared with the team."""

    __tablename__ = "saved_views"
    __table_args__ = (Index("uq_saved_views_owner_name", "owner_id", "name", unique=True),
                      Index("ix_saved_views_team", "team_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    filters: Mapped[Any] = mapped_column(JSONDoc)
    sort: Mapped[str | None] = mapped_column(String(200))
    columns: Mapped[Any | None] = mapped_column(JSONDoc)
    shared: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[datetime] = now_column()


class WorkPrefs(Base):
    """A user's time zone (what "today" means for their tasks) and after how many quiet days a lead needs them."""

    __tablename__ = "work_prefs"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    time_zone: Mapped[str] = mapped_column(String(64), server_default=text("'UTC'"))
    quiet_days: Mapped[int] = mapped_column(Integer, server_default=text("7"))
    grid_layout: Mapped[Any | None] = mapped_column(JSONDoc)  # {"shown": [...], "pinned": [...]}
