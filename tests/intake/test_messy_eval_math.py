"""The messy dedupe evaluation: its pairwise F1 arithmetic, its generator, and our clustering's score on it."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from leadcore.intake.candidates import SHORT_FIELD_MAX, LeadCandidate
from leadcore.intake.dedupe import cluster, is_plausible_email, match_keys
from tests.messy.evaluate import pairwise_scores, read_report, scores_from_labels, write_report
from tests.messy.generate import HEADER, generate, read_rows

TRUTH = {1: "a", 2: "a", 3: "a", 4: "b", 5: "b", 6: "c", 7: None, 8: None}


@pytest.mark.parametrize(
    "predicted, precision, recall, invalid_accepted",
    [
        # Perfect: 3 pairs in a, 1 in b.
        ({1: "x", 2: "x", 3: "x", 4: "y", 5: "y", 6: "z", 7: None, 8: None}, 1.0, 1.0, 0),
        # Everything in one cluster: 15 predicted pairs among 6 valid rows, 4 of them right.
        ({1: "x", 2: "x", 3: "x", 4: "x", 5: "x", 6: "x"}, 4 / 15, 1.0, 0),
        # All singletons: no predicted pair, nothing found.
        ({1: "1", 2: "2", 3: "3", 4: "4", 5: "5", 6: "6"}, 1.0, 0.0, 0),
        # a split 2+1, b merged with c: pairs predicted (1,2),(4,5),(4,6),(5,6); right: (1,2),(4,5).
        ({1: "x", 2: "x", 3: "w", 4: "y", 5: "y", 6: "y"}, 2 / 4, 2 / 4, 0),
        # A valid row wrongly rejected is alone; an invalid row accepted is counted, not paired.
        ({1: "x", 2: "x", 3: None, 4: "y", 5: "y", 6: "z", 7: "x", 8: None}, 1.0, 2 / 4, 1),
        # Rows missing from the report are alone too.
        ({1: "x", 2: "x", 4: "y", 5: "y"}, 1.0, 2 / 4, 0),
    ],
)
def test_pairwise_precision_recall(predicted, precision, recall, invalid_accepted):
    s = scores_from_labels(predicted, TRUTH)
    assert s["precision"] == pytest.approx(precision)
    assert s["recall"] == pytest.approx(recall)
    expected_f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    assert s["f1"] == pytest.approx(expected_f1)
    assert s["invalid_accepted"] == invalid_accepted


def test_pair_counts_are_reported():
    s = scores_from_labels({1: "x", 2: "x", 3: "w", 4: "y", 5: "y", 6: "y"}, TRUTH)
    assert (s["true_pairs"], s["predicted_pairs"], s["correct_pairs"]) == (4, 4, 2)
    assert s["valid_rejected"] == 0


def test_scores_with_no_true_pairs_are_perfect_when_nothing_merges():
    s = scores_from_labels({1: "1", 2: "2"}, {1: "a", 2: "b"})
    assert (s["precision"], s["recall"], s["f1"]) == (1.0, 1.0, 1.0)


def test_cluster_labels_are_compared_as_partitions_not_by_name():
    # The same partition under other label names scores the same.
    a = scores_from_labels({1: "x", 2: "x", 3: "x", 4: "y", 5: "y", 6: "z"}, TRUTH)
    b = scores_from_labels({1: "17", 2: "17", 3: "17", 4: "3", 5: "3", 6: "99"}, TRUTH)
    assert a == b


def test_pairwise_scores_read_the_dry_run_report(tmp_path: Path):
    report = tmp_path / "report.csv"
    write_report(
        report,
        {
            1: ("new", "1", ""),
            2: ("duplicate_in_file", "1", ""),
            3: ("duplicate_in_file", "1", ""),
            4: ("new", "4", ""),
            5: ("duplicate_existing", "4", ""),
            6: ("new", "6", ""),
            7: ("invalid", None, "needs a name or an email"),
            8: ("new", "8", ""),
        },
    )
    with open(report, newline="") as f:
        assert next(csv.reader(f)) == ["row_number", "outcome", "cluster", "reason"]
    assert read_report(report)[7] is None
    s = pairwise_scores(report, TRUTH)
    assert (s["precision"], s["recall"], s["f1"], s["invalid_accepted"]) == (1.0, 1.0, 1.0, 1)


@pytest.mark.parametrize(
    "body, message",
    [
        ("1,merged,1,\n", "unknown outcome"),
        ("1,new,,\n", "without a cluster"),
        ("99,new,1,\n", "not in the truth"),
    ],
)
def test_pairwise_scores_refuse_a_malformed_report(tmp_path: Path, body, message):
    report = tmp_path / "report.csv"
    report.write_text("row_number,outcome,cluster,reason\n" + body)
    with pytest.raises(ValueError, match=message):
        pairwise_scores(report, TRUTH)


@pytest.fixture(scope="module")
def messy(tmp_path_factory) -> tuple[Path, dict[int, str | None]]:
    path = tmp_path_factory.mktemp("messy") / "messy.csv"
    return path, generate(path, seed=7)


def test_generator_writes_about_3000_rows_with_the_camelcase_header(messy):
    path, truth = messy
    with open(path, newline="", encoding="utf-8") as f:
        assert next(csv.reader(f)) == HEADER
    rows = read_rows(path)
    assert 2700 <= len(rows) <= 3300
    assert sorted(truth) == list(range(1, len(rows) + 1))
    invalid = sum(1 for e in truth.values() if e is None)
    assert 0.04 <= invalid / len(rows) <= 0.06
    entities = [e for e in truth.values() if e is not None]
    assert len(set(entities)) < len(entities)  # there are duplicates to find


def test_generator_is_deterministic(tmp_path: Path):
    a, b, c = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    assert generate(a, n_entities=200, seed=3) == generate(b, n_entities=200, seed=3)
    assert a.read_bytes() == b.read_bytes()
    generate(c, n_entities=200, seed=4)
    assert a.read_bytes() != c.read_bytes()


def test_generator_scales_for_performance_runs(tmp_path: Path):
    truth = generate(tmp_path / "big.csv", n_entities=3000, seed=1, first_row_number=2)
    assert min(truth) == 2
    assert len(truth) > 6_000
    assert len(read_rows(tmp_path / "big.csv")) == len(truth)


def _spec_reasons(row: dict[str, str]) -> list[str]:
    """SPEC §5 validation, restated here so the generator's labels are checked independently."""
    reasons = []
    if not row["leadName"].strip() and not row["email"].strip():
        reasons.append("no name or email")
    if row["email"].strip() and not is_plausible_email(row["email"].strip()):
        reasons.append("email")
    if row["type"].strip() and row["type"].strip().upper() not in ("INDIVIDUAL", "COMPANY"):
        reasons.append("type")
    score = row["leadScore"].strip()
    if score and not (score.isdigit() and 0 <= int(score) <= 100):
        reasons.append("score")
    if any(len(v) > SHORT_FIELD_MAX for k, v in row.items() if k not in ("leadScore", "type")):
        reasons.append("too long")
    return reasons


