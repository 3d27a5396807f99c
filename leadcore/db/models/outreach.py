"""Outreach email: templates managers write, and the outbox, the database record of every message queued or sent.

The outbox is the queue: a message is a row (``queued`` → ``sending`` → ``sent`` | ``failed``), so whatever drains
it (a button, the CLI, later a job worker) reads and writes the same rows, and a rate limit or a daily cap is a
count over them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from leadcore.db.models.base import Base, Short, now_column

OUTBOX_STATUSES = ("queued", "sending", "sent", "failed")


class EmailTemplate(Base):
    __tablename__ = "email_templates"
    __table_args__ = (Index("uq_email_templates_team_name", "team_id", "name", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    name: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(Short)
    body: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = now_column()
    updated_at: Mapped[datetime] = now_column()


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed')", name="status"),
        # The drain reads queued rows in order; the rate limit counts recent attempts.
        Index("ix_outbox_messages_status_id", "status", "id"),
        Index("ix_outbox_messages_attempted", "attempted_at"),
        Index("ix_outbox_messages_sender_attempted", "sender_id", "attempted_at"),
        # Analytics count per rep and per template.
        Index("ix_outbox_messages_team_sender_created", "team_id", "sender_id", "created_at"),
        # "Already sent this template to this lead recently?"
        Index("ix_outbox_messages_lead_template", "lead_id", "template_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    template_id: Mapped[int | None] = mapped_column(ForeignKey("email_templates.id", ondelete="SET NULL"))
    template_name: Mapped[str | None] = mapped_column(String(200))
    sender_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    to_addr: Mapped[str] = mapped_column(Short)
    subject: Mapped[str] = mapped_column(Short)
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), server_default=text("'queued'"))
    message_id: Mapped[str | None] = mapped_column(Short)
    smtp_response: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    repeat_confirmed: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
