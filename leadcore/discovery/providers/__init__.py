"""Discovery providers: which ones exist, which are configured, and building one by name."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from leadcore.config import Settings
from leadcore.discovery.providers.apollo import ApolloProvider
from leadcore.discovery.providers.base import Provider, ProviderInfo, SearchQuery
from leadcore.discovery.providers.demo import DemoProvider
from leadcore.discovery.providers.hunter import HunterProvider
from leadcore.errors import ProviderError

__all__ = [
    "ApolloProvider",
    "DemoProvider",
    "HunterProvider",
    "Provider",
    "ProviderInfo",
    "SearchQuery",
    "available_providers",
    "get_provider",
]

# name -> (label, settings attribute holding the key, environment variable to set)
_REAL = {
    "apollo": (ApolloProvider.label, "apollo_api_key", "LEADCORE_APOLLO_API_KEY"),
    "hunter": (HunterProvider.label, "hunter_api_key", "LEADCORE_HUNTER_API_KEY"),
}


def available_providers(settings: Settings) -> list[ProviderInfo]:
    """Every provider, demo first, with whether it has what it needs to run."""
    infos = [ProviderInfo(DemoProvider.name, DemoProvider.label, configured=True, is_demo=True)]
    for name, (label, key_attr, _) in _REAL.items():
        infos.append(ProviderInfo(name, label, configured=_key(settings, key_attr) is not None, is_demo=False))
    return infos


def get_provider(
    name: str | None,
    settings: Settings,
    *,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Provider:
    """The provider called ``name`` (None or '' means settings.default_provider), ready to search.

    Raises ProviderError naming the setting to fix when the name is unknown or the key is missing.
    """
    chosen = (name or "").strip().lower() or settings.default_provider.strip().lower()
    if chosen == DemoProvider.name:
        return DemoProvider(settings=settings)
    if chosen not in _REAL:
        known = ", ".join([DemoProvider.name, *_REAL])
        raise ProviderError(f"Unknown provider {chosen!r}: choose one of {known}")
    label, key_attr, env_var = _REAL[chosen]
    api_key = _key(settings, key_attr)
    if api_key is None:
        raise ProviderError(f"{label} is not configured: set {env_var}")
    if chosen == "apollo":
        return ApolloProvider(client, api_key=api_key, settings=settings, sleep=sleep)
    return HunterProvider(client, api_key=api_key, settings=settings, sleep=sleep)


def _key(settings: Settings, attr: str) -> str | None:
    secret = getattr(settings, attr, None)
    value = secret.get_secret_value().strip() if secret is not None else ""
    return value or None
