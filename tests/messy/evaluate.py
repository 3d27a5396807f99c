"""Pairwise precision / recall / F1 of a dedupe dry-run report against the generator's truth.

A pair of valid rows is *predicted* the same lead when the report gives both the same ``cluster``
value, and *truly* the same when the truth gives both the same entity id. Rows the truth marks
invalid (``None``) take no part in pairs; each of them the report did not mark ``invalid`` counts
in ``invalid_accepted``. A valid row the report rejected (or left out) is its own singleton.

Report format: header ``row_number,outcome,cluster,reason``; outcome is one of ``new``,
``duplicate_in_file``, ``duplicate_existing``, ``invalid``; ``cluster`` is empty for invalid rows.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Hashable, Mapping
from pathlib import Path

OUTCOMES = ("new", "duplicate_in_file", "duplicate_existing", "invalid")


def _pairs(counts: Counter[Hashable]) -> int:
    return sum(n * (n - 1) // 2 for n in counts.values())


def scores_from_labels(
    predicted: Mapping[int, Hashable | None], truth: Mapping[int, str | None]
) -> dict[str, float | int]:
    """Scores when ``predicted`` maps each row number to its cluster, or None for a rejected row."""
    valid = [row for row, entity in truth.items() if entity is not None]
    # A rejected or missing valid row is predicted alone: give it a label no other row has.
    label = {row: ("cluster", predicted[row]) if predicted.get(row) is not None else ("alone", row) for row in valid}
    true_pairs = _pairs(Counter(truth[row] for row in valid))
    predicted_pairs = _pairs(Counter(label[row] for row in valid))
    both = _pairs(Counter((truth[row], label[row]) for row in valid))
    precision = both / predicted_pairs if predicted_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "invalid_accepted": sum(
            1 for row, entity in truth.items() if entity is None and predicted.get(row) is not None
        ),
        "valid_rejected": sum(1 for row in valid if predicted.get(row) is None),
        "true_pairs": true_pairs,
        "predicted_pairs": predicted_pairs,
        "correct_pairs": both,
    }


def read_report(report_csv_path: str | Path) -> dict[int, str | None]:
    """``{row_number: cluster}`` from a dry-run report; None for rows marked invalid."""
    predicted: dict[int, str | None] = {}
    with open(report_csv_path, newline="", encoding="utf-8") as f:
        for rec in csv.DictReader(f):
            outcome = (rec.get("outcome") or "").strip()
            if outcome not in OUTCOMES:
                raise ValueError(f"row {rec.get('row_number')}: unknown outcome {outcome!r}")
            cluster = (rec.get("cluster") or "").strip()
            predicted[int(rec["row_number"])] = None if outcome == "invalid" else (cluster or None)
            if outcome != "invalid" and not cluster:
                raise ValueError(f"row {rec['row_number']}: outcome {outcome} without a cluster")
    return predicted


def pairwise_scores(report_csv_path: str | Path, truth: Mapping[int, str | None]) -> dict[str, float | int]:
    """Precision, recall, F1 over pairs of valid rows, and how many invalid rows were accepted."""
    predicted = read_report(report_csv_path)
    unknown = set(predicted) - set(truth)
    if unknown:
        raise ValueError(f"report rows not in the truth (row numbering off?): {sorted(unknown)[:5]}")
    return scores_from_labels(predicted, truth)


def write_report(path: str | Path, rows: Mapping[int, tuple[str, str | None, str]]) -> None:
    """Write ``{row_number: (outcome, cluster, reason)}`` in the dry-run report format."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["row_number", "outcome", "cluster", "reason"])
        for row_number in sorted(rows):
            outcome, cluster, reason = rows[row_number]
            writer.writerow([row_number, outcome, cluster or "", reason])
