"""Plotly bar charts whose bars open the Leads grid, and tables that download as CSV (the Analytics page).

Every chart is a bar chart: one bar (or a group or stack of bars) per category, a hover text per bar, and the
bar's click key in its ``customdata``, which :func:`clickable` reads back to open the grid with that filter.
Category labels are cut to :data:`LABEL_MAX` characters (the hover keeps them whole) and kept distinct; value
labels sit past each bar's end. Table CSVs are built only when someone downloads them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from leadcore.grid.filters import LeadFilters
from ui import nav

PRIMARY = "#2563eb"
LABEL_COLOR = "#475569"
LABEL_MAX = 40  # longer category labels are cut (the hover shows them whole)
MIN_SLOTS = 6  # a column chart with fewer bars keeps them about as wide as if it had this many (no walls)
MAX_TICKS = 12  # a category axis with more labels shows every n-th one (Plotly does not thin category labels)
# No mode bar (zoom, pan and lasso mean nothing on these bars); a click selects, dragging does nothing.
CONFIG = {"displayModeBar": False, "responsive": True, "scrollZoom": False, "doubleClick": False}
MARGIN = {"l": 8, "r": 8, "t": 8, "b": 8}


def short(label: object, limit: int = LABEL_MAX) -> str:
    text = str(label)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _labels(labels: Sequence[Any]) -> list[str]:
    """Short, distinct category labels (bars with one label would be drawn as one)."""
    out: list[str] = []
    for x in labels:
        name, n = short(x), 1
        while name in out:
            n += 1
            name = f"{short(x, LABEL_MAX - 4)} ({n})"
        out.append(name)
    return out


def _domain(values: Sequence[float], *, room: float, value_range: Sequence[float] | None) -> list[float] | None:
    """The value scale: ``value_range`` if given, else 0 to the longest bar plus ``room`` for its label."""
    if value_range is not None:
        return list(value_range)
    top = max(values, default=0)
    return [0, 1] if not top else ([0, top * room] if room > 1 else None)


def _hover_texts(hover: str | Sequence[str], labels: Sequence[str], values: Sequence[float]) -> list[str]:
    """One text per bar; a ``str`` is a format with ``{label}`` and ``{value}`` (e.g. ``"{label}: {value:.1f}"``)."""
    if isinstance(hover, str):
        return [hover.format(label=lab, value=val) for lab, val in zip(labels, values, strict=True)]
    return list(hover)


def _figure(traces: Sequence[go.Bar], *, names: Sequence[str], horizontal: bool, height: int, value_title: str,
            domain: list[float] | None, value_format: str | None = None, legend: bool = False,
            **layout: Any) -> go.Figure:
    """The shared layout: categories in the given order (top to bottom when horizontal), a value axis from 0."""
    fig = go.Figure(list(traces))
    few = 0 if horizontal else max(0, MIN_SLOTS - len(names))
    fig.update_layout(height=height, margin=MARGIN, showlegend=legend, clickmode="event+select", dragmode=False,
                      bargap=min(0.7, 0.25 + 0.1 * few), hovermode="closest", **layout)
    if legend:
        fig.update_layout(legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0,
                                  "traceorder": "normal", "title": None})
    value: dict[str, Any] = {"title": {"text": value_title or None}, "rangemode": "tozero", "nticks": 6,
                             "tickformat": value_format or ",~f", "fixedrange": True}
    if domain is not None:
        value["range"] = domain
    category: dict[str, Any] = {"type": "category", "categoryorder": "array", "categoryarray": list(names),
                                "automargin": True, "fixedrange": True}
    if horizontal:
        category["autorange"] = "reversed"  # the first category on top
        fig.update_layout(xaxis=value, yaxis=category)
    else:
        if len(names) > MAX_TICKS:
            shown = list(names)[:: -(-len(names) // MAX_TICKS)]
            category.update(tickmode="array", tickvals=shown, ticktext=shown)
        category["tickangle"] = 0
        fig.update_layout(xaxis=category, yaxis=value)
    return fig


def _bar_trace(names: Sequence[str], values: Sequence[float], *, horizontal: bool, **kw: Any) -> go.Bar:
    axes = {"y": list(names), "x": list(values), "orientation": "h"} if horizontal else {
        "x": list(names), "y": list(values)}
    return go.Bar(**axes, hovertemplate="%{hovertext}<extra></extra>", **kw)


def bar(
    labels: Sequence[Any],
    values: Sequence[float | int | None],
    *,
    keys: Sequence[str],
    text: Sequence[str] | None = None,
    horizontal: bool = False,
    value_title: str = "",
    height: int = 300,
    hover: str | Sequence[str] = "{label}: {value:,}",
    colors: Sequence[str] | None = None,
    value_range: Sequence[float] | None = None,
) -> go.Figure:
    """A bar per label; ``keys`` become each bar's click key. ``text`` labels sit just past each bar's end."""
    vals = [0 if v is None else v for v in values]
    names = _labels(labels)
    tips = _hover_texts(hover, [str(x) for x in labels], vals)
    longest = max((len(t) for t in text or ()), default=0)
    # room past the longest bar for its label: about the label's length on a horizontal chart, a line on a vertical
    room = (1.0 + min(0.9, 0.012 * longest + 0.05)) if horizontal and text else (1.12 if text else 1.0)
    palette = [colors[i % len(colors)] for i in range(len(vals))] if colors else PRIMARY
    trace = _bar_trace(names, vals, horizontal=horizontal, customdata=list(keys), hovertext=tips,
                       marker={"color": palette}, text=list(text) if text is not None else None,
                       textposition="outside", cliponaxis=False, textfont={"color": LABEL_COLOR, "size": 11})
    return _figure([trace], names=names, horizontal=horizontal, height=height, value_title=value_title,
                   domain=_domain(vals, room=room, value_range=value_range))


def bars(
    labels: Sequence[Any],
    series: Sequence[tuple[str, Sequence[float | int | None], Sequence[str], str]],
    *,
    horizontal: bool = False,
    stacked: bool = False,
    value_title: str = "",
    height: int = 300,
    hover: str = "{series} · {label}: {value:,}",
    value_format: str | None = None,
    value_range: Sequence[float] | None = None,
) -> go.Figure:
    """Several bars per label (``series`` = name, values, click keys, colour), grouped or stacked, with a legend.

    ``hover`` is a format with ``{series}``, ``{label}`` and ``{value}``."""
    names = _labels(labels)
    traces, tops = [], [0.0] * len(names)  # tops: the longest bar (stacked: the longest stack) per label
    for name, values, keys, color in series:
        vals = [0 if v is None else v for v in values]
        tops = [(t + v) if stacked else max(t, v) for t, v in zip(tops, vals, strict=True)]
        tips = [hover.format(series=name, label=full, value=v) for full, v in zip(labels, vals, strict=True)]
        traces.append(_bar_trace(names, vals, horizontal=horizontal, name=name, customdata=list(keys),
                                 hovertext=tips, marker={"color": color}))
    return _figure(traces, names=names, horizontal=horizontal, height=height, value_title=value_title,
                   domain=_domain(tops, room=1.0, value_range=value_range), value_format=value_format,
                   legend=True, barmode="stack" if stacked else "group")


def over_time(
    starts: Sequence[date],
    values: Sequence[int],
    *,
    keys: Sequence[str],
    hover: Sequence[str],
    value_title: str = "",
    height: int = 260,
) -> go.Figure:
    """A bar per period (a day, or a week labelled by its Monday: the hover texts say which), in date order.

    The periods come gap-filled (a bar for every day or week in the range, zeros included), so a category per
    period is an exact time axis, and one that only ever reads in days: a single day of data is one labelled
    bar, not an axis of hours. With many periods every n-th one is labelled.
    """
    with_year = len({d.year for d in starts}) > 1
    labels = [f"{d:%b} {d.day}" + (f", {d.year}" if with_year else "") for d in starts]
    return bar(labels, list(values), keys=keys, hover=hover, value_title=value_title, height=height)


def clicked_keys(event: Any) -> list[str]:
    """The click keys of the bars a chart's selection event holds."""
    points = ((event or {}).get("selection") or {}).get("points") or []
    keys = []
    for point in points:
        data = point.get("customdata") if isinstance(point, Mapping) else None
        k = data[0] if isinstance(data, list | tuple) and data else data
        if isinstance(k, str):
            keys.append(k)
    return keys


