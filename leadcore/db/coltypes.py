"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, overload

from sqlalchemy import JSON, Column, Text
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine


class TagList(TypeDecorator[list[str]]):
    """A list of tags: ``TEXT[]`` on PostgreSQL (GIN-indexable), a JSON array elsewhere."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.ARRAY(Text()))
        return dialect.type_descriptor(JSON())

    def process_bind_param(self, value: list[str] | None, dialect: Dialect) -> list[str]:
        return list(value or [])

    def process_result_value(self, value: Any, dialect: Dialect) -> list[str]:
        return list(value or [])


class JSONDoc(TypeDecorator[Any]):
    """A JSON document: ``JSONB`` on PostgreSQL, JSON text elsewhere. Python ``None`` is SQL NULL, never JSON null."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.JSONB(none_as_null=True))
        return dialect.type_descriptor(JSON(none_as_null=True))


_PROCESSORS: dict[tuple[str, str, str], Any] = {}


def bind_processor(dialect: Dialect, column: Column[Any]) -> Any:
    """SQLAlchemy's own conversion of a Python value for ``column`` on ``dialect`` (identity when it has none), for
    writes that bypass the ORM; remembered per dialect and column."""
    key = (dialect.name, column.table.name, column.name)
    proc = _PROCESSORS.get(key)
    if proc is None:
        found = column.type.dialect_impl(dialect).bind_processor(dialect)
        proc = _PROCESSORS[key] = found if found is not None else _identity
    return proc


def _identity(value: Any) -> Any:
    return value


@overload
def aware_utc(value: datetime) -> datetime: ...
@overload
def aware_utc(value: None) -> None: ...
def aware_utc(value: datetime | None) -> datetime | None:
    """A stored timestamp with its time zone: SQLite hands back naive datetimes, which leadcore wrote as UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
