"""Bar charts whose bars open the Leads grid, and tables that download as CSV (the Analytics page).

The charts are Vega-Lite specs (``st.vega_lite_chart``), built as plain dicts. They used to be Plotly figures:
in the browser each Plotly chart cost about 0.1 s of main-thread time (Streamlit draws every one twice, and
Plotly.js sets up each plot from scratch), which made up most of the page's render time; Vega-Lite draws the
same bars, hover texts and click selections for a fraction of that. Table CSVs are built only when someone
downloads them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from leadcore.listing import LeadFilters
from ui import nav

PRIMARY = "#2563eb"
MUTED = "#94a3b8"
LABEL_MAX = 40  # longer category labels are cut (the hover shows them whole)
MIN_SLOTS = 6  # a column chart with fewer bars keeps them as wide as if it had this many (one bar is no wall)
PICK = "pick"  # the click selection's name in every spec

Spec = dict[str, Any]


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


def _value_channel(title: str, values: Sequence[float], *, room: float = 1.0,
                   value_range: Sequence[float] | None = None, fmt: str | None = None) -> dict[str, Any]:
    channel: dict[str, Any] = {"field": "value", "type": "quantitative", "title": title or None,
                               "axis": {"format": fmt or ",~f", "tickCount": 5}}
    domain = _domain(values, room=room, value_range=value_range)
    if domain is not None:
        channel["scale"] = {"domain": domain}
    return channel


def _category_channel(*, horizontal: bool, order: Sequence[str]) -> dict[str, Any]:
    axis: dict[str, Any] = {"title": None, "labelLimit": 260} if horizontal else {
        "title": None, "labelAngle": 0, "labelOverlap": "greedy"}
    channel = {"field": "label", "type": "nominal", "sort": list(order), "axis": axis}
    if not horizontal and len(order) < MIN_SLOTS:  # (horizontal charts grow with their rows instead)
        channel["scale"] = {"paddingOuter": (MIN_SLOTS - len(order)) / 2}
    return channel


def _hover_texts(hover: str | Sequence[str], labels: Sequence[str], values: Sequence[float]) -> list[str]:
    """One text per bar; a ``str`` is a format with ``{label}`` and ``{value}`` (e.g. ``"{label}: {value:.1f}"``)."""
    if isinstance(hover, str):
        return [hover.format(label=lab, value=val) for lab, val in zip(labels, values, strict=True)]
    return list(hover)


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
) -> Spec:
    """A bar per label; ``keys`` become each bar's click key. ``text`` labels sit just past each bar's end."""
    vals = [0 if v is None else v for v in values]
    names = _labels(labels)
    tips = _hover_texts(hover, [str(x) for x in labels], vals)
    rows = [{"label": n, "value": v, "key": k, "tip": t, "text": "" if text is None else text[i],
             "color": colors[i % len(colors)] if colors else PRIMARY}
            for i, (n, v, k, t) in enumerate(zip(names, vals, keys, tips, strict=True))]
    longest = max((len(t) for t in text or ()), default=0)
    # room past the longest bar for its label: about the label's length on a horizontal chart, a line on a vertical
    room = (1.0 + min(0.9, 0.012 * longest + 0.05)) if horizontal and text else (1.12 if text else 1.0)
    value = _value_channel(value_title, vals, room=room, value_range=value_range)
    category = _category_channel(horizontal=horizontal, order=names)
    encoding = {"y": category, "x": value} if horizontal else {"x": category, "y": value}
    label_mark = ({"type": "text", "align": "left", "dx": 4, "fontSize": 11} if horizontal
                  else {"type": "text", "baseline": "bottom", "dy": -3, "fontSize": 11})
    layers: list[Spec] = [_bars_layer({"color": {"field": "color", "type": "nominal", "scale": None}})]
    if text is not None:
        layers.append({"mark": label_mark, "encoding": {"text": {"field": "text"}, "color": {"value": "#475569"}}})
    return {"data": {"values": rows}, "height": height, "encoding": encoding, "layer": layers}


def _bars_layer(encoding: Spec) -> Spec:
    """The clickable bars: a click selects the bar's ``key`` (what :func:`clickable` reads back)."""
    return {"mark": {"type": "bar", "cursor": "pointer"},
            "params": [{"name": PICK, "select": {"type": "point", "fields": ["key"], "on": "click",
                                                  "clear": False}}],
            "encoding": {"tooltip": {"field": "tip", "type": "nominal"}, **encoding}}


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
) -> Spec:
    """Several bars per label (``series`` = name, values, click keys, colour), grouped or stacked, with a legend.

    ``hover`` is a format with ``{series}``, ``{label}`` and ``{value}``."""
    names = _labels(labels)
    rows = []
    for order, (name, values, keys, _) in enumerate(series):
        vals = [0 if v is None else v for v in values]
        rows += [{"label": n, "value": v, "key": k, "series": name, "order": order,
                  "tip": hover.format(series=name, label=full, value=v)}
                 for n, full, v, k in zip(names, labels, vals, keys, strict=True)]
    tops: dict[str, float] = {}  # the longest bar (stacked: the longest stack) per label
    for r in rows:
        was = tops.get(r["label"], 0)
        tops[r["label"]] = (was + r["value"]) if stacked else max(was, r["value"])
    value = _value_channel(value_title, list(tops.values()), value_range=value_range, fmt=value_format)
    category = _category_channel(horizontal=horizontal, order=names)
    series_names = [s[0] for s in series]
    color = {"field": "series", "type": "nominal", "sort": series_names,
             "scale": {"domain": series_names, "range": [s[3] for s in series]},
             "legend": {"orient": "top", "title": None, "direction": "horizontal"}}
    encoding: Spec = {"y": category, "x": value} if horizontal else {"x": category, "y": value}
    extra: Spec = {"color": color, "order": {"field": "order", "type": "quantitative"}}
    if stacked:
        encoding["x" if horizontal else "y"]["stack"] = "zero"
    else:
        extra["yOffset" if horizontal else "xOffset"] = {"field": "series", "type": "nominal", "sort": series_names}
    return {"data": {"values": rows}, "height": height, "encoding": encoding, "layer": [_bars_layer(extra)]}


