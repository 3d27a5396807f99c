"""The page list per role. Every file in pages/ is registered here explicitly."""

from __future__ import annotations

from typing import Literal

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from leadcore.accounts.users import UserInfo

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
    "outreach": ("pages/outreach.py", "Outreach", ":material/forward_to_inbox:", "outreach", ALL_ROLES,
                 "Email templates with merge fields, bulk sends with a preview, and the outbox of sent email."),
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


def _login_at(url_path: str) -> StreamlitPage:
    """The login form under another page's URL, for a signed-out visitor who followed a link to that page."""
    return st.Page(LOGIN, title="Log in", icon=":material/login:", url_path=url_path, visibility="hidden")


def _not_for_role(key: str) -> StreamlitPage:
    """A page the user's role may not open, under its URL: says so instead of Streamlit's "Page not found"."""
    title, roles = PAGES[key][1], PAGES[key][4]

    def not_allowed() -> None:
        st.title(title, anchor=False)
        st.warning(f"Only {' and '.join(r + 's' for r in roles)} can open {title}.", icon=":material/lock:")
        st.page_link(page(DEFAULT), label=f"Go to {PAGES[DEFAULT][1]}", icon=PAGES[DEFAULT][2])

    return st.Page(not_allowed, title=title, icon=":material/lock:", url_path=PAGES[key][3], visibility="hidden")


def pages_for(user: UserInfo | None) -> list[StreamlitPage]:
    """Before login, the login page, under every page's URL; after it, the pages the user's role may open.

    Signed out, a link to a page (``/leads?statuses=NEW``, ``/lead?id=5``) shows the login form at that URL
    rather than "Page not found"; logging in reruns the same URL, which is then the real page, query params
    and all. Signed in, the login page stays registered but hidden: the rerun right after logging in from
    ``/login`` still asks for it, and app.py then forwards to a real page. Pages the role may not open keep
    their URL too, with a notice in place of their content (``AppTest.switch_page`` to their file still fails).
    """
    if user is None:
        return [_login_page(hidden=False), *(_login_at(spec[3]) for spec in PAGES.values())]
    allowed_keys = keys_for(user.role)
    out = []
    for key in allowed_keys:
        file, title, icon, url, _, help_text = PAGES[key]
        out.append(st.Page(file, title=title, icon=icon, url_path=url, default=(key == DEFAULT), help=help_text,
                           visibility="hidden" if key in HIDDEN else "visible"))
    out += [_not_for_role(key) for key in PAGES if key not in allowed_keys]
    out.append(_login_page(hidden=True))
    return out


def position_for(user: UserInfo | None) -> Literal["sidebar", "hidden"]:
    """Signed out there is nothing to navigate to: no menu (the login form's extra URLs are all hidden anyway)."""
    return "hidden" if user is None else "sidebar"


def keys_for(role: str) -> list[str]:
    """The pages a role may open, in menu order (hidden ones included)."""
    return [key for key, spec in PAGES.items() if role in spec[4]]


def menu_titles(role: str) -> list[str]:
    """What the navigation menu lists for a role."""
    return [PAGES[key][1] for key in keys_for(role) if key not in HIDDEN]


def allowed(user: UserInfo, key: str) -> bool:
    return user.role in PAGES[key][4]
