"""Managing a team's assignment rules, and applying them on demand to the unassigned leads (with a dry run).

Intake applies the same rules through :class:`leadcore.work.routing.Router` inside the matcher's save transaction;
:func:`apply_rules` runs that router over the team's open unassigned leads, oldest first. A dry run is the very same
work rolled back, so it predicts exactly what the real run then does (unless someone changes the leads between).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from leadcore import events
from leadcore.accounts.actors import Actor, ensure_manager, ensure_visible
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import AssignmentRule, Lead, User
from leadcore.errors import InvalidInput, NotFound
from leadcore.work.routing import CONDITION_KEYS, OPEN_STATUSES, STRATEGIES, LeadFacts, Router

LEAD_TYPES = ("INDIVIDUAL", "COMPANY")
_CHUNK = 1000


def rule_dict(r: AssignmentRule) -> dict[str, Any]:
    return {"id": r.id, "name": r.name, "position": r.position, "active": r.active,
            "conditions": dict(r.conditions or {}), "strategy": r.strategy,
            "assignee_ids": [int(u) for u in r.assignee_ids or []], "capacity": r.capacity, "rotation": r.rotation}


def _text_list(value: Any, field_name: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(f"{field_name} must be a list of texts", field=field_name)
    return [v.strip() for v in value if v.strip()]


def clean_conditions(raw: dict[str, Any] | None) -> dict[str, Any]:
    """The conditions as stored: known keys only, empty ones dropped; a clear message for anything wrong."""
    raw = dict(raw or {})
    unknown = sorted(set(raw) - set(CONDITION_KEYS))
    if unknown:
        raise InvalidInput(f"Unknown condition {', '.join(unknown)}; use {', '.join(CONDITION_KEYS)}",
                           field="conditions")
    out: dict[str, Any] = {}
    for key in ("types", "industries", "tags", "sources"):
        if values := _text_list(raw.get(key), key):
            out[key] = values
    bad_types = [t for t in out.get("types", []) if t not in LEAD_TYPES]
    if bad_types:
        raise InvalidInput(f"Lead type {bad_types[0]!r} is not INDIVIDUAL or COMPANY", field="types")
    for key in ("location_contains", "search_query_contains"):
        value = raw.get(key)
        if value is not None and not isinstance(value, str):
            raise InvalidInput(f"{key} must be a text", field=key)
        if value and value.strip():
            out[key] = value.strip()
    for key in ("min_score", "max_score", "search_id"):
        value = raw.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput(f"{key} must be a whole number", field=key)
        if key != "search_id" and not 0 <= value <= 100:
            raise InvalidInput(f"{key} must be between 0 and 100", field=key)
        out[key] = value
    if out.get("min_score", 0) > out.get("max_score", 100):
        raise InvalidInput("The minimum score is above the maximum score", field="min_score")
    return out


def _check(session: Session, actor: Actor, spec: dict[str, Any]) -> dict[str, Any]:
    name = str(spec.get("name") or "").strip()
    if not name or len(name) > 200:
        raise InvalidInput("Give the rule a name (up to 200 characters)", field="name")
    strategy = spec.get("strategy")
    if strategy not in STRATEGIES:
        raise InvalidInput(f"The strategy must be one of {', '.join(STRATEGIES)}", field="strategy")
    ids = spec.get("assignee_ids") or []
    if not isinstance(ids, list) or not all(isinstance(u, int) and not isinstance(u, bool) for u in ids):
        raise InvalidInput("assignee_ids must be a list of user ids", field="assignee_ids")
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise InvalidInput("Pick at least one person to assign to", field="assignee_ids")
    if strategy == "fixed" and len(ids) != 1:
        raise InvalidInput("A fixed rule assigns to exactly one person", field="assignee_ids")
    known = set(session.scalars(select(User.id).where(User.id.in_(ids), User.team_id == actor.team_id)))
    missing = [u for u in ids if u not in known]
    if missing:
        raise InvalidInput(f"User {missing[0]} is not in your team", field="assignee_ids")
    capacity = spec.get("capacity")
    if capacity is not None and (isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1):
        raise InvalidInput("The capacity must be a whole number of at least 1, or empty for none", field="capacity")
    position = spec.get("position")
    if position is not None and (isinstance(position, bool) or not isinstance(position, int) or position < 0):
        raise InvalidInput("The position must be a whole number of at least 0", field="position")
    return {"name": name, "strategy": strategy, "assignee_ids": ids, "capacity": capacity,
            "conditions": clean_conditions(spec.get("conditions")), "active": bool(spec.get("active", True)),
            "position": position}


def list_rules(uow: UnitOfWork, actor: Actor) -> list[dict[str, Any]]:
    """The team's rules in the order they are tried (managers only)."""
    ensure_manager(actor, "see assignment rules")
    with uow:
        q = (select(AssignmentRule).where(AssignmentRule.team_id == actor.team_id)
             .order_by(AssignmentRule.position, AssignmentRule.id))
        return [rule_dict(r) for r in uow.session.scalars(q)]


def create_rule(uow: UnitOfWork, actor: Actor, spec: dict[str, Any]) -> dict[str, Any]:
    """Add a rule; without a position it goes last."""
    ensure_manager(actor, "change assignment rules")
    with uow:
        s = uow.session
        values = _check(s, actor, spec)
        if values["position"] is None:
            last = s.scalar(select(func.max(AssignmentRule.position)).where(AssignmentRule.team_id == actor.team_id))
            values["position"] = 0 if last is None else int(last) + 1
        rule = AssignmentRule(team_id=actor.team_id, rotation=0, **values)
        s.add(rule)
        s.flush()
        out = rule_dict(rule)
        uow.commit()
    return out


