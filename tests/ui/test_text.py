"""Counts in words (ui/text.py): "1 lead", never "1 leads"."""

from __future__ import annotations

import pytest

from ui.text import percent, plural, word_for


@pytest.mark.parametrize(("n", "word", "kw", "expected"), [
    (0, "lead", {}, "0 leads"),
    (1, "lead", {}, "1 lead"),
    (2, "lead", {}, "2 leads"),
    (1234, "lead", {}, "1,234 leads"),
    (1, "lead", {"estimate": True}, "about 1 leads"),
    (480_000, "lead", {"estimate": True}, "about 480,000 leads"),
    (1, "new lead", {}, "1 new lead"),
    (3, "duplicate row", {}, "3 duplicate rows"),
    (1, "row", {}, "1 row"),
    (1, "search", {}, "1 search"),
    (2, "search", {}, "2 searches"),
    (2, "company", {}, "2 companies"),
    (2, "query", {}, "2 queries"),
    (2, "day", {}, "2 days"),
    (1, "day", {}, "1 day"),
    (2, "person", {}, "2 people"),
    (2, "action", {}, "2 actions"),
    (2, "datum", {"many": "data"}, "2 data"),
])
def test_plural_agrees_with_the_count(n, word, kw, expected):
    assert plural(n, word, **kw) == expected


@pytest.mark.parametrize(("n", "expected"), [(0, "exist"), (1, "exists"), (2, "exist")])
def test_word_for_inflects_verbs_too(n, expected):
    assert word_for(n, "exists", many="exist") == expected


@pytest.mark.parametrize("n", [1, 2])
def test_the_grid_total_says_lead_or_leads(make, new_app, logged_in, n):
    manager = make.user("manager")
    for _ in range(n):
        make.lead(manager)
    at = logged_in(new_app(), manager).run()
    assert not at.exception
    totals = [m.value for m in at.markdown if m.value.startswith("**") and "lead" in m.value]
    assert totals == [f"**{n} lead{'' if n == 1 else 's'}**"], totals
    at.selectbox(key="lc_bulk_action").set_value("archive").run()
    at.radio(key="lc_bulk_scope").set_value("filter").run()
    assert any(b.label == f"Apply to {n} lead{'' if n == 1 else 's'}…" for b in at.button)


@pytest.mark.parametrize(("fraction", "expected"), [
    (None, "—"), (0.0, "0.0%"), (1 / 5414, "<0.1%"), (0.3667, "36.7%"), (1.0, "100.0%"), (0.0005, "0.1%"),
])
def test_percentages_have_one_decimal_and_a_few_of_many_is_not_zero(fraction, expected):
    assert percent(fraction) == expected
