"""Reading uploaded files (CSV in any common dialect and encoding, or Excel .xlsx) into rows of text.

Every failure a user can cause with a file is an :class:`~leadcore.errors.InvalidInput` whose
message says what is wrong; no other exception escapes, whatever the bytes.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import logging
import os
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from leadcore.errors import InvalidInput
from leadcore.fileimport.header import HeaderChoice, detect_header

log = logging.getLogger(__name__)

DELIMITERS = (",", ";", "\t", "|")
_SAMPLE_CHARS = 64 * 1024
_SAMPLE_BYTES = 256 * 1024
# csv.Sniffer's quote regex is quadratic in the sample length: keep its sample small.
_SNIFFER_CHARS = 4 * 1024
_EXCEL_SUFFIXES = (".xlsx", ".xlsm")
_ZIP_MAGIC = b"PK\x03\x04"
# An .xlsx is a zip; refuse one that inflates past this multiple of the upload limit (zip bomb).
_XLSX_MAX_INFLATION = 25


@dataclass
class Table:
    """A header row and the data rows under it, every row exactly ``len(headers)`` cells of raw text."""

    headers: list[str]
    rows: list[list[str]]
    header_row: int = 1  # 1-based row of the file the headers were read from
    header_reason: str = "the first row"


def read_table(
    data: bytes, filename: str, *, max_bytes: int | None = None, header_row: int | None = None
) -> Table:
    """Parse an uploaded CSV or .xlsx file; raise ``InvalidInput`` (only) when it is not a usable table.

    ``max_bytes`` is the upload limit (``None``: no limit). Blank lines are skipped, short rows are
    padded with ``''`` and cells beyond the header are dropped. Header names are stripped and must
    be unique (ignoring case). The header row is found below a preamble or title rows
    (:mod:`~leadcore.fileimport.header`) unless ``header_row`` (1-based) says which it is.
    """
    if max_bytes is not None and len(data) > max_bytes:
        raise InvalidInput(
            f"the file is {_mb(len(data))} MB; the limit is {_mb(max_bytes)} MB", field="file"
        )
    if not data.strip():
        raise InvalidInput("the file is empty", field="file")
    if _looks_like_excel(data, filename):
        raw_rows: Iterable[list[str]] = _xlsx_rows(data, max_bytes=max_bytes)
    elif filename.lower().endswith(".xls") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InvalidInput(
            "old Excel .xls files are not supported; save it as .xlsx or CSV and upload again",
            field="file",
        )
    else:
        text = _decode(data)
        raw_rows = _csv_rows(io.StringIO(text, newline=""), _sniff_delimiter(text[:_SAMPLE_CHARS]))
    all_rows = list(raw_rows)
    if header_row is not None:
        if not 1 <= header_row <= len(all_rows):
            raise InvalidInput(f"header row {header_row} is not a row of the file (it has {len(all_rows)})",
                               field="header_row")
        choice = HeaderChoice(header_row - 1, f"row {header_row}, as chosen")
    else:
        choice = detect_header(all_rows)
    try:
        rows = _table_rows(all_rows[choice.index :])
        headers = next(rows)
    except InvalidInput as e:
        raise InvalidInput(f"{e} (header taken from row {choice.row_number}: {choice.reason})", field="file") from e
    return Table(headers=headers, rows=list(rows), header_row=choice.row_number, header_reason=choice.reason)


def iter_csv_rows(source: IO[bytes] | str | os.PathLike[str]) -> Iterator[list[str]]:
    """Stream a CSV file (path or binary stream): yield the header row, then each data row.

    The same rules as :func:`read_table` apply, but memory stays bounded: the encoding and
    delimiter are guessed from the first 256 KB. A byte later in the file that does not fit the
    guessed encoding raises ``InvalidInput`` saying after which line. Excel files and the size
    limit are :func:`read_table`'s business.
    """
    if isinstance(source, (str, os.PathLike)):
        try:
            stream: IO[bytes] = open(source, "rb")  # noqa: SIM115 - closed in the finally below
        except OSError as e:
            raise InvalidInput(f"cannot open {os.fspath(source)!r}: {e.strerror}", field="file") from e
        owned = True
    else:
        stream, owned = source, False
    try:
        yield from _iter_stream(stream)
    finally:
        if owned:
            stream.close()


def _iter_stream(stream: IO[bytes]) -> Iterator[list[str]]:
    sample = b""
    while len(sample) < _SAMPLE_BYTES:
        chunk = stream.read(_SAMPLE_BYTES - len(sample))
        if not chunk:
            break
        sample += chunk
    if sample.startswith(_ZIP_MAGIC):
        raise InvalidInput("this looks like an Excel file; upload it as .xlsx", field="file")
    encoding = _detect_encoding(sample, complete=len(sample) < _SAMPLE_BYTES)
    text_sample = _decode_with(sample, encoding, final=False)
    if not text_sample.strip():
        raise InvalidInput("the file is empty", field="file")
    _reject_binary(text_sample[:_SAMPLE_CHARS])
    reader = io.TextIOWrapper(io.BufferedReader(_Prefixed(sample, stream)), encoding=encoding, newline="")
    yield from _table_rows(_csv_rows(reader, _sniff_delimiter(text_sample[:_SAMPLE_CHARS])))


class _Prefixed(io.RawIOBase):
    """A raw stream that replays the already-read sample, then continues with the source stream.

    Closing it leaves the source open: the caller owns it.
    """

    def __init__(self, prefix: bytes, stream: IO[bytes]) -> None:
        self._prefix = memoryview(prefix)
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._prefix:
            n = min(len(buffer), len(self._prefix))
            buffer[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        chunk = self._stream.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


# --- encodings ---------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    text = _decode_with(data, _detect_encoding(data, complete=True), final=True)
    if not text.strip():
        raise InvalidInput("the file is empty", field="file")
    _reject_binary(text[:_SAMPLE_CHARS])
    return text


def _detect_encoding(data: bytes, *, complete: bool) -> str:
    """A codec name for ``data``: BOMs first, then BOM-less UTF-16, UTF-8, cp1252, latin-1."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = data[:4096]
    if head.count(0) > len(head) // 4:
        # BOM-less UTF-16: ASCII text leaves a NUL in every other byte.
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if odd > 0.4 * len(head[1::2]) and even < 0.1 * len(head[0::2]):
            return "utf-16-le"
        if even > 0.4 * len(head[0::2]) and odd < 0.1 * len(head[1::2]):
            return "utf-16-be"
    for encoding in ("utf-8", "cp1252"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(data, final=complete)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"  # decodes any byte; the binary check below catches what is not text


def _decode_with(data: bytes, encoding: str, *, final: bool) -> str:
    try:
        return codecs.getincrementaldecoder(encoding)().decode(data, final=final)
    except UnicodeDecodeError as e:
        raise InvalidInput(
            f"the file is not valid {encoding.upper()} text (byte {e.start}); save it as UTF-8 CSV",
            field="file",
        ) from e


def _reject_binary(text: str) -> None:
    """Real CSV text has no NUL and almost no control characters besides tab and line breaks."""
    controls = sum(1 for ch in text if ch < " " and ch not in "\t\r\n")
    if "\x00" in text or controls > len(text) // 100:
        raise InvalidInput(
            "the file does not look like a CSV or Excel table (it contains binary data)", field="file"
        )


# --- CSV ---------------------------------------------------------------------------------------


def _sniff_delimiter(sample: str) -> str:
    """The delimiter among ``, ; TAB |`` that splits the sample into the most consistent rows.

    ``csv.Sniffer`` is asked first and wins ties; it is checked against a count because it is
    easily fooled (a sample cut inside a quoted field, commas inside values).
    """
    cut = max(sample.rfind("\n"), sample.rfind("\r"))
    if cut > 0:
        sample = sample[:cut]
    small = sample[:_SNIFFER_CHARS]
    cut = max(small.rfind("\n"), small.rfind("\r"))
    if cut > 0:
        small = small[:cut]
    try:
        sniffed: str | None = csv.Sniffer().sniff(small, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None
    scores = {d: _consistency(sample, d) for d in DELIMITERS}
    best = max(scores.values())
    if best == (0, 0):
        return ","
    if sniffed in scores and scores[sniffed] == best:
        return sniffed
    return next(d for d in DELIMITERS if scores[d] == best)


def _consistency(sample: str, delimiter: str) -> tuple[int, int]:
    """(cells in the rows as wide as the header, header width) for the first 50 rows; (0, 0) if width < 2.

    One-cell lines before the first wider row are a preamble (LinkedIn's notes, a report title), not the header.
    Counting cells rather than rows keeps a delimiter that cuts a few lines into two pieces from beating the one
    that makes every line a row of many cells."""
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter):
            if any(cell.strip() for cell in row) and (rows or len(row) >= 2):
                rows.append(row)
            if len(rows) >= 50:
                break
    except csv.Error:
        return (0, 0)
    if not rows:
        return (0, 0)
    width = len(rows[0])
    return (width * sum(1 for row in rows if len(row) == width), width)


def _csv_rows(lines: Iterable[str], delimiter: str) -> Iterator[list[str]]:
    reader = csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
    try:
        yield from reader
    except csv.Error as e:
        if "field limit" in str(e):
            raise InvalidInput(
                f"a cell near line {reader.line_num} is longer than {csv.field_size_limit():,}"
                " characters (often a quote that is never closed)",
                field="file",
            ) from e
        raise InvalidInput(f"the CSV is malformed near line {reader.line_num}: {e}", field="file") from e
    except UnicodeDecodeError as e:
        # The decoder works a block ahead of the reader, so the bad byte is somewhere after here.
        raise InvalidInput(
            f"the file is not valid {e.encoding.upper()} text after line {reader.line_num};"
            " save it as UTF-8 and upload again",
            field="file",
        ) from e


def _blank(row: list[str]) -> bool:
    return not any(cell.strip() for cell in row)


def _table_rows(raw_rows: Iterable[list[str]]) -> Iterator[list[str]]:
    """Yield the checked header row, then every data row fitted to the header's width.

    Blank lines are skipped, but a row of empty cells between data rows (``,,,``) is a data row, so
    the report keeps one line per row; empty rows at the end (spreadsheet padding) are dropped.
    """
    it = iter(raw_rows)
    header = next((row for row in it if not _blank(row)), None)
    if header is None:
        raise InvalidInput("the file has no header row (every line is blank)", field="file")
    headers = [cell.strip().lstrip("\ufeff").strip() for cell in header]
    # Blank header cells (a trailing delimiter, an unlabelled column) get a placeholder name.
    headers = [h or f"column {i + 1}" for i, h in enumerate(headers)]
    seen: dict[str, int] = {}
    for i, name in enumerate(headers):
        key = name.casefold()
        if key in seen:
            raise InvalidInput(
                f"the header row names column {name!r} twice (columns {seen[key] + 1} and {i + 1});"
                " rename or remove one",
                field="file",
            )
        seen[key] = i
    yield headers
    width = len(headers)
    pending_empty: list[list[str]] = []
    for row in it:
        if len(row) <= 1 and _blank(row):
            continue  # a blank line
        fitted = row[:width] if len(row) >= width else row + [""] * (width - len(row))
        if _blank(row):
            pending_empty.append(fitted)
            continue
        yield from pending_empty
        pending_empty.clear()
        yield fitted


# --- Excel -------------------------------------------------------------------------------------


def _looks_like_excel(data: bytes, filename: str) -> bool:
    return filename.lower().endswith(_EXCEL_SUFFIXES) or data.startswith(_ZIP_MAGIC)


def _xlsx_rows(data: bytes, *, max_bytes: int | None) -> list[list[str]]:
    """The first sheet's rows as text. Any failure of the parser on this upload is the file's fault."""
    import openpyxl  # imported here: only Excel uploads pay for it

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
        if max_bytes is not None and inflated > _XLSX_MAX_INFLATION * max_bytes:
            raise InvalidInput(
                f"the Excel file expands to {_mb(inflated)} MB; the limit is"
                f" {_mb(_XLSX_MAX_INFLATION * max_bytes)} MB",
                field="file",
            )
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            if not workbook.worksheets:
                raise InvalidInput("the Excel file has no sheets", field="file")
            sheet = workbook.worksheets[0]
            return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        finally:
            workbook.close()
    except InvalidInput:
        raise
    # openpyxl/zipfile/lxml raise a zoo of types on damaged files; all mean "this is not a usable
    # .xlsx", which is what the user needs to hear. The cause is kept for the log.
    except Exception as e:
        log.info("unreadable .xlsx upload: %r", e)
        raise InvalidInput(
            "the file is not a readable Excel .xlsx workbook; re-save it in Excel or export it as CSV",
            field="file",
        ) from e


def _cell_text(value: object) -> str:
    """Excel cell → the text a person sees: ints without ``.0``, dates ISO, booleans TRUE/FALSE."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _mb(n: int) -> str:
    """Bytes as megabytes, with up to two decimals (``50``, ``1.5``, ``0.25``)."""
    return f"{n / (1024 * 1024):.2f}".rstrip("0").rstrip(".")
