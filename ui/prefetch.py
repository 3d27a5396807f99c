"""Load the browser's Plotly code while a manager is idle, before the first visit to Analytics needs it.

Streamlit loads the code behind a chart kind the first time a page shows one. Plotly's is a 4.7 MB module whose
download and start-up take 1.5–2.5 s on a 2-core machine, which the first Analytics visit of every browser tab
used to pay on top of drawing the page (5 s instead of 1). Right after a manager signs in, the browser is told to
import that same module when it has nothing else to do; Streamlit's own import later finds it loaded.

The module's file name carries a content hash and is Streamlit's internal business: it is looked up in the
installed package, and when it cannot be found nothing is prefetched (the page still works, only slower).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import streamlit as st

from ui import state

CHUNK_GLOB = "PlotlyChart.*.js"

# The chunk sits beside Streamlit's entry script: resolving the name against that script's URL gives the exact URL
# Streamlit's own dynamic import uses (so the module is fetched and evaluated once), whatever the base path.
SCRIPT = """<script>
(() => {{
  const entry = document.querySelector('script[type=module][src*="/static/js/"]');
  if (!entry || !("requestIdleCallback" in window)) return;
  const url = new URL({name}, entry.src).href;
  window.requestIdleCallback(() => import(url).catch(() => {{}}), {{timeout: 4000}});
}})();
</script>"""


@functools.cache
def plotly_chunk() -> str | None:
    """The file name of Streamlit's Plotly chart module, or None if this Streamlit has none by that name."""
    js = Path(st.__file__).parent / "static" / "static" / "js"
    found = sorted(p.name for p in js.glob(CHUNK_GLOB))
    return found[0] if len(found) == 1 else None


def chart_code_once() -> None:
    """Once per session: have the browser load the chart code in idle time (call only for roles with Analytics)."""
    name = plotly_chunk()
    if name is None or st.session_state.get(state.CHARTS_PREFETCHED):
        return
    st.session_state[state.CHARTS_PREFETCHED] = True
    st.html(SCRIPT.format(name=json.dumps(name)), unsafe_allow_javascript=True, width="content")
