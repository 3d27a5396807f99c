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
    "my_work": ("pages/my_work.py", "My work", ":material/task_alt:", "my-work", ALL_ROLES,
                "Your follow-ups (overdue, today, upcoming), your untouched new leads and leads gone quiet."),
    "discover": ("pages/discover.py", "Discover", ":material/travel_explore:", "discover", ALL_ROLES,
                 "Search a lead provider (or the offline demo data) for new people and companies."),
    "leads": ("pages/leads.py", "Leads", ":material/table_view:", "leads", ALL_ROLES,
              "Your team's leads: filter, edit status, score, tags and owner, run bulk actions, export."),
    "lead": ("pages/lead.py", "Lead", ":material/person:", "lead", ALL_ROLES, "One lead in detail."),
    "contacts": ("pages/contacts.py", "Contacts", ":material/contacts:", "contacts", ALL_ROLES,
                 "People imported from your team's leads."),
    "companies": ("pages/companies.py", "Companies", ":material/domain:", "companies", ALL_ROLES,
                  "Companies imported from your team's leads, with their people."),
    "import": ("pages/import.py", "Import", ":material/upload_file:", "import", ALL_ROLES,
               "Upload a CSV or Excel file of leads: map its columns, check it with a dry run, then import."),
    "outreach": ("pages/outreach.py", "Outreach", ":material/forward_to_inbox:", "outreach", ALL_ROLES,
                 "Email templates with merge fields, bulk sends with a preview, and the outbox of sent email."),
    "analytics": ("pages/analytics.py", "Analytics", ":material/monitoring:", "analytics", MANAGERS,
                  "Funnel, conversion by source query, scores and rep activity."),
    "duplicates": ("pages/duplicates.py", "Duplicates", ":material/join:", "duplicates", MANAGERS,
                   "Near-duplicate leads side by side: merge field by field, dismiss, undo a merge or an import."),
    "rules": ("pages/rules.py", "Assignment rules", ":material/alt_route:", "rules", MANAGERS,
              "Route new leads to people: ordered rules, round robin, least loaded, capacity; apply with a preview."),
    "integrations": ("pages/integrations.py", "Integrations", ":material/webhook:", "integrations", MANAGERS,
                     "Signed webhooks to your other systems: endpoints, delivery log, redeliver."),
    "admin": ("pages/admin.py", "Admin", ":material/admin_panel_settings:", "admin", MANAGERS,
              "Users and teams, purging old rejected leads, the configured lead provider."),
}
HIDDEN = {"lead"}  # reachable by link (?id=), not listed in the menu
DEFAULT = "leads"
START = "start"  # url_path of the hidden default page (served at "/"; the router forwards it to DEFAULT)
START_PAGES = {"rep": "my_work"}  # the page a role opens on, when not DEFAULT


def start_for(role: str) -> str:
    """The page a role lands on after logging in (reps: My work)."""
    return START_PAGES.get(role, DEFAULT)


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


def start() -> None:
    """The root URL, signed in: opens the start page under its own URL."""
    st.switch_page(page(DEFAULT))


def _start_page() -> StreamlitPage:
    """The default page (Streamlit serves it at "/" and ignores its url_path) is this hidden hop, so every real page,
    the start page too, keeps its own URL: a link to /leads opens the grid, not "Page not found"."""
    return st.Page(start, title=PAGES[DEFAULT][1], icon=PAGES[DEFAULT][2], url_path=START, default=True,
                   visibility="hidden")


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
    out = [_start_page()]
    for key in allowed_keys:
        file, title, icon, url, _, help_text = PAGES[key]
        out.append(st.Page(file, title=title, icon=icon, url_path=url, help=help_text,
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
