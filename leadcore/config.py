"""One typed settings object, read from the environment (prefix ``LEADCORE_``) and an optional ``.env``."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything configurable about leadcore. Secrets are ``SecretStr`` so they never print."""

    model_config = SettingsConfigDict(env_prefix="LEADCORE_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///leads.db"
    # Discovery providers: "demo" needs nothing; apollo/hunter need a key.
    default_provider: str = "demo"
    apollo_api_key: SecretStr | None = None
    hunter_api_key: SecretStr | None = None
    apollo_base_url: str = "https://api.apollo.io"
    hunter_base_url: str = "https://api.hunter.io"
    http_timeout_s: float = Field(default=20.0, gt=0)
    http_max_retries: int = Field(default=4, ge=0, le=10)
    http_backoff_base_s: float = Field(default=0.5, ge=0)
    http_backoff_max_s: float = Field(default=30.0, ge=0)
    provider_page_cap: int = Field(default=20, ge=1)
    provider_page_size: int = Field(default=25, ge=1, le=100)
    # The grid and the API.
    grid_page_size: int = Field(default=20, ge=1, le=500)
    # Uploads: refuse anything bigger, stating the limit.
    max_upload_mb: int = Field(default=50, ge=1)
    # Login throttling and session lifetime (UI).
    login_max_failures: int = Field(default=5, ge=1)
    login_lockout_s: int = Field(default=300, ge=1)
    session_ttl_s: int = Field(default=8 * 3600, ge=60)
    # Scoring weights file (JSON); empty means the built-in defaults.
    scoring_weights_file: str = ""
    # Default phone region for numbers without a country code (ISO 3166 alpha-2), empty for none.
    default_phone_region: str = ""
    # Outreach email (leadcore.outreach): without smtp_host the app offers "open in mail client" (mailto:) instead.
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str = ""
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    smtp_timeout_s: float = Field(default=20.0, gt=0)
    mail_from: str = ""
    mail_per_minute: int = Field(default=30, ge=1)
    mail_daily_cap: int = Field(default=200, ge=1)
    # A lead is not emailed twice with the same template within this many days unless the sender confirms.
    mail_repeat_window_days: int = Field(default=14, ge=0)
    # Background jobs (leadcore.jobs). Empty queue_url: an embedded SQLite queue file beside a SQLite database (or
    # in data_dir for PostgreSQL); "redis://host:6379/0" for Redis, so worker processes on many machines share it.
    queue_url: str = ""
    data_dir: str = "."
    # The Streamlit server runs a worker in its own process (so `streamlit run app.py` does everything); turn it
    # off when separate `python -m leadcore worker` processes run the jobs (and in AppTests).
    inline_worker: bool = True
    inline_workers: int = Field(default=2, ge=1, le=16)
    # A running job whose worker has not reported for this long is taken back (its worker is presumed dead).
    job_stale_s: int = Field(default=600, ge=10)
    # An API discovery above this many leads answers 202 and runs as a job (below it, unless "async": true, the
    # request waits for the result as before).
    discover_sync_max: int = Field(default=200, ge=1)
    # Enrichment (leadcore.enrichment): each team may spend this many credits a calendar month (UTC) on lookups.
    enrich_monthly_credits: int = Field(default=1000, ge=0)


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
