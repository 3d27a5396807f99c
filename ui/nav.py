"""The page list per role. Every file in pages/ is registered here explicitly."""

from __future__ import annotations

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from leadcore.users import UserInfo

LOGIN = "pages/login.py"
ALL_ROLES = ("rep", "manager", "admin")
MANAGERS = ("manager", "admin")

PAGES = {
    # key: (file, title, icon, url_path, roles, help)
    "discover": ("pages/discover.py", "Discover", ":material/travel_explore:", "discover", ALL_ROLES,
                 "Search a lead provider (or the offline demo data) for new people and companies."),
    "leads": ("pages/leads.py", "Leads", ":material/table_view:", "leads", ALL_ROLES,
              "Your team's leads: filter, edit status, score, tags and owner, run bulk actions, export."),
    "lead": ("pages/lead.py", "Lead", ":material/person:", "lead", ALL_ROLES, "One lead in detail."),
    "import": ("pages/import.py", "Import", ":material/upload_file:", "import", ALL_ROLES,
               "Upload a CSV or Excel file of leads: map its columns, check it with a dry run, then import."),
    "analytics": ("pages/analytics.py", "Analytics", ":material/monitoring:", "analytics", MANAGERS,
                  "Funnel, conversion by source query, scores and rep activity."),
    "admin": ("pages/admin.py", "Admin", ":material/admin_panel_settings:", "admin", MANAGERS,
              "Users and teams, purging old rejected leads, the configured lead provider."),
}
HIDDEN = {"lead"}  # reachable by link (?id=), not listed in the menu
DEFAULT = "leads"


def page(key: str) -> str:
    """The file path of a page, for st.switch_page / st.page_link."""
    return PAGES[key][0]


def _login_page(*, hidden: bool) -> StreamlitPage:
    return st.Page(LOGIN, title="Log in", icon=":material/login:", url_path="login", default=not hidden,
                   visibility="hidden" if hidden else "visible")


def pages_for(user: UserInfo | None) -> list[StreamlitPage]:
    """Before login only the login page exists; after it, the pages the user's role may open.

    Signed in, the login page stays registered but hidden: the rerun right after logging in still
    asks for it, and app.py then forwards to a real page instead of Streamlit's "page not found".
    """
    if user is None:
        return [_login_page(hidden=False)]
    out = []
    for key in keys_for(user.role):
        file, title, icon, url, _, help_text = PAGES[key]
        out.append(st.Page(file, title=title, icon=icon, url_path=url, default=(key == DEFAULT), help=help_text,
                           visibility="hidden" if key in HIDDEN else "visible"))
    out.append(_login_page(hidden=True))
    return out


def keys_for(role: str) -> list[str]:
    """The pages a role may open, in menu order (hidden ones included)."""
    return [key for key, spec in PAGES.items() if role in spec[4]]


def menu_titles(role: str) -> list[str]:
    """What the navigation menu lists for a role."""
    return [PAGES[key][1] for key in keys_for(role) if key not in HIDDEN]


def allowed(user: UserInfo, key: str) -> bool:
    return user.role in PAGES[key][4]
