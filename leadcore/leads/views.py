"""Plain views of leads that services return (never ORM objects)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from leadcore.db.models import Lead

# Every column a user may see, in display/export order. Match keys and internals stay out.
LEAD_COLUMNS = (
    "id",
    "type",
    "status",
    "lead_name",
    "email",
    "phone",
    "job_title",
    "company",
    "location",
    "headquarters",
    "industry",
    "website",
    "linkedin_url",
    "lead_score",
    "tags",
    "notes",
    "owner_id",
    "search_query",
    "search_mode",
    "search_location",
    "search_industry",
    "search_tech_stack",
    "search_id",
    "source",
    "imported",
    "imported_at",
    "imported_contact_id",
    "imported_company_id",
    "is_active",
    "duplicate_count",
    "created_at",
    "updated_at",
    "version",
    "do_not_contact",
)
DETAIL_EXTRA = ("raw_data", "score_breakdown", "deleted_at", "team_id")


def lead_dict(lead: Lead, *, detail: bool = False, owner_name: str | None = None) -> dict[str, Any]:
    """A lead as a dict of visible columns (plus raw data and score breakdown with ``detail``)."""
    out = _visible(lead.__getattribute__, owner_name)
    if detail:
        for name in DETAIL_EXTRA:
            out[name] = getattr(lead, name)
    return out


def row_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`lead_dict` of a row read as a mapping of column names (the grid's pages), ``owner_name`` included."""
    return _visible(row.__getitem__, row["owner_name"])


def _visible(value: Callable[[str], Any], owner_name: str | None) -> dict[str, Any]:
    """The visible columns by name, tags as a list, and the owner's name."""
    out = {name: value(name) for name in LEAD_COLUMNS}
    out["tags"] = list(out["tags"] or [])
    out["owner_name"] = owner_name
    return out
