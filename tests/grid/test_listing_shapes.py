"""Filters share a cached grid statement exactly when their SQL is the same: the shape names what is set, never
its values, and one status (type, owner) binds differently from several."""

from __future__ import annotations

from datetime import date

import pytest

from leadcore.accounts.actors import Actor
from leadcore.grid.clauses import bound_values, filter_shape
from leadcore.grid.filters import UNASSIGNED, LeadFilters

ACTOR = Actor(user_id=1, team_id=7, role="manager")


def shape(f: LeadFilters, dialect: str = "postgresql") -> tuple[object, ...]:
    return filter_shape(f, bound_values(dialect, ACTOR, f))


@pytest.mark.parametrize("a, b", [
    (LeadFilters(statuses=("NEW",)), LeadFilters(statuses=("REJECTED",))),
    (LeadFilters(statuses=("NEW", "CONTACTED")), LeadFilters(statuses=("QUALIFIED", "REJECTED", "ARCHIVED"))),
    (LeadFilters(score_min=1, created_to=date(2024, 1, 1)), LeadFilters(score_min=90, created_to=date(2025, 1, 1))),
    (LeadFilters(q="acme"), LeadFilters(q="  gmail ")),
    (LeadFilters(tags=("a",)), LeadFilters(tags=("b", "c"))),
])
def test_same_shape_for_other_values(a: LeadFilters, b: LeadFilters) -> None:
    assert shape(a) == shape(b)


@pytest.mark.parametrize("a, b", [
    (LeadFilters(statuses=("NEW",)), LeadFilters(statuses=("NEW", "CONTACTED"))),
    (LeadFilters(owner_ids=(3,)), LeadFilters(owner_ids=(3, UNASSIGNED))),
    (LeadFilters(owner_ids=(UNASSIGNED,)), LeadFilters(owner_ids=(3,))),
    (LeadFilters(), LeadFilters(deleted=True)),
    (LeadFilters(imported=True), LeadFilters(imported=False)),
    (LeadFilters(q="ab"), LeadFilters(q="a\nb")),
    (LeadFilters(score_min=1), LeadFilters(score_max=1)),
])
def test_different_shape_when_the_sql_differs(a: LeadFilters, b: LeadFilters) -> None:
    assert shape(a) != shape(b)


def test_sqlite_full_text_phrase_only_for_terms_of_three_characters() -> None:
    assert shape(LeadFilters(q="ab"), "sqlite") != shape(LeadFilters(q="abc"), "sqlite")
    assert bound_values("sqlite", ACTOR, LeadFilters(q='say "hi"'))["fts_phrase"] == '"say ""hi"""'
