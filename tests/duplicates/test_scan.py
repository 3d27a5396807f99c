from __future__ import annotations

from typing import Any

from leadcore.db.runtime import Database
from leadcore.duplicates.queue import dismiss, list_pairs, stats
from leadcore.duplicates.scan import scan_team
from leadcore.duplicates.scoring import MIN_SCORE
from tests.duplicates.generate import generate
from tests.duplicates.helpers import save_rows


def test_generated_set_reaches_precision_and_recall(db: Database, make: Any) -> None:
    """About 1,100 leads, 155 near-duplicate pairs of every kind, 100 look-alike groups: P ≥ 0.95, R ≥ 0.85."""
    manager = make.user("manager")
    labelled = generate(seed=16)
    ids = save_rows(db, manager, labelled.rows)
    truth = set()
    for i, j, _kind in labelled.pairs:
        a, b = ids[i], ids[j]
        assert a is not None and b is not None
        if a != b:  # exact dedupe at intake already made them one
            truth.add((min(a, b), max(a, b)))
    assert len(truth) >= 130  # a few "Last, First" rows share the weak name key and merge at intake
    result = scan_team(db.uow(), manager)
    found = {(p.a, p.b) for p in list_pairs(db.uow(), manager, min_score=MIN_SCORE, limit=10_000)}
    hits = len(found & truth)
    precision, recall = hits / len(found), hits / len(truth)
    assert precision >= 0.95, (precision, sorted(found - truth)[:10])
    assert recall >= 0.85, recall
    assert result.leads == len({i for i in ids if i is not None})


def _p(x: int | None, y: int | None) -> tuple[int, int]:
    assert x is not None and y is not None
    return (min(x, y), max(x, y))


def _people(db: Database, actor: Any) -> list[int | None]:
    return save_rows(db, actor, [
        {"lead_name": "Robert Fischer", "company": "Acme GmbH", "email": "robert.fischer@acme.de",
         "phone": "+49 30 1234567"},
        {"lead_name": "Bob Fischer", "company": "ACME", "email": "bob.fischer@gmail.com", "phone": "030 123-4567"},
        {"lead_name": "Jürgen Köhler", "company": "Globex", "email": "jk@globex.com"},
        {"lead_name": "Juergen Koehler", "company": "Globex AG"},
    ])


def test_dismissed_pairs_stay_dismissed_after_a_rescan(db: Database, make: Any) -> None:
    manager = make.user("manager")
    a, b, c, d = _people(db, manager)
    scan_team(db.uow(), manager)
    assert {(p.a, p.b) for p in list_pairs(db.uow(), manager)} == {_p(a, b), _p(c, d)}
    dismiss(db.uow(), manager, b, a)  # type: ignore[arg-type]  # either order
    scan_team(db.uow(), manager)
    assert {(p.a, p.b) for p in list_pairs(db.uow(), manager)} == {_p(c, d)}
    assert stats(db.uow(), manager) == {"total": 2, "open": 1, "dismissed": 1, "merged": 0}


def test_incremental_scan_pairs_only_new_leads(db: Database, make: Any) -> None:
    manager = make.user("manager")
    a, b, c, d = _people(db, manager)
    scan_team(db.uow(), manager)
    (e,) = save_rows(db, manager, [{"lead_name": "R. Fischer", "company": "Acme", "phone": "+49 (0)30 1234567"}])
    result = scan_team(db.uow(), manager, incremental=True)
    assert result.incremental and result.new_pairs == 2
    pairs = {(p.a, p.b) for p in list_pairs(db.uow(), manager)}
    assert pairs == {_p(a, b), _p(c, d), _p(a, e), _p(b, e)}


def test_other_teams_pairs_are_invisible(db: Database, make: Any) -> None:
    manager = make.user("manager")
    _people(db, manager)
    scan_team(db.uow(), manager)
    outsider = make.user("manager", team="Other")
    assert list_pairs(db.uow(), outsider) == []


def test_a_new_lead_like_another_reps_lead_warns_who_owns_it(db: Database, make: Any) -> None:
    from leadcore.duplicates.queue import hidden_lookalikes
    from leadcore.leads.bulk import BulkChange, bulk_update

    manager = make.user("manager")
    rep, other = make.user("rep"), make.user("rep", name="Olga Owner")
    (lead,) = save_rows(db, manager, [{"lead_name": "Robert Fischer", "company": "Acme GmbH",
                                       "phone": "+49 30 1234567"}])
    assert lead is not None
    bulk_update(db.uow(), manager, [lead], BulkChange().with_owner(other.user_id))
    probe = {"type": "INDIVIDUAL", "lead_name": "Bob Fischer", "company": "ACME", "phone": "030 123-4567"}
    (warning,) = hidden_lookalikes(db.uow(), rep, probe)
    assert f"Lead {lead}" in warning and "owned by Olga Owner" in warning
    assert hidden_lookalikes(db.uow(), manager, probe) == []  # a manager may edit it: no warning
    assert hidden_lookalikes(db.uow(), rep, {"type": "INDIVIDUAL", "lead_name": "Ann Lee"}) == []
