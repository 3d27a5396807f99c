"""``python -m leadcore enrich`` as an operator runs it: JSON out, the budget from LEADCORE_ENRICH_MONTHLY_CREDITS,
one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from leadcore.seed import seed_demo

ROOT = Path(__file__).resolve().parents[2]


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "leadcore", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_enrich_json_dry_run_budget_and_second_run(backend: Any, db: Any, make: Any) -> None:
    manager = make.user("manager", team="Acme Sales")
    seed_demo(db.uow(), manager, 20)
    env = backend.env() | {"LEADCORE_ENRICH_MONTHLY_CREDITS": "5", "LEADCORE_DEFAULT_PROVIDER": "demo"}

    dry = cli(env, "enrich", "--team", "acme sales", "--provider", "demo", "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    plan = json.loads(dry.stdout)
    assert plan["candidates"] > 5 and plan["estimatedCredits"] == plan["candidates"] and plan["creditsSpent"] == 0

    capped = cli(env, "enrich", "--team", "ACME SALES", "--provider", "demo", "--json")
    assert capped.returncode == 0, capped.stderr
    out = json.loads(capped.stdout)
    assert {k: out[k] for k in ("candidates", "estimatedCredits", "creditsSpent", "stoppedAtBudget")} == {
        "candidates": plan["candidates"], "estimatedCredits": plan["candidates"], "creditsSpent": 5,
        "stoppedAtBudget": True}
    assert set(out) >= {"candidates", "estimatedCredits", "enriched", "fieldsFilled", "creditsSpent",
                        "stoppedAtBudget", "message"}
    assert out["message"] == f"Stopped at the monthly budget: 5 of 5 credits used; {plan['candidates'] - 5} leads left"

    env["LEADCORE_ENRICH_MONTHLY_CREDITS"] = "1000"
    rest = cli(env, "enrich", "--team", "Acme Sales", "--fields", "phone,linkedin,title,industry,location,email")
    assert rest.returncode == 0, rest.stderr
    assert rest.stdout.startswith("Enriched ") and f"of {plan['candidates'] - 5} leads" in rest.stdout
    again = cli(env, "enrich", "--team", "Acme Sales", "--json")
    assert json.loads(again.stdout)["candidates"] == 0 and json.loads(again.stdout)["enriched"] == 0

    bad = cli(env, "enrich", "--team", "Acme Sales", "--fields", "email,shoe size")
    assert bad.returncode == 1 and bad.stderr.startswith("error: Cannot enrich 'shoe size'")
    missing = cli(env | {"LEADCORE_HUNTER_API_KEY": ""}, "enrich", "--provider", "hunter")
    assert missing.returncode == 1 and missing.stderr.strip() == (
        "error: Hunter.io is not configured: set LEADCORE_HUNTER_API_KEY")
