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
from leadcore.fileimport import importer
from leadcore.fileimport.mapping import MAPPABLE_FIELDS, apply_mapping, guess_mapping
from leadcore.fileimport.reading import Table, read_table
from leadcore.intake.matcher import DUPLICATE_EXISTING, DUPLICATE_IN_BATCH, INVALID, NEW
from ui import auth, cached, forms, state
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
}
OUTCOMES = {NEW: "New", DUPLICATE_IN_BATCH: "Duplicate in file", DUPLICATE_EXISTING: "Already in your leads",
            INVALID: "Invalid"}
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


def load_table(upload: dict[str, Any]) -> Table | None:
    table: Table | None = st.session_state.get(state.IMPORT_TABLE)
    if table is None:
        try:
            table = read_table(upload["data"], upload["name"], max_bytes=LIMIT_MB * 1024 * 1024)
        except LeadcoreError as e:
            st.error(f"**{upload['name']}** cannot be imported: {e}.", icon=":material/error:")
            return None
        st.session_state[state.IMPORT_TABLE] = table
    if not table.rows:
        st.warning(f"**{upload['name']}** has a header row but no data rows.")
        return None
    return table


def mapping_editor(table: Table, token: str) -> dict[str, str | None]:
    st.subheader("1 · Match the columns", anchor=False)
    st.caption("Each column of your file fills one lead field. We guessed from the column names; change any that "
               "are wrong, or choose (ignore) to skip a column.")
    guessed = guess_mapping(table.headers)
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
        st.caption(f":orange[:material/info:] {', '.join(twice)}: filled from several columns; the first "
                   "non-empty one wins.")
    st.session_state[state.IMPORT_MAPPING] = mapping
    return mapping


def preview(table: Table, mapping: dict[str, str | None], name: str) -> None:
    st.subheader("2 · Preview", anchor=False)
    st.caption(f"{plural(len(table.rows), 'row')} in **{name}**. The first 10, as they will be read:")
    rows = [apply_mapping(row, table.headers, mapping) for row in table.rows[:10]]
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
            f"lead {r.cluster}" if r.outcome == DUPLICATE_EXISTING else "")
        out.append({"Row": r.row_number, "Outcome": OUTCOMES.get(r.outcome, r.outcome),
                    "Name": values.get("lead_name", ""), "Email": values.get("email", ""),
                    "Same as": same_as, "Reason": r.reason})
    return pd.DataFrame(out, columns=["Row", "Outcome", "Name", "Email", "Same as", "Reason"])


def dry_run_panel(table: Table, mapping: dict[str, str | None], upload: dict[str, Any]) -> None:
    st.subheader("3 · Dry run", anchor=False)
    st.caption("Checks every row against your team's leads without saving anything.")
    if st.button("Dry run", icon=":material/fact_check:"):
        try:
            preview = importer.dry_run(uow(), actor, table, mapping)
        except LeadcoreError as e:
            st.error(str(e), icon=":material/error:")
            return
        st.session_state[state.IMPORT_PREVIEW] = {"mapping": dict(mapping), "summary": preview}
    done = st.session_state.get(state.IMPORT_PREVIEW)
    if done is None:
        return
    if done["mapping"] != mapping:
        st.info("You changed the column matching since the dry run; run it again to see the new outcome.")
        return
    summary: importer.ImportSummary = done["summary"]
    counts = Counter(r.outcome for r in summary.rows)
    cols = st.columns(5)
    cols[0].metric("Rows", summary.count, border=True)
    for col, outcome in zip(cols[1:], OUTCOMES, strict=True):
        col.metric(OUTCOMES[outcome], counts.get(outcome, 0), border=True)
    frame = report_frame(table, mapping, summary)
    show = st.radio("Show", ["All", *OUTCOMES.values()], horizontal=True, key="import_filter")
    if show != "All":
        frame = frame[frame["Outcome"] == show]
    st.dataframe(frame, hide_index=True, width="stretch", height=min(400, 38 + 35 * max(len(frame), 1)))

    st.subheader("4 · Import", anchor=False)
    new = counts.get(NEW, 0)
    st.caption(f"Saves {plural(new, 'new lead')}. Rows that match a lead you already have fill in its empty fields; "
               "invalid rows are skipped.")
    if st.button(f"Import {plural(summary.count - counts.get(INVALID, 0), 'row')}", type="primary",
                 icon=":material/upload:", disabled=summary.count == counts.get(INVALID, 0)):
        try:
            result = importer.commit_import(uow(), actor, table, filename=upload["name"], mapping=mapping)
        except LeadcoreError as e:
            st.error(f"Nothing was imported: {e}", icon=":material/error:")
            return
        cached.clear()
        st.session_state[state.IMPORT_DONE] = {"name": upload["name"], "search_id": result.search_id,
                                               "saved": result.saved, "duplicates": result.duplicates,
                                               "invalid": result.invalid}
        st.rerun()


def done_panel(done: dict[str, Any]) -> None:
    st.success(f"Imported **{done['name']}**: {plural(done['saved'], 'new lead')}; "
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
                 help="The first row must hold the column names. Excel: the first sheet is read.")

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
parsed = load_table(upload)
if parsed is None:
    st.stop()
chosen = mapping_editor(parsed, str(upload["file_id"]))
preview(parsed, chosen, upload["name"])
dry_run_panel(parsed, chosen, upload)
