"""Backup and restore: JSON lines that round-trip every table, on each engine and from SQLite to PostgreSQL."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadcore.cli import app
from leadcore.db import backup
from leadcore.db.engine import session_factory
from leadcore.db.models import ROLLUP_TABLES, Base, Lead
from leadcore.db.runtime import Database
from leadcore.errors import InvalidInput
from leadcore.leads import edits
from tests.conftest import Backend
from tests.reliability.support import PG_URL, lead, populate, snapshot
from tests.rollup_support import rollup_differences

ALL_TABLES = {"teams", "users", "api_tokens", "lead_searches", "leads", "lead_events", "contacts", "companies",
              "bulk_batches", "bulk_batch_leads", "intake_fills",
              "user_sessions", "duplicate_scans", "duplicate_pairs", "lead_merges",
              "assignment_rules", "lead_activities", "lead_tasks", "saved_views", "work_prefs", "email_templates",
              "outbox_messages", "jobs", "webhook_endpoints", "webhook_deliveries", "webhook_attempts",
              "lead_enrichments", "enrichment_credits", "import_mappings"}


def test_backup_covers_every_table_in_foreign_key_order() -> None:
    names = [t.name for t in backup.tables()]
    assert set(names) == ALL_TABLES == {t.name for t in Base.metadata.tables.values()} - ROLLUP_TABLES
    position = {n: i for i, n in enumerate(names)}
    for t in backup.tables():
        for fk in t.foreign_keys:
            assert position[fk.column.table.name] < position[t.name], f"{t.name} before its parent"


def _db(b: Backend) -> Database:
    return Database(url=b.url, engine=b.engine, sessions=session_factory(b.engine))


def test_backup_then_restore_round_trips_every_table(backend: Backend, tmp_path: Path) -> None:
    db = _db(backend)
    populate(db)
    before = snapshot(db.engine)
    assert all(before[t] for t in ALL_TABLES), {t: len(v) for t, v in before.items()}
    path = tmp_path / "backup.jsonl"
    stats = backup.backup_to_file(db.engine, path)
    assert stats.counts == {t: len(rows) for t, rows in before.items()}
    lines = path.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    assert header["format"] == "leadcore-backup" and header["revision"] == stats.revision
    assert len(lines) == 1 + stats.rows
    backend.clean()
    restored = backup.restore_from_file(db.engine, path)
    assert restored.counts == stats.counts
    assert snapshot(db.engine) == before
    assert rollup_differences(db.engine) == {}  # the analytics counters are derived: the triggers rebuilt them


def test_sqlite_backup_restores_into_postgresql(backends: dict[str, Backend], tmp_path: Path) -> None:
    if not PG_URL:
        pytest.skip("LEADCORE_TEST_DATABASE_URL is not set")
    source, target = backends["sqlite"], backends["postgresql"]
    source.clean()
    made = populate(_db(source))
    before = snapshot(source.engine)
    path = tmp_path / "sqlite.jsonl.gz"
    backup.backup_to_file(source.engine, path)
    with gzip.open(path) as fh:
        assert fh.readline().startswith(b'{"format": "leadcore-backup"')
    target.clean()
    pg = _db(target)
    backup.restore_from_file(pg.engine, path)
    assert snapshot(pg.engine) == before
    # Sequences moved past the restored ids: the next lead gets a new id instead of colliding.
    top = max(r["id"] for r in before["leads"])
    assert lead(pg, made["manager"], email="after-restore@example.com") > top
    # The restored data is usable: the app edits a restored lead with its restored version.
    current = edits.get_lead(pg.uow(), made["manager"], before["leads"][0]["id"])
    edits.update_lead(pg.uow(), made["manager"], current["id"], {"status": "QUALIFIED"},
                      expected_version=current["version"])


def test_restore_refuses_a_database_that_is_not_empty_unless_forced(db: Database, tmp_path: Path) -> None:
    made = populate(db)
    path = tmp_path / "b.jsonl"
    backup.backup_to_file(db.engine, path)
    before = snapshot(db.engine)
    lead(db, made["manager"], email="added-after-backup@example.com")
    with pytest.raises(InvalidInput, match=r"not empty.*--force"):
        backup.restore_from_file(db.engine, path)
    assert len(snapshot(db.engine)["leads"]) == len(before["leads"]) + 1  # refused: nothing changed
    backup.restore_from_file(db.engine, path, force=True)
    assert snapshot(db.engine) == before
    assert rollup_differences(db.engine) == {}  # emptied after the leads (back to zero), rebuilt by the triggers


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda lines: lines[:-3], "incomplete"),
        (lambda lines: [*lines[:-1], lines[-1][: len(lines[-1]) // 2]], "not valid JSON"),
        (lambda lines: ['{"hello": 1}', *lines[1:]], "not a leadcore backup"),
        (lambda lines: [lines[0].replace('"revision": "', '"revision": "x'), *lines[1:]], "schema revision"),
        (lambda lines: [lines[0], *lines[1:3], lines[3].replace('"row": {', '"row": {"bogus": 1, '), *lines[4:]],
         "no column 'bogus'"),
        (lambda lines: [lines[0], *reversed(lines[1:])], "out of order|do not fit"),
        (lambda lines: [], "empty"),
    ],
    ids=["truncated", "cut-mid-line", "not-a-backup", "other-revision", "unknown-column", "out-of-order", "empty"],
)
def test_a_damaged_backup_is_refused_and_changes_nothing(db: Database, tmp_path: Path, damage, message) -> None:
    """Even with --force (which empties the database first), a bad file leaves the database exactly as it was."""
    populate(db)
    good = list(backup.dump_lines(db.engine))
    before = snapshot(db.engine)
    path = tmp_path / "bad.jsonl"
    path.write_text("".join(line if line.endswith("\n") else line + "\n" for line in damage(good)), encoding="utf-8")
    with pytest.raises(InvalidInput, match=message):
        backup.restore_from_file(db.engine, path, force=True)
    assert snapshot(db.engine) == before
    assert rollup_differences(db.engine) == {}  # emptied after the leads (back to zero), rebuilt by the triggers


def test_backup_and_restore_commands(backend: Backend, tmp_path: Path) -> None:
    """The commands an operator runs: a clear line on success, one error line (no traceback) when refused."""
    db = _db(backend)
    populate(db)
    before = snapshot(db.engine)
    path = tmp_path / "cli.jsonl"
    url = backend.url if not backend.schema else f"{PG_URL}?options=-csearch_path%3D{backend.schema},public"
    runner = CliRunner()
    done = runner.invoke(app, ["backup", str(path), "--database-url", url])
    assert done.exit_code == 0, done.output
    assert "backed up" in done.output and path.exists()
    refused = runner.invoke(app, ["restore", str(path), "--database-url", url])
    assert refused.exit_code == 1 and "error: the database is not empty" in refused.output
    assert "--force" in refused.output and "Traceback" not in refused.output
    with db.uow() as uow:
        uow.session.query(Lead).filter(Lead.id == before["leads"][0]["id"]).update({"lead_name": "changed"})
        uow.commit()
    forced = runner.invoke(app, ["restore", "--force", str(path), "--database-url", url])
    assert forced.exit_code == 0, forced.output
    assert "restored" in forced.output
    assert snapshot(db.engine) == before


def test_python_m_leadcore_backup_runs_as_a_command(db: Database, backend: Backend, tmp_path: Path) -> None:
    if backend.name != "sqlite":
        pytest.skip("one subprocess run proves the entry point; the engines are covered in-process above")
    populate(db)
    path = tmp_path / "sub.jsonl"
    done = subprocess.run([sys.executable, "-m", "leadcore", "backup", str(path)], env=backend.env(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(path.read_text(encoding="utf-8").splitlines()[0])["counts"]["leads"] == len(
        snapshot(db.engine)["leads"])
