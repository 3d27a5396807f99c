"""Bulk actions as batches: what each changed lead looked like before and after, so a batch can be undone."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from leadcore.db.coltypes import JSONDoc
from leadcore.db.models.base import Base, now_column


class BulkBatch(Base):
    """One bulk action by one person (its leads' timeline events carry ``{"batch": id}``)."""

    __tablename__ = "bulk_batches"
    __table_args__ = (Index("ix_bulk_batches_team_created", "team_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(500))  # "Set status → Contacted", as the person chose it
    lead_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = now_column()
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    undone_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class BulkBatchLead(Base):
    """One lead a batch changed: the fields it changed, before and after (``{"status": "NEW", ...}``)."""

    __tablename__ = "bulk_batch_leads"

    batch_id: Mapped[int] = mapped_column(ForeignKey("bulk_batches.id", ondelete="CASCADE"), primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), primary_key=True)
    before: Mapped[Any] = mapped_column(JSONDoc, nullable=False)
    after: Mapped[Any] = mapped_column(JSONDoc, nullable=False)


class IntakeFill(Base):
    """A stored lead an import or discovery run filled as a duplicate: its version, time and the columns the run
    changed, as they were before (``{"version": 3, "updated_at": "…", "columns": {"job_title": None}}``), so undoing
    the run puts the lead back exactly. One row per batch that filled the lead; the first is the oldest."""

    __tablename__ = "intake_fills"
    __table_args__ = (Index("ix_intake_fills_search_lead", "search_id", "lead_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("lead_searches.id", ondelete="CASCADE"))
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    before: Mapped[Any] = mapped_column(JSONDoc, nullable=False)
