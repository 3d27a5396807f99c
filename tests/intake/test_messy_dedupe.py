"""End to end dedupe quality: a generated messy file of about 3,000 rows through ``import-csv --dry-run --report``,
scored pairwise against the generator's truth (the bar of issue 2: precision ≥ 0.99, F1 ≥ 0.97, no invalid row
accepted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from leadcore.db.engine import session_factory
from leadcore.db.models import Lead, Team
from leadcore.db.runtime import Database
from tests.messy.evaluate import pairwise_scores
from tests.messy.generate import generate

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("seed", [2024])
def test_messy_file_dry_run_scores_above_the_bar(backends: Any, tmp_path: Path, seed: int) -> None:
    backend = backends["sqlite"]  # a dry run against an empty team: the engine plays no part in the clusters
    backend.clean()
    path = tmp_path / "messy.csv"
    truth = generate(path, n_entities=1250, seed=seed)
    assert 2_500 <= len(truth) <= 3_500
    report = tmp_path / "report.csv"
    p = subprocess.run([sys.executable, "-m", "leadcore", "import-csv", str(path), "--dry-run", "--report",
                        str(report)], cwd=ROOT, env=backend.env(), capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert len(report.read_text(encoding="utf-8").splitlines()) == len(truth) + 1  # one line per data row
    scores = pairwise_scores(report, truth)
    assert scores["invalid_accepted"] == 0, scores
    assert scores["valid_rejected"] == 0, scores
    assert scores["precision"] >= 0.99, scores
    assert scores["f1"] >= 0.97, scores
    db = Database(url=backend.url, engine=backend.engine, sessions=session_factory(backend.engine))
    with db.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Lead)) == 0
        assert uow.session.scalar(select(func.count()).select_from(Team)) == 0
