"""``python -m leadcore`` as an operator runs it: a real subprocess on each engine, its output and its effects."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from leadcore.accounts.users import authenticate, team_actor
from leadcore.db.engine import session_factory
from leadcore.db.models import Lead, LeadSearch, Team, User
from leadcore.db.runtime import Database
from leadcore.fileimport.importer import commit_import
from leadcore.fileimport.reading import read_table
from leadcore.seed import seed_demo

ROOT = Path(__file__).resolve().parents[2]


def cli(backend: Any, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "leadcore", *args], cwd=ROOT, env=backend.env(), input=stdin,
                          capture_output=True, text=True, timeout=120)


def start(backend: Any, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "leadcore", *args], cwd=ROOT, env=backend.env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)


def count(db: Database, model: Any) -> int:
    with db.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def last_line(out: str) -> str:
    return out.strip().splitlines()[-1]


MESSY = (
    "leadName,email,company,linkedinLink,type,leadScore\n"
    "Ann Lee,ann.lee+x@gmail.com,Acme,,,\n"                     # 1 new
    "Ann Lee,annlee@googlemail.com,Acme,,,\n"                   # 2 duplicate of 1 (gmail rules)
    "Bob Stone,bob@@x,Acme,,,\n"                                # 3 invalid email
    "Cara Diaz,,Initech,https://linkedin.com/in/cara,,\n"       # 4 new
    "C. Diaz,cara@initech.com,Initech,http://de.linkedin.com/in/Cara/?trk=1,,\n"  # 5 duplicate of 4
    "Dan Roe,info@acme.io,Acme,,,\n"                            # 6 new: a role address is no key
    "Eve Moss,info@acme.io,Acme,,,\n"                           # 7 new: ...so Eve is not Dan
    "Acme,,,,COMPANY,101\n"                                     # 8 invalid score
)


@pytest.fixture
def messy_file(tmp_path: Path) -> Path:
    path = tmp_path / "messy.csv"
    path.write_text(MESSY, encoding="utf-8")
    return path


def test_import_csv_dry_run_writes_the_report_and_nothing_else(backend: Any, db: Database, messy_file: Path,
                                                             tmp_path: Path) -> None:
    report = tmp_path / "report.csv"
    p = cli(backend, "import-csv", str(messy_file), "--dry-run", "--report", str(report))
    assert p.returncode == 0, p.stderr
    assert last_line(p.stdout) == "saved=4 duplicates=2 invalid=2 search_id="
    lines = report.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "row_number,outcome,cluster,reason,note"
    rows = list(csv.DictReader(lines))
    assert [r["row_number"] for r in rows] == [str(n) for n in range(1, 9)]
    assert [(r["outcome"], r["cluster"]) for r in rows] == [
        ("new", "row-1"), ("duplicate_in_file", "row-1"), ("invalid", ""), ("new", "row-4"),
        ("duplicate_in_file", "row-4"), ("new", "row-6"), ("new", "row-7"), ("invalid", "")]
    assert "bob@@x" in rows[2]["reason"] and "lead_score" in rows[7]["reason"]
    assert all(r["reason"] == "" for r in rows if r["outcome"] != "invalid")
    assert (count(db, Lead), count(db, LeadSearch), count(db, Team)) == (0, 0, 0)  # not even the team


def test_import_csv_saves_prints_the_result_line_and_json(backend: Any, db: Database, messy_file: Path,
                                                          tmp_path: Path) -> None:
    p = cli(backend, "import-csv", str(messy_file), "--team", "Sales")
    assert p.returncode == 0, p.stderr
    line = last_line(p.stdout)
    fields = dict(part.split("=") for part in line.split())
    assert list(fields) == ["saved", "duplicates", "invalid", "search_id"]
    assert (fields["saved"], fields["duplicates"], fields["invalid"]) == ("4", "2", "2")
    assert count(db, Lead) == 4
    with db.uow() as uow:
        run = uow.session.get(LeadSearch, int(fields["search_id"]))
        assert run is not None and run.provider == "file:messy.csv" and run.saved == 4
        assert uow.session.scalar(select(Team.name)) == "Sales"
    # Again, as JSON, with a report: everything valid is now a duplicate of an existing lead.
    report = tmp_path / "again.csv"
    p = cli(backend, "import-csv", str(messy_file), "--team", "Sales", "--json", "--report", str(report))
    assert p.returncode == 0, p.stderr
    out = json.loads(last_line(p.stdout))
    assert (out["saved"], out["duplicates"], out["invalid"], out["count"], out["dry_run"]) == (0, 6, 2, 8, False)
    assert out["search_id"] == int(fields["search_id"]) + 1
    outcomes = [r["outcome"] for r in csv.DictReader(report.open(encoding="utf-8"))]
    assert outcomes.count("duplicate_existing") == 6
    assert count(db, Lead) == 4


def test_create_user_with_password_or_stdin(backend: Any, db: Database) -> None:
    p = cli(backend, "create-user", "--email", "Boss@Example.com", "--password", "a long password", "--role", "admin",
            "--team", "HQ", "--name", "The Boss")
    assert p.returncode == 0, p.stderr
    assert "admin boss@example.com" in p.stdout
    p = cli(backend, "create-user", "--email", "rep@example.com", "--password-stdin", "--role", "rep",
            stdin="from stdin pw\n")
    assert p.returncode == 0, p.stderr
    assert authenticate(db.uow(), "rep@example.com", "from stdin pw").team_name == "Default"
    boss = authenticate(db.uow(), "boss@example.com", "a long password")
    assert (boss.role, boss.team_name, boss.display_name) == ("admin", "HQ", "The Boss")
    with db.uow() as uow:
        hashes = list(uow.session.scalars(select(User.password_hash)))
    assert all(h.startswith("$argon2id$") and "password" not in h for h in hashes)


def test_seed_demo_is_deterministic(backend: Any, db: Database) -> None:
    p = cli(backend, "seed-demo", "40", "--seed", "7", "--team", "One")
    assert p.returncode == 0, p.stderr
    assert last_line(p.stdout) == "saved=40 duplicates=0 invalid=0"
    seed_demo(db.uow(), team_actor(db.uow(), "Two"), 40, seed=7)  # the same seed in another process

    def leads(team: str) -> list[tuple[Any, ...]]:
        with db.uow() as uow:
            return [tuple(r) for r in uow.session.execute(
                select(Lead.type, Lead.lead_name, Lead.email, Lead.company, Lead.status, Lead.tags, Lead.lead_score)
                .join(Team, Team.id == Lead.team_id).where(Team.name == team).order_by(Lead.email, Lead.lead_name))]

    one, two = leads("One"), leads("Two")
    assert len(one) == 40 and one == two
    assert len({x[4] for x in one}) > 1  # a realistic funnel, not all NEW
    assert leads("One") != [tuple(x) for x in seed_candidates_differ()]


def seed_candidates_differ() -> list[tuple[Any, ...]]:
    """Another seed gives other leads (compared loosely: the first names differ somewhere)."""
    from leadcore.seed import candidates

    return [(c.type, c.lead_name, c.email, c.company) for c in candidates(40, seed=8)]


def test_export_csv_purge_rejected_and_stats(backend: Any, db: Database, messy_file: Path, tmp_path: Path) -> None:
    actor = team_actor(db.uow(), "Default")
    commit_import(db.uow(), actor, read_table(messy_file.read_bytes(), "messy.csv"), filename="messy.csv")
    with db.uow() as uow:
        ids = list(uow.session.scalars(select(Lead.id).order_by(Lead.id)))
        old = datetime.now(UTC) - timedelta(days=45)
        uow.session.execute(update(Lead).where(Lead.id == ids[0]).values(status="REJECTED", updated_at=old))
        uow.session.execute(update(Lead).where(Lead.id == ids[1]).values(status="REJECTED"))
        uow.commit()
    procs = {
        "export": start(backend, "export-csv", str(tmp_path / "rejected.csv"), "--status", "rejected",
                        "--status", "NEW", "--q", "diaz"),
        "stats": start(backend, "stats", "--json"),
    }
    out = {name: (p.wait(timeout=120), *p.communicate()) for name, p in procs.items()}
    for name, (rc, _, err) in out.items():
        assert rc == 0, (name, err)
    assert last_line(out["export"][1]) == f"exported 1 leads to {tmp_path / 'rejected.csv'}"
    assert [r["lead_name"] for r in csv.DictReader((tmp_path / "rejected.csv").open(encoding="utf-8"))] == [
        "Cara Diaz"]
    stats = json.loads(last_line(out["stats"][1]))
    assert stats["total"] == 4 and stats["status_counts"]["REJECTED"] == 2
    # Only REJECTED leads untouched for N days go.
    p = cli(backend, "purge-rejected", "--older-than-days", "30")
    assert (p.returncode, last_line(p.stdout)) == (0, "purged 1 rejected leads")
    with db.uow() as uow:
        assert sorted(uow.session.scalars(select(Lead.id))) == ids[1:]


BAD_RUNS: dict[str, tuple[list[str], str]] = {
    # name: (arguments, a word the error line must contain)
    "missing file": (["import-csv", "{tmp}/nope.csv"], "nope.csv"),
    "empty file": (["import-csv", "{tmp}/empty.csv"], "empty"),
    "no name, email or company column": (["import-csv", "{tmp}/nameless.csv"], "name"),
    "binary file": (["import-csv", "{tmp}/binary.csv"], "file"),
    "report folder missing": (["import-csv", "{tmp}/ok.csv", "--dry-run", "--report", "{tmp}/no/dir/r.csv"], "folder"),
    "export folder missing": (["export-csv", "{tmp}/no/dir/out.csv"], "folder"),
    "missing argument": (["import-csv"], "file"),
    "not a number": (["seed-demo", "many"], "integer"),
    "negative count": (["seed-demo", "--", "-3"], "0 or more"),
    "unknown option": (["import-csv", "{tmp}/ok.csv", "--frobnicate"], "frobnicate"),
    "unknown command": (["frobnicate"], "frobnicate"),
    "bad role": (["create-user", "--email", "x@example.com", "--password", "long enough", "--role", "boss"], "role"),
    "short password": (["create-user", "--email", "x@example.com", "--password", "short"], "8 characters"),
    "bad email": (["create-user", "--email", "not-an-email", "--password", "long enough"], "email"),
    "no password": (["create-user", "--email", "x@example.com"], "password"),
    "negative days": (["purge-rejected", "--older-than-days", "-1"], "0 or more"),
    "bad database url": (["stats", "--database-url", "nosuchdb://x"], "database"),
}


@pytest.fixture
def sqlite_backend(backends: Any) -> Any:
    """The error paths do not depend on the engine: SQLite only, to spare a dozen process starts."""
    b = backends["sqlite"]
    b.clean()
    return b


@pytest.mark.slow  # one interpreter per bad case
def test_bad_files_and_arguments_fail_with_one_clear_line_and_write_nothing(sqlite_backend: Any,
                                                                           tmp_path: Path) -> None:
    backend = sqlite_backend
    db = Database(url=backend.url, engine=backend.engine, sessions=session_factory(backend.engine))
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "nameless.csv").write_text("fax,phone\n123,456\n", encoding="utf-8")
    (tmp_path / "binary.csv").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "ok.csv").write_text("name,email\nAnn,ann@acme.io\n", encoding="utf-8")
    procs = {name: start(backend, *(a.replace("{tmp}", str(tmp_path)) for a in args))
             for name, (args, _) in BAD_RUNS.items()}
    problems = {}
    for name, p in procs.items():
        stdout, stderr = p.communicate(timeout=120)
        lines = stderr.strip().splitlines()
        word = BAD_RUNS[name][1]
        if p.returncode == 0 or len(lines) != 1 or not lines[0].startswith("error: ") or \
                word.lower() not in lines[0].lower() or "Traceback" in stderr:
            problems[name] = (p.returncode, stderr[-600:], stdout[-200:])
    assert problems == {}
    assert (count(db, Lead), count(db, LeadSearch), count(db, User), count(db, Team)) == (0, 0, 0, 0)


def test_help_lists_every_command(sqlite_backend: Any) -> None:
    p = cli(sqlite_backend, "--help")
    assert p.returncode == 0
    for command in ("migrate", "create-user", "import-csv", "export-csv", "seed-demo", "purge-rejected", "stats"):
        assert command in p.stdout


def test_team_names_match_whatever_their_case_and_a_new_team_is_announced(backend: Any, db: Database) -> None:
    p = cli(backend, "seed-demo", "5", "--team", "Acme Sales")
    assert p.returncode == 0 and "No team called 'Acme Sales' yet: creating it." in p.stderr
    p = cli(backend, "seed-demo", "5", "--seed", "2", "--team", "  acme SALES ")
    assert p.returncode == 0, p.stderr
    assert "creating" not in p.stderr
    with db.uow() as uow:
        assert list(uow.session.scalars(select(Team.name))) == ["Acme Sales"]
        assert uow.session.scalar(select(func.count()).select_from(Lead)) >= 6


FIXTURES = ROOT / "tests" / "fixtures" / "imports"


def test_import_csv_reads_a_crm_export_with_map_status_map_and_update_mode(backend: Any, db: Database,
                                                                           tmp_path: Path) -> None:
    hubspot = str(FIXTURES / "hubspot_contacts.csv")
    p = cli(backend, "import-csv", hubspot, "--json", "--status-map", "Waiting on legal=CONTACTED",
            "--map", "Record ID=ignore")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert (out["saved"], out["invalid"], out["format"], out["header_row"]) == (6, 0, "hubspot", 1)
    with db.uow() as uow:
        statuses = dict(uow.session.execute(select(Lead.lead_name, Lead.status)).all())
    assert (statuses["Rosa Diaz"], statuses["Olivia Rossi"]) == ("CONTACTED", "REJECTED")
    # LinkedIn's preamble: the header row is found and said on stderr.
    p = cli(backend, "import-csv", str(FIXTURES / "linkedin_connections.csv"), "--dry-run")
    assert p.returncode == 0, p.stderr
    assert "LinkedIn Connections export" in p.stderr and "header row 4" in p.stderr
    assert last_line(p.stdout) == "saved=3 duplicates=0 invalid=0 search_id="
    # The team's own export, edited, as an update.
    export = tmp_path / "export.csv"
    assert cli(backend, "export-csv", str(export)).returncode == 0
    rows = list(csv.DictReader(export.open(encoding="utf-8")))
    for r in rows:
        if r["lead_name"] == "Mia Chen":
            r["job_title"] = "CEO"
    with export.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    p = cli(backend, "import-csv", str(export), "--mode", "update", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert (out["updated"], out["unchanged"], out["saved"], out["not_found"]) == (1, 5, 0, 0)
    bad = cli(backend, "import-csv", hubspot, "--mode", "merge")
    assert bad.returncode != 0 and "mode must be one of create, update, upsert" in bad.stderr
    bad = cli(backend, "import-csv", hubspot, "--status-map", "New=IMPORTED")
    assert bad.returncode != 0 and "converting a lead into a contact" in bad.stderr
    bad = cli(backend, "import-csv", hubspot, "--map", "Nope=email")
    assert bad.returncode != 0 and "no such column" in bad.stderr
