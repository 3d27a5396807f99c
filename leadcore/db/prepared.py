"""Statements built and compiled once per *shape* and run again with new values (the grid's hot path).

A shape is whatever decides a statement's SQL (which filters are set, the sort, keyset or offset, …); its values
are bound parameters. On PostgreSQL the compiled SQL runs on the psycopg cursor of the session's connection and
rows come back as plain dicts; elsewhere SQLAlchemy runs the cached statement (SQLite's dates and booleans need its
result processing).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Compiled:
    """One statement shape, ready to run with new values: SQLAlchemy's statement (its cache key is computed once),
    and on PostgreSQL its SQL text with the values of the constants it binds."""

    statement: Select[Any]
    names: tuple[str, ...]
    sql: str | None = None
    constants: dict[str, Any] = field(default_factory=dict)


# Statements by shape (the grid's: see leadcore.grid.clauses.bound_values and filter_shape; My work's lists).
# Building a Select, compiling it and SQLAlchemy's result layer cost several times what the SQL of a page does on
# PostgreSQL, so each shape is built once per process and runs on the driver's cursor with the call's values
# (docs/performance.md). The shapes are few (which filters are set, sort, keyset or offset, with or without the
# total).
_STATEMENTS: dict[tuple[Any, ...], Compiled] = {}


def _compile(statement: Select[Any], dialect: Any) -> Compiled:
    names = tuple(statement.selected_columns.keys())
    if dialect.name != "postgresql":  # SQLite's values need SQLAlchemy's result processing (dates, booleans)
        return Compiled(statement, names)
    compiled = statement.compile(dialect=dialect)
    return Compiled(statement, names, compiled.string, dict(compiled.params))


def statement_for(session: Session, shape: tuple[Any, ...], build: Callable[[], Select[Any]]) -> Compiled:
    """The statement ``build()`` makes for ``shape``, built and compiled once per shape and dialect."""
    dialect = session.get_bind().dialect
    key = (dialect.name, dialect.driver, *shape)
    found = _STATEMENTS.get(key)
    if found is None:
        found = _STATEMENTS[key] = _compile(build(), dialect)
    return found


@contextmanager
def driver_cursor(session: Session, sql: str, params: Any) -> Iterator[Any]:
    """A psycopg cursor of the session's connection, for running ``sql`` with ``params`` on the driver itself.

    A driver error comes out as SQLAlchemy's (``DataError``, ``OperationalError``, …), exactly as if SQLAlchemy had
    run the statement, so callers map it the same way; a lost connection is invalidated, as SQLAlchemy would."""
    conn = session.connection()
    dbapi = conn.dialect.loaded_dbapi
    try:
        with conn.connection.driver_connection.cursor() as cur:  # type: ignore[union-attr]
            yield cur
    except dbapi.Error as e:
        gone = conn.dialect.is_disconnect(e, conn.connection.dbapi_connection, None)
        if gone:
            conn.invalidate(e)
        raise DBAPIError.instance(sql, params, e, dbapi.Error, connection_invalidated=gone,
                                  dialect=conn.dialect) from e


def driver_rows(session: Session, sql: str, params: dict[str, Any]) -> list[Any]:
    """Every row of ``sql`` run on the driver's cursor (see :func:`driver_cursor`)."""
    with driver_cursor(session, sql, params) as cur:
        cur.execute(sql, params)
        return list(cur.fetchall())


def run(session: Session, shape: tuple[Any, ...], build: Callable[[], Select[Any]], v: dict[str, Any]
        ) -> list[dict[str, Any]]:
    """The rows of ``build()`` run with the values ``v``, as dicts; ``build`` is called once per ``shape``."""
    compiled = statement_for(session, shape, build)
    if compiled.sql is None:
        rows: Any = session.connection().execute(compiled.statement, v)
    else:
        rows = driver_rows(session, compiled.sql, compiled.constants | v)
    return [dict(zip(compiled.names, r, strict=True)) for r in rows]
