"""Saved grid views: filters (named as GET /api/leads names them), sort and columns under a name, private to their
owner or shared with the team. "My leads" and "Unassigned" always exist and are not stored."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from leadcore.accounts.actors import Actor, ensure_visible
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import SavedView
from leadcore.errors import InvalidInput, NotFound, PermissionDenied
from leadcore.inputs import has_nul
from leadcore.work.layout import clean_layout

# API filter name -> the grid URL's parameter name (leadcore.grid.filters.LeadFilters fields).
FILTER_PARAMS = {"status": "statuses", "type": "types", "ownerId": "owner_ids", "tags": "tags",
                 "scoreMin": "score_min", "scoreMax": "score_max", "createdFrom": "created_from",
                 "createdTo": "created_to", "searchId": "search_id", "searchQuery": "search_query",
                 "imported": "imported", "q": "q", "deleted": "deleted"}
SORTS = ("score", "created", "updated", "name")
NAME_MAX = 200
UNASSIGNED = 0


def builtin_views(actor: Actor) -> list[dict[str, Any]]:
    """The views every user has: their own leads, and nobody's."""
    mine = {"ownerId": [actor.user_id]} if actor.user_id is not None else {}
    return [{"id": None, "name": "My leads", "filters": mine, "sort": None, "columns": None, "shared": False,
             "builtin": True, "owner_id": actor.user_id},
            {"id": None, "name": "Unassigned", "filters": {"ownerId": [UNASSIGNED]}, "sort": None, "columns": None,
             "shared": True, "builtin": True, "owner_id": None}]


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [v for v in value.split(",") if v]
    return [value]


def clean_filters(raw: dict[str, Any] | None) -> dict[str, Any]:
    """Known filter names only, lists for the many-valued ones; unknown names are a clear error."""
    raw = dict(raw or {})
    unknown = sorted(set(raw) - set(FILTER_PARAMS))
    if unknown:
        raise InvalidInput(f"Unknown filter {', '.join(unknown)}; use {', '.join(FILTER_PARAMS)}", field="filters")
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if value in (None, "", []):
            continue
        if key in ("status", "type", "tags"):
            out[key] = [str(v) for v in _as_list(value)]
        elif key == "ownerId":
            try:
                out[key] = [int(v) for v in _as_list(value)]
            except (TypeError, ValueError):
                raise InvalidInput("ownerId must be user ids (0 = unassigned)", field="filters") from None
        else:
            out[key] = value
    return out


def to_url_params(filters: dict[str, Any], sort: str | None) -> dict[str, str]:
    """A view as the leads grid's URL query params."""
    out: dict[str, str] = {}
    for key, value in filters.items():
        name = FILTER_PARAMS[key]
        if isinstance(value, list):
            out[name] = ",".join(str(v) for v in value)
        elif isinstance(value, bool):
            out[name] = "1" if value else "0"
        else:
            out[name] = str(value)
    if sort:
        out["sort"] = sort
    return out


def from_url_params(params: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The grid URL's query params as a view's filters and sort (page and size left out)."""
    back = {v: k for k, v in FILTER_PARAMS.items()}
    filters = {back[k]: v for k, v in params.items() if k in back}
    sort = params.get("sort")
    return clean_filters(filters), (str(sort) if sort else None)


def _dict(v: SavedView) -> dict[str, Any]:
    return {"id": v.id, "name": v.name, "filters": dict(v.filters or {}), "sort": v.sort, "columns": v.columns,
            "shared": v.shared, "builtin": False, "owner_id": v.owner_id}


def list_views(uow: UnitOfWork, actor: Actor) -> list[dict[str, Any]]:
    """The built-in views, then the actor's own and the team's shared ones, by name."""
    with uow:
        uow.reading()
        q = (select(SavedView).where(SavedView.team_id == actor.team_id,
                                     or_(SavedView.owner_id == actor.user_id, SavedView.shared))
             .order_by(SavedView.name, SavedView.id))
        return builtin_views(actor) + [_dict(v) for v in uow.session.scalars(q)]


def save_view(uow: UnitOfWork, actor: Actor, *, name: str, filters: dict[str, Any], sort: str | None = None,
              columns: list[str] | None = None, shared: bool = False) -> dict[str, Any]:
    """Save (or overwrite, by name) one of the actor's views."""
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX or has_nul(name):
        raise InvalidInput(f"Give the view a name (up to {NAME_MAX} characters)", field="name")
    if name.casefold() in {v["name"].casefold() for v in builtin_views(actor)}:
        raise InvalidInput(f"“{name}” is a built-in view; pick another name", field="name")
    if sort is not None and sort not in SORTS:
        raise InvalidInput(f"sort must be one of {', '.join(SORTS)}", field="sort")
    if actor.user_id is None:
        raise PermissionDenied("Only a signed-in user can save views")
    filters = clean_filters(filters)
    if columns is not None:
        columns = list(clean_layout(columns).shown)
    with uow:
        s = uow.session
        view = s.scalar(select(SavedView).where(SavedView.owner_id == actor.user_id, SavedView.name == name))
        if view is None:
            view = SavedView(team_id=actor.team_id, owner_id=actor.user_id, name=name)
            s.add(view)
        view.filters, view.sort, view.columns, view.shared = filters, sort, columns, shared
        s.flush()
        out = _dict(view)
        uow.commit()
    return out


def delete_view(uow: UnitOfWork, actor: Actor, view_id: int) -> None:
    """Delete one of the actor's views (a manager may delete a shared one of the team)."""
    with uow:
        s = uow.session
        view = s.get(SavedView, view_id)
        if view is None or (view.owner_id != actor.user_id and not view.shared):
            raise NotFound(f"View {view_id} was not found")
        ensure_visible(actor, view.team_id, "View", view_id)
        if view.owner_id != actor.user_id and not actor.is_manager:
            raise PermissionDenied("Only its owner or a manager can delete a shared view")
        s.delete(view)
        uow.commit()
