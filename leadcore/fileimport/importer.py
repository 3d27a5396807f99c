"""CSV/Excel import: map columns, validate every row, dry-run with a per-row outcome, commit as a search run."""

from __future__ import annotations

import csv
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import update

from leadcore.accounts.actors import Actor
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import Lead, LeadSearch
from leadcore.db.retry import retry_on_deadlock
from leadcore.discovery.runs import close_search, open_search
from leadcore.errors import DatabaseBusy, InvalidInput
from leadcore.fileimport.mapping import OPT_OUT_FIELD, apply_mapping, guess_mapping, opted_out
from leadcore.fileimport.reading import Table
from leadcore.intake.candidates import LeadCandidate
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
from leadcore.intake.validation import validate_fields

log = logging.getLogger(__name__)

REPORT_HEADER = ("row_number", "outcome", "cluster", "reason")


@dataclass
class RowReport:
    """One data row's outcome. ``row_number`` is 1-based, header excluded."""

    row_number: int
    outcome: str
    cluster: str
    reason: str


@dataclass
class ImportSummary:
    rows: list[RowReport]
    saved: int = 0
    duplicates: int = 0
    invalid: int = 0
    search_id: int | None = None
    dry_run: bool = True
    lead_ids: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.rows)

    def as_dict(self) -> dict[str, Any]:
        return {"saved": self.saved, "duplicates": self.duplicates, "invalid": self.invalid,
                "search_id": self.search_id, "count": self.count}


def check_mapping(table: Table, mapping: Mapping[str, str | None] | None = None) -> dict[str, str | None]:
    """The mapping to use (guessed when not given); InvalidInput when no column gives a name or an email."""
    mapping = dict(mapping) if mapping is not None else guess_mapping(table.headers)
    if "lead_name" not in mapping.values() and "email" not in mapping.values() and not (
        {"first_name", "last_name"} & set(mapping.values())
    ):
        raise InvalidInput("No column maps to a name or an email; map at least one of them")
    return mapping


def candidates_from_table(
    table: Table, mapping: Mapping[str, str | None] | None = None
) -> tuple[list[LeadCandidate | None], list[str | None]]:
    """Every row as a candidate, or None with the reason it is invalid."""
    mapping = check_mapping(table, mapping)
    cands: list[LeadCandidate | None] = []
    reasons: list[str | None] = []
    for row in table.rows:
        res = validate_fields(apply_mapping(row, table.headers, mapping))
        cands.append(res.candidate)
        reasons.append(res.reason)
    return cands, reasons


def _report(cands: list[LeadCandidate | None], reasons: list[str | None], plans: list[RowPlan]) -> list[RowReport]:
    plan_of: dict[int, RowPlan] = {}
    positions = [i for i, c in enumerate(cands) if c is not None]
    for pos, plan in zip(positions, plans, strict=True):
        plan_of[pos] = plan
    out: list[RowReport] = []
    for i, reason in enumerate(reasons):
        n = i + 1
        found = plan_of.get(i)
        if found is None or found.outcome == INVALID:
            out.append(RowReport(n, INVALID, "", reason or (found.reason if found else "") or "invalid"))
            continue
        plan = found
        if plan.outcome == DUPLICATE_IN_BATCH and plan.representative is not None:
            rep = plans[plan.representative]
            rep_row = positions[plan.representative] + 1
            if rep.outcome == DUPLICATE_EXISTING:
                out.append(RowReport(n, DUPLICATE_EXISTING, str(rep.lead_id), ""))
            else:
                out.append(RowReport(n, DUPLICATE_IN_BATCH, f"row-{rep_row}", ""))
        elif plan.outcome == DUPLICATE_EXISTING:
            out.append(RowReport(n, DUPLICATE_EXISTING, str(plan.lead_id), ""))
        else:
            out.append(RowReport(n, NEW, f"row-{n}", ""))
    return out


def _count(rows: list[RowReport], summary: ImportSummary) -> None:
    summary.invalid = sum(1 for r in rows if r.outcome == INVALID)
    summary.duplicates = sum(1 for r in rows if r.outcome in (DUPLICATE_EXISTING, DUPLICATE_IN_BATCH))
    summary.saved = sum(1 for r in rows if r.outcome == NEW)