def clickable(fig: go.Figure, *, key: str, targets: Mapping[str, LeadFilters], alt: str) -> None:
    """Show ``fig``; clicking a bar opens the Leads grid filtered to ``targets[that bar's key]``."""
    event = st.plotly_chart(fig, key=key, on_select="rerun", selection_mode="points", width="stretch",
                            config=CONFIG, alt=alt)
    for k in clicked_keys(event):
        if k in targets:
            st.switch_page(nav.page("leads"), query_params=targets[k].to_params())


# --- tables ---------------------------------------------------------------------------------------------------

PERCENT = "percent"
DECIMAL = "decimal"  # one decimal
WHEN = "when"  # date and time to the minute


def _column_config(formats: Mapping[str, str], helps: Mapping[str, str], counts: Sequence[str] = ()
                   ) -> dict[str, Any]:
    cc = st.column_config
    out: dict[str, Any] = {}
    for column in {*formats, *helps}:
        kind, help_text = formats.get(column), helps.get(column)
        if kind == WHEN:
            out[column] = cc.DatetimeColumn(format="YYYY-MM-DD HH:mm", help=help_text)
        elif kind == PERCENT:  # shares are stored 0-1 and shown ×100 (see table), one decimal like every percentage
            out[column] = cc.NumberColumn(format="%.1f%%", help=help_text)
        elif kind == DECIMAL:
            out[column] = cc.NumberColumn(format="%.1f", help=help_text)
        else:
            out[column] = cc.Column(help=help_text)
    for column in counts:  # whole numbers with thousands separators, as the charts and metrics print them
        out.setdefault(column, cc.NumberColumn(format="localized", help=helps.get(column)))
    return out


def _csv(frame: pd.DataFrame) -> Callable[[], bytes]:
    return lambda: frame.to_csv(index=False).encode("utf-8")


def table(frame: pd.DataFrame, *, name: str, key: str, formats: Mapping[str, str] | None = None,
          helps: Mapping[str, str] | None = None) -> None:
    """A read-only table with a CSV download of exactly its rows, built only when someone downloads it.

    ``formats`` maps columns to :data:`PERCENT`, :data:`DECIMAL` or :data:`WHEN`; ``helps`` to header tooltips.
    """
    formats = formats or {}
    shown = frame.copy()
    for column, kind in formats.items():
        if kind == PERCENT and column in shown:
            shown[column] = shown[column] * 100
    counts = [c for c in frame.columns if c not in formats and pd.api.types.is_integer_dtype(frame[c])]
    st.dataframe(shown, hide_index=True, width="stretch", column_config=_column_config(formats, helps or {}, counts),
                 alt=name, placeholder="—")
    st.download_button("Download CSV", _csv(frame), file_name=f"{key}.csv", mime="text/csv", key=f"dl_{key}",
                       icon=":material/download:", on_click="ignore", type="tertiary")
