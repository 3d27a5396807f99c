"""Import: upload a CSV/Excel file, fix the column mapping, dry-run it row by row, then import and open the leads.

The upload lives in session state (``state.IMPORT_UPLOAD`` = {"name", "data", "file_id"}) so it survives reruns
and page switches; a new upload (or removing the file) clears the mapping, the dry run and the result.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd
import streamlit as st

from leadcore.config import settings
from leadcore.errors import LeadcoreError
from leadcore.fileimport import importer, saved_mappings
from leadcore.fileimport.mapping import MAPPABLE_FIELDS, apply_mapping, column_ranks
from leadcore.fileimport.presets import format_by_key
from leadcore.fileimport.reading import Table, read_table
from leadcore.fileimport.rows import ImportSpec
from leadcore.fileimport.update import CONFLICT, NOT_FOUND, UNCHANGED, UPDATED
from leadcore.intake.matcher import DUPLICATE_EXISTING, DUPLICATE_IN_BATCH, INVALID, NEW
from ui import auth, cached, forms, import_steps, state
from ui.resources import uow
from ui.text import plural

actor = auth.actor()
LIMIT_MB = settings().max_upload_mb
IGNORE = "(ignore)"
UPLOADER = "import_file"
FIELD_LABELS = {
    "type": "Type (person/company)", "lead_name": "Name", "first_name": "First name", "last_name": "Last name",
    "email": "Email", "phone": "Phone", "job_title": "Job title", "company": "Company", "location": "Location",
    "headquarters": "Headquarters", "industry": "Industry", "website": "Website", "linkedin_url": "LinkedIn URL",
    "lead_score": "Score (0–100)", "notes": "Notes", "tags": "Tags", "status": "Status",
    "middle_name": "Middle name", "city": "City", "state": "State/region", "country": "Country",
    "hq_city": "HQ city", "hq_state": "HQ state/region", "hq_country": "HQ country", "id": "Lead id (our export)",
    "version": "Version (our export)",
}
OUTCOMES: dict[str, str] = {NEW: "New", DUPLICATE_IN_BATCH: "Duplicate in file",
                             DUPLICATE_EXISTING: "Already in your leads", INVALID: "Invalid"}
UPDATE_OUTCOMES = {UPDATED: "Updated", UNCHANGED: "Unchanged", NOT_FOUND: "Not found", CONFLICT: "Conflict"}
ALL_OUTCOMES = {**OUTCOMES, **UPDATE_OUTCOMES, importer.BLANK: "Blank row"}
STEP_KEYS = (state.IMPORT_UPLOAD, state.IMPORT_TABLE, state.IMPORT_MAPPING, state.IMPORT_PREVIEW, state.IMPORT_DONE)


def on_upload() -> None:
    """A new file (or none): forget everything about the previous one."""
    for key in STEP_KEYS:
        st.session_state.pop(key, None)
    file = st.session_state.get(UPLOADER)
    if file is not None:
        st.session_state[state.IMPORT_UPLOAD] = {"name": file.name, "data": file.getvalue(), "file_id": file.file_id}


def label(field: str) -> str:
    return FIELD_LABELS.get(field, field)


def load_table(upload: dict[str, Any], header_row: int | None = None) -> Table | None:
    """The parsed file (kept in session state per header row asked for)."""
    cached_table = st.session_state.get(state.IMPORT_TABLE)
    table: Table | None = cached_table[1] if cached_table and cached_table[0] == header_row else None
    if table is None:
        try:
            table = read_table(upload["data"], upload["name"], max_bytes=LIMIT_MB * 1024 * 1024,
                               header_row=header_row)
        except LeadcoreError as e:
            st.error(f"**{upload['name']}** cannot be imported: {e}.", icon=":material/error:")
            return None
        st.session_state[state.IMPORT_TABLE] = (header_row, table)
    if not table.rows:
        st.warning(f"**{upload['name']}** has a header row but no data rows.")
        return None
    return table


def mapping_editor(table: Table, token: str, fmt: str | None,
                   preset: saved_mappings.SavedMapping | None = None) -> dict[str, str | None]:
    st.subheader("1 · Match the columns", anchor=False)
    st.caption("Each column of your file fills one lead field. We guessed from the column names; change any that "
               "are wrong, or choose (ignore) to skip a column. Columns left out are kept on each lead's raw record.")
    guessed = saved_mappings.starting_mapping(table.headers, format_by_key(fmt) if fmt else None, preset)
    options = [IGNORE, *MAPPABLE_FIELDS]
    mapping: dict[str, str | None] = {}
    cols = st.columns(4)
    for i, header in enumerate(table.headers):
        samples = [row[i] for row in table.rows[:50] if row[i].strip()][:3]
        choice = cols[i % 4].selectbox(
            header, options, index=options.index(guessed.get(header) or IGNORE), key=f"map_{token}_{i}",
            format_func=lambda f: f if f == IGNORE else label(f),
            help=("Examples: " + " · ".join(s[:40] for s in samples)) if samples else "This column is empty.",
        )
        mapping[header] = None if choice == IGNORE else choice
    twice = [label(f) for f, n in Counter(v for v in mapping.values() if v).items() if n > 1]
    if twice:
        st.caption(f":material/info: {', '.join(twice)}: filled from several columns; the first non-empty one "
                   "wins and the others are kept on the lead's raw record.")
    st.session_state[state.IMPORT_MAPPING] = mapping
    return mapping


def preview(table: Table, mapping: dict[str, str | None], name: str, fmt: str | None) -> None:
    st.subheader("2 · Preview", anchor=False)
    st.caption(f"{plural(len(table.rows), 'row')} in **{name}**. The first 10, as they will be read:")
    ranks = column_ranks(table.headers, format_by_key(fmt) if fmt else None)
    rows = [apply_mapping(row, table.headers, mapping, ranks) for row in table.rows[:10]]
    frame = pd.DataFrame(rows).rename(columns=label)
    if frame.empty or not len(frame.columns):
        st.info("No column is matched to a lead field yet.")
        return
    st.dataframe(frame, hide_index=True, width="stretch")


def report_frame(table: Table, mapping: dict[str, str | None], summary: importer.ImportSummary) -> pd.DataFrame:
    out = []
    for r in summary.rows:
        values = apply_mapping(table.rows[r.row_number - 1], table.headers, mapping)
        same_as = r.cluster.replace("row-", "row ") if r.outcome == DUPLICATE_IN_BATCH else (
            f"lead {r.cluster}" if r.cluster and not r.cluster.startswith("row-") else "")
        out.append({"Row": r.row_number, "Outcome": ALL_OUTCOMES.get(r.outcome, r.outcome),
                    "Name": values.get("lead_name", "") or values.get("company", ""),
                    "Email": values.get("email", ""), "Same as": same_as, "Reason": r.reason, "Note": r.note})
    return pd.DataFrame(out, columns=["Row", "Outcome", "Name", "Email", "Same as", "Reason", "Note"])


def dry_run_panel(
    table: Table, mapping: dict[str, str | None], upload: dict[str, Any], fmt: str | None,
    status_map: dict[str, str], mode: str,
) -> None:
    st.subheader("3 · Dry run", anchor=False)
    st.caption("Checks every row against your team's leads without saving anything.")
    choices = {"mapping": dict(mapping), "fmt": fmt, "status_map": dict(status_map), "mode": mode,
               "header_row": table.header_row}
    if st.button("Dry run", icon=":material/fact_check:"):
        try:
            spec = importer.prepare(table, mapping, fmt=fmt, status_map=status_map)
            preview = importer.dry_run(uow(), actor, table, spec=spec, mode=mode)
        except LeadcoreError as e:
            st.error(str(e), icon=":material/error:")
            return
        st.session_state[state.IMPORT_PREVIEW] = {**choices, "summary": preview, "spec": spec}
    done = st.session_state.get(state.IMPORT_PREVIEW)
    if done is None:
        return
    if {k: done.get(k) for k in choices} != choices:
        st.info("You changed the column matching, the status values or the mode since the dry run; run it again to "
                "see the new outcome.")
        return
    summary: importer.ImportSummary = done["summary"]
    counts = Counter(r.outcome for r in summary.rows)
    shown = dict(OUTCOMES) if mode == "create" else {**UPDATE_OUTCOMES, NEW: "New", INVALID: "Invalid"}
    if mode == "update":
        shown.pop(NEW)
    if counts.get(importer.BLANK):
        shown[importer.BLANK] = ALL_OUTCOMES[importer.BLANK]
    cols = st.columns(len(shown) + 1)
    cols[0].metric("Rows", summary.count, border=True)
    for col, outcome in zip(cols[1:], shown, strict=True):
        col.metric(shown[outcome], counts.get(outcome, 0), border=True)
    if summary.mapped_values:
        st.caption(f":material/info: {plural(summary.mapped_values, 'row')} carry a status or type value that is "
                   "not ours: mapped as shown above, the original kept on the lead's raw record.")
    if summary.lookalikes:
        n = summary.lookalikes
        st.warning(f"{plural(n, 'new row')} {'looks' if n == 1 else 'look'} like a lead another rep owns (the "
                   "Note column names the lead and its owner): importing saves a second copy. Ask the owner or a "
                   "manager first, or leave those rows out of the file.", icon=":material/person_search:")
    frame = report_frame(table, mapping, summary)
    show = st.radio("Show", ["All", *shown.values()], horizontal=True, key="import_filter")
    if show != "All":
        frame = frame[frame["Outcome"] == show]
    st.dataframe(frame, hide_index=True, width="stretch", height=min(400, 38 + 35 * max(len(frame), 1)))

    st.subheader("4 · Import", anchor=False)
    new = counts.get(NEW, 0)
    if mode == "create":
        st.caption(f"Saves {plural(new, 'new lead')}. Rows that match a lead you already have fill in its empty "
                   "fields (the Note column says which); invalid rows are skipped.")
    else:
        st.caption(f"Updates {plural(counts.get(UPDATED, 0), 'lead')} and saves {plural(new, 'new lead')}; "
                   "conflicting, unmatched and invalid rows change nothing.")
    usable = summary.count - counts.get(INVALID, 0) - counts.get(importer.BLANK, 0)
    matched = usable - new - counts.get(UPDATED, 0)
    what = (f"Import {plural(new, 'new lead')}" if mode == "create"
            else f"Import {plural(counts.get(UPDATED, 0), 'update')} and {plural(new, 'new lead')}")
    label = what + (f" (+{plural(matched, 'row')} matching known leads)" if mode == "create" and matched > 0 else "")
    if st.button(label, type="primary", icon=":material/upload:", disabled=usable == 0):
        try:
            result = importer.commit_import(uow(), actor, table, filename=upload["name"], spec=done["spec"],
                                            mode=mode)
        except LeadcoreError as e:
            st.error(f"Nothing was imported: {e}", icon=":material/error:")
            return
        cached.clear()
        st.session_state[state.IMPORT_DONE] = {"name": upload["name"], "search_id": result.search_id,
                                               "saved": result.saved, "duplicates": result.duplicates,
                                               "invalid": result.invalid, "updated": result.updated,
                                               "mode": mode}
        st.rerun()


def done_panel(done: dict[str, Any]) -> None:
    updated = f"{plural(done.get('updated', 0), 'lead')} updated; " if done.get("mode", "create") != "create" else ""
    st.success(f"Imported **{done['name']}**: {updated}{plural(done['saved'], 'new lead')}; "
               f"{plural(done['duplicates'], 'duplicate row')} merged into leads you already had or into an earlier "
               f"row; {plural(done['invalid'], 'invalid row')} skipped.",
               icon=":material/check_circle:")
    if done["search_id"] is not None and done["saved"]:
        forms.leads_of_search_link(done["search_id"],
                                   f"Open the {plural(done['saved'], 'imported lead')} in the Leads grid")
    st.caption("To import another file, upload it above.")


st.title("Import leads", anchor=False)
st.caption("Bring leads in from a spreadsheet. Every lead is saved once for your team: rows that match a lead "
           "you already have (same email, LinkedIn profile or company website) update it instead of adding a "
           "copy.")
st.file_uploader(f"CSV or Excel file (up to {LIMIT_MB} MB)", type=["csv", "txt", "tsv", "xlsx", "xlsm", "xls"],
                 key=UPLOADER, on_change=on_upload, max_upload_size=LIMIT_MB,
                 help="Exports of Google Contacts, Outlook, Apple Contacts, Thunderbird, LinkedIn, HubSpot, "
                      "Salesforce, Zoho, Pipedrive and Apollo are recognised. Excel: the first sheet is read.")

presets = import_steps.saved_mappings_panel(actor)
upload = st.session_state.get(state.IMPORT_UPLOAD)
if upload is None:
    st.info("Upload a file to start. Typical columns: Name, Email, Company, Job title, Phone, Website, LinkedIn. "
            "You will see a dry run of every row before anything is saved.", icon=":material/upload_file:")
    st.stop()
if st.session_state.get(UPLOADER) is None:
    st.caption(f"Working on **{upload['name']}**. Upload another file to replace it.")
finished = st.session_state.get(state.IMPORT_DONE)
if finished is not None:
    done_panel(finished)
    st.stop()
token = str(upload["file_id"])
asked_header = st.session_state.get(f"import_header_row_{token}")
parsed = load_table(upload, asked_header)
if parsed is None:
    st.stop()
fmt_key, header_change = import_steps.format_and_header(parsed, token)
if header_change is not None:
    st.session_state[f"import_header_row_{token}"] = header_change
    st.session_state.pop(state.IMPORT_TABLE, None)
    st.rerun()
base_view = f"{token}_{fmt_key}_{parsed.header_row}"
preset = import_steps.saved_mapping(parsed, presets, base_view)
view = f"{base_view}_s{preset.id}" if preset else base_view  # the preset's choices are other widgets' defaults
chosen = mapping_editor(parsed, view, fmt_key, preset)
current: ImportSpec | None
try:
    current = importer.prepare(parsed, chosen, fmt=fmt_key)
except LeadcoreError:
    current = None  # the dry run says what is missing
statuses = import_steps.status_map_editor(parsed, current, view, preset.status_map if preset else None) \
    if current else {}
import_steps.save_mapping_form(parsed, actor, chosen, statuses,
                               preset.name if preset else import_steps.default_mapping_name(fmt_key, upload["name"]),
                               view)
preview(parsed, chosen, upload["name"], fmt_key)
mode = import_steps.mode_choice()
dry_run_panel(parsed, chosen, upload, fmt_key, statuses, mode)
