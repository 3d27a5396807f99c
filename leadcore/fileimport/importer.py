"""CSV/Excel import: map columns, validate every row, dry-run with a per-row outcome, commit as a search run."""

from __future__ import annotations

import csv
import logging
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from leadcore.accounts.actors import Actor
from leadcore.db.engine import UnitOfWork, begin_write
from leadcore.db.models import Lead, LeadSearch
from leadcore.db.retry import retry_on_deadlock
from leadcore.discovery.runs import close_search, open_search
from leadcore.duplicates.queue import lookalikes_of
from leadcore.errors import DatabaseBusy, InvalidInput
from leadcore.fileimport.reading import Table
from leadcore.fileimport.rows import BuiltRow, ImportSpec, build_rows, make_spec
from leadcore.fileimport.update import (
    CONFLICT,
    MODES,
    NOT_FOUND,
    UNCHANGED,
    UPDATED,
    fill_lead_from_row,
    find_targets,
    update_lead_from_row,
)
from leadcore.intake.candidates import TEXT_FIELDS
from leadcore.intake.matcher import (
    DUPLICATE_EXISTING,
    DUPLICATE_IN_BATCH,
    INVALID,
    NEW,
    RowPlan,
    SearchContext,
    plan_batch,
    save_batch,
)
from leadcore.leads.edits import lock_leads

log = logging.getLogger(__name__)

REPORT_HEADER = ("row_number", "outcome", "cluster", "reason", "note")
BLANK = "blank"


@dataclass
class RowReport:
    """One data row's outcome. ``row_number`` is 1-based, header excluded. ``note``: what the row changes or what
    was read differently from the file (a status we map, a phone without digits)."""

    row_number: int
    outcome: str
    cluster: str
    reason: str
    note: str = ""


@dataclass
class ImportSummary:
    rows: list[RowReport]
    saved: int = 0
    duplicates: int = 0
    invalid: int = 0
    search_id: int | None = None
    dry_run: bool = True
    lead_ids: list[int] = field(default_factory=list)
    updated: int = 0
    unchanged: int = 0
    not_found: int = 0
    conflicts: int = 0
    blank: int = 0
    mapped_values: int = 0  # rows whose status or type value was not ours (mapped or kept as the default)
    mode: str = "create"
    lookalikes: int = 0  # new rows that look like a lead the user cannot edit (dry run, reps only)

    @property
    def count(self) -> int:
        return len(self.rows)

    def as_dict(self) -> dict[str, Any]:
        out = {"saved": self.saved, "duplicates": self.duplicates, "invalid": self.invalid,
               "search_id": self.search_id, "count": self.count, "blank": self.blank,
               "mapped_values": self.mapped_values, "mode": self.mode}
        if self.mode != "create":
            out |= {"updated": self.updated, "unchanged": self.unchanged, "not_found": self.not_found,
                    "conflicts": self.conflicts}
        return out


def prepare(
    table: Table,
    mapping: Mapping[str, str | None] | None = None,
    *,
    fmt: str | None = None,
    status_map: Mapping[str, str] | None = None,
    overrides: Mapping[str, str | None] | None = None,
) -> ImportSpec:
    """The spec to import ``table`` with (see :func:`~leadcore.fileimport.rows.make_spec`)."""
    return make_spec(table, mapping, fmt=fmt, status_map=status_map, overrides=overrides)


def check_mapping(table: Table, mapping: Mapping[str, str | None] | None = None) -> dict[str, str | None]:
    """The mapping to use (guessed when not given); InvalidInput when no column gives a name, email or company."""
    return prepare(table, mapping).mapping


def _spec(table: Table, mapping: Mapping[str, str | None] | None, spec: ImportSpec | None) -> ImportSpec:
    return spec if spec is not None else prepare(table, mapping)


def check_mode(mode: str) -> None:
    if mode not in MODES:
        raise InvalidInput(f"mode must be one of {', '.join(MODES)}, got {mode!r}", field="mode")


