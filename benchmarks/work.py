"""Issue 17's figures: intake with an active round-robin rule, and the "My work" page's queries at scale.

``--assign-rule`` creates four reps (one deactivated) and an active round-robin rule over them before the load, so
every saved lead is routed while it is made. Afterwards :func:`my_work` gives the reps ``tasks`` open follow-ups
(spread over past, today and the coming weeks) and a touch on some leads, then samples ``mywork.my_work`` for one
rep: its five list queries in one read transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from benchmarks.database import BenchDatabase
from benchmarks.timing import Samples, sample
from leadcore.accounts.actors import Actor
from leadcore.accounts.users import create_user, set_active_by_email
from leadcore.work import assignment
from leadcore.work.mywork import my_work as my_work_lists

REPS = 4


def rep_emails() -> list[str]:
    return [f"bench-rep{i}@example.com" for i in range(1, REPS + 1)]


def add_round_robin(bench: BenchDatabase, manager: Actor) -> list[Actor]:
    """Four reps in the manager's team, the last one deactivated, and an active round robin over all four."""
    reps = [create_user(bench.db.uow(), None, email=email, password="bench password 1", role="rep",
                        team_name="Bench", display_name=f"Bench Rep {i}").actor()
            for i, email in enumerate(rep_emails(), start=1)]
    assignment.create_rule(bench.db.uow(), manager, {
        "name": "Bench round robin", "strategy": "round_robin", "assignee_ids": [r.user_id for r in reps],
    })
    set_active_by_email(bench.db.uow(), rep_emails()[-1], False)
    return reps[:-1]


def owners(bench: BenchDatabase) -> dict[str, int]:
    """Leads per owner email after the load (shows the rule routed them and skipped the deactivated rep)."""
    with bench.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT coalesce(u.email, '(none)'), count(*) FROM leads l LEFT JOIN users u ON u.id = l.owner_id "
            "GROUP BY 1 ORDER BY 1")).all()
    return {str(email): int(n) for email, n in rows}


def seed_tasks(bench: BenchDatabase, team_id: int, tasks: int) -> int:
    """``tasks`` open tasks on the team's owned leads, assigned to each lead's owner and due from 30 days ago
    to 60 days ahead; one activity on every tenth of those leads. Plain SQL: this is data, not the timed part."""
    minutes = "(l.id % 129600) * interval '1 minute'" if bench.dialect == "postgresql" else None
    with bench.engine.begin() as conn:
        if bench.dialect == "postgresql":
            due = f"now() - interval '30 days' + {minutes}"
            occurred = "now() - interval '20 days' + (l.id % 20) * interval '1 day'"
        else:
            due = "datetime('now', '-30 days', printf('+%d minutes', l.id % 129600))"
            occurred = "datetime('now', printf('-%d days', l.id % 20))"
        picked = ("SELECT l.id, l.owner_id FROM leads l WHERE l.team_id = :t AND l.owner_id IS NOT NULL "
                  "AND l.is_active ORDER BY l.id LIMIT :n")
        conn.execute(text(
            "INSERT INTO lead_tasks (lead_id, team_id, assignee_id, created_by, title, due_at, snoozed) "
            f"SELECT l.id, :t, l.owner_id, l.owner_id, 'Follow up', {due}, 0 FROM ({picked}) l"),
            {"t": team_id, "n": tasks})
        conn.execute(text(
            "INSERT INTO lead_activities (lead_id, team_id, user_id, kind, outcome, occurred_at) "
            f"SELECT l.id, :t, l.owner_id, 'call', 'no answer', {occurred} FROM ({picked}) l WHERE l.id % 10 = 0"),
            {"t": team_id, "n": tasks})
        # what log_activity keeps on the lead (My work's quiet list reads it)
        conn.execute(text("UPDATE leads SET last_touch_at = (SELECT max(a.occurred_at) FROM lead_activities a "
                          "WHERE a.lead_id = leads.id) WHERE id IN (SELECT lead_id FROM lead_activities)"))
        n = conn.execute(text("SELECT count(*) FROM lead_tasks")).scalar_one()
    if bench.dialect == "postgresql":
        with bench.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.execute(text("VACUUM (ANALYZE) lead_tasks"))
            conn.execute(text("VACUUM (ANALYZE) lead_activities"))
    return int(n)


def my_work(bench: BenchDatabase, rep: Actor, *, budget_s: float) -> Samples:
    """The whole My work page for one rep (overdue, today, upcoming, untouched, quiet), no cache."""
    def page(i: int) -> Any:
        return my_work_lists(bench.db.uow(), rep)

    return sample(page, warmup=2, min_n=10, max_n=200, budget_s=budget_s)
