"""Backup and restore as JSON lines: engine-neutral, so a SQLite database can move to PostgreSQL and back.

The file is one header line, then one line per row in foreign-key-safe table order::

    {"format": "leadcore-backup", "version": 1, "revision": "0002", "tables": ["teams", ...], "counts": {...}, ...}
    {"table": "teams", "row": {"id": 1, "name": "Default", "created_at": "2026-01-02T03:04:05+00:00"}}

Datetimes are ISO 8601 in UTC, JSON columns are JSON, tags are lists. The dump reads one consistent snapshot
(a single repeatable-read transaction) while the app keeps running; the restore is one transaction that fills an
empty database at the same schema revision (``force`` empties it first), checks every table's row count against
the header, and moves PostgreSQL id sequences past the restored ids.
"""

from __future__ import annotations

import gzip
import io
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Engine, Table, Text, bindparam, cast, delete, func, insert, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import DateTime, TypeDecorator

from leadcore.db import migrate
from leadcore.db.coltypes import JSONDoc
from leadcore.db.models import ROLLUP_TABLES, Base
from leadcore.errors import InvalidInput

FORMAT = "leadcore-backup"
FORMAT_VERSION = 1
_BATCH = 1000


@dataclass
class BackupStats:
    """What a backup wrote or a restore read: the schema revision and the rows of each table."""

    revision: str | None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def tables() -> list[Table]:
    """Every table of the schema but the analytics rollups, parents before children (the order rows are written
    and restored in). The rollups are derived: their triggers (on both engines) rebuild them as the leads and events
    are restored."""
    return [t for t in Base.metadata.sorted_tables if t.name not in ROLLUP_TABLES]


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return _utc(value).isoformat()
    return value


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; leadcore writes them in UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return _utc(value).isoformat()
    raise TypeError(f"cannot back up a value of type {type(value).__name__}")


def dump_lines(engine: Engine) -> Iterator[str]:
    """The backup of ``engine``'s database, line by line (each ending in a newline), from one snapshot."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            schema = tables()
            counts = {t.name: int(conn.scalar(select(func.count()).select_from(t)) or 0) for t in schema}
            header = {
                "format": FORMAT,
                "version": FORMAT_VERSION,
                "revision": _revision(conn),
                "dialect": engine.dialect.name,
                "created_at": datetime.now(UTC).isoformat(),
                "tables": [t.name for t in schema],
                "counts": counts,
            }
            yield json.dumps(header) + "\n"
            for t in schema:
                q = select(t).order_by(*t.primary_key.columns)
                for row in conn.execution_options(yield_per=_BATCH).execute(q):
                    values = {k: _encode(v) for k, v in row._mapping.items()}
                    yield json.dumps({"table": t.name, "row": values}, ensure_ascii=False, default=_json_default) + "\n"


def _revision(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def backup_to_file(engine: Engine, path: str | Path) -> BackupStats:
    """Write the backup to ``path`` (gzip-compressed when it ends in ``.gz``); a failed backup leaves no file."""
    path = Path(path)
    tmp = path.with_name(path.name + ".partial")
    stats = BackupStats(revision=None)
    try:
        with _open(tmp, "w") as fh:
            for i, line in enumerate(dump_lines(engine)):
                if i == 0:
                    header = json.loads(line)
                    stats.revision, stats.counts = header["revision"], header["counts"]
                fh.write(line)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return stats


def _open(path: Path, mode: str) -> IO[str]:
    if path.name.endswith(".gz") or (mode == "w" and path.name.endswith(".gz.partial")):
        raw = gzip.GzipFile(path, mode + "b")
        return io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
    return open(path, mode, encoding="utf-8", newline="\n")


class _JSONText(TypeDecorator[Any]):
    """A JSON document bound as its text; ``None`` is SQL NULL (never the JSON ``null``)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False)


def _insert(table: Table, dialect: str) -> Any:
    values: dict[str, ColumnElement[Any]] = {}
    for c in table.columns:
        if isinstance(c.type, JSONDoc):
            p = bindparam(c.name, type_=_JSONText())
            values[c.name] = cast(p, JSONB) if dialect == "postgresql" else p
        else:
            values[c.name] = bindparam(c.name, type_=c.type)
    return insert(table).values(values)


def _decode_row(table: Table, row: Any, line_no: int) -> dict[str, Any]:
    if not isinstance(row, dict):
        raise InvalidInput(f"line {line_no}: a row must be a JSON object", field="file")
    unknown = set(row) - set(table.columns.keys())
    if unknown:
        raise InvalidInput(f"line {line_no}: table {table.name} has no column {sorted(unknown)[0]!r}", field="file")
    out: dict[str, Any] = {}
    for c in table.columns:
        if c.name not in row:
            raise InvalidInput(f"line {line_no}: the {table.name} row has no {c.name!r}", field="file")
        value = row[c.name]
        if value is not None and isinstance(c.type, DateTime):
            try:
                value = _utc(datetime.fromisoformat(value))
            except (TypeError, ValueError):
                message = f"line {line_no}: {table.name}.{c.name} is not a date and time"
                raise InvalidInput(message, field="file") from None
        out[c.name] = value
    return out


