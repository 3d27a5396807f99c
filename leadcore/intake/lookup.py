"""Finding the stored leads a batch may match: one lookup per chunk of rows, answered into an in-memory index.

Each key kind is an equality search in its own (team_id, key) index on both engines, UNIONed (SQLite would scan
the whole team for an OR). The keys of each kind travel as one JSON array: a handful of text parameters whatever
the batch size, and one statement text to plan. PostgreSQL's statements go straight to psycopg's cursor in
pipeline mode, SQLite's through SQLAlchemy: each is written in its driver's parameter style.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from leadcore.intake.candidates import COMPANY
from leadcore.intake.dedupe import MatchKeys

# Rows per lookup query: small enough that on PostgreSQL the server looks up one chunk while the next is keyed.
LOOKUP_CHUNK = 128

_LOOKUP_SELECT = {
    dialect: f"SELECT id, type, email_norm, linkedin_norm, domain, name_key FROM leads WHERE team_id = {team} AND "
    for dialect, team in (("postgresql", "%(team)s"), ("sqlite", ":team"))
}
_LOOKUP_PARTS = {
    "postgresql": {
        "emails": "email_norm = ANY(ARRAY(SELECT jsonb_array_elements_text(CAST(%(emails)s AS jsonb))))",
        "links": "linkedin_norm = ANY(ARRAY(SELECT jsonb_array_elements_text(CAST(%(links)s AS jsonb))))",
        "domains": "type = 'COMPANY' AND "
        "domain = ANY(ARRAY(SELECT jsonb_array_elements_text(CAST(%(domains)s AS jsonb))))",
        "names": "name_key = ANY(ARRAY(SELECT jsonb_array_elements_text(CAST(%(names)s AS jsonb))))",
    },
    "sqlite": {
        "emails": "email_norm IN (SELECT value FROM json_each(:emails))",
        "links": "linkedin_norm IN (SELECT value FROM json_each(:links))",
        "domains": "type = 'COMPANY' AND domain IN (SELECT value FROM json_each(:domains))",
        "names": "name_key IN (SELECT value FROM json_each(:names))",
    },
}


def lookup_query(
    dialect: str, team_id: int, keys: Sequence[MatchKeys], types: Sequence[str]
) -> tuple[str | None, dict[str, Any]]:
    """One statement (in the driver's parameter style) finding every lead of the team that shares a key with
    ``keys``, ordered by id (None when the keys hold nothing to look up), and its parameters."""
    wanted = {
        "emails": {k.email_norm for k in keys if k.email_norm},
        "links": {k.linkedin_norm for k in keys if k.linkedin_norm},
        "domains": {k.domain for k, t in zip(keys, types, strict=True) if k.domain and t == COMPANY},
        "names": {k.name_key for k in keys if k.name_key},
    }
    engine = "postgresql" if dialect == "postgresql" else "sqlite"
    select_, parts = _LOOKUP_SELECT[engine], _LOOKUP_PARTS[engine]
    sql: list[str] = []
    params: dict[str, Any] = {"team": team_id}
    for kind, values in wanted.items():
        if values:
            sql.append(select_ + parts[kind])
            params[kind] = json.dumps(sorted(values))  # one text parameter: no per-element array quoting
    if not sql:
        return None, params
    return " UNION ".join(sql) + " ORDER BY id", params


@dataclass(frozen=True)
class Existing:
    """A stored lead's match columns."""

    id: int
    type: str
    email_norm: str | None
    linkedin_norm: str | None
    domain: str | None
    name_key: str | None

    @property
    def has_strong_key(self) -> bool:
        return bool(self.email_norm or self.linkedin_norm or (self.type == COMPANY and self.domain))


class Index:
    """Existing leads of the team, indexed by each match key."""

    def __init__(self) -> None:
        self.by: dict[tuple[str, str], Existing] = {}
        self.by_name: dict[str, list[Existing]] = {}

    def add(self, e: Existing) -> None:
        for kind, value in (("email", e.email_norm), ("linkedin", e.linkedin_norm)):
            if value:
                self.by.setdefault((kind, value), e)
        if e.type == COMPANY and e.domain:
            self.by.setdefault(("domain", e.domain), e)
        if e.name_key:
            self.by_name.setdefault(e.name_key, []).append(e)

    def find(self, lead_type: str, keys: MatchKeys) -> Existing | None:
        strong = keys.strong(lead_type)
        for key in strong:
            hit = self.by.get(key)
            if hit is not None:
                return hit
        if keys.name_key:
            for e in self.by_name.get(keys.name_key, []):
                # Name + company decides only when one side has no strong key to disagree with.
                if e.type == lead_type and (not strong or not e.has_strong_key):
                    return e
        return None


def driver_connection(session: Session) -> Any:
    """psycopg's connection under the session's: the matcher's bulk statements run on it directly (its errors are
    psycopg's own, which save_batch and db.faults both understand)."""
    return session.connection().connection.driver_connection


def load_existing(
    session: Session, team_id: int, chunks: Iterable[Sequence[Any]], meanwhile: Callable[[], None] | None = None
) -> Index:
    """The team's leads that share a key with the rows (anything with ``candidate.type`` and ``keys``), which
    arrive in chunks, one query each. On PostgreSQL each chunk's query goes out as soon as the chunk arrives
    (pipeline mode) and the answers are read at the end, so the server looks up while the caller makes the next
    chunk and then runs ``meanwhile``."""
    index = Index()
    seen: set[int] = set()

    def add(found: Iterable[Any]) -> None:
        for row in found:
            if row[0] not in seen:  # chunks are looked up one by one: a lead two of them share comes back twice
                seen.add(row[0])
                index.add(Existing(*row))

    dialect = session.get_bind().dialect.name
    queries = (lookup_query(dialect, team_id, [r.keys for r in c], [r.candidate.type for r in c]) for c in chunks)
    if dialect != "postgresql":
        for q, params in queries:
            if q is not None:
                add(session.execute(text(q), params))
        if meanwhile is not None:
            meanwhile()
        return index
    conn = driver_connection(session)
    cursors: list[Any] = []
    try:
        with conn.pipeline():
            for q, params in queries:
                if q is not None:
                    cursors.append(conn.cursor())
                    cursors[-1].execute(q, params)
            if meanwhile is not None:
                meanwhile()
            for cursor in cursors:
                add(cursor.fetchall())
    finally:
        for cursor in cursors:
            cursor.close()
    return index
