"""Migrations on a database that already holds work: every row survives an upgrade, and a downgrade followed by an
upgrade returns the same data. The rows are written with plain SQL shaped for the first revision, the way an
older release would have left them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from leadcore.accounts.actors import Actor
from leadcore.db import migrate
from leadcore.grid import listing
from leadcore.grid.filters import LeadFilters
from leadcore.intake.candidates import LeadCandidate
from leadcore.leads import edits
from tests.reliability.support import PG_URL, raw_snapshot, scratch_database
from tests.rollup_support import rollup_differences

FIRST = "0001"
TABLES = ["teams", "users", "api_tokens", "lead_searches", "companies", "contacts", "leads", "lead_events"]
LEADS = 40


def _json(conn: Connection, name: str) -> str:
    return f"CAST(:{name} AS JSONB)" if conn.dialect.name == "postgresql" else f":{name}"


def _tags(conn: Connection, tags: list[str]) -> Any:
    return tags if conn.dialect.name == "postgresql" else json.dumps(tags)


def write_old_rows(conn: Connection) -> None:
    """Two teams' worth of work as revision 0001 stored it: users, a token, searches, leads of every kind, events,
    and leads imported as contacts and companies."""
    ts = "2025-03-04 05:06:07+00"
    conn.execute(text(
        f"INSERT INTO teams (id, name, created_at) VALUES (1, 'Default', '{ts}'), (2, 'Zürich AG', '{ts}')"))
    conn.execute(text(
        "INSERT INTO users (id, team_id, email, display_name, password_hash, role, is_active, created_at, "
        f"last_login_at) VALUES (1, 1, 'ann@x.io', 'Ann', '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA', 'admin', "
        f"true, '{ts}', NULL), (2, 1, 'bo@x.io', 'Bo Ø', NULL, 'rep', false, '{ts}', '{ts}'), "
        f"(3, 2, 'cy@z.ch', 'Cy', NULL, 'manager', true, '{ts}', NULL)"))
    conn.execute(text(
        "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, last_used_at, revoked_at) VALUES "
        f"(1, 2, 'crm', '{'a' * 64}', '{ts}', '{ts}', NULL)"))
    conn.execute(text(
        "INSERT INTO lead_searches (id, team_id, user_id, provider, query, mode, requested, returned, saved, "
        "duplicates, invalid, outcome, error, started_at, finished_at) VALUES "
        f"(1, 1, 1, 'demo', 'VP Eng', 'individual', 25, 25, 20, 4, 1, 'ok', NULL, '{ts}', '{ts}'), "
        f"(2, 2, 3, 'apollo', 'CFO', 'individual', 10, 3, 2, 1, 0, 'partial', 'Apollo.io rate limited', '{ts}', NULL)"))
    conn.execute(text(
        "INSERT INTO companies (id, team_id, name, domain, website, created_by, source_lead_id, created_at) VALUES "
        f"(1, 1, 'Acme', 'acme.io', 'https://acme.io', 1, 3, '{ts}'), "
        f"(2, 2, 'Acme', 'acme.io', NULL, NULL, NULL, '{ts}')"))
    conn.execute(text(
        "INSERT INTO contacts (id, team_id, name, email, company_id, source_lead_id, created_by, created_at) VALUES "
        f"(1, 1, 'Imported Person', 'imp@acme.io', 1, 3, 1, '{ts}')"))
    for i in range(1, LEADS + 1):
        team = 1 if i <= 30 else 2
        kind = "COMPANY" if i % 7 == 0 else "INDIVIDUAL"
        email = None if i % 5 == 0 else f"p{i}@acme.io"
        conn.execute(
            text(
                "INSERT INTO leads (id, team_id, type, status, lead_name, email, phone, company, website, "
                "linkedin_url, lead_score, score_breakdown, search_query, search_id, source, raw_data, imported, "
                "imported_contact_id, imported_company_id, notes, tags, owner_id, is_active, duplicate_count, "
                "created_at, updated_at, deleted_at, version, email_norm, linkedin_norm, domain, phone_norm, "
                "name_key) VALUES (:id, :team, :kind, :status, :name, :email, :phone, 'Acme', :website, :li, :score, "
                f"{_json(conn, 'breakdown')}, 'VP Eng', :search, 'demo', {_json(conn, 'raw')}, :imported, :contact, "
                f":company, :notes, :tags, :owner, :active, :dups, '{ts}', '{ts}', :deleted, :version, :email_norm, "
                ":li_norm, :domain, :phone_norm, :name_key)"
            ),
            {
                "id": i, "team": team, "kind": kind, "status": ["NEW", "CONTACTED", "IMPORTED", "REJECTED"][i % 4],
                "name": f"Lead {i} — Ünïcode “quoted”" if i % 3 else None if email else f"Nameless {i}",
                "email": email, "phone": "+49 30 1234567" if i % 2 else None,
                "website": "https://acme.io" if kind == "COMPANY" else None,
                "li": f"https://www.linkedin.com/in/lead-{i}/" if i % 4 == 1 else None,
                "score": i * 2 % 101, "breakdown": json.dumps({"title": 10, "email": 5}) if i % 2 else None,
                "search": 1 if team == 1 and i % 2 else 2 if team == 2 else None,
                "raw": json.dumps({"id": f"r{i}", "nested": {"list": [1, 2, None], "ok": True}}) if i % 3 == 0
                else None,
                "imported": i == 3, "contact": 1 if i == 3 else None, "company": 1 if i == 3 else None,
                "notes": "=SUM(A1)\nline two" if i % 6 == 0 else None,
                "tags": _tags(conn, ["vip", "q3"] if i % 2 else []), "owner": 2 if i % 4 == 0 and team == 1 else None,
                "active": i % 9 != 0, "deleted": ts if i % 9 == 0 else None, "dups": i % 3, "version": 1 + i % 4,
                "email_norm": email, "li_norm": f"linkedin.com/in/lead-{i}" if i % 4 == 1 else None,
                "domain": "acme.io" if kind == "COMPANY" and team == 1 and i == 7 else None,
                "phone_norm": "+49301234567" if i % 2 else None, "name_key": f"lead {i}|acme",
            },
        )
    for i in range(1, 2 * LEADS + 1):
        lead = (i - 1) % LEADS + 1
        conn.execute(
            text(f"INSERT INTO lead_events (id, lead_id, team_id, user_id, kind, search_id, data, created_at) VALUES "
                 f"(:id, :lead, :team, :user, :kind, NULL, {_json(conn, 'data')}, '{ts}')"),
            {"id": i, "lead": lead, "team": 1 if lead <= 30 else 2, "user": 1 if lead <= 30 else 3,
             "kind": "created" if i <= LEADS else "status_changed",
             "data": json.dumps({"source": "demo"} if i <= LEADS else {"from": "NEW", "to": "CONTACTED"})},
        )
    if conn.dialect.name == "postgresql":  # rows written with explicit ids, as a real database would have them
        for t in TABLES:
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT max(id) FROM {t}))"))


def _revisions() -> list[str]:
    """Every revision after the first, oldest first."""
    script = ScriptDirectory.from_config(migrate.alembic_config())
    revs = [r.revision for r in script.walk_revisions(base="base", head="heads")]
    revs.reverse()
    return revs[revs.index(FIRST) + 1 :]


def _columns(snapshot: dict[str, list[tuple[Any, ...]]]) -> dict[str, int]:
    return {t: len(rows[0]) if rows else 0 for t, rows in snapshot.items()}


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_upgrading_a_database_full_of_work_keeps_every_row(kind: str, tmp_path: Path) -> None:
    if kind == "postgresql" and not PG_URL:
        pytest.skip("LEADCORE_TEST_DATABASE_URL is not set")
    assert _revisions(), "no revision after 0001 to test"
    with scratch_database(kind, PG_URL, tmp_path, revision=FIRST) as db:
        with db.engine.begin() as conn:
            write_old_rows(conn)
        original = raw_snapshot(db.engine, TABLES)
        width = _columns(original)
        assert sum(len(rows) for rows in original.values()) == 2 + 3 + 1 + 2 + 2 + 1 + LEADS + 2 * LEADS
        for revision in _revisions():  # one step at a time, so a failure names the revision
            migrate.upgrade(db.engine, revision)
            now = raw_snapshot(db.engine, TABLES)
            # New columns may appear at the end; every old value is kept.
            assert {t: [r[: width[t]] for r in rows] for t, rows in now.items()} == original, revision
        assert migrate.is_current(db.engine)
        assert rollup_differences(db.engine) == {}  # the analytics counters start from the rows already there
        upgraded = raw_snapshot(db.engine, TABLES)

        # Down to the first revision and back up: the same data.
        migrate.downgrade(db.engine, FIRST)
        assert {t: [r[: width[t]] for r in rows] for t, rows in raw_snapshot(db.engine, TABLES).items()} == original
        migrate.upgrade(db.engine)
        assert raw_snapshot(db.engine, TABLES) == upgraded

        # And the app works on the old rows: search, edit with the stored version, add a lead (ids continue).
        admin = Actor(user_id=1, team_id=1, role="admin", name="Ann")
        page = listing.list_leads(db.uow(), admin, LeadFilters(q="Ünïcode"))
        assert page.total > 0
        lead = edits.get_lead(db.uow(), admin, 2)
        edits.update_lead(db.uow(), admin, 2, {"status": "QUALIFIED"}, expected_version=lead["version"])
        created = edits.create_lead(db.uow(), admin, LeadCandidate(lead_name="After Upgrade", email="new@x.io"))
        assert created.lead_ids[0] > LEADS
        duplicate = edits.create_lead(db.uow(), admin, LeadCandidate(lead_name="Again", email="P1@acme.io"))
        assert (duplicate.saved, duplicate.duplicates, duplicate.lead_ids) == (0, 1, [1])
        assert rollup_differences(db.engine) == {}