def _parse(line: str, line_no: int) -> Any:
    try:
        return json.loads(line)
    except ValueError:
        raise InvalidInput(f"line {line_no} is not valid JSON (is the file complete?)", field="file") from None


def _read_header(lines: Iterator[tuple[int, str]]) -> dict[str, Any]:
    for line_no, line in lines:
        if line.strip():
            header = _parse(line, line_no)
            break
    else:
        raise InvalidInput("the backup file is empty", field="file")
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise InvalidInput("this is not a leadcore backup (its first line is not a backup header)", field="file")
    if header.get("version") != FORMAT_VERSION:
        raise InvalidInput(f"backup format version {header.get('version')} is not supported", field="file")
    return header


def occupied_tables(conn: Connection) -> list[str]:
    """The tables that hold rows (an empty list: the database is empty)."""
    return [t.name for t in tables() if conn.scalar(select(func.count()).select_from(t))]


def restore_lines(engine: Engine, lines: Iterable[str], *, force: bool = False) -> BackupStats:
    """Restore a backup into ``engine``'s database in one transaction; InvalidInput (nothing changed) when refused.

    The database must be migrated to the backup's revision and empty; ``force`` deletes everything in it first.
    """
    numbered = iter(enumerate(lines, start=1))
    header = _read_header(numbered)
    by_name = {t.name: t for t in tables()}
    listed = header.get("tables")
    if not isinstance(listed, list) or any(name not in by_name for name in listed):
        unknown = [n for n in (listed if isinstance(listed, list) else []) if n not in by_name]
        raise InvalidInput(f"the backup has tables this version does not know: {unknown}", field="file")
    expected: dict[str, int] = {k: int(v) for k, v in (header.get("counts") or {}).items()}
    current = migrate.current_revision(engine)
    if current is None:
        raise InvalidInput("the database has no schema yet; run 'python -m leadcore migrate' first")
    if header.get("revision") != current:
        raise InvalidInput(
            f"the backup was made at schema revision {header.get('revision')}, the database is at {current}; "
            "restore into a database at the same revision"
        )
    dialect = engine.dialect.name
    stats = BackupStats(revision=current, counts={name: 0 for name in listed})
    with engine.begin() as conn:
        occupied = occupied_tables(conn)
        if occupied and not force:
            raise InvalidInput(
                f"the database is not empty ({', '.join(occupied)} hold rows); restore into an empty database, "
                "or pass --force to delete everything in it first"
            )
        if occupied:
            for t in reversed(Base.metadata.sorted_tables):  # the rollups too (their counts drop to zero anyway)
                conn.execute(delete(t))
        pending: list[dict[str, Any]] = []
        current_table: Table | None = None
        done: set[str] = set()

        last_line = 1

        def flush() -> None:
            if current_table is None or not pending:
                return
            try:
                conn.execute(_insert(current_table, dialect), pending)
            except DBAPIError as e:
                reason = str(e.orig).strip().splitlines()[0] if e.orig else type(e).__name__
                raise InvalidInput(f"rows of {current_table.name} up to line {last_line} do not fit: {reason}",
                                   field="file") from None
            stats.counts[current_table.name] += len(pending)
            pending.clear()

        for line_no, line in numbered:
            if not line.strip():
                continue
            item = _parse(line, line_no)
            name = item.get("table") if isinstance(item, dict) else None
            if not isinstance(name, str) or name not in listed:
                raise InvalidInput(f"line {line_no}: unknown table {name!r}", field="file")
            if current_table is None or name != current_table.name:
                flush()
                if name in done:
                    raise InvalidInput(f"line {line_no}: rows of {name} are out of order", field="file")
                if current_table is not None:
                    done.add(current_table.name)
                current_table = by_name[name]
            pending.append(_decode_row(current_table, item.get("row"), line_no))
            last_line = line_no
            if len(pending) >= _BATCH:
                flush()
        flush()
        short = {n: (stats.counts.get(n, 0), c) for n, c in expected.items() if stats.counts.get(n, 0) != c}
        if short:
            detail = ", ".join(f"{n}: {got} of {want}" for n, (got, want) in short.items())
            raise InvalidInput(f"the backup is incomplete ({detail} rows); nothing was restored", field="file")
        if dialect == "postgresql":
            _reset_sequences(conn)
    return stats


def _reset_sequences(conn: Connection) -> None:
    """Move each id sequence past the restored ids, so the next insert does not collide."""
    for t in tables():
        if "id" not in t.columns:
            continue
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:t, 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) "
                f"FROM {t.name}"
            ),
            {"t": t.name},
        )


def restore_from_file(engine: Engine, path: str | Path, *, force: bool = False) -> BackupStats:
    """Restore the backup at ``path`` (``.gz`` is decompressed)."""
    path = Path(path)
    try:
        with _open(path, "r") as fh:
            return restore_lines(engine, fh, force=force)
    except (UnicodeDecodeError, gzip.BadGzipFile, EOFError) as e:
        raise InvalidInput(f"{path.name} cannot be read as a backup ({type(e).__name__})", field="file") from None