def over_time(
    starts: Sequence[date],
    values: Sequence[int],
    *,
    keys: Sequence[str],
    hover: Sequence[str],
    value_title: str = "",
    height: int = 260,
) -> Spec:
    """A bar per period (a day, or a week labelled by its Monday: the hover texts say which), in date order.

    The periods come gap-filled (a bar for every day or week in the range, zeros included), so a band per period
    is an exact time axis, and one that only ever reads in days: a single day of data is one labelled bar, not
    an axis of hours. Labels that would overlap are left out.
    """
    with_year = len({d.year for d in starts}) > 1
    labels = [f"{d:%b} {d.day}" + (f", {d.year}" if with_year else "") for d in starts]
    return bar(labels, list(values), keys=keys, hover=hover, value_title=value_title, height=height)


def clickable(spec: Spec, *, key: str, targets: Mapping[str, LeadFilters], alt: str) -> None:
    """Show ``spec``; clicking a bar opens the Leads grid filtered to ``targets[that bar's key]``."""
    event = st.vega_lite_chart(spec, key=key, on_select="rerun", selection_mode=[PICK], width="stretch", alt=alt)
    picked = ((event or {}).get("selection") or {}).get(PICK) or []
    for point in picked if isinstance(picked, list) else [picked]:
        k = point.get("key") if isinstance(point, Mapping) else None
        if isinstance(k, str) and k in targets:
            st.switch_page(nav.page("leads"), query_params=targets[k].to_params())


# --- tables ---------------------------------------------------------------------------------------------------

PERCENT = "percent"
DECIMAL = "decimal"  # one decimal
WHEN = "when"  # date and time to the minute


def _column_config(formats: Mapping[str, str], helps: Mapping[str, str]) -> dict[str, Any]:
    cc = st.column_config
    out: dict[str, Any] = {}
    for column in {*formats, *helps}:
        kind, help_text = formats.get(column), helps.get(column)
        if kind == WHEN:
            out[column] = cc.DatetimeColumn(format="YYYY-MM-DD HH:mm", help=help_text)
        elif kind in (PERCENT, DECIMAL):
            out[column] = cc.NumberColumn(format="percent" if kind == PERCENT else "%.1f", help=help_text)
        else:
            out[column] = cc.Column(help=help_text)
    return out


def _csv(frame: pd.DataFrame) -> Callable[[], bytes]:
    return lambda: frame.to_csv(index=False).encode("utf-8")


def table(frame: pd.DataFrame, *, name: str, key: str, formats: Mapping[str, str] | None = None,
          helps: Mapping[str, str] | None = None) -> None:
    """A read-only table with a CSV download of exactly its rows, built only when someone downloads it.

    ``formats`` maps columns to :data:`PERCENT`, :data:`DECIMAL` or :data:`WHEN`; ``helps`` to header tooltips.
    """
    st.dataframe(frame, hide_index=True, width="stretch", column_config=_column_config(formats or {}, helps or {}),
                 alt=name)
    st.download_button("Download CSV", _csv(frame), file_name=f"{key}.csv", mime="text/csv", key=f"dl_{key}",
                       icon=":material/download:", on_click="ignore", type="tertiary")