def _report(built: list[BuiltRow], plans: list[RowPlan]) -> list[RowReport]:
    """The create-mode report: ``plans`` are the matcher's, one per row with a candidate, in row order."""
    positions = [i for i, b in enumerate(built) if b.candidate is not None]
    plan_of = dict(zip(positions, plans, strict=True))
    out: list[RowReport] = []
    for i, b in enumerate(built):
        n, note = i + 1, "; ".join(b.notes)
        found = plan_of.get(i)
        if b.blank:
            out.append(RowReport(n, BLANK, "", "", "a blank row: skipped"))
        elif found is None or found.outcome == INVALID:
            out.append(RowReport(n, INVALID, "", b.reason or (found.reason if found else "") or "invalid", note))
        elif found.outcome == DUPLICATE_IN_BATCH and found.representative is not None:
            rep = plans[found.representative]
            if rep.outcome == DUPLICATE_EXISTING:
                out.append(RowReport(n, DUPLICATE_EXISTING, str(rep.lead_id), "", note))
            else:
                out.append(RowReport(n, DUPLICATE_IN_BATCH, f"row-{positions[found.representative] + 1}", "", note))
        elif found.outcome == DUPLICATE_EXISTING:
            out.append(RowReport(n, DUPLICATE_EXISTING, str(found.lead_id), "", note))
        else:
            out.append(RowReport(n, NEW, f"row-{n}", "", note))
    return out


def _count(rows: list[RowReport], summary: ImportSummary, built: list[BuiltRow]) -> None:
    by = Counter(r.outcome for r in rows)
    summary.invalid = by[INVALID]
    summary.duplicates = by[DUPLICATE_EXISTING] + by[DUPLICATE_IN_BATCH]
    summary.saved = by[NEW]
    summary.blank = by[BLANK]
    summary.updated, summary.unchanged = by[UPDATED], by[UNCHANGED]
    summary.not_found, summary.conflicts = by[NOT_FOUND], by[CONFLICT]
    summary.mapped_values = sum(1 for b in built if b.status_original is not None or
                                any(n.startswith(("status", "type")) for n in b.notes))


_FILLABLE = (*TEXT_FIELDS, "notes")


def _fill_preview(session: Session, built: list[BuiltRow], rows: list[RowReport]) -> None:
    """Say on each row that matches a lead which of its empty fields the row would fill."""
    ids = {int(r.cluster) for r in rows if r.outcome == DUPLICATE_EXISTING}
    if not ids:
        return
    cols = [getattr(Lead, f) for f in _FILLABLE]
    leads = {row[0]: row[1:] for row in session.execute(select(Lead.id, *cols).where(Lead.id.in_(ids)))}
    for b, r in zip(built, rows, strict=True):
        if r.outcome != DUPLICATE_EXISTING or b.candidate is None:
            continue
        have = leads.get(int(r.cluster))
        if have is None:
            continue
        fills = [f for f, old in zip(_FILLABLE, have, strict=True)
                 if old in (None, "") and getattr(b.candidate, f) is not None]
        fill_note = f"would fill {', '.join(fills)}" if fills else "nothing to fill"
        r.note = "; ".join(x for x in (fill_note, r.note) if x)


_PROBED = ("type", "lead_name", "email", "phone", "company", "job_title", "location", "headquarters", "industry",
           "domain")


def _lookalike_preview(session: Session, actor: Actor, built: list[BuiltRow], rows: list[RowReport]) -> int:
    """Say on each new row that looks like a lead the actor cannot see as theirs who owns it ("probably exists,
    owned by X"): a rep would otherwise save a second copy of a colleague's lead without knowing."""
    probes = {i: {f: getattr(b.candidate, f, None) for f in _PROBED}
              for i, (b, r) in enumerate(zip(built, rows, strict=True)) if r.outcome == NEW and b.candidate}
    found = lookalikes_of(session, actor, probes)
    for i, warnings in found.items():
        rows[i].note = "; ".join(x for x in (*warnings, rows[i].note) if x)
    return len(found)


