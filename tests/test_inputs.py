"""The rulebook for input text (leadcore/inputs.py): one rule each for tags, whole numbers and NUL, and the places
that must use it agree."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadcore.errors import InvalidInput
from leadcore.inputs import TAG_MAX, TAG_SEPARATORS, has_nul, split_tags, whole_number
from leadcore.intake.validation import validate_fields
from leadcore.leads.edits import clean_tags


@pytest.mark.parametrize("raw, tags", [
    ("vip; berlin, vip | q3", ["vip", "berlin", "q3"]),
    ("  ", []),
    ("a,,b;;c||", ["a", "b", "c"]),
    ("one tag with spaces", ["one tag with spaces"]),
    ("ünï|cödé", ["ünï", "cödé"]),
])
def test_split_tags(raw: str, tags: list[str]) -> None:
    assert split_tags(raw) == tags


@pytest.mark.parametrize("raw", ["vip; berlin, vip | q3", "a|b", "x;y,z"])
def test_import_and_edits_split_tags_alike(raw: str) -> None:
    assert clean_tags(raw) == split_tags(raw)
    row = validate_fields({"lead_name": "Ann", "tags": raw})
    assert row.candidate is not None and row.candidate.tags == split_tags(raw)


@given(st.lists(st.text(alphabet=st.characters(blacklist_characters=TAG_SEPARATORS), min_size=1), max_size=8))
@pytest.mark.fuzz
def test_joined_tags_split_back(tags: list[str]) -> None:
    clean = list(dict.fromkeys(t.strip() for t in tags if t.strip()))
    for sep in TAG_SEPARATORS:
        assert split_tags(sep.join(tags)) == clean


def test_a_tag_longer_than_the_limit_is_refused_on_both_paths() -> None:
    long = "x" * (TAG_MAX + 1)
    with pytest.raises(InvalidInput, match=f"longer than {TAG_MAX}"):
        clean_tags([long])
    row = validate_fields({"lead_name": "Ann", "tags": long})
    assert row.candidate is None and f"longer than {TAG_MAX}" in (row.reason or "")
    assert clean_tags(["x" * TAG_MAX]) == ["x" * TAG_MAX]


@pytest.mark.parametrize("raw, number", [
    ("80", 80), (" 80 ", 80), ("80.0", 80), ("0", 0), ("007", 7), ("100.000", 100),
    ("80.5", None), ("8e1", None), ("-3", None), ("²", None), ("", None), ("1_000", None), ("eighty", None),
    ("1" * 19, None),
])
def test_whole_number(raw: str, number: int | None) -> None:
    assert whole_number(raw) == number


@given(st.integers(min_value=0, max_value=10**17))
@pytest.mark.fuzz
def test_whole_numbers_read_back(n: int) -> None:
    assert whole_number(str(n)) == n == whole_number(f" {n}.00 ")


@given(st.text())
@pytest.mark.fuzz
def test_whole_number_never_raises_and_gives_a_non_negative_int(raw: str) -> None:
    n = whole_number(raw)
    assert n is None or (type(n) is int and n >= 0)


@pytest.mark.parametrize("texts, found", [
    (("a\x00b",), True), (("ok", None, "\x00"), True), (("ok", None), False), ((), False),
])
def test_has_nul(texts: tuple[str | None, ...], found: bool) -> None:
    assert has_nul(*texts) is found
