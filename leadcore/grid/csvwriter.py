"""Writing CSV for export: streamed in chunks, every cell safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import enum
import io
import json
from collections.abc import Iterable, Iterator, Sequence

# OWASP "CSV injection": a cell starting with one of these may run as a formula in Excel,
# LibreOffice or Google Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: object) -> str:
    """The text of one export cell, prefixed with ``'`` when a spreadsheet could run it as a formula.

    ``None`` is ``''``; lists and tuples are joined with ``", "``; dates and times are ISO 8601;
    dicts (raw provider data) are JSON; enums export their value. Numbers are never prefixed, so
    ``-1`` stays ``-1``. Every other value is prefixed when its text starts with ``= + - @``, tab or
    carriage return, as OWASP recommends, or with quotes and then one of those (so the import can take exactly
    one quote off again). That includes phone numbers written ``+49 30 …`` and
    text such as ``-- call back``: they export as ``'+49 30 …``, which spreadsheets show without
    the quote and never evaluate.
    """
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        text = value.isoformat()
    elif isinstance(value, (list, tuple)):
        text = ", ".join("" if item is None else str(item) for item in value)
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False, default=str)
    else:
        text = str(value)
    return "'" + text if _guarded(text) else text


def _guarded(text: str) -> bool:
    """Whether the export prefixes ``text`` with ``'``: it starts with a trigger, or with quotes and then a trigger
    (so that the import, which takes one ``'`` off such cells, gives back exactly the stored text)."""
    first = text[:1]
    return first in _TRIGGER_CHARS or (first == "'" and text.lstrip("'")[:1] in _TRIGGER_CHARS)


_TRIGGER_CHARS = frozenset(FORMULA_TRIGGERS)  # every trigger is one character


def _cell(value: object) -> object:
    """:func:`neutralize` with the common cases first: an export of a million leads calls this 30 million times.
    Integers go to the csv writer as they are (it writes ``str(value)``, as ``neutralize`` would)."""
    kind = type(value)
    if kind is str:
        return "'" + value if _guarded(value) else value  # type: ignore[arg-type,operator]
    if value is None:
        return ""
    if kind is int:
        return value
    return neutralize(value)


def csv_rows(rows: Iterable[Sequence[object]]) -> str:
    """The CSV text of ``rows`` (no header), every cell as :func:`neutralize` writes it."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([[_cell(c) for c in row] for row in rows])
    return buffer.getvalue()


def csv_chunks(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    rows_per_chunk: int = 500,
    bom: bool = False,
) -> Iterator[str]:
    """Yield CSV text: the header line first on its own, then up to ``rows_per_chunk`` rows at a time.

    Every cell goes through :func:`neutralize`. Memory is bounded by one chunk whatever the number
    of rows, so the caller can stream a million-row export. ``bom=True`` starts the output with a
    UTF-8 byte-order mark so Excel opens non-ASCII text correctly.
    """
    if rows_per_chunk < 1:
        raise ValueError("rows_per_chunk must be at least 1")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if bom:
        buffer.write("\ufeff")
    writer.writerow([neutralize(name) for name in header])
    yield _drain(buffer)
    pending = 0
    for row in rows:
        writer.writerow([_cell(cell) for cell in row])
        pending += 1
        if pending >= rows_per_chunk:
            yield _drain(buffer)
            pending = 0
    if pending:
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate(0)
    return text
