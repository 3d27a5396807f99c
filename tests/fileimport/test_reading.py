"""Reading uploads: every delimiter and encoding people send, Excel, and clear errors for the rest."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadcore.errors import InvalidInput
from leadcore.fileimport.reading import Table, iter_csv_rows, read_table

TEXT = "name,email,city\nRené Müller,rene@example.com,Köln\nAnn Lee,ann@acme.io,Paris\n"
EXPECTED = Table(
    headers=["name", "email", "city"],
    rows=[["René Müller", "rene@example.com", "Köln"], ["Ann Lee", "ann@acme.io", "Paris"]],
)


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda t: t.encode("utf-8"), id="utf-8"),
        pytest.param(lambda t: t.encode("utf-8-sig"), id="utf-8-bom"),
        pytest.param(lambda t: t.encode("utf-16"), id="utf-16-bom"),
        pytest.param(lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"), id="utf-16-be-bom"),
        pytest.param(lambda t: t.encode("utf-16-le"), id="utf-16-le-no-bom"),
        pytest.param(lambda t: t.encode("utf-16-be"), id="utf-16-be-no-bom"),
        pytest.param(lambda t: t.encode("utf-32"), id="utf-32-bom"),
        pytest.param(lambda t: t.encode("cp1252"), id="cp1252"),
        pytest.param(lambda t: t.encode("latin-1"), id="latin-1"),
        pytest.param(lambda t: t.replace("\n", "\r\n").encode("utf-8"), id="crlf"),
        pytest.param(lambda t: t.replace("\n", "\r").encode("utf-8"), id="old-mac-cr"),
    ],
)
def test_read_table_decodes_common_encodings(encode):
    assert read_table(encode(TEXT), "leads.csv") == EXPECTED


def test_cp1252_only_characters_decode():
    data = "name,notes\nZoë,costs 5€ – “quoted”\n".encode("cp1252")
    assert read_table(data, "x.csv").rows == [["Zoë", "costs 5€ – “quoted”"]]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_read_table_detects_delimiter(delimiter):
    data = TEXT.replace(",", delimiter).encode()
    assert read_table(data, "leads.csv") == EXPECTED


@pytest.mark.parametrize(
    "text, headers, rows",
    [
        # Commas inside values must not win over the real semicolon delimiter.
        ("name;company\nBob;Acme, Inc.\nAnn;Foo, Bar & Co\n", ["name", "company"],
         [["Bob", "Acme, Inc."], ["Ann", "Foo, Bar & Co"]]),
        # Semicolons inside quoted values must not win over the comma.
        ('name,notes\nBob,"a; b; c"\nAnn,"x; y"\n', ["name", "notes"], [["Bob", "a; b; c"], ["Ann", "x; y"]]),
        # Apostrophes are not quote characters.
        ("name,company\n'Bob',O'Brien's\n", ["name", "company"], [["'Bob'", "O'Brien's"]]),
        # A single-column file.
        ("email\nbob@example.com\nann@example.com\n", ["email"], [["bob@example.com"], ["ann@example.com"]]),
        # A header row only.
        ("name,email\n", ["name", "email"], []),
    ],
    ids=["semicolon-with-commas", "comma-with-semicolons", "apostrophes", "one-column", "header-only"],
)
def test_read_table_delimiter_edge_cases(text, headers, rows):
    assert read_table(text.encode(), "x.csv") == Table(headers, rows)


def test_quoted_fields_keep_newlines_delimiters_and_quotes():
    data = b'name,notes\r\n"Bob","line one\r\nline two, with ""quotes"""\r\nAnn,plain\r\n'
    table = read_table(data, "x.csv")
    assert table.rows == [["Bob", 'line one\r\nline two, with "quotes"'], ["Ann", "plain"]]


def test_blank_lines_are_skipped_but_empty_cell_rows_between_data_are_data_rows():
    # A row of empty cells is a data row (the import report keeps one line per row); trailing ones are padding.
    data = b"\n\n  \nname,email\n\nBob,b@x.io\n,,\n , \nAnn,a@x.io\n\n,\n"
    assert read_table(data, "x.csv").rows == [["Bob", "b@x.io"], ["", ""], [" ", " "], ["Ann", "a@x.io"]]


def test_short_rows_are_padded_and_long_rows_truncated():
    data = b"a,b,c\n1\n1,2,3,4,5\n"
    assert read_table(data, "x.csv").rows == [["1", "", ""], ["1", "2", "3"]]