def _load(session: Session, actor: Actor, rule_id: int) -> AssignmentRule:
    rule = session.get(AssignmentRule, rule_id)
    if rule is None:
        raise NotFound(f"Assignment rule {rule_id} was not found")
    ensure_visible(actor, rule.team_id, "Assignment rule", rule_id)
    return rule


def update_rule(uow: UnitOfWork, actor: Actor, rule_id: int, spec: dict[str, Any]) -> dict[str, Any]:
    """Replace a rule's settings (its rotation pointer carries on)."""
    ensure_manager(actor, "change assignment rules")
    with uow:
        s = uow.session
        rule = _load(s, actor, rule_id)
        values = _check(s, actor, spec)
        if values["position"] is None:
            values["position"] = rule.position
        for key, value in values.items():
            setattr(rule, key, value)
        rule.updated_at = datetime.now(UTC)
        s.flush()
        out = rule_dict(rule)
        uow.commit()
    return out


def delete_rule(uow: UnitOfWork, actor: Actor, rule_id: int) -> None:
    ensure_manager(actor, "change assignment rules")
    with uow:
        _load(uow.session, actor, rule_id)
        uow.session.execute(delete(AssignmentRule).where(AssignmentRule.id == rule_id))
        uow.commit()


@dataclass
class ApplyResult:
    """What applying the rules did (or, in a dry run, would do)."""

    assigned: int = 0
    unmatched: int = 0
    by_user: dict[int, int] = field(default_factory=dict)
    dry_run: bool = True
    changes: list[tuple[int, int]] = field(default_factory=list)  # (lead id, owner id), for undo

    def summary(self, names: dict[int, str]) -> str:
        """"would assign 340: Ana 114, Ben 113, Cy 113" (or "assigned …")."""
        verb = "would assign" if self.dry_run else "assigned"
        people = ", ".join(f"{names.get(u, f'user {u}')} {n}" for u, n in sorted(self.by_user.items(),
                                                                               key=lambda kv: (-kv[1], kv[0])))
        tail = f"; {self.unmatched} match no rule" if self.unmatched else ""
        return f"{verb} {self.assigned}" + (f": {people}" if people else "") + tail


_LEADS = cast(Table, Lead.__table__)
_SET_OWNER = (update(_LEADS).where(_LEADS.c.id == bindparam("lid"), _LEADS.c.owner_id.is_(None))
              .values(owner_id=bindparam("owner"), version=_LEADS.c.version + 1, updated_at=bindparam("now")))


def apply_rules(uow: UnitOfWork, actor: Actor, *, dry_run: bool) -> ApplyResult:
    """Route every open unassigned lead of the team (oldest first) through the active rules: one transaction,
    rolled back when ``dry_run``. Managers only."""
    ensure_manager(actor, "apply assignment rules")
    result = ApplyResult(dry_run=dry_run)
    now = datetime.now(UTC)
    with uow:
        uow.writing()
        s = uow.session
        router = Router.load_for(s, actor.team_id)
        if not router:
            return result
        cols = (Lead.id, Lead.type, Lead.industry, Lead.location, Lead.lead_score, Lead.tags, Lead.search_query,
                Lead.source, Lead.search_id)
        after = 0
        while True:
            rows = s.execute(select(*cols).where(Lead.team_id == actor.team_id, Lead.is_active,
                                                 Lead.owner_id.is_(None), Lead.status.in_(OPEN_STATUSES),
                                                 Lead.id > after).order_by(Lead.id).limit(_CHUNK)).all()
            if not rows:
                break
            after = rows[-1].id
            changes = []
            for r in rows:
                owner = router.pick(r.id, LeadFacts(r.type, r.industry, r.location, r.lead_score, tuple(r.tags or ()),
                                                    r.search_query, r.source, r.search_id))
                if owner is None:
                    result.unmatched += 1
                else:
                    changes.append((r.id, owner))
            if changes:
                s.connection().execute(_SET_OWNER, [{"lid": lid, "owner": owner, "now": now}
                                                    for lid, owner in changes])
                result.changes += changes
        log: list[dict[str, Any]] = []
        router.record(((lid, lid) for lid, _ in result.changes), lambda lid, kind, data: log.append(
            {"lead_id": lid, "team_id": actor.team_id, "user_id": actor.user_id, "kind": kind, "data": data}))
        events.record_many(s, log)
        router.save(s)
        result.assigned, result.by_user = len(result.changes), router.by_user()
        if not dry_run:
            uow.commit()
    return result


def undo_apply(uow: UnitOfWork, actor: Actor, changes: list[tuple[int, int]]) -> int:
    """Unassign the leads an apply gave an owner, where that owner still has them; how many went back."""
    ensure_manager(actor, "undo assigning leads")
    now = datetime.now(UTC)
    undone = 0
    with uow:
        s = uow.session
        log = []
        for start in range(0, len(changes), _CHUNK):
            part = dict(changes[start:start + _CHUNK])
            still = s.execute(select(Lead.id, Lead.owner_id).where(Lead.id.in_(part), Lead.team_id == actor.team_id)
                              .with_for_update()).all()
            back = [lid for lid, owner in still if owner == part[lid]]
            if back:
                s.execute(update(Lead).where(Lead.id.in_(back)).values(owner_id=None, version=Lead.version + 1,
                                                                      updated_at=now),
                          execution_options={"synchronize_session": False})
            log += [{"lead_id": lid, "team_id": actor.team_id, "user_id": actor.user_id, "kind": "assigned",
                     "data": {"from": part[lid], "to": None, "undo": True}} for lid in back]
            undone += len(back)
        events.record_many(s, log)
        uow.commit()
    return undone
