"""Browser sign-ins that survive a reload: one row per signed-in browser, found by the hash of its cookie."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from leadcore.db.models.base import Base, now_column


class UserSession(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored, so a copy of the database
    signs nobody in. Until the browser has its cookie, the row is found by a one-time handoff code instead."""

    __tablename__ = "user_sessions"
    __table_args__ = (
        Index("uq_user_sessions_token_hash", "token_hash", unique=True),
        Index("uq_user_sessions_handoff_hash", "handoff_hash", unique=True),
        Index("ix_user_sessions_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str | None] = mapped_column(String(64))
    handoff_hash: Mapped[str | None] = mapped_column(String(64))
    handoff_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    stay_signed_in: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = now_column()
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    end_reason: Mapped[str | None] = mapped_column(String(40))
