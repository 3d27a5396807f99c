"""Running enrichment for a team: find the leads missing requested fields, estimate the credits, then for each lead
ask the providers in waterfall order (a field stops at the first confident answer) and write what was found in one
transaction per lead.

Never overwritten: a field that is not empty, and a field a person emptied by hand (a ``fields_changed`` event by a
user naming it). Never paid twice: a (lead, field, provider) already looked up has a ``lead_enrichments`` row (its
value NULL when nothing confident was found), so a second run with the same providers finds nothing to do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from leadcore.accounts.actors import Actor, ensure_manager
from leadcore.config import Settings
from leadcore.config import settings as default_settings
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import Lead, LeadEnrichment, LeadEvent
from leadcore.enrichment import credits
from leadcore.enrichment.base import CONFIDENT, FIELD_WORDS, FIELDS, Enricher, LeadFacts, parse_fields
from leadcore.errors import InvalidInput, ProviderError
from leadcore.intake.candidates import TEXT_FIELDS, LeadCandidate
from leadcore.intake.dedupe import match_keys
from leadcore.leads.edits import apply_changes, load_lead

_CHUNK = 500
# A field that is also a match key of the lead: filled only if no other lead of the team has the same key.
_KEY_COLUMNS = {"email": "email_norm", "linkedin_url": "linkedin_norm", "website": "domain"}


@dataclass
class EnrichReport:
    """What a run found and did; ``as_json()`` is the CLI's and the API's shape."""

    candidates: int = 0
    estimated_credits: int = 0
    enriched: int = 0
    fields_filled: dict[str, int] = field(default_factory=dict)
    credits_spent: int = 0
    stopped_at_budget: bool = False
    message: str = ""
    dry_run: bool = False
    providers: list[str] = field(default_factory=list)
    budget: int = 0
    month_spent: int = 0
    error: str | None = None
    error_retryable: bool = False  # the provider failure may pass (timeout, rate limit): worth another attempt
    lead_ids: list[int] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"candidates": self.candidates, "estimatedCredits": self.estimated_credits, "enriched": self.enriched,
                "fieldsFilled": dict(self.fields_filled), "creditsSpent": self.credits_spent,
                "stoppedAtBudget": self.stopped_at_budget, "message": self.message, "dryRun": self.dry_run,
                "providers": list(self.providers), "monthlyBudget": self.budget, "spentThisMonth": self.month_spent,
                "error": self.error}


@dataclass(frozen=True)
class Plan:
    """One candidate lead: its facts and, per provider, the fields that provider may still be asked for."""

    facts: LeadFacts
    wanted: dict[str, frozenset[str]]

    def cost(self, chain: Sequence[Enricher]) -> int:
        return sum(e.credit_cost for e in chain if self.wanted.get(e.name))


def enrich(
    uow: UnitOfWork,
    actor: Actor,
    *,
    providers: Sequence[Enricher],
    fields: str | Sequence[str] | None = None,
    limit: int | None = None,
    dry_run: bool = False,
    lead_ids: Sequence[int] | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    settings: Settings | None = None,
    min_confidence: float = CONFIDENT,
) -> EnrichReport:
    """Fill missing ``fields`` of the team's active leads (only ``lead_ids`` when given) from ``providers`` in
    waterfall order, at most ``limit`` leads, within the team's monthly credit budget. ``dry_run`` only counts and
    estimates. A provider failure stops the run with its reason; what was filled before stays."""
    ensure_manager(actor, "run enrichment (it spends the team's enrichment credits)")
    if not providers:
        raise InvalidInput("Choose at least one enrichment provider", field="provider")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise InvalidInput("Limit must be a whole number of leads, 1 or more", field="limit")
    wanted_fields = parse_fields(fields if fields is None or isinstance(fields, str) else list(fields))
    s = settings or default_settings()
    budget = s.enrich_monthly_credits
    month = credits.month_of(clock())
    plans = _plans(uow, actor.team_id, wanted_fields, providers, lead_ids)
    todo = plans[:limit] if limit is not None else plans
    report = EnrichReport(candidates=len(todo), estimated_credits=sum(p.cost(providers) for p in todo),
                          dry_run=dry_run, providers=[e.name for e in providers], budget=budget)
    report.month_spent = credits.month_spent(uow, actor.team_id, clock())
    labels = " → ".join(e.label for e in providers)
    if not todo:
        report.message = (f"Nothing to enrich: no active lead is missing {_words(wanted_fields)} that {labels} "
                          "has not looked up already")
        return report
    if dry_run:
        left = max(budget - report.month_spent, 0)
        report.message = (f"{_leads(len(todo))} to enrich from {labels}: ~{report.estimated_credits} credits "
                          f"({left} of {budget} credits left this month)")
        return report
    for done, plan in enumerate(todo):
        outcome = _enrich_one(uow, actor, plan, providers, month=month, budget=budget, clock=clock,
                              min_confidence=min_confidence)
        report.credits_spent += outcome.spent
        if outcome.filled:
            report.enriched += 1
            report.lead_ids.append(plan.facts.id)
            for name in outcome.filled:
                report.fields_filled[name] = report.fields_filled.get(name, 0) + 1
        if outcome.over_budget or outcome.error:
            left = len(todo) - done - (0 if outcome.over_budget and not outcome.spent else 1)
            report.month_spent = credits.month_spent(uow, actor.team_id, clock())
            if outcome.over_budget:
                report.stopped_at_budget = True
                report.message = (f"Stopped at the monthly budget: {report.month_spent} of {budget} credits used; "
                                  f"{_leads(left)} left")
            else:
                report.error, report.error_retryable = outcome.error, outcome.retryable
                report.message = f"Stopped: {outcome.error} ({_done(report)}; {_leads(left)} left)"
            return report
    report.month_spent = credits.month_spent(uow, actor.team_id, clock())
    report.message = (f"Enriched {report.enriched} of {_leads(len(todo))}"
                      + (f": {_filled(report.fields_filled)}" if report.fields_filled else "")
                      + f"; {report.credits_spent} credits spent ({max(budget - report.month_spent, 0)} of {budget} "
                      "left this month)")
    return report


@dataclass
class _Outcome:
    filled: list[str] = field(default_factory=list)
    spent: int = 0
    over_budget: bool = False
    error: str | None = None
    retryable: bool = False


def _enrich_one(uow: UnitOfWork, actor: Actor, plan: Plan, chain: Sequence[Enricher], *, month: str, budget: int,
                clock: Callable[[], datetime], min_confidence: float) -> _Outcome:
    """The waterfall for one lead: each provider is asked for what is still missing; then one transaction writes
    the fields found, the provenance of every field asked and the timeline event."""
    out = _Outcome()
    found: dict[str, tuple[str, float, str]] = {}
    asked: list[tuple[str, str, str | None, float | None]] = []  # (provider, field, value, confidence)
    for enricher in chain:
        fields = plan.wanted.get(enricher.name, frozenset()) - found.keys()
        if not fields:
            continue
        if not credits.reserve(uow, actor.team_id, month, enricher.credit_cost, budget):
            out.over_budget = True
            break
        out.spent += enricher.credit_cost
        try:
            findings = enricher.lookup(plan.facts)
        except ProviderError as e:
            out.error, out.retryable = str(e), e.retryable
            break
        for name in sorted(fields):
            value, confidence = findings.get(name, (None, None))
            if value and confidence is not None and confidence >= min_confidence:
                found[name] = (value, confidence, enricher.name)
                asked.append((enricher.name, name, value, confidence))
            else:
                asked.append((enricher.name, name, None, confidence))
    if asked:
        out.filled = _write(uow, actor, plan.facts.id, found, asked, clock())
    return out


def _write(uow: UnitOfWork, actor: Actor, lead_id: int, found: dict[str, tuple[str, float, str]],
           asked: list[tuple[str, str, str | None, float | None]], now: datetime) -> list[str]:
    """One transaction: the fields still empty (and not emptied by a person meanwhile) filled through the edit path
    with an ``enriched`` event; a provenance row for every field asked. Returns the fields filled."""
    for attempt in (1, 2):
        with uow:
            uow.writing()
            s = uow.session
            lead = load_lead(s, actor, lead_id, lock=True)
            cleared = _cleared_by_hand(s, [lead_id]).get(lead_id, set())
            changes = {k: v[0] for k, v in found.items() if not getattr(lead, k) and k not in cleared}
            if attempt == 2:  # the first try collided with another lead's key: keep only the non-key fields
                changes = {k: v for k, v in changes.items() if k not in _KEY_COLUMNS}
            changes = {k: v for k, v in changes.items() if not _taken(s, lead, k, v)}
            if lead.is_active and changes:
                apply_changes(s, actor, lead, changes, fields_kind="enriched", now=now,
                              event_data={"providers": {k: found[k][2] for k in changes}})
            for provider, name, value, confidence in asked:
                used = value if name in changes and changes[name] == value else None
                s.add(LeadEnrichment(lead_id=lead_id, team_id=lead.team_id, field=name, provider=provider,
                                     value=used, confidence=confidence, enriched_at=now))
            try:
                uow.commit()
            except IntegrityError:
                if attempt == 2:
                    raise
                continue
            return [k for k in FIELDS if k in changes] if lead.is_active else []
    return []


def _taken(session: Session, lead: Lead, name: str, value: str) -> bool:
    """Whether filling ``name`` would give the lead a match key another lead of the team already has."""
    column = _KEY_COLUMNS.get(name)
    if column is None or (column == "domain" and lead.type != "COMPANY"):
        return False
    texts: dict[str, Any] = {f: (value if f == name else getattr(lead, f)) for f in TEXT_FIELDS}
    candidate = LeadCandidate(type=lead.type, **texts)
    key = getattr(match_keys(candidate, phone=False), column)
    if key is None:
        return False
    col = getattr(Lead, column)
    return session.scalar(select(Lead.id).where(Lead.team_id == lead.team_id, col == key, Lead.id != lead.id)
                          .limit(1)) is not None


def _plans(uow: UnitOfWork, team_id: int, wanted: tuple[str, ...], chain: Sequence[Enricher],
           lead_ids: Sequence[int] | None) -> list[Plan]:
    """Every active lead of the team with at least one of ``wanted`` empty that some provider of ``chain`` can
    still be asked for, in id order."""
    cols = [getattr(Lead, f) for f in ("id", "type", "lead_name", "company", *FIELDS)]
    missing = or_(*(or_(getattr(Lead, f).is_(None), getattr(Lead, f) == "") for f in wanted))
    plans: list[Plan] = []
    after = 0
    with uow:
        uow.reading()
        s = uow.session
        while True:
            q = select(*cols).where(Lead.team_id == team_id, Lead.is_active, missing, Lead.id > after)
            if lead_ids is not None:
                q = q.where(Lead.id.in_(list(lead_ids)))
            rows = s.execute(q.order_by(Lead.id).limit(_CHUNK)).all()
            if not rows:
                break
            after = rows[-1].id
            ids = [r.id for r in rows]
            cleared = _cleared_by_hand(s, ids)
            tried = _already_asked(s, ids)
            for r in rows:
                facts = LeadFacts(**{k: getattr(r, k) for k in ("id", "type", "lead_name", "company", *FIELDS)})
                empty = {f for f in wanted if not getattr(r, f)} - cleared.get(r.id, set())
                per: dict[str, frozenset[str]] = {}
                for e in chain:
                    if e.name in per:
                        continue
                    can = frozenset(empty & e.fields_for(r.type)) - tried.get((r.id, e.name), set())
                    if can and e.can_identify(facts):
                        per[e.name] = can
                if per:
                    plans.append(Plan(facts, per))
            if len(rows) < _CHUNK:
                break
    return plans


def _cleared_by_hand(session: Session, ids: list[int]) -> dict[int, set[str]]:
    """{lead id: fields a person changed by hand}: a field a person emptied stays empty."""
    out: dict[int, set[str]] = {}
    rows = session.execute(select(LeadEvent.lead_id, LeadEvent.data).where(
        LeadEvent.lead_id.in_(ids), LeadEvent.kind == "fields_changed", LeadEvent.user_id.is_not(None)))
    for lead_id, data in rows:
        if isinstance(data, dict):
            out.setdefault(lead_id, set()).update(
                k for k, v in data.items() if k in FIELDS and isinstance(v, dict) and not v.get("to"))
    return out


def _already_asked(session: Session, ids: list[int]) -> dict[tuple[int, str], set[str]]:
    out: dict[tuple[int, str], set[str]] = {}
    rows = session.execute(select(LeadEnrichment.lead_id, LeadEnrichment.provider, LeadEnrichment.field)
                           .where(LeadEnrichment.lead_id.in_(ids)))
    for lead_id, provider, name in rows:
        out.setdefault((lead_id, provider), set()).add(name)
    return out


def provenance(uow: UnitOfWork, actor: Actor, lead_id: int) -> list[dict[str, Any]]:
    """Where the lead's enriched fields came from, newest first: field, provider, value, confidence, when (lookups
    that found nothing confident included, with value None)."""
    with uow:
        uow.reading()
        load_lead(uow.session, actor, lead_id)
        rows = uow.session.scalars(select(LeadEnrichment).where(LeadEnrichment.lead_id == lead_id)
                                   .order_by(LeadEnrichment.enriched_at.desc(), LeadEnrichment.id.desc()))
        return [{"field": r.field, "provider": r.provider, "value": r.value, "confidence": r.confidence,
                 "enriched_at": r.enriched_at} for r in rows]


def _words(fields: Sequence[str]) -> str:
    names = [FIELD_WORDS[f] for f in fields]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _filled(counts: dict[str, int]) -> str:
    return ", ".join(f"{FIELD_WORDS[f]} {counts[f]}" for f in FIELDS if counts.get(f))


def _leads(n: int) -> str:
    return "1 lead" if n == 1 else f"{n} leads"


def _done(report: EnrichReport) -> str:
    return f"{report.enriched} enriched, {report.credits_spent} credits spent"
