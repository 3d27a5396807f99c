"""Saved import mappings: how a team reads a file with a given set of column headers, offered again next time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from leadcore.db.coltypes import JSONDoc
from leadcore.db.models.base import Base, now_column


class ImportMapping(Base):
    """One team's column mapping (and status / type value maps) for one set of headers, under a name."""

    __tablename__ = "import_mappings"
    __table_args__ = (Index("uq_import_mappings_team_signature", "team_id", "header_signature", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    header_signature: Mapped[str] = mapped_column(String(64))  # sha256 of the sorted normalised header keys
    headers: Mapped[Any] = mapped_column(JSONDoc, nullable=False)  # as the file spelled them
    mapping: Mapped[Any] = mapped_column(JSONDoc, nullable=False)  # header → field, or null to ignore it
    status_map: Mapped[Any] = mapped_column(JSONDoc, nullable=False)  # the file's status value → our status
    type_map: Mapped[Any] = mapped_column(JSONDoc, nullable=False)  # the file's type value → person/company
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = now_column()
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