def test_generator_labels_exactly_the_invalid_rows_invalid(messy):
    path, truth = messy
    for number, row in enumerate(read_rows(path), start=1):
        assert bool(_spec_reasons(row)) == (truth[number] is None), (number, row)


def _candidate(row: dict[str, str]) -> LeadCandidate:
    v = {k: (x.strip() or None) for k, x in row.items()}
    return LeadCandidate(
        type=(v["type"] or "INDIVIDUAL").upper(),
        lead_name=v["leadName"],
        email=v["email"],
        phone=v["phone"],
        job_title=v["jobTitle"],
        company=v["company"],
        location=v["location"],
        industry=v["industry"],
        website=v["website"],
        linkedin_url=v["linkedinLink"],
    )


def test_dedupe_keys_cluster_the_messy_file_precisely(messy, tmp_path: Path):
    """Our match_keys + cluster over the valid rows: precision >= 0.99 and F1 >= 0.97."""
    path, truth = messy
    valid = [(n, _candidate(row)) for n, row in enumerate(read_rows(path), start=1) if truth[n] is not None]
    labels = cluster([(c.type, match_keys(c)) for _, c in valid])
    report: dict[int, tuple[str, str | None, str]] = {
        n: ("invalid", None, "invalid") for n, e in truth.items() if e is None
    }
    first: set[int] = set()
    for (n, _), label in zip(valid, labels, strict=True):
        report[n] = ("duplicate_in_file" if label in first else "new", str(valid[label][0]), "")
        first.add(label)
    write_report(tmp_path / "report.csv", report)
    s = pairwise_scores(tmp_path / "report.csv", truth)
    assert s["invalid_accepted"] == 0
    assert s["precision"] >= 0.99, s
    assert s["f1"] >= 0.97, s
