"""The merge policy: what a duplicate fills in the lead it matches (only what is empty there; what a person saved
always wins), worked out in memory over the leads' merge columns, then written by ``writes``.

Every merge of a batch is one path: read the leads (locked on PostgreSQL) in id order, merge in memory, write them
back in one statement. Only when that write meets a unique key a concurrent writer took meanwhile is it redone lead
by lead, each in a savepoint of its own, leaving out the key (and the value it comes from) for the lead that hit it.
What a batch fills is recorded with the lead's earlier values (``fill_records``), so undoing the run can put the
lead back exactly.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from leadcore.intake import writes
from leadcore.intake.candidates import COMPANY, TEXT_FIELDS, LeadCandidate
from leadcore.intake.dedupe import MatchKeys
from leadcore.intake.lookup import Index
from leadcore.intake.plan import Row, RowPlan

# What a duplicate fills in the lead it matches (when empty there): the text fields and the notes.
FILL_FIELDS = (*TEXT_FIELDS, "notes")
# Fills that write a unique match key: the one a concurrent writer can take from under us.
KEYED_FILLS = frozenset({"email", "email_norm", "linkedin_url", "linkedin_norm", "website", "domain"})
_KEY_COLUMNS = ("email_norm", "linkedin_norm", "domain", "phone_norm")


def fill_empty(target: LeadCandidate, other: LeadCandidate) -> None:
    """Merge an in-batch copy into its original before anything is written: empty fields, score, new tags."""
    for name in FILL_FIELDS:
        if getattr(target, name) is None and getattr(other, name) is not None:
            setattr(target, name, getattr(other, name))
    if target.lead_score is None and other.lead_score is not None:
        target.lead_score = other.lead_score
    for tag in other.tags:
        if tag not in target.tags:
            target.tags.append(tag)


class LeadState:
    """The columns of an existing lead that merging reads and writes, by the same names as on ``Lead``.
    ``raw_data`` is only told apart as present (_PRESENT) or None; ``before`` holds the columns as they were
    before this batch first changed the lead."""

    __slots__ = ("id", "type", *FILL_FIELDS, *_KEY_COLUMNS, "raw_data", "duplicate_count", "version", "updated_at",
                 "changed", "before")
    id: int
    type: str
    email_norm: str | None
    linkedin_norm: str | None
    domain: str | None
    phone_norm: str | None
    raw_data: Any
    duplicate_count: int | None
    version: int
    updated_at: datetime
    changed: set[str]
    before: dict[str, Any] | None

    def __init__(self, row: Any) -> None:
        for name, value in zip(_STATE_NAMES, row, strict=True):
            setattr(self, name, value)
        self.raw_data = _PRESENT if self.raw_data else None
        self.changed = set()
        self.before = None

    def fill(self, filled: dict[str, Any]) -> None:
        if self.before is None:
            self.before = {name: getattr(self, name) for name in _STATE_NAMES}
        for name, value in filled.items():
            setattr(self, name, value)
        self.version += 1
        self.changed.update(filled)


_PRESENT = object()
_STATE_NAMES = ("id", "type", *FILL_FIELDS, *_KEY_COLUMNS, "raw_data", "duplicate_count", "version", "updated_at")


def fills(lead: LeadState, c: LeadCandidate, keys: MatchKeys, index: Index) -> dict[str, Any]:
    """What merging ``c`` into ``lead`` would fill: its empty fields only; user-edited values always win."""
    filled: dict[str, Any] = {}
    for name in FILL_FIELDS:
        new = getattr(c, name)
        if new is not None and getattr(lead, name) in (None, ""):
            filled[name] = new
    # A filled key column must not steal a key another lead already holds.
    for column, value, kind in (("email_norm", keys.email_norm, "email"),
                                ("linkedin_norm", keys.linkedin_norm, "linkedin")):
        if value and getattr(lead, column) is None:
            other = index.by.get((kind, value))
            if other is None or other.id == lead.id:
                filled[column] = value
    if lead.domain is None and keys.domain:
        other = index.by.get(("domain", keys.domain))
        if lead.type != COMPANY or other is None or other.id == lead.id:
            filled["domain"] = keys.domain
    if lead.phone_norm is None and keys.phone_norm:
        filled["phone_norm"] = keys.phone_norm
    if lead.raw_data is None and c.raw_data is not None:
        filled["raw_data"] = c.raw_data
    return filled


@lru_cache(maxsize=2)
def _state_query(lock: bool) -> Any:
    """The merge columns of the leads whose ids are bound as ``ids``, in id order (locked when ``lock``): built once,
    since building the statement cost a small batch more than running it."""
    table = writes.leads_table()
    columns = [table.c[n] if n != "raw_data" else table.c.raw_data.is_not(None) for n in _STATE_NAMES]
    q = select(*columns).where(table.c.id.in_(bindparam("ids", expanding=True))).order_by(table.c.id)
    return q.with_for_update() if lock else q


def lock_states(session: Session, merges: list[tuple[RowPlan, Row]]) -> dict[int, LeadState]:
    """The merge columns of the leads ``merges`` go into, read in id order (and locked, on PostgreSQL)."""
    if not merges:
        return {}
    ids = sorted({plan.lead_id for plan, _ in merges if plan.lead_id is not None})
    query = _state_query(writes.is_postgresql(session))
    return {row[0]: LeadState(row) for row in session.execute(query, {"ids": ids})}


def merge_in_memory(
    states: dict[int, LeadState], merges: list[tuple[RowPlan, Row]], index: Index, *, keyed: bool = True
) -> dict[int, dict[str, Any]]:
    """Merge each row into its lead's state, in row order; the text fields each row filled, by row index.
    ``keyed=False`` leaves the unique keys (and the values they come from) alone."""
    out: dict[int, dict[str, Any]] = {}
    for plan, row in merges:
        st = states[plan.lead_id]  # type: ignore[index]
        filled = fills(st, row.candidate, row.keys, index)
        if not keyed:
            filled = {k: v for k, v in filled.items() if k not in KEYED_FILLS}
        st.duplicate_count = (st.duplicate_count or 0) + 1
        if filled:
            st.fill(filled)
        out[plan.index] = {k: v for k, v in filled.items() if k in FILL_FIELDS}
    return out


def write_merged(
    session: Session,
    merges: list[tuple[RowPlan, Row]],
    index: Index,
    states: dict[int, LeadState],
    filled: dict[int, dict[str, Any]],
) -> dict[int, dict[str, Any]]:
    """Write the merged leads in a savepoint; when that hits a key a concurrent writer took meanwhile, redo the
    merges lead by lead. Returns the fills that were written (``states`` then holds what was written)."""
    if not states:
        return filled
    try:
        with session.begin_nested():
            writes.update_leads(session, list(states.values()))
    except IntegrityError:
        return merge_lead_by_lead(session, merges, index, states)
    return filled


def merge_lead_by_lead(
    session: Session, merges: list[tuple[RowPlan, Row]], index: Index, states: dict[int, LeadState]
) -> dict[int, dict[str, Any]]:
    """Each lead read again, merged and written in a savepoint of its own; a lead whose write meets a taken key is
    merged again without its key fills. ``states`` is replaced by what was written."""
    by_lead: dict[int, list[tuple[RowPlan, Row]]] = {}
    for plan, row in merges:
        by_lead.setdefault(plan.lead_id, []).append((plan, row))  # type: ignore[arg-type]
    out: dict[int, dict[str, Any]] = {}
    states.clear()
    for lead_id in sorted(by_lead):
        mine = by_lead[lead_id]
        fresh = lock_states(session, mine)
        filled = merge_in_memory(fresh, mine, index)
        try:
            with session.begin_nested():
                writes.update_leads(session, list(fresh.values()))
        except IntegrityError:
            # A concurrent writer took one of the keys meanwhile (it holds that lead now): fill everything else.
            fresh = lock_states(session, mine)
            filled = merge_in_memory(fresh, mine, index, keyed=False)
            writes.update_leads(session, list(fresh.values()))
        out.update(filled)
        states.update(fresh)
    return out


def fill_records(states: Iterable[LeadState]) -> list[tuple[int, dict[str, Any]]]:
    """For every lead the batch filled: its version, time and the columns it changed as they were before."""
    out: list[tuple[int, dict[str, Any]]] = []
    for st in states:
        if st.before is None or not st.changed:
            continue
        columns = {c: (None if c == "raw_data" else st.before[c]) for c in sorted(st.changed)}
        out.append((st.id, {"version": st.before["version"], "updated_at": st.before["updated_at"].isoformat(),
                            "columns": columns}))
    return out
