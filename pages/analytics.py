"""Analytics (managers): the funnel, where good leads come from, scores, imports and who works the leads.

Every number comes from one cached ``leadcore.analytics.dashboard.dashboard`` call; clicking a bar opens the Leads grid
with exactly the leads behind it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from leadcore.analytics.dashboard import AnalyticsFilters
from leadcore.errors import LeadcoreError
from leadcore.grid.filters import UNASSIGNED
from leadcore.intake.candidates import LEAD_TYPES
from ui import auth, cached, charts, nav, per_rep
from ui.charts import DECIMAL, PERCENT, WHEN
from ui.text import percent, plural

STAGE_COLORS = ["#1d4ed8", "#2563eb", "#3b82f6", "#16a34a"]


def filters(actor: Any) -> AnalyticsFilters:
    people = cached.teammates(actor)
    names = {u.id: u.display_name for u in people}
    c1, c2, c3, c4 = st.columns([1, 1, 2, 2])
    created_from = c1.date_input("Created from", value=None, key="an_from", format="YYYY-MM-DD")
    created_to = c2.date_input("Created to", value=None, key="an_to", format="YYYY-MM-DD")
    owners = c3.multiselect("Owner", [UNASSIGNED, *names], key="an_owner", placeholder="Everyone",
                            format_func=lambda o: "Unassigned" if o == UNASSIGNED else names.get(o, f"User {o}"))
    types = c4.multiselect("Type", list(LEAD_TYPES), key="an_type", format_func=str.title,
                           placeholder="People and companies")
    if created_from and created_to and created_from > created_to:
        st.warning("“Created from” is after “Created to”, so the date filter is left out.")
        created_from = created_to = None
    return AnalyticsFilters(created_from=created_from, created_to=created_to, owner_ids=tuple(owners),
                            types=tuple(types))


def kpis(d: dict[str, Any]) -> None:
    s = d["summary"]
    a, b, c, e = st.columns(4)
    a.metric("Total leads", f"{s['total']:,}", border=True)
    b.metric("New this week", f"{s['new_this_week']:,}", border=True,
             help="Created today or in the 6 days before (UTC days)")
    c.metric("Average score", "—" if s["average_score"] is None else f"{s['average_score']:.1f}", border=True)
    e.metric("Imported", percent(s["imported"] / s["total"] if s["total"] else None), border=True,
             help=f"{s['imported']:,} of {plural(s['total'], 'lead')} imported as contacts or companies")


def funnel_and_status(d: dict[str, Any], f: AnalyticsFilters) -> None:
    left, right = st.columns(2, gap="medium")
    with left, st.container(border=True, height="stretch"):
        st.subheader("Funnel", anchor=False)
        rows = d["funnel"]
        text = [f"{r['reached']:,}" + ("" if r["conversion"] is None else f" · {percent(r['conversion'])} of previous")
                for r in rows]
        fig = charts.bar([r["stage"].title() for r in rows], [r["reached"] for r in rows], horizontal=True,
                         keys=[r["stage"] for r in rows], text=text, colors=STAGE_COLORS, height=260,
                         hover=[f"{r['stage'].title()}: {plural(r['reached'], 'lead')}" for r in rows])
        charts.clickable(fig, key="an_funnel", alt="Leads reaching each stage from New to Imported",
                         targets={r["stage"]: f.to_lead_filters(statuses=tuple(r["statuses"])) for r in rows})
        frame = pd.DataFrame([{"Stage": r["stage"].title(), "Reached": r["reached"],
                               "Conversion from previous": r["conversion"], "Drop-off": r["drop_off"]}
                              for r in rows])
        charts.table(frame, name="Funnel stages with conversion and drop-off", key="funnel",
                     formats={"Conversion from previous": PERCENT})
    with right, st.container(border=True, height="stretch"):
        st.subheader("Leads by status", anchor=False)
        counts = d["summary"]["status_counts"]
        fig = charts.bar([s.title() for s in counts], list(counts.values()), keys=list(counts),
                         text=[f"{n:,}" for n in counts.values()], height=260,
                         hover=[f"{s.title()}: {plural(n, 'lead')}" for s, n in counts.items()])
        charts.clickable(fig, key="an_status", alt="Number of leads in each status",
                         targets={s: f.to_lead_filters(statuses=(s,)) for s in counts})
        frame = pd.DataFrame([{"Status": r["status"].title(), "Leads": r["count"], "Average score": r["avg_score"]}
                              for r in d["score_by_status"]])
        charts.table(frame, name="Lead count and average score per status", key="status",
                     formats={"Average score": DECIMAL})


def conversion(d: dict[str, Any], f: AnalyticsFilters) -> None:
    with st.container(border=True):
        st.subheader("Conversion by source query", anchor=False)
        st.caption("Per search query: leads found and how far they got. Queries with fewer leads than the "
                   "minimum are left out so small samples don't mislead.")
        st.number_input("Minimum leads per query", min_value=1, max_value=1_000_000, step=1, key="an_min_sample",
                        width=220, help="Only queries with at least this many leads are listed")
        rows = d["conversion_by_query"]
        if not rows:
            st.info("No source query has that many leads yet. Lower the minimum, or run more discovery searches.")
            return
        top = rows[:12]
        stages = (("found", "Found", "#93c5fd", None), ("contacted", "Contacted", "#3b82f6", ("CONTACTED",)),
                  ("qualified", "Qualified", "#1d4ed8", ("QUALIFIED",)), ("imported", "Imported", "#16a34a",
                                                                          ("IMPORTED",)))
        reach = {s["stage"]: tuple(s["statuses"]) for s in d["funnel"]}
        fig = charts.bars([r["query"] for r in top],
                          [(label, [r[col] for r in top], [f"{i}|{col}" for i in range(len(top))], color)
                           for col, label, color, _ in stages],
                          horizontal=True, value_title="Leads", hover="{series} · {label}: {value:,}",
                          height=max(220, 70 * len(top) + 60))
        targets = {}
        for i, r in enumerate(top):
            if r["search_query"] is None:
                continue  # "(no query)": the grid cannot filter on a missing query
            for col, _, _, stage in stages:
                extra = {"statuses": reach.get(stage[0], stage)} if stage else {}
                targets[f"{i}|{col}"] = f.to_lead_filters(search_query=r["search_query"], **extra)
        charts.clickable(fig, key="an_conversion", alt="Leads found, contacted, qualified and imported per query",
                         targets=targets)
        frame = pd.DataFrame([{"Source query": r["query"], "Found": r["found"], "Contacted": r["contacted"],
                               "Qualified": r["qualified"], "Imported": r["imported"], "Imported of found": r["rate"],
                               "Qualified of found": r["qualified_rate"], "Average score": r["avg_score"]}
                              for r in rows])
        charts.table(frame, name="Conversion by source query", key="conversion_by_query",
                     formats={"Imported of found": PERCENT, "Qualified of found": PERCENT,
                              "Average score": DECIMAL},
                     helps={"Imported of found": "The share of the leads this query found that were imported as "
                                                 "contacts or companies",
                            "Qualified of found": "The share of the leads this query found that reached Qualified"})


def scores(d: dict[str, Any], f: AnalyticsFilters) -> None:
    left, mid = st.columns([3, 2], gap="medium")
    with left, st.container(border=True, height="stretch"):
        st.subheader("Average score by status", anchor=False)
        rows = [r for r in d["score_by_status"] if r["count"]]
        fig = charts.bar([r["status"].title() for r in rows], [r["avg_score"] for r in rows],
                         keys=[r["status"] for r in rows], text=[f"{r['avg_score']:.0f}" for r in rows],
                         hover="{label}: average score {value:.1f}", height=240,
                         value_range=[0, 100])
        charts.clickable(fig, key="an_score_status", alt="Average lead score in each status",
                         targets={r["status"]: f.to_lead_filters(statuses=(r["status"],)) for r in rows})
    with mid, st.container(border=True, height="stretch"):
        st.subheader("Average score by type", anchor=False)
        rows = [r for r in d["score_by_type"] if r["count"]]
        fig = charts.bar([r["type"].title() for r in rows], [r["avg_score"] for r in rows],
                         keys=[r["type"] for r in rows], text=[f"{r['avg_score']:.0f}" for r in rows],
                         hover="{label}: average score {value:.1f}", height=240,
                         value_range=[0, 100])
        charts.clickable(fig, key="an_score_type", alt="Average lead score of people and of companies",
                         targets={r["type"]: f.to_lead_filters(types=(r["type"],)) for r in rows})


def distribution(d: dict[str, Any], f: AnalyticsFilters) -> None:
    with st.container(border=True, height="stretch"):
        st.subheader("Score distribution", anchor=False)
        rows = d["score_distribution"]
        fig = charts.bar([r["label"] for r in rows], [r["count"] for r in rows], keys=[str(r["bucket"]) for r in rows],
                         hover=[f"Score {r['label']}: {plural(r['count'], 'lead')}" for r in rows], height=400,
                         value_title="Leads")
        charts.clickable(fig, key="an_score_dist", alt="Number of leads per score band",
                         targets={str(r["bucket"]): f.to_lead_filters(score_min=r["score_min"],
                                                                      score_max=r["score_max"]) for r in rows})


def over_time(d: dict[str, Any], f: AnalyticsFilters, period: str) -> None:
    with st.container(border=True):
        with st.container(horizontal=True, vertical_alignment="center"):
            st.subheader("New leads over time", anchor=False)
            st.space("stretch")
            st.segmented_control("Period", ["day", "week"], key="an_period", format_func=str.title,
                                 label_visibility="collapsed", required=True)
        rows = d["new_leads_over_time"]
        if not rows:
            st.caption("No leads in this range.")
            return
        when = "Week of {:%a %Y-%m-%d}" if period == "week" else "{:%a %Y-%m-%d}"
        fig = charts.over_time([r["period_start"] for r in rows], [r["count"] for r in rows],
                               keys=[str(i) for i in range(len(rows))], value_title="New leads",
                               hover=[f"{when.format(r['period_start'])}: {plural(r['count'], 'new lead')}"
                                      for r in rows])
        charts.clickable(fig, key="an_over_time", alt="New leads per " + period,
                         targets={str(i): f.to_lead_filters(created_from=r["period_start"],
                                                            created_to=r["period_end"]) for i, r in enumerate(rows)})


def imports(d: dict[str, Any]) -> None:
    s = d["import_stats"]
    with st.container(border=True, height="stretch"):
        st.subheader("Imports", anchor=False)
        a, b = st.columns(2)
        a.metric("Imported leads", f"{s['imported']:,}")
        b.metric("Import rate", percent(s["rate"]))
        c, e = st.columns(2)
        c.metric("Days to import", "—" if s["avg_days_to_import"] is None else f"{s['avg_days_to_import']:.1f}",
                 help="Average days from discovery to import")
        e.metric("Created", f"{s['contacts_created']:,} / {s['companies_created']:,}",
                 help="Contacts / companies the imports created (existing companies that were linked are not "
                      "counted)")
        frame = pd.DataFrame({"Measure": ["Leads", "Imported", "Import rate", "Average days to import",
                                          "Contacts created", "Companies created"],
                              "Value": [f"{s['total']:,}", f"{s['imported']:,}", percent(s["rate"]),
                                        "—" if s["avg_days_to_import"] is None else f"{s['avg_days_to_import']:.1f}",
                                        f"{s['contacts_created']:,}", f"{s['companies_created']:,}"]})
        charts.table(frame, name="Import statistics", key="import_stats")


def reps(d: dict[str, Any], f: AnalyticsFilters) -> None:
    rows = d["rep_activity"]
    with st.container(border=True, height="stretch"):
        st.subheader("Rep activity", anchor=False)
        st.caption("What each person did in the last 30 days, and how many of the filtered leads they own.")
        if not rows:
            st.caption("No team members match the owner filter.")
            return
        frame = pd.DataFrame([{"Person": r["name"], "Role": (r.get("role") or "").title(),
                               "Leads owned": r["leads_owned"], "Status changes": r["status_changed"],
                               "Notes": r["note_added"], "Edits": r["fields_changed"] + r["tags_changed"],
                               "Assignments": r["assigned"], "Imports": r["imported"],
                               "All actions": r["total_events"]} for r in rows])
        if any(r["leads_owned"] for r in rows):
            fig = charts.bar([r["name"] for r in rows], [r["leads_owned"] for r in rows], horizontal=True,
                             keys=[str(r["user_id"]) for r in rows], value_title="Leads owned",
                             text=[f"{r['leads_owned']:,} owned · {plural(r['total_events'], 'action')}"
                                   for r in rows],
                             hover=[f"{r['name']}: {plural(r['leads_owned'], 'lead')} owned" for r in rows],
                             height=max(160, 34 * len(rows) + 40))
            charts.clickable(fig, key="an_reps", alt="Leads owned by each team member",
                             targets={str(r["user_id"]): f.to_lead_filters(owner_ids=(r["user_id"],))
                                      for r in rows})
        else:
            st.caption("Nobody owns any of these leads yet: assign them in the Leads grid (Bulk action → "
                       "Assign owner).")
        charts.table(frame, name="Activity per team member", key="rep_activity")


def history(d: dict[str, Any], f: AnalyticsFilters) -> None:
    with st.container(border=True):
        st.subheader("Search history", anchor=False)
        rows = d["search_history"]
        if not rows:
            st.caption("No discovery searches or file imports yet.")
            return
        top = rows[:20]
        labels = [f"#{r['id']} {str(r.get('query') or r.get('provider') or '')[:40]}" for r in top]
        keys = [str(r["id"]) for r in top]
        fig = charts.bars(labels, [("New", [r["yield"] or 0 for r in top], keys, "#2563eb"),
                                   ("Duplicates", [r["duplicate_rate"] or 0 for r in top], keys, "#94a3b8")],
                          horizontal=True, stacked=True, value_title="Share of the leads returned",
                          hover="{series} · {label}: {value:.1%}", height=max(200, 30 * len(top) + 70),
                          value_format=".1%", value_range=[0, 1])
        charts.clickable(fig, key="an_searches", alt="Share of new leads per recent search",
                         targets={str(r["id"]): f.to_lead_filters(search_id=r["id"], created_from=None,
                                                                  created_to=None) for r in top})
        frame = pd.DataFrame([{"Search": r["id"], "When": r.get("started_at"), "Who": r.get("user_name"),
                               "Provider": r.get("provider"), "Query": r.get("query"),
                               "Returned": r.get("returned"), "New": r.get("saved"),
                               "Duplicates": r.get("duplicates"), "Yield": r["yield"],
                               "Duplicate rate": r["duplicate_rate"], "Outcome": r.get("outcome")} for r in rows])
        charts.table(frame, name="Recent searches with yield and duplicate rate", key="search_history",
                     formats={"Yield": PERCENT, "Duplicate rate": PERCENT, "When": WHEN})


actor = auth.actor()
st.title("Analytics")
st.caption("Your team's active leads. Click a bar to open those leads in the grid.")
f = filters(actor)
# Widgets further down the page set these; the one dashboard read needs them first.
st.session_state.setdefault("an_period", "day")
st.session_state.setdefault("an_min_sample", 5)
period = st.session_state["an_period"] or "day"
min_sample = st.session_state["an_min_sample"] or 1
try:
    d = cached.dashboard(actor, f, min_sample=int(min_sample), period=period)
except LeadcoreError as e:
    st.error(f"The analytics could not be computed: {e}")
    st.stop()

kpis(d)
if not d["summary"]["total"]:
    st.info("No leads match these filters yet. Run a discovery search or import a file, or widen the filters.",
            icon=":material/monitoring:")
    with st.container(horizontal=True):
        st.page_link(nav.page("discover"), label="Run a discovery search", icon=":material/travel_explore:")
        st.page_link(nav.page("import"), label="Import a CSV file", icon=":material/upload_file:")
    st.stop()
funnel_and_status(d, f)
conversion(d, f)
scores(d, f)
left, right = st.columns(2, gap="medium")
with left:
    distribution(d, f)
with right:
    imports(d)
over_time(d, f, period)
reps(d, f)
per_rep.team_table(d["per_rep"])
history(d, f)