def dry_run(
    uow: UnitOfWork,
    actor: Actor,
    table: Table,
    mapping: Mapping[str, str | None] | None = None,
    *,
    spec: ImportSpec | None = None,
    mode: str = "create",
) -> ImportSummary:
    """What importing ``table`` would do, row by row. Writes nothing (an update's edits are rolled back)."""
    check_mode(mode)
    spec = _spec(table, mapping, spec)
    built = build_rows(table, spec)
    lookalikes = 0
    with uow:
        if mode != "create":
            rows, _ = _update_rows(uow.session, actor, built, spec, mode, None)
            uow.session.rollback()
        else:
            # Rows of our own export whose id names a lead of the team are that lead (fills only).
            named = find_targets(uow.session, actor, {i: b for i, b in enumerate(built) if b.candidate}, by_keys=False)
            rest = [i for i in range(len(built)) if i not in named]
            cands = [c for i in rest if (c := built[i].candidate) is not None]
            plans, _, _ = plan_batch(uow.session, actor.team_id, cands)
            out: dict[int, RowReport] = dict(zip(rest, _placed(rest, _report([built[i] for i in rest], plans)),
                                                 strict=True))
            for i, lead_id in named.items():
                out[i] = RowReport(i + 1, DUPLICATE_EXISTING, str(lead_id), "", "; ".join(built[i].notes))
            rows = [out[i] for i in range(len(built))]
            _fill_preview(uow.session, built, rows)
            lookalikes = _lookalike_preview(uow.session, actor, built, rows)
    summary = ImportSummary(rows=rows, dry_run=True, mode=mode, lookalikes=lookalikes)
    _count(rows, summary, built)
    return summary


def _placed(positions: list[int], reports: list[RowReport]) -> list[RowReport]:
    """Reports made for a subset of the rows (at ``positions``), renumbered as rows of the whole file."""
    for i, r in zip(positions, reports, strict=True):
        r.row_number = i + 1
        if r.cluster.startswith("row-"):
            r.cluster = f"row-{positions[int(r.cluster[4:]) - 1] + 1}"
    return reports


def _update_rows(
    session: Session, actor: Actor, built: list[BuiltRow], spec: ImportSpec, mode: str, ctx: SearchContext | None
) -> tuple[list[RowReport], list[int]]:
    """Import inside the caller's transaction; the per-row report and the lead ids. ``create``: rows whose id names
    a lead of the team fill its empty fields, the others go through the matcher; ``update``/``upsert``: rows naming
    a lead (by id or keys) update it, the others are not found / created."""
    begin_write(session)
    valid = {i: b for i, b in enumerate(built) if b.candidate is not None}
    targets = find_targets(session, actor, valid, by_keys=mode != "create")
    leads = lock_leads(session, targets.values())
    out: list[RowReport | None] = [None] * len(built)
    lead_ids: list[int] = []
    done: dict[int, int] = {}
    for i, b in enumerate(built):
        n, note = i + 1, "; ".join(b.notes)
        if b.blank:
            out[i] = RowReport(n, BLANK, "", "", "a blank row: skipped")
        elif b.candidate is None:
            out[i] = RowReport(n, INVALID, "", b.reason or "invalid", note)
        elif i in targets:
            lead_id = targets[i]
            if lead_id in done:
                out[i] = RowReport(n, DUPLICATE_IN_BATCH, f"row-{done[lead_id] + 1}", "", note)
                continue
            done[lead_id] = i
            if mode == "create":
                res = fill_lead_from_row(session, actor, leads[lead_id], b)
                what = f"filled {', '.join(res.fields)}" if res.fields else ""
                out[i] = RowReport(n, DUPLICATE_EXISTING, str(lead_id), "", "; ".join(x for x in (what, note) if x))
                lead_ids.append(lead_id)
                continue
            res = update_lead_from_row(session, actor, leads[lead_id], b, spec)
            what = f"changes {', '.join(res.fields)}" if res.fields else ""
            out[i] = RowReport(n, res.outcome, str(lead_id), res.reason, "; ".join(x for x in (what, note) if x))
            lead_ids.append(lead_id)
        elif mode == "update":
            why = f"no lead {b.lead_id} in your team" if b.lead_id is not None else "no lead of your team matches"
            out[i] = RowReport(n, NOT_FOUND, "", why, note)
    create = [i for i, r in enumerate(out) if r is None]
    if create:
        cands = [built[i].candidate for i in create]
        result = save_batch(session, actor, cands, ctx or SearchContext(source="csv"))  # type: ignore[arg-type]
        for i, r in zip(create, _placed(create, _report([built[i] for i in create], result.rows)), strict=True):
            out[i] = r
        lead_ids += result.lead_ids
        opted = [p.lead_id for i, p in zip(create, result.rows, strict=True) if built[i].opted_out]
    else:
        opted = []
    _mark_opted_out(session, opted + [lead_id for i, lead_id in targets.items() if built[i].opted_out])
    session.flush()
    return [r for r in out if r is not None], lead_ids


