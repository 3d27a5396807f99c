"""Re-score every lead whose score was computed (not given by a provider) after the weights change."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from leadcore.accounts.actors import Actor, ensure_manager
from leadcore.config import settings
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import Lead
from leadcore.scoring.rules import SCORED_FIELDS, context_from_query
from leadcore.scoring.scorer import load_weights, score_lead

_BATCH = 1000


def rescore_team(uow: UnitOfWork, actor: Actor) -> int:
    """Recompute computed scores for the actor's team, in one transaction. Returns how many changed."""
    ensure_manager(actor, "re-score leads")
    weights = load_weights(settings().scoring_weights_file or None)
    changed = 0
    cols = [Lead.id, Lead.type, Lead.lead_score, Lead.search_query, Lead.search_industry, Lead.search_location,
            *[getattr(Lead, f) for f in SCORED_FIELDS if f != "type"]]
    with uow:
        s = uow.session
        q = (select(*cols).where(Lead.team_id == actor.team_id, Lead.score_breakdown.is_not(None))
             .order_by(Lead.id).execution_options(yield_per=_BATCH))
        pending: list[dict[str, object]] = []
        for row in s.execute(q).all():
            m = row._mapping
            ctx = context_from_query(m["search_query"], m["search_industry"], m["search_location"])
            score = score_lead(row, context=ctx, weights=weights)
            if score.value != m["lead_score"]:
                changed += 1
            pending.append({"lid": m["id"], "sc": score.value, "bd": score.breakdown()})
            if len(pending) >= _BATCH:
                _flush(s, pending)
        _flush(s, pending)
        uow.commit()
    return changed


def _flush(session: Session, pending: list[dict[str, object]]) -> None:
    if not pending:
        return
    t = cast(Table, Lead.__table__)
    session.connection().execute(
        update(t).where(t.c.id == bindparam("lid")).values(lead_score=bindparam("sc"), score_breakdown=bindparam("bd")),
        pending,
    )
    pending.clear()
