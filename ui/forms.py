"""Small rendering helpers shared by the discover, import and admin pages."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

import streamlit as st

from leadcore.discovery.runs import Progress
from leadcore.grid.filters import LeadFilters
from ui import nav


def leads_of_search_link(search_id: int, label: str) -> None:
    """A link to the Leads grid filtered to the leads of one search run or file import."""
    st.page_link(nav.page("leads"), label=label, icon=":material/table_view:",
                 query_params=LeadFilters(search_id=search_id).to_params())


def labels_of(labels: Mapping[str, str]) -> Callable[[str], str]:
    """A widget's ``format_func`` that shows each option's label (the option itself when it has none)."""
    return lambda option: labels.get(option, option)


def percent(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "–"


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def progress_reporter(label: str) -> Callable[[Progress], None]:
    """An ``on_page`` callback drawing a progress bar. Runs in the script thread (leadcore calls it inline)."""
    bar = st.progress(0.0, text=f"{label}: waiting for the first page…")

    def report(p: Progress) -> None:
        done = min(p.returned / p.limit, 1.0) if p.limit else 1.0
        bar.progress(done, text=f"{label}: page {p.page} · {p.returned} found · {p.saved} new · "
                                f"{p.duplicates} already known")

    return report