def commit_import(
    uow: UnitOfWork,
    actor: Actor,
    table: Table,
    *,
    filename: str,
    mapping: Mapping[str, str | None] | None = None,
    wait_s: float | None = None,
    spec: ImportSpec | None = None,
    mode: str = "create",
) -> ImportSummary:
    """Import ``table`` in one transaction through the shared matcher, recorded as search run ``file:<name>``.

    ``wait_s``: how long a busy database may keep the import waiting before it gives up (DatabaseBusy, nothing
    saved). The default is the app's usual short retry; a batch tool such as the CLI waits its turn longer.
    ``mode``: ``create`` (new leads, duplicates merged into the leads they match), ``update`` (only change the
    leads the rows name, see :mod:`~leadcore.fileimport.update`) or ``upsert`` (update those, create the rest).
    """
    check_mode(mode)
    spec = _spec(table, mapping, spec)
    built = build_rows(table, spec)
    name = Path(filename).name[:180] or "upload.csv"
    # PostgreSQL queues imports on the team's save lock; a SQLite writer waits its busy timeout per attempt.
    patience: dict[str, Any] = {} if wait_s is None else {"attempts": 1000, "budget_s": wait_s}
    search_id = retry_on_deadlock(
        lambda: open_search(uow, actor, provider=f"file:{name}", requested=len(table.rows)), **patience
    )
    ctx = SearchContext(search_id=search_id, source="csv", query=f"file:{name}")

    def attempt() -> tuple[list[RowReport], list[int]]:
        with uow:
            rows, lead_ids = _update_rows(uow.session, actor, built, spec, mode, ctx)
            # The run's counts and outcome commit with the leads: a separate "close" afterwards could fail on a
            # busy database and report a saved import as failed.
            run = uow.session.get(LeadSearch, search_id)
            assert run is not None
            by = Counter(r.outcome for r in rows)
            run.returned = len(table.rows)
            run.saved = by[NEW]
            run.duplicates = by[DUPLICATE_EXISTING] + by[DUPLICATE_IN_BATCH] + by[UPDATED] + by[UNCHANGED]
            run.invalid = by[INVALID] + by[NOT_FOUND] + by[CONFLICT]
            run.outcome = "ok"
            run.finished_at = datetime.now(UTC)
            uow.commit()
            return rows, lead_ids

    try:
        rows, lead_ids = retry_on_deadlock(attempt, **patience)
    except BaseException as e:
        why = f"nothing was saved: {e}"[:2000]
        try:
            retry_on_deadlock(lambda: close_search(uow, search_id, outcome="failed", error=why))
        except DatabaseBusy:
            log.warning("could not mark file import %s as failed; the database stayed busy", search_id)
        raise
    summary = ImportSummary(rows=rows, dry_run=False, search_id=search_id, mode=mode)
    _count(rows, summary, built)
    summary.lead_ids = lead_ids
    return summary




def _mark_opted_out(session: Session, lead_ids: list[int | None]) -> None:
    """A row that says its person unsubscribed marks the lead do-not-contact (new or already known); never unmarks."""
    ids = [i for i in lead_ids if i is not None]
    if ids:
        session.execute(update(Lead).where(Lead.id.in_(ids), Lead.do_not_contact.is_(False))
                        .values(do_not_contact=True, version=Lead.version + 1))


def write_report(rows: list[RowReport], path: str | Path) -> None:
    """The dry-run report CSV: ``row_number,outcome,cluster,reason``."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(REPORT_HEADER)
        for r in rows:
            w.writerow((r.row_number, r.outcome, r.cluster, r.reason, r.note))
