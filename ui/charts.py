"""Plotly charts whose bars open the Leads grid, and tables that download as CSV (the Analytics page)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from leadcore.listing import LeadFilters
from ui import nav

PRIMARY = "#2563eb"
MUTED = "#94a3b8"
CONFIG = {"displayModeBar": False, "responsive": True}


def bar(
    labels: Sequence[Any],
    values: Sequence[float | int | None],
    *,
    keys: Sequence[str],
    text: Sequence[str] | None = None,
    horizontal: bool = False,
    value_title: str = "",
    height: int = 300,
    hover: str = "%{y}",
    colors: Sequence[str] | None = None,
) -> go.Figure:
    """A bar per label; ``keys`` become each bar's custom data, which a click hands back."""
    vals = [0 if v is None else v for v in values]
    common: dict[str, Any] = {
        "customdata": list(keys),
        "text": list(text) if text is not None else None,
        "textposition": "auto",
        "marker_color": list(colors) if colors else PRIMARY,
        "hovertemplate": hover + "<extra></extra>",
        "cliponaxis": False,
    }
    trace = go.Bar(y=list(labels), x=vals, orientation="h", **common) if horizontal else go.Bar(
        x=list(labels), y=vals, **common)
    fig = go.Figure(trace)
    fig.update_layout(height=height, margin={"l": 8, "r": 8, "t": 8, "b": 8}, showlegend=False,
                      clickmode="event+select", dragmode=False, bargap=0.25)
    if horizontal:
        fig.update_yaxes(autorange="reversed", automargin=True)
        fig.update_xaxes(title_text=value_title, rangemode="tozero")
    else:
        fig.update_yaxes(title_text=value_title, rangemode="tozero")
        fig.update_xaxes(type="category", automargin=True)
    if not any(vals):
        (fig.update_xaxes if horizontal else fig.update_yaxes)(range=[0, 1])
    return fig


def bars(
    labels: Sequence[Any],
    series: Sequence[tuple[str, Sequence[float | int | None], Sequence[str], str]],
    *,
    horizontal: bool = False,
    stacked: bool = False,
    value_title: str = "",
    height: int = 300,
    hover: str = "%{fullData.name}: %{x}",
) -> go.Figure:
    """Several bars per label (``series`` = name, values, click keys, colour), grouped or stacked, with a legend."""
    fig = go.Figure()
    for name, values, keys, color in series:
        vals = [0 if v is None else v for v in values]
        kw: dict[str, Any] = {"name": name, "customdata": list(keys), "marker_color": color,
                              "hovertemplate": hover + "<extra></extra>"}
        fig.add_trace(go.Bar(y=list(labels), x=vals, orientation="h", **kw) if horizontal
                      else go.Bar(x=list(labels), y=vals, **kw))
    fig.update_layout(height=height, margin={"l": 8, "r": 8, "t": 8, "b": 8}, barmode="stack" if stacked else "group",
                      clickmode="event+select", dragmode=False, bargap=0.25,
                      legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0,
                              "traceorder": "normal"})
    value_axis = fig.update_xaxes if horizontal else fig.update_yaxes
    value_axis(title_text=value_title, rangemode="tozero")
    if horizontal:
        fig.update_yaxes(autorange="reversed", automargin=True)
    else:
        fig.update_xaxes(type="category", automargin=True)
    return fig


def clickable(fig: go.Figure, *, key: str, targets: Mapping[str, LeadFilters], alt: str) -> None:
    """Show ``fig``; clicking a bar opens the Leads grid filtered to ``targets[that bar's key]``."""
    event = st.plotly_chart(fig, key=key, on_select="rerun", selection_mode="points", width="stretch",
                            config=CONFIG, alt=alt)
    points = ((event or {}).get("selection") or {}).get("points") or []
    for point in points:
        data = point.get("customdata")
        k = data[0] if isinstance(data, list | tuple) and data else data
        if isinstance(k, str) and k in targets:
            st.switch_page(nav.page("leads"), query_params=targets[k].to_params())


def table(frame: pd.DataFrame, *, name: str, key: str, column_config: dict[str, Any] | None = None,
          height: int | str = "auto") -> None:
    """A read-only table with a CSV download of exactly its rows."""
    st.dataframe(frame, hide_index=True, width="stretch", column_config=column_config, height=height,
                 alt=name)
    st.download_button("Download CSV", frame.to_csv(index=False).encode("utf-8"), file_name=f"{key}.csv",
                       mime="text/csv", key=f"dl_{key}", icon=":material/download:", on_click="ignore",
                       type="tertiary")
