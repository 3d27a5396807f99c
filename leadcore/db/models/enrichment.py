"""Enrichment (leadcore.enrichment): where each filled field came from, and each team's credit spend per month."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from leadcore.db.models.base import Base, Short


class LeadEnrichment(Base):
    """One provider lookup's answer for one field of one lead: the value it filled (``value`` NULL when it found
    nothing confident, so the same provider is not paid again for that field)."""

    __tablename__ = "lead_enrichments"
    __table_args__ = (Index("ix_lead_enrichments_lead_field", "lead_id", "field", "provider"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(Integer, index=True)
    field: Mapped[str] = mapped_column(String(40))
    provider: Mapped[str] = mapped_column(String(40))
    value: Mapped[str | None] = mapped_column(Short)
    confidence: Mapped[float | None] = mapped_column(Float)
    enriched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EnrichmentCredit(Base):
    """Credits a team spent on enrichment lookups in one calendar month ('2026-12', UTC)."""

    __tablename__ = "enrichment_credits"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    spent: Mapped[int] = mapped_column(Integer, server_default=text("0"))
