"""Export the leads of a filter as CSV, streamed in chunks with bounded memory and formulas neutralized."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import literal_column, select
from sqlalchemy.orm import Session

from leadcore.accounts.actors import Actor
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import Lead, User
from leadcore.db.prepared import driver_cursor
from leadcore.grid import csvlines
from leadcore.grid.clauses import filter_clause
from leadcore.grid.csvwriter import csv_chunks, csv_rows
from leadcore.grid.filters import LeadFilters
from leadcore.leads.views import LEAD_COLUMNS

EXPORT_COLUMNS = (*LEAD_COLUMNS, "owner_name")
ROWS_PER_CHUNK = 500
FETCH_ROWS = 2_000  # rows per round trip to the server-side cursor; chunks stay ROWS_PER_CHUNK


def _select(session: Session, actor: Actor, filters: LeadFilters, *columns: Any) -> Any:
    return (
        select(*columns)
        .select_from(Lead)
        .outerjoin(User, User.id == Lead.owner_id)
        .where(filter_clause(session, actor, filters.validated()))
        .order_by(Lead.id)
        # A server-side cursor on PostgreSQL: rows arrive FETCH_ROWS at a time, whatever the total.
        .execution_options(yield_per=FETCH_ROWS)
    )


def _postgresql_lines(session: Session, actor: Actor, filters: LeadFilters) -> Iterator[tuple[str, int]]:
    """Chunks of CSV lines written by PostgreSQL: ``COPY (SELECT <cells>) TO STDOUT (FORMAT csv)`` over the cells of
    :mod:`leadcore.grid.csvlines`, streamed as the server sends them (one message per row). Each line's LF becomes the
    CRLF ``csv.writer`` ends lines with; memory holds one chunk."""
    cells: list[Any] = [literal_column(csvlines.cell(f"leads.{c}", Lead.__table__.c[c].type)) for c in LEAD_COLUMNS]
    cells.append(literal_column(csvlines.cell("users.display_name", User.__table__.c.display_name.type)))
    compiled = _select(session, actor, filters, *cells).compile(dialect=session.get_bind().dialect)
    sql = f"COPY ({compiled.string}) TO STDOUT (FORMAT csv)"
    params = dict(compiled.params)
    with driver_cursor(session, sql, params) as cur, cur.copy(sql, params) as copy:
        parts: list[Any] = []
        for row in copy:
            if row[-1:] != b"\n":  # PostgreSQL sends every row as one message ending in its LF
                raise RuntimeError("COPY sent a message that is not one whole CSV line")
            parts += (row[:-1], b"\r\n")
            if len(parts) == 2 * ROWS_PER_CHUNK:
                yield b"".join(parts).decode(), ROWS_PER_CHUNK
                parts.clear()
        if parts:
            yield b"".join(parts).decode(), len(parts) // 2


def _python_lines(session: Session, actor: Actor, filters: LeadFilters) -> Iterator[tuple[str, int]]:
    q = _select(session, actor, filters, *[getattr(Lead, c) for c in LEAD_COLUMNS], User.display_name)
    for part in session.execute(q).partitions():
        for start in range(0, len(part), ROWS_PER_CHUNK):
            rows = part[start : start + ROWS_PER_CHUNK]
            yield csv_rows(rows), len(rows)


def _chunks(uow: UnitOfWork, actor: Actor, filters: LeadFilters) -> Iterator[tuple[str, int]]:
    """The header line, then (text, rows) chunks of at most ROWS_PER_CHUNK leads. Nothing runs before the first
    ``next``; closing the iterator early ends the transaction and frees the connection."""
    yield next(csv_chunks(EXPORT_COLUMNS, ())), 0
    with uow:
        s = uow.session
        lines = _postgresql_lines if uow.dialect == "postgresql" else _python_lines
        yield from lines(s, actor, filters)


def export_csv(uow: UnitOfWork, actor: Actor, filters: LeadFilters | None = None) -> Iterator[str]:
    """CSV text chunks (header first) for every lead of the filter; any team member may export."""
    return (text for text, _ in _chunks(uow, actor, filters or LeadFilters()))


def export_to_file(uow: UnitOfWork, actor: Actor, path: str, filters: LeadFilters | None = None) -> int:
    """Write the export to ``path``; returns the number of data rows."""
    rows = 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        for text, n in _chunks(uow, actor, filters or LeadFilters()):
            fh.write(text)
            rows += n
    return rows
