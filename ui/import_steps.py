"""The Import page's choices about how a file is read: its export format and header row, the status value map, the
team's saved mapping for the file's columns (offered, and saved from here), and whether the file creates leads or
updates the ones it names."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from leadcore.accounts.actors import Actor
from leadcore.errors import LeadcoreError
from leadcore.fileimport import saved_mappings
from leadcore.fileimport.presets import FORMATS, detect_format, format_by_key
from leadcore.fileimport.reading import Table
from leadcore.fileimport.rows import ImportSpec, resolve_status, status_values
from leadcore.fileimport.values import IMPORT_STATUSES
from ui.grid import md
from ui.resources import uow

AUTO = "auto"
NONE = "none"
MODES = {
    "create": "Add new leads (rows that match a lead fill its empty fields)",
    "update": "Update the leads the rows name (by id, email, LinkedIn or website); add nothing",
    "upsert": "Update the leads the rows name and add the others as new leads",
}
MAX_STATUS_VALUES = 40
FLASH = "import_presets_flash"  # what the last Delete did, shown once


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


def status_map_editor(table: Table, spec: ImportSpec, token: str,
                      preset: dict[str, str] | None = None) -> dict[str, str]:
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
        default = (preset or {}).get(value) or resolve_status(value, ImportSpec(spec.mapping, spec.fmt)) or "NEW"
        default = default if default in IMPORT_STATUSES else "NEW"
        out[value] = cols[i % 4].selectbox(
            f"{value} ({count})", IMPORT_STATUSES, index=IMPORT_STATUSES.index(default),
            key=f"status_{token}_{i}")
    if len(values) > MAX_STATUS_VALUES:
        st.caption(f"{len(values) - MAX_STATUS_VALUES} rarer values are mapped by the defaults.")
    return out


def mode_choice() -> str:
    return st.radio("What the file does", list(MODES), format_func=MODES.__getitem__, key="import_mode")


def saved_mapping(table: Table, presets: list[saved_mappings.SavedMapping], token: str
                  ) -> saved_mappings.SavedMapping | None:
    """The team's saved mapping for this header set (``presets``: the team's, as the panel read them), if the user
    has not gone back to the detected defaults; says which one is used and offers the way back (or forward
    again)."""
    found = saved_mappings.matching(presets, table.headers)
    if found is None:
        return None
    key = f"import_use_saved_{token}"
    if st.session_state.get(key, True):
        st.info(f'Using the saved mapping "{found.name}" for these columns ({saved_mappings.provenance(found)}).',
                icon=":material/bookmark:")
        if st.button("Use the detected defaults instead", icon=":material/undo:", key=f"import_defaults_{token}"):
            st.session_state[key] = False
            st.rerun()
        return found
    st.caption(f'Your team has a saved mapping "{found.name}" for these columns; the detected defaults are shown.')
    if st.button("Use the saved mapping", icon=":material/bookmark:", key=f"import_saved_{token}"):
        st.session_state[key] = True
        st.rerun()
    return None


def saved_mappings_panel(actor: Actor) -> list[saved_mappings.SavedMapping]:
    """The team's saved mappings (name, columns, who saved it), each with a Delete that asks first; nothing when
    the team has none. Returns them (none when they could not be read: a file then starts from the defaults)."""
    if (flash := st.session_state.pop(FLASH, None)) is not None:
        st.success(flash, icon=":material/check_circle:")
    try:
        presets = saved_mappings.list_for(uow(), actor)
    except LeadcoreError as e:
        st.warning(f"Saved mappings could not be loaded: {e}", icon=":material/warning:")
        return []
    if not presets:
        return presets
    with st.expander(f"Saved column mappings ({len(presets)})", icon=":material/bookmarks:"):
        st.caption("A file whose columns match a saved mapping starts from it. Deleting one affects your whole "
                   "team; the next file with those columns starts from the detected defaults.")
        for preset in presets:
            with st.container(horizontal=True, vertical_alignment="center", key=f"import_preset_{preset.id}"):
                columns = ", ".join(h for h in preset.headers if h.strip())
                said = saved_mappings.provenance(preset)
                st.markdown(f"**{md(preset.name)}** · {len(preset.headers)} columns: {md(columns)}  \n"
                            f":gray[{said[:1].upper()}{said[1:]}]")
                st.space("stretch")
                with st.popover("Delete", icon=":material/delete:"):
                    st.markdown(f'Delete the saved mapping "{md(preset.name)}" for your whole team?')
                    if st.button("Delete mapping", type="primary", key=f"import_delete_preset_{preset.id}"):
                        gone = saved_mappings.delete_for(uow(), actor, preset.id)
                        st.session_state[FLASH] = (f'Deleted the saved mapping "{md(preset.name)}".' if gone else
                                                   f'The saved mapping "{md(preset.name)}" was already deleted.')
                        st.rerun()
    return presets


def save_mapping_form(table: Table, actor: Actor, mapping: dict[str, str | None], status_map: dict[str, str],
                      default_name: str, token: str) -> None:
    """Name the current column matching and status values and save them for the team's next file with these
    columns (one per set of columns: saving again replaces it)."""
    with st.expander("Save this mapping for the next file with these columns"):
        name = st.text_input("Name", value=default_name, max_chars=saved_mappings.NAME_MAX,
                             key=f"import_mapping_name_{token}")
        if st.button("Save this mapping", icon=":material/bookmark_add:", key=f"import_save_mapping_{token}"):
            try:
                saved = saved_mappings.save_for(uow(), actor, table.headers, mapping, status_map, None, name)
            except LeadcoreError as e:
                st.error(str(e), icon=":material/error:")
                return
            st.success(f'Saved the mapping "{saved.name}": your team\'s next file with these columns starts from '
                       "it.", icon=":material/check_circle:")


def default_mapping_name(fmt_key: str | None, filename: str) -> str:
    fmt = format_by_key(fmt_key) if fmt_key else None
    return fmt.label if fmt else Path(filename).stem[:saved_mappings.NAME_MAX]
