"""Export the leads of a filter as CSV, streamed in chunks with bounded memory and formulas neutralized."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from leadcore.actors import Actor
from leadcore.csvwriter import csv_chunks
from leadcore.db import UnitOfWork
from leadcore.listing import LeadFilters, filter_clause
from leadcore.models import Lead, User
from leadcore.records import LEAD_COLUMNS

EXPORT_COLUMNS = (*LEAD_COLUMNS, "owner_name")
_FETCH = 2000


def _rows(uow: UnitOfWork, actor: Actor, filters: LeadFilters) -> Iterator[tuple[Any, ...]]:
    with uow:
        s = uow.session
        cols = [getattr(Lead, c) for c in LEAD_COLUMNS]
        q = (
            select(*cols, User.display_name)
            .outerjoin(User, User.id == Lead.owner_id)
            .where(filter_clause(s, actor, filters.validated()))
            .order_by(Lead.id)
            .execution_options(yield_per=_FETCH, stream_results=True)
        )
        yield from s.execute(q)


def export_csv(uow: UnitOfWork, actor: Actor, filters: LeadFilters | None = None) -> Iterator[str]:
    """CSV text chunks (header first) for every lead of the filter; any team member may export."""
    return csv_chunks(EXPORT_COLUMNS, _rows(uow, actor, filters or LeadFilters()))


def export_to_file(uow: UnitOfWork, actor: Actor, path: str, filters: LeadFilters | None = None) -> int:
    """Write the export to ``path``; returns the number of data rows."""
    rows = 0

    def counted() -> Iterator[tuple[Any, ...]]:
        nonlocal rows
        for row in _rows(uow, actor, filters or LeadFilters()):
            rows += 1
            yield row

    with open(path, "w", newline="", encoding="utf-8") as fh:
        for chunk in csv_chunks(EXPORT_COLUMNS, counted()):
            fh.write(chunk)
    return rows
