"""The Import page's choices about how a file is read: its export format and header row, the status value map, and
whether the file creates leads or updates the ones it names."""

from __future__ import annotations

import streamlit as st

from leadcore.fileimport.presets import FORMATS, detect_format, format_by_key
from leadcore.fileimport.reading import Table
from leadcore.fileimport.rows import ImportSpec, resolve_status, status_values
from leadcore.fileimport.values import IMPORT_STATUSES

AUTO = "auto"
NONE = "none"
MODES = {
    "create": "Add new leads (rows that match a lead fill its empty fields)",
    "update": "Update the leads the rows name (by id, email, LinkedIn or website); add nothing",
    "upsert": "Update the leads the rows name and add the others as new leads",
}
MAX_STATUS_VALUES = 40


def format_label(key: str) -> str:
    if key == AUTO:
        return "Recognise from the columns"
    if key == NONE:
        return "None: match columns by name"
    fmt = format_by_key(key)
    return fmt.label if fmt else key


def format_and_header(table: Table, token: str) -> tuple[str | None, int | None]:
    """Say which export the file looks like and which row holds its column names; let the user change both.

    Returns the format key to read with (None: generic) and the header row the user asked for (None: as found)."""
    detected = detect_format(table.headers)
    choice = st.session_state.get(f"import_format_{token}", AUTO)
    fmt = detected if choice == AUTO else (None if choice == NONE else format_by_key(choice))
    if fmt is not None:
        st.info(f"Looks like a **{fmt.label}**: its columns are matched the way that tool writes them.",
                icon=":material/fact_check:")
    else:
        st.info("No known export format recognised: columns are matched by their names.",
                icon=":material/table_view:")
    st.caption(f"Column names taken from **row {table.header_row}** of the file ({table.header_reason}).")
    with st.expander("Change the format or the header row"):
        cols = st.columns(2)
        cols[0].selectbox("Export format", [AUTO, NONE, *(f.key for f in FORMATS)], key=f"import_format_{token}",
                          format_func=format_label)
        header = cols[1].number_input("Header row", min_value=1, max_value=10_000, step=1,
                                      value=table.header_row, key=f"import_header_{token}",
                                      help="The row of the file that holds the column names.")
    return (fmt.key if fmt else None), (int(header) if int(header) != table.header_row else None)


def status_map_editor(table: Table, spec: ImportSpec, token: str) -> dict[str, str]:
    """One choice per status value of the file: which of our statuses it becomes (defaults for the common CRMs)."""
    values = status_values(table, spec)
    if not values:
        return {}
    st.subheader("Status values", anchor=False)
    st.caption("Your file's status values and the status each becomes here. IMPORTED is kept for leads converted "
               "into contacts, so an import never sets it; a value we do not know stays NEW and is kept on the "
               "lead's raw record.")
    out: dict[str, str] = {}
    cols = st.columns(4)
    shown = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_STATUS_VALUES]
    for i, (value, count) in enumerate(shown):
        default = resolve_status(value, ImportSpec(spec.mapping, spec.fmt)) or "NEW"
        out[value] = cols[i % 4].selectbox(
            f"{value} ({count})", IMPORT_STATUSES, index=IMPORT_STATUSES.index(default),
            key=f"status_{token}_{i}")
    if len(values) > MAX_STATUS_VALUES:
        st.caption(f"{len(values) - MAX_STATUS_VALUES} rarer values are mapped by the defaults.")
    return out


def mode_choice() -> str:
    return st.radio("What the file does", list(MODES), format_func=MODES.__getitem__, key="import_mode")
