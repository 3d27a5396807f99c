"""Short-lived caches of team-wide reads (analytics, filter options). Pages call ``clear()`` after every write.

Keys are the team and the filters, never a session or ORM object. The actor is passed with a leading
underscore so Streamlit does not hash it; permission is checked before the cache is consulted, so a cached
manager result can never be handed to someone who may not read it.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from leadcore.accounts import users
from leadcore.accounts.actors import Actor, ensure_manager
from leadcore.analytics import dashboard as analytics
from leadcore.analytics.dashboard import AnalyticsFilters
from leadcore.grid import options
from ui.resources import uow


@st.cache_data(ttl=30, max_entries=64, show_spinner=False)
def _dashboard(team_id: int, f: AnalyticsFilters, min_sample: int, period: str, _actor: Actor) -> dict[str, Any]:
    return analytics.dashboard(uow(), _actor, f, min_sample=min_sample, period=period)


def dashboard(actor: Actor, f: AnalyticsFilters, *, min_sample: int = 1, period: str = "day") -> dict[str, Any]:
    """Everything the Analytics page shows, cached for 30 s per (team, filters)."""
    ensure_manager(actor, "read analytics")
    return _dashboard(actor.team_id, f, min_sample, period, actor)


@st.cache_data(ttl=30, max_entries=64, show_spinner=False)
def _teammates(team_id: int, _actor: Actor) -> list[users.UserInfo]:
    return users.list_users(uow(), _actor)


def teammates(actor: Actor) -> list[users.UserInfo]:
    """The actor's team (active or not), for owner pickers and names."""
    return _teammates(actor.team_id, actor)


@st.cache_data(ttl=30, max_entries=64, show_spinner=False)
def _tags(team_id: int, _actor: Actor) -> list[str]:
    return options.team_tags(uow(), _actor)


def tags(actor: Actor) -> list[str]:
    """Tags used in the team, most used first."""
    return _tags(actor.team_id, actor)


@st.cache_data(ttl=30, max_entries=64, show_spinner=False)
def _queries(team_id: int, _actor: Actor) -> list[str]:
    return options.search_queries(uow(), _actor)


def search_queries(actor: Actor) -> list[str]:
    """Source queries of the team's leads, busiest first."""
    return _queries(actor.team_id, actor)


def clear(*, tags: bool = True) -> None:
    """Forget the cached reads: call after any write so analytics and filter options show it. ``tags=False`` keeps
    the team's tag list after a write that changed no lead's tags and took no lead away (an edit of status, score,
    summary or owner): that list is the one read that still scans every active lead (350 ms at 1M leads on
    PostgreSQL), and its 30 s lifetime still bounds how old it gets."""
    for fn in (_dashboard, _teammates, _queries, *((_tags,) if tags else ())):
        fn.clear()