def dry_run(
    uow: UnitOfWork, actor: Actor, table: Table, mapping: Mapping[str, str | None] | None = None
) -> ImportSummary:
    """What importing ``table`` would do, row by row. Writes nothing."""
    cands, reasons = candidates_from_table(table, mapping)
    valid = [c for c in cands if c is not None]
    with uow:
        plans, _, _ = plan_batch(uow.session, actor.team_id, valid)
    rows = _report(cands, reasons, plans)
    summary = ImportSummary(rows=rows, dry_run=True)
    _count(rows, summary)
    return summary


def commit_import(
    uow: UnitOfWork,
    actor: Actor,
    table: Table,
    *,
    filename: str,
    mapping: Mapping[str, str | None] | None = None,
    wait_s: float | None = None,
) -> ImportSummary:
    """Import ``table`` in one transaction through the shared matcher, recorded as search run ``file:<name>``.

    ``wait_s``: how long a busy database may keep the import waiting before it gives up (DatabaseBusy, nothing
    saved). The default is the app's usual short retry; a batch tool such as the CLI waits its turn longer.
    """
    cands, reasons = candidates_from_table(table, mapping)
    valid = [c for c in cands if c is not None]
    opt_outs = _opt_out_positions(table, mapping, cands)
    name = Path(filename).name[:180] or "upload.csv"
    # PostgreSQL queues imports on the team's save lock; a SQLite writer waits its busy timeout per attempt.
    patience: dict[str, Any] = {} if wait_s is None else {"attempts": 1000, "budget_s": wait_s}
    search_id = retry_on_deadlock(
        lambda: open_search(uow, actor, provider=f"file:{name}", requested=len(table.rows)), **patience
    )
    ctx = SearchContext(search_id=search_id, source="csv", query=f"file:{name}")

    def attempt() -> list[RowPlan]:
        with uow:
            result = save_batch(uow.session, actor, valid, ctx)
            _mark_opted_out(uow, [p.lead_id for i, p in enumerate(result.rows) if i in opt_outs and p.lead_id])
            # The run's counts and outcome commit with the leads: a separate "close" afterwards could fail on a
            # busy database and report a saved import as failed.
            run = uow.session.get(LeadSearch, search_id)
            assert run is not None
            run.returned = len(table.rows)
            run.saved = result.saved
            run.duplicates = result.duplicates
            run.invalid = result.invalid + sum(1 for c in cands if c is None)
            run.outcome = "ok"
            run.finished_at = datetime.now(UTC)
            uow.commit()
            return result.rows

    try:
        plans = retry_on_deadlock(attempt, **patience)
    except BaseException as e:
        why = f"nothing was saved: {e}"[:2000]
        try:
            retry_on_deadlock(lambda: close_search(uow, search_id, outcome="failed", error=why))
        except DatabaseBusy:
            log.warning("could not mark file import %s as failed; the database stayed busy", search_id)
        raise
    rows = _report(cands, reasons, plans)
    summary = ImportSummary(rows=rows, dry_run=False, search_id=search_id)
    _count(rows, summary)
    summary.lead_ids = [p.lead_id for p in plans if p.lead_id is not None]
    return summary


def _opt_out_positions(table: Table, mapping: Mapping[str, str | None] | None,
                       cands: list[LeadCandidate | None]) -> set[int]:
    """Positions among the valid candidates whose unsubscribe / do-not-contact column says yes."""
    mapping = check_mapping(table, mapping)
    if OPT_OUT_FIELD not in mapping.values():
        return set()
    out: set[int] = set()
    position = 0
    for row, cand in zip(table.rows, cands, strict=True):
        if cand is None:
            continue
        if opted_out(apply_mapping(row, table.headers, mapping).get(OPT_OUT_FIELD)):
            out.add(position)
        position += 1
    return out


def _mark_opted_out(uow: UnitOfWork, lead_ids: list[int | None]) -> None:
    """A row that says its person unsubscribed marks the lead do-not-contact (new or already known); never unmarks."""
    ids = [i for i in lead_ids if i is not None]
    if ids:
        uow.session.execute(update(Lead).where(Lead.id.in_(ids), Lead.do_not_contact.is_(False))
                            .values(do_not_contact=True, version=Lead.version + 1))


def write_report(rows: list[RowReport], path: str | Path) -> None:
    """The dry-run report CSV: ``row_number,outcome,cluster,reason``."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(REPORT_HEADER)
        for r in rows:
            w.writerow((r.row_number, r.outcome, r.cluster, r.reason))
