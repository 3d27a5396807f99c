"""Export cells are safe to open in a spreadsheet, and the CSV streams in bounded chunks."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import enum
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadcore.grid.csvwriter import FORMULA_TRIGGERS, csv_chunks, neutralize


class Status(enum.Enum):
    NEW = "NEW"


@pytest.mark.parametrize(
    "value, text",
    [
        (None, ""),
        ("", ""),
        ("Ann Lee", "Ann Lee"),
        ("=SUM(1)", "'=SUM(1)"),
        ("+49 30 1234567", "'+49 30 1234567"),
        ("-- call back", "'-- call back"),
        ("@mention", "'@mention"),
        ("\tTAB", "'\tTAB"),
        ("\rCR", "'\rCR"),
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        (" =SUM(1)", " =SUM(1)"),
        ("a=b", "a=b"),
        ("'quoted", "'quoted"),
        (80, "80"),
        (-1, "-1"),
        (-2.5, "-2.5"),
        (decimal.Decimal("-3.10"), "-3.10"),
        (True, "True"),
        (["vip", "berlin"], "vip, berlin"),
        (("a", None, "b"), "a, , b"),
        (["=x", "y"], "'=x, y"),
        ([], ""),
        (dt.datetime(2024, 3, 1, 14, 30, 5, tzinfo=dt.UTC), "2024-03-01T14:30:05+00:00"),
        (dt.date(2024, 3, 1), "2024-03-01"),
        ({"name": "Ann", "n": 1}, '{"name": "Ann", "n": 1}'),
        (Status.NEW, "NEW"),
    ],
)
def test_neutralize(value, text):
    assert neutralize(value) == text


def test_neutralize_covers_the_owasp_triggers():
    assert set(FORMULA_TRIGGERS) == {"=", "+", "-", "@", "\t", "\r"}


def _parse(chunks: list[str]) -> list[list[str]]:
    return list(csv.reader(io.StringIO("".join(chunks), newline="")))


def test_csv_chunks_header_first_then_rows_in_chunks():
    rows = [[i, f"name {i}"] for i in range(7)]
    chunks = list(csv_chunks(["id", "name"], rows, rows_per_chunk=3))
    assert chunks[0] == "id,name\r\n"
    assert [len(_parse([c])) for c in chunks] == [1, 3, 3, 1]
    assert _parse(chunks) == [["id", "name"], *[[str(i), f"name {i}"] for i in range(7)]]


def test_csv_chunks_with_no_rows_is_just_the_header():
    assert list(csv_chunks(["a", "b"], [])) == ["a,b\r\n"]


def test_csv_chunks_exact_multiple_yields_no_empty_chunk():
    chunks = list(csv_chunks(["a"], [[1], [2]], rows_per_chunk=2))
    assert chunks == ["a\r\n", "1\r\n2\r\n"]


def test_csv_chunks_neutralizes_and_quotes():
    chunks = csv_chunks(["name", "notes", "tags"], [["=SUM(1)", 'say "hi",\nbye', ["a", "b"]]])
    assert _parse(list(chunks)) == [["name", "notes", "tags"], ["'=SUM(1)", 'say "hi",\nbye', "a, b"]]


def test_csv_chunks_bom_only_at_the_start():
    chunks = list(csv_chunks(["név"], [["é"], ["ü"]], rows_per_chunk=1, bom=True))
    assert chunks[0].startswith("\ufeff")
    assert not any("\ufeff" in c for c in chunks[1:])
    assert "".join(chunks).encode("utf-8").decode("utf-8-sig").splitlines() == ["név", "é", "ü"]


def test_csv_chunks_is_lazy():
    def endless():
        i = 0
        while True:
            yield [i]
            i += 1

    chunks = csv_chunks(["n"], endless(), rows_per_chunk=10)
    assert next(chunks) == "n\r\n"
    assert len(_parse([next(chunks)])) == 10


def test_csv_chunks_rejects_nonsense_chunk_size():
    with pytest.raises(ValueError):
        list(csv_chunks(["a"], [], rows_per_chunk=0))


# --- properties --------------------------------------------------------------------------------


@given(st.text())
def test_neutralized_text_never_starts_a_formula(text):
    assert not neutralize(text).startswith(FORMULA_TRIGGERS)


@given(st.text())
def test_neutralize_only_prefixes(text):
    out = neutralize(text)
    assert out == text or out == "'" + text


cells = st.one_of(
    st.none(),
    st.text(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.text(max_size=5), max_size=3),
)


@given(
    header=st.lists(st.text(min_size=1), min_size=1, max_size=4),
    data=st.data(),
    rows_per_chunk=st.integers(min_value=1, max_value=4),
)
def test_csv_chunks_parse_back_to_the_neutralized_cells(header, data, rows_per_chunk):
    rows = data.draw(st.lists(st.lists(cells, min_size=len(header), max_size=len(header)), max_size=10))
    chunks = list(csv_chunks(header, rows, rows_per_chunk=rows_per_chunk))
    parsed = _parse(chunks)
    assert parsed == [[neutralize(h) for h in header], *[[neutralize(c) for c in row] for row in rows]]
