"""Duplicate review: candidate pairs found by the scan, merges (with what they changed, to undo them) and scan runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, Float, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from leadcore.db.coltypes import JSONDoc
from leadcore.db.models.base import Base, now_column


class DuplicatePair(Base):
    """Two active leads of a team that may be one (``lead_a`` < ``lead_b``). A dismissed pair stays dismissed."""

    __tablename__ = "duplicate_pairs"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'dismissed', 'merged')", name="status"),
        CheckConstraint("lead_a < lead_b", name="ordered"),
        Index("uq_duplicate_pairs_team_a_b", "team_id", "lead_a", "lead_b", unique=True),
        Index("ix_duplicate_pairs_team_status_score", "team_id", "status", "score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    lead_a: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    lead_b: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[Any | None] = mapped_column(JSONDoc)
    status: Mapped[str] = mapped_column(String(20), server_default=text("'open'"))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = now_column()


class LeadMerge(Base):
    """One merge: the kept lead, the retired one, and both leads' rows before (and the kept one's after) it."""

    __tablename__ = "lead_merges"
    __table_args__ = (Index("ix_lead_merges_team_created", "team_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    kept_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    other_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    before: Mapped[Any] = mapped_column(JSONDoc)  # {"kept": {...}, "other": {...}, "moved_events": [...]}
    after: Mapped[Any] = mapped_column(JSONDoc)  # the kept lead's row right after the merge
    created_at: Mapped[datetime] = now_column()
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DuplicateScan(Base):
    """A scan of a team's leads; an incremental scan compares only leads above the last scan's ``max_lead_id``."""

    __tablename__ = "duplicate_scans"
    __table_args__ = (Index("ix_duplicate_scans_team_id", "team_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    max_lead_id: Mapped[int] = mapped_column(Integer)
    incremental: Mapped[bool] = mapped_column(server_default=text("false"))
    leads: Mapped[int] = mapped_column(Integer)
    pairs: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = now_column()