def test_headers_are_stripped_and_blank_headers_named_by_position():
    data = b" Name , Email ,,\nBob,b@x.io,x,y\n"
    assert read_table(data, "x.csv").headers == ["Name", "Email", "column 3", "column 4"]


def test_cells_are_kept_raw_including_formulas():
    data = b"name,notes\n  Bob  ,=SUM(1)\n"
    assert read_table(data, "x.csv").rows == [["  Bob  ", "=SUM(1)"]]


@pytest.mark.parametrize(
    "data, filename, message",
    [
        (b"", "x.csv", "empty"),
        (b"   \r\n\n\t\n", "x.csv", "empty"),
        (codecs.BOM_UTF8, "x.csv", "empty"),
        (codecs.BOM_UTF16_LE, "x.csv", "empty"),
        (b",,,\n , ,\n\n", "x.csv", "no header row"),
        (b"name,Email,email\nBob,a,b\n", "x.csv", "'email' twice (columns 2 and 3)"),
        (b"name,name\n", "x.csv", "'name' twice"),
        (b"\x00\x01\x02\x03binary\xff\xfe\x00garbage" * 10, "x.csv", "binary"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "photo.csv", "binary"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls", ".xls"),
        (b"name,email\n", "old.xls", ".xls"),
        (b"PK\x03\x04not really a zip", "x.xlsx", "Excel"),
        (b"name,email\nBob,b@x.io\n", "renamed.xlsx", "Excel"),
        (codecs.BOM_UTF16_LE + b"a\x00,\x00\x00\xd8", "x.csv", "UTF-16"),
    ],
    ids=[
        "empty", "whitespace", "bom-only", "utf16-bom-only", "delimiters-only", "duplicate-any-case",
        "duplicate", "binary", "png", "xls-magic", "xls-name", "bad-zip", "csv-named-xlsx", "bad-utf16",
    ],
)
def test_read_table_rejects_with_clear_message(data, filename, message):
    with pytest.raises(InvalidInput, match="(?i)" + re.escape(message)):
        read_table(data, filename)


def test_oversize_file_states_limit_in_mb():
    data = (b"name\n" + b"x" * 1018 + b"\n") * 1024
    with pytest.raises(InvalidInput, match=r"the file is 1 MB; the limit is 0\.5 MB"):
        read_table(data, "x.csv", max_bytes=512 * 1024)
    assert read_table(data, "x.csv", max_bytes=2 * 1024 * 1024).headers == ["name"]


def test_invalid_input_is_tagged_with_the_file_field():
    with pytest.raises(InvalidInput) as info:
        read_table(b"", "x.csv")
    assert info.value.field == "file"


# --- Excel -------------------------------------------------------------------------------------


def _xlsx(rows: list[list[object]], *, extra_sheet: bool = False, formulas_as_text: bool = True) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for row_cells in sheet.iter_rows():
        for c in row_cells:
            if formulas_as_text and isinstance(c.value, str) and c.value.startswith("="):
                c.data_type = "s"  # text that looks like a formula, as Excel stores '=SUM(1)
    if extra_sheet:
        workbook.create_sheet("Other").append(["not", "this"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_xlsx_first_sheet_values_as_text():
    data = _xlsx(
        [
            ["Name", "Score", "Revenue", "Created", "Seen", "Active", "Empty", "Formula"],
            ["René", 80, 12.5, dt.datetime(2024, 3, 1), dt.datetime(2024, 3, 1, 14, 30), True, None, "=SUM(1)"],
            [None, 80.0, 3, dt.date(2023, 12, 31), None, False, None, None],
            [None, None, None, None, None, None, None, None],
            ["Short"],
        ],
        extra_sheet=True,
    )
    table = read_table(data, "leads.xlsx")
    assert table.headers == ["Name", "Score", "Revenue", "Created", "Seen", "Active", "Empty", "Formula"]
    assert table.rows == [
        ["René", "80", "12.5", "2024-03-01", "2024-03-01T14:30:00", "TRUE", "", "=SUM(1)"],
        ["", "80", "3", "2023-12-31", "", "FALSE", "", ""],
        ["", "", "", "", "", "", "", ""],
        ["Short", "", "", "", "", "", "", ""],
    ]


def test_xlsx_real_formula_reads_its_cached_value_or_blank():
    # openpyxl never computes formulas; a workbook saved by Excel carries the computed value.
    data = _xlsx([["a", "b"], ["x", "=1+1"]], formulas_as_text=False)
    assert read_table(data, "x.xlsx").rows == [["x", ""]]


def test_xlsx_detected_by_content_whatever_the_name():
    data = _xlsx([["email"], ["a@b.io"]])
    assert read_table(data, "upload.bin").rows == [["a@b.io"]]


def test_xlsx_duplicate_headers_rejected():
    with pytest.raises(InvalidInput, match="'Email' twice"):
        read_table(_xlsx([["Email", "Email"], ["a", "b"]]), "x.xlsx")


def test_xlsx_empty_sheet_has_no_header_row():
    with pytest.raises(InvalidInput, match="no header row"):
        read_table(_xlsx([]), "x.xlsx")


def test_xlsx_zip_bomb_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (3 * 1024 * 1024))
    with pytest.raises(InvalidInput, match=r"expands to 3 MB; the limit is 2\.44 MB"):
        read_table(out.getvalue(), "x.xlsx", max_bytes=100 * 1024)


def test_zip_that_is_not_a_workbook_is_invalid():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(InvalidInput, match="not a readable Excel"):
        read_table(out.getvalue(), "x.xlsx")


# --- streaming ---------------------------------------------------------------------------------


def test_iter_csv_rows_streams_header_then_rows(tmp_path: Path):
    path = tmp_path / "big.csv"
    lines = ["name;email"] + [f"Person {i};p{i}@example.com" for i in range(20_000)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-16")
    rows = iter_csv_rows(path)
    assert next(rows) == ["name", "email"]
    assert next(rows) == ["Person 0", "p0@example.com"]
    assert sum(1 for _ in rows) == 19_999


def test_iter_csv_rows_accepts_a_binary_stream_and_leaves_it_open():
    stream = io.BytesIO(TEXT.encode("cp1252"))
    assert list(iter_csv_rows(stream)) == [EXPECTED.headers, *EXPECTED.rows]
    assert not stream.closed


def test_iter_csv_rows_reports_late_encoding_error_by_line():
    data = ("name\n" + "ascii\n" * 60_000).encode() + "Zoë\n".encode("cp1252")
    with pytest.raises(InvalidInput, match=r"not valid UTF-8 text after line") as info:
        list(iter_csv_rows(io.BytesIO(data)))
    line = re.search(r"after line (\d+)", str(info.value))
    assert line is not None and 50_000 < int(line.group(1)) <= 60_001


@pytest.mark.parametrize("data", [b"", b"\n\n", b"PK\x03\x04xx", b"a,a\n"])
def test_iter_csv_rows_same_errors_as_read_table(data):
    with pytest.raises(InvalidInput):
        list(iter_csv_rows(io.BytesIO(data)))


def test_iter_csv_rows_missing_path_is_invalid_input(tmp_path: Path):
    with pytest.raises(InvalidInput, match="cannot open"):
        list(iter_csv_rows(tmp_path / "nope.csv"))


# --- properties --------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=2000), filename=st.sampled_from(["x.csv", "x.xlsx", "x.txt", "x.xls", ""]))
def test_read_table_raises_only_invalid_input_on_arbitrary_bytes(data, filename):
    try:
        table = read_table(data, filename)
    except InvalidInput:
        return
    assert all(len(row) == len(table.headers) for row in table.rows)


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=500),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32"]),
)
def test_read_table_raises_only_invalid_input_on_arbitrary_text(text, encoding):
    try:
        table = read_table(text.encode(encoding), "x.csv")
    except InvalidInput:
        return
    assert all(len(row) == len(table.headers) for row in table.rows)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=2000))
def test_iter_csv_rows_raises_only_invalid_input_on_arbitrary_bytes(data):
    try:
        list(iter_csv_rows(io.BytesIO(data)))
    except InvalidInput:
        pass


# Cells without the candidate delimiters: with them the delimiter is ambiguous even to a person.
cell = st.text(
    alphabet=st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters=",;|\ufeff"),
    min_size=1,
    max_size=12,
).filter(lambda s: s.strip() == s and s != "")


@settings(max_examples=150, deadline=None)
@given(
    headers=st.lists(cell, min_size=2, max_size=5, unique_by=str.casefold),
    data=st.data(),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
)
def test_written_csv_reads_back(headers, data, delimiter):
    import csv

    rows = data.draw(st.lists(st.lists(cell, min_size=len(headers), max_size=len(headers)), max_size=5))
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows([headers, *rows])
    table = read_table(out.getvalue().encode("utf-8"), "x.csv")
    assert table == Table(headers, rows)
