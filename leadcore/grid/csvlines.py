"""CSV export cells computed by PostgreSQL itself: the same cells as :func:`leadcore.grid.csvwriter.neutralize` writes.

Fetching a million rows of 34 columns into Python and formatting every cell costs ten times what the database
needs to read them (SPEC §10: export must stream at the speed of the database). On PostgreSQL the export therefore
selects finished cells and lets ``COPY … TO STDOUT (FORMAT csv)`` write the lines; Python only passes them on
(:mod:`leadcore.grid.export`). The cells mirror ``neutralize``, and COPY's quoting mirrors ``csv.writer``'s:

- NULL is an empty cell; integers are their digits; booleans ``True``/``False``;
- timestamps ISO 8601 in UTC (``2024-03-01T14:30:05.123456+00:00``; no fraction when it is zero);
- tags are joined with ``", "``;
- text starting with ``= + - @``, tab or carriage return gets a leading ``'``, and so does text starting with
  quotes and then one of those (the import takes exactly one quote off again);
- an empty text is NULL, so COPY writes it bare as ``csv.writer`` does (COPY quotes an empty string);
- COPY quotes a cell holding a comma, a double quote, CR or LF and doubles inner quotes, as ``csv.writer`` does
  (its end-of-data marker ``\\.`` it quotes only in single-column rows); it ends lines with LF, which the export
  turns into the CRLF ``csv.writer`` writes.
"""

from __future__ import annotations

from sqlalchemy import Boolean, DateTime, Integer
from sqlalchemy.types import TypeEngine

from leadcore.db.coltypes import TagList

# Code points of = + - @ tab CR: comparing ascii() of the first character as an integer costs a fraction of
# comparing left(v, 1) with six strings, and this runs for twenty-odd cells of every exported lead.
_TRIGGER_CODES = ", ".join(str(ord(c)) for c in ("=", "+", "-", "@", "\t", "\r"))


def _text(v: str) -> str:
    # Also text starting with quotes and then a trigger: the import takes exactly one quote off such a cell.
    guarded = f"ascii({v}) IN ({_TRIGGER_CODES}) OR (ascii({v}) = 39 AND ascii(ltrim({v}, '''')) IN ({_TRIGGER_CODES}))"
    return f"NULLIF(CASE WHEN {guarded} THEN '''' || {v} ELSE {v} END, '')"


def _timestamp(v: str) -> str:
    utc = f"({v} AT TIME ZONE 'UTC')"
    fraction = f"CASE WHEN date_part('microseconds', {v})::int % 1000000 <> 0 THEN to_char({utc}, '.US') ELSE '' END"
    seconds = f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
    return f"{seconds} || {fraction} || '+00:00'"  # NULL stays NULL


def cell(column: str, type_: TypeEngine[object]) -> str:
    """The SQL text of one CSV cell for ``column`` (a qualified column reference) of type ``type_``: its text, or
    NULL for an empty cell."""
    if isinstance(type_, Boolean):
        return f"CASE WHEN {column} THEN 'True' WHEN NOT {column} THEN 'False' END"
    if isinstance(type_, Integer):
        return column
    if isinstance(type_, DateTime):
        return _timestamp(column)
    if isinstance(type_, TagList):
        return _text(f"array_to_string({column}, ', ', '')")
    return _text(column)
