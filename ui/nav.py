"""The page list per role. Every file in pages/ is registered here explicitly."""

from __future__ import annotations

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from leadcore.users import UserInfo

PAGES = {
    # key: (file, title, icon, url_path, roles)
    "discover": ("pages/discover.py", "Discover", ":material/travel_explore:", "discover", ("rep", "manager", "admin")),
    "leads": ("pages/leads.py", "Leads", ":material/table_view:", "leads", ("rep", "manager", "admin")),
    "lead": ("pages/lead.py", "Lead", ":material/person:", "lead", ("rep", "manager", "admin")),
    "import": ("pages/import.py", "Import", ":material/upload_file:", "import", ("rep", "manager", "admin")),
    "analytics": ("pages/analytics.py", "Analytics", ":material/monitoring:", "analytics", ("manager", "admin")),
    "admin": ("pages/admin.py", "Admin", ":material/admin_panel_settings:", "admin", ("manager", "admin")),
}
HIDDEN = {"lead"}  # reachable by link (?id=), not listed in the menu


def page(key: str) -> str:
    """The file path of a page, for st.switch_page / st.page_link."""
    return PAGES[key][0]


def pages_for(user: UserInfo | None) -> list[StreamlitPage]:
    """Before login only the login page exists; after it, the pages the user's role may open."""
    if user is None:
        return [st.Page("pages/login.py", title="Log in", icon=":material/login:", url_path="login", default=True)]
    out = []
    for key, (file, title, icon, url, roles) in PAGES.items():
        if user.role in roles:
            out.append(
                st.Page(file, title=title, icon=icon, url_path=url, default=(key == "leads"),
                        visibility="hidden" if key in HIDDEN else "visible")
            )
    return out


def allowed(user: UserInfo, key: str) -> bool:
    return user.role in PAGES[key][4]
