"""Enrichment: fill a lead's missing fields (email, phone, LinkedIn, title, industry, location, website) from
providers, never overwriting what a person set, within a monthly credit budget per team.

It owns ``base`` (the :class:`Enricher` protocol and the field names), the enrichers (``demo`` offline, ``hunter``,
``apollo``), ``credits`` (the budget), ``runner`` (:func:`enrich`: candidates, estimate, the waterfall per field,
one transaction per lead with its ``enriched`` timeline event and per-field provenance) and ``jobs`` (the
``enrichment.run`` background job).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from leadcore.config import Settings
from leadcore.enrichment.apollo import ApolloEnricher
from leadcore.enrichment.base import FIELDS, Enricher, LeadFacts, parse_fields
from leadcore.enrichment.demo import DemoEnricher
from leadcore.enrichment.hunter import HunterEnricher
from leadcore.errors import ProviderError

__all__ = ["FIELDS", "PROVIDERS", "Enricher", "LeadFacts", "available", "get_enrichers", "parse_fields"]

PROVIDERS = ("demo", "hunter", "apollo")
_KEYS = {"hunter": ("hunter_api_key", "LEADCORE_HUNTER_API_KEY"),
         "apollo": ("apollo_api_key", "LEADCORE_APOLLO_API_KEY")}


def available(settings: Settings) -> list[tuple[str, str, bool]]:
    """(name, label, configured) of every enricher, demo first."""
    out = [(DemoEnricher.name, DemoEnricher.label, True)]
    for name, (attr, _) in _KEYS.items():
        secret = getattr(settings, attr, None)
        label = HunterEnricher.label if name == "hunter" else ApolloEnricher.label
        out.append((name, label, bool(secret is not None and secret.get_secret_value().strip())))
    return out


def get_enrichers(
    names: str | list[str] | tuple[str, ...] | None,
    settings: Settings,
    *,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Enricher]:
    """The enrichers named (comma separated, in waterfall order; None or '' means the default provider).

    Raises ProviderError naming the setting to fix when a name is unknown or its key is missing."""
    if names is None or (isinstance(names, str) and not names.strip()):
        names = settings.default_provider
    parts = names.split(",") if isinstance(names, str) else list(names)
    chosen = list(dict.fromkeys(p.strip().lower() for p in parts if p.strip())) or ["demo"]
    out: list[Enricher] = []
    for name in chosen:
        if name == "demo":
            out.append(DemoEnricher())
            continue
        if name not in _KEYS:
            raise ProviderError(f"Unknown enrichment provider {name!r}: choose from {', '.join(PROVIDERS)}")
        attr, env = _KEYS[name]
        secret = getattr(settings, attr, None)
        key = secret.get_secret_value().strip() if secret is not None else ""
        if not key:
            label = HunterEnricher.label if name == "hunter" else ApolloEnricher.label
            raise ProviderError(f"{label} is not configured: set {env}")
        cls = HunterEnricher if name == "hunter" else ApolloEnricher
        out.append(cls(client, api_key=key, settings=settings, sleep=sleep))
    return out
