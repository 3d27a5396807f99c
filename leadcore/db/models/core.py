"""The first version's tables: teams, users, API tokens, search runs, leads and their events, contacts, companies."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from leadcore.db.coltypes import JSONDoc, TagList
from leadcore.db.models.base import Base, Short, now_column

# Lead columns the analytics read besides the grid index's keys (see ix_leads_team_active_status_type_score).
ANALYTICS_COLUMNS = [
    "created_at", "imported", "imported_at", "imported_contact_id", "imported_company_id", "owner_id", "search_query",
]


# Made by migrations in SQL the model cannot state, and left out of autogenerate (migrations/env.py):
# - leads.search_text: PostgreSQL's stored, lowercased text of the searched fields (leadcore.grid.clauses.SEARCHED),
#   a generated column (migration 0024) that free-text search reads;
# - ix_leads_search_trgm: PostgreSQL's pg_trgm GIN index over leads.search_text (free-text search);
# - ix_leads_search_bands: PostgreSQL's GIN index of each active lead's trigrams by score band (leads_search_bands,
#   migration 0024), which tells a search in score order where its first match is (leadcore.grid.search);
# - ix_leads_search_sample: PostgreSQL's partial index of one active lead in 16 by a hash of its id, with the search
#   text and the filtered columns (migration 0027), from which a common search's "about N" is estimated;
# - leads_search (and its FTS5 shadow tables): SQLite's trigram index of the same fields, filled by triggers on
#   leads (migration 0002; a batch-mode rebuild of leads drops the triggers and must recreate them), and
#   leads_search_bulk, the id range the matcher's bulk insert indexes itself (migration 0005).
UNMODELED_COLUMNS = frozenset({"search_text"})
UNMODELED_INDEXES = frozenset({"ix_leads_search_trgm", "ix_leads_search_bands", "ix_leads_search_sample"})
UNMODELED_TABLE_PREFIX = "leads_search"




class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = now_column()


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('rep', 'manager', 'admin')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(500))
    role: Mapped[str] = mapped_column(String(20))
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime] = now_column()
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = now_column()
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LeadSearch(Base):
    __tablename__ = "lead_searches"
    __table_args__ = (
        CheckConstraint("outcome IN ('running', 'ok', 'partial', 'failed')", name="outcome"),
        Index(None, "team_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    provider: Mapped[str] = mapped_column(String(200))
    query: Mapped[str | None] = mapped_column(Short)
    mode: Mapped[str | None] = mapped_column(String(20))
    location: Mapped[str | None] = mapped_column(Short)
    industry: Mapped[str | None] = mapped_column(Short)
    tech_stack: Mapped[str | None] = mapped_column(Short)
    requested: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    returned: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    saved: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    duplicates: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    invalid: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    outcome: Mapped[str] = mapped_column(String(20), server_default=text("'running'"))
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = now_column()
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A search run as a background job: pages saved so far (live progress) and the user's cancel request, which
    # the job reads between pages.
    pages: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    cancel_requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Lead(Base):
    __tablename__ = "leads"
    __table_args__ = (
        CheckConstraint("type IN ('INDIVIDUAL', 'COMPANY')", name="type"),
        CheckConstraint(
            "status IN ('NEW', 'CONTACTED', 'QUALIFIED', 'IMPORTED', 'REJECTED', 'ARCHIVED')",
            name="status",
        ),
        CheckConstraint("lead_score BETWEEN 0 AND 100", name="lead_score"),
        # The database itself refuses a second copy of a lead within a team (NULLs never collide).
        Index("uq_leads_team_email_norm", "team_id", "email_norm", unique=True),
        Index("uq_leads_team_linkedin_norm", "team_id", "linkedin_norm", unique=True),
        Index(
            "uq_leads_team_company_domain",
            "team_id",
            "domain",
            unique=True,
            sqlite_where=text("type = 'COMPANY'"),
            postgresql_where=text("type = 'COMPANY'"),
        ),
        # Name + company identifies a lead only when it has no strong key at all.
        Index(
            "uq_leads_team_weak_name_key",
            "team_id",
            "name_key",
            unique=True,
            sqlite_where=text(
                "email_norm IS NULL AND linkedin_norm IS NULL AND (type = 'INDIVIDUAL' OR domain IS NULL)"
            ),
            postgresql_where=text(
                "email_norm IS NULL AND linkedin_norm IS NULL AND (type = 'INDIVIDUAL' OR domain IS NULL)"
            ),
        ),
        Index("ix_leads_team_name_key", "team_id", "name_key"),
        Index("ix_leads_team_domain", "team_id", "domain"),
        # The grid and analytics.
        Index("ix_leads_team_status", "team_id", "status"),
        # PostgreSQL: active leads only, and a text search walks it in score order testing the stored search text
        # from the index alone (migrations 0004, 0013, 0024).
        Index("ix_leads_team_score", "team_id", "lead_score", "id", postgresql_include=["search_text"],
              postgresql_where=text("is_active")),
        Index("ix_leads_team_created", "team_id", "created_at", "id"),
        Index("ix_leads_team_search", "team_id", "search_id"),
        Index("ix_leads_team_owner", "team_id", "owner_id"),
        # SQLite's partial conditions are written "is_active = 1" as SQLAlchemy writes the filter there: SQLite only
        # uses a partial index whose condition appears as such in the query (migration 0026).
        # My work's untouched NEW leads of one owner, oldest first (migration 0016).
        Index("ix_leads_team_owner_status_created", "team_id", "owner_id", "status", "created_at", "id",
              sqlite_where=text("is_active = 1"), postgresql_where=text("is_active")),
        # My work's leads gone quiet: one owner's touched leads, least recently touched first (migration 0022).
        Index("ix_leads_team_owner_last_touch", "team_id", "owner_id", "last_touch_at", "id",
              sqlite_where=text("is_active = 1 AND last_touch_at IS NOT NULL"),
              postgresql_where=text("is_active AND last_touch_at IS NOT NULL")),
        Index("ix_leads_team_company", "team_id", "company"),
        # Counts and filtered pages of the grid read this index alone (status, type and score range within the
        # team's active or deleted leads), so a capped count never touches the table. It also carries every other
        # column the analytics aggregates read, so they scan it instead of the (wide) table. Those trail as key
        # columns rather than PostgreSQL's INCLUDE so SQLite can cover the same queries.
        Index(
            "ix_leads_team_active_status_type_score", "team_id", "is_active", "status", "type", "lead_score", "id",
            *ANALYTICS_COLUMNS,
        ),
        # Import statistics read only the imported leads.
        Index("ix_leads_team_imported", "team_id", "is_active", sqlite_where=text("imported = 1"),
              postgresql_where=text("imported")),
        # Free-text search over name, email and company: ix_leads_search_trgm (PostgreSQL, see UNMODELED_INDEXES).
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    type: Mapped[str] = mapped_column(String(20), server_default=text("'INDIVIDUAL'"))
    status: Mapped[str] = mapped_column(String(20), server_default=text("'NEW'"))
    lead_name: Mapped[str | None] = mapped_column(Short)
    email: Mapped[str | None] = mapped_column(Short)
    phone: Mapped[str | None] = mapped_column(Short)
    job_title: Mapped[str | None] = mapped_column(Short)
    company: Mapped[str | None] = mapped_column(Short)
    location: Mapped[str | None] = mapped_column(Short)
    headquarters: Mapped[str | None] = mapped_column(Short)
    industry: Mapped[str | None] = mapped_column(Short)
    website: Mapped[str | None] = mapped_column(Short)
    linkedin_url: Mapped[str | None] = mapped_column(Short)
    lead_score: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    score_breakdown: Mapped[Any | None] = mapped_column(JSONDoc)
    # Where it was found.
    search_query: Mapped[str | None] = mapped_column(Short)
    search_mode: Mapped[str | None] = mapped_column(String(20))
    search_location: Mapped[str | None] = mapped_column(Short)
    search_industry: Mapped[str | None] = mapped_column(Short)
    search_tech_stack: Mapped[str | None] = mapped_column(Short)
    search_id: Mapped[int | None] = mapped_column(ForeignKey("lead_searches.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(200), server_default=text("'manual'"))
    raw_data: Mapped[Any | None] = mapped_column(JSONDoc)
    # Import tracking.
    imported: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    imported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    imported_contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    imported_company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"))
    # Working the lead.
    notes: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(TagList, default=list)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The latest activity's time (calls, emails, meetings), kept by work.activities.log_activity.
    last_touch_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    duplicate_count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    created_at: Mapped[datetime] = now_column()
    updated_at: Mapped[datetime] = now_column()
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    # Normalized match keys, written by leadcore only.
    email_norm: Mapped[str | None] = mapped_column(Short)
    linkedin_norm: Mapped[str | None] = mapped_column(Short)
    domain: Mapped[str | None] = mapped_column(Short)
    phone_norm: Mapped[str | None] = mapped_column(String(40))
    name_key: Mapped[str | None] = mapped_column(String(1100))
    # Outreach: never email this lead (opted out / unsubscribed); migration 0009.
    do_not_contact: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))

    def touch(self, now: datetime | None = None) -> None:
        """Every change a person or a service makes to a lead: the next version (what optimistic edits check),
        stamped ``now``. The one place a lead's version moves (the matcher's bulk merge writes the same in SQL)."""
        self.version += 1
        self.updated_at = now or datetime.now(UTC)


class LeadEvent(Base):
    __tablename__ = "lead_events"
    __table_args__ = (
        Index("ix_lead_events_lead_created", "lead_id", "created_at", "id"),
        # Per-rep activity counts events by user and kind from the index alone.
        Index("ix_lead_events_team_created", "team_id", "created_at", "user_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    # The event's context: plain columns, no foreign keys, so saving a batch's events checks nothing per row (see
    # migration 0006). Teams, users and searches are never deleted; an unknown user shows as such.
    team_id: Mapped[int] = mapped_column()
    user_id: Mapped[int | None] = mapped_column()
    kind: Mapped[str] = mapped_column(String(40))
    search_id: Mapped[int | None] = mapped_column()
    data: Mapped[Any | None] = mapped_column(JSONDoc)
    created_at: Mapped[datetime] = now_column()


class Company(Base):
    __tablename__ = "companies"
    __table_args__ = (
        Index(
            "uq_companies_team_domain",
            "team_id",
            "domain",
            unique=True,
        ),
        Index("ix_companies_team_name", "team_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    name: Mapped[str] = mapped_column(Short)
    domain: Mapped[str | None] = mapped_column(Short)
    website: Mapped[str | None] = mapped_column(Short)
    linkedin_url: Mapped[str | None] = mapped_column(Short)
    industry: Mapped[str | None] = mapped_column(Short)
    headquarters: Mapped[str | None] = mapped_column(Short)
    phone: Mapped[str | None] = mapped_column(Short)
    source_lead_id: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = now_column()


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (Index("uq_contacts_source_lead_id", "source_lead_id", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    name: Mapped[str | None] = mapped_column(Short)
    email: Mapped[str | None] = mapped_column(Short)
    phone: Mapped[str | None] = mapped_column(Short)
    job_title: Mapped[str | None] = mapped_column(Short)
    location: Mapped[str | None] = mapped_column(Short)
    linkedin_url: Mapped[str | None] = mapped_column(Short)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"))
    source_lead_id: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = now_column()


# -- analytics rollups (derived data) -----------------------------------------------------------------------------
# Counts of active leads and of events, kept by PostgreSQL statement-level triggers on leads and lead_events
# (migration 0003), so the Analytics page aggregates a few thousand rollup rows instead of every lead. Each row is a
# delta-summed counter: a write adds +1/-1 (and the score) to the rows of the keys it leaves and enters. Keys are
# never NULL: owner 0 means unassigned, search query '' means none. Days are UTC. On SQLite (100,000 leads at most)
# the tables stay empty and analytics read the leads directly; see leadcore.analytics.facts. Not backed up: a
# restore rebuilds them through the triggers.


class LeadRollup(Base):
    __tablename__ = "lead_rollup"

    team_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    owner_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(20), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    imported: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    search_query: Mapped[str] = mapped_column(Short, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)
    score_sum: Mapped[int] = mapped_column(BigInteger)


class LeadScoreRollup(Base):
    __tablename__ = "lead_score_rollup"

    team_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    owner_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(20), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True, server_default="")  # migration 0023
    score: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)


class EventRollup(Base):
    """Events recorded by a user (system events without one are not counted)."""

    __tablename__ = "event_rollup"

    team_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)


ROLLUP_TABLES = frozenset({"lead_rollup", "lead_score_rollup", "event_rollup"})
