"""Isolation between teams and values nobody asked to change, on both engines.

A team's leads look absent to every other team (never "forbidden": that would confirm they exist), and a value a
person or a provider gave is never silently replaced by the app.
"""

from __future__ import annotations

import csv
import io

import pytest

from leadcore import events
from leadcore.analytics import dashboard
from leadcore.db.runtime import Database
from leadcore.errors import NotFound
from leadcore.grid import export, listing
from leadcore.grid.filters import LeadFilters
from leadcore.intake.candidates import LeadCandidate
from leadcore.leads import bulk, conversion, edits
from leadcore.scoring import rescoring
from tests.reliability.support import lead, user


def test_another_teams_lead_is_invisible_to_every_service(db: Database) -> None:
    ours = user(db, "manager", team="Ours")
    rival = user(db, "admin", team="Rivals")  # even an admin of another team
    lead_id = lead(db, ours, lead_name="Secret Prospect", email="secret@prospect.io")
    version = edits.get_lead(db.uow(), ours, lead_id)["version"]
    attempts = {
        "read": lambda: edits.get_lead(db.uow(), rival, lead_id),
        "edit": lambda: edits.update_lead(db.uow(), rival, lead_id, {"status": "REJECTED"}, expected_version=version),
        "delete": lambda: edits.delete_lead(db.uow(), rival, lead_id),
        "note": lambda: edits.add_note(db.uow(), rival, lead_id, "hi"),
        "timeline": lambda: events.timeline(db.uow(), rival, lead_id),
        "import": lambda: conversion.import_lead(db.uow(), rival, lead_id),
    }
    for name, attempt in attempts.items():
        with pytest.raises(NotFound):
            attempt()
        assert name
    outcome = bulk.bulk_update(db.uow(), rival, [lead_id], bulk.BulkChange(status="REJECTED", delete=False))
    assert (outcome.updated, outcome.not_found) == (0, 1)
    assert conversion.bulk_import(db.uow(), rival, [lead_id]).not_found == 1
    assert listing.list_leads(db.uow(), rival).total == 0
    assert listing.list_leads(db.uow(), rival, LeadFilters(q="Secret")).total == 0
    assert list(csv.reader(io.StringIO("".join(export.export_csv(db.uow(), rival)))))[1:] == []
    assert dashboard.summary(db.uow(), rival, dashboard.AnalyticsFilters())  # answers, about its own team only
    # The same person found by the rival team is their own lead, not a merge into ours.
    theirs = edits.create_lead(db.uow(), rival, LeadCandidate(lead_name="Secret Prospect", email="SECRET@prospect.io"))
    assert (theirs.saved, theirs.duplicates) == (1, 0)
    after = edits.get_lead(db.uow(), ours, lead_id)
    assert (after["status"], after["version"], after["is_active"]) == ("NEW", version, True)


def test_a_given_score_survives_rescoring(db: Database, backend, request) -> None:
    """A score the provider or the file gave is not ours to recompute; only computed scores are re-scored."""
    manager = user(db, "manager")
    given = edits.create_lead(db.uow(), manager, LeadCandidate(lead_name="Given", email="given@x.io", lead_score=70))
    computed = lead(db, manager)
    rescoring.rescore_team(db.uow(), manager)
    assert edits.get_lead(db.uow(), manager, given.lead_ids[0])["lead_score"] == 70
    assert edits.get_lead(db.uow(), manager, computed)["lead_score"] is not None


def test_a_duplicate_never_overwrites_what_a_person_edited(db: Database) -> None:
    manager = user(db, "manager")
    lead_id = lead(db, manager, lead_name="Ann Lee", email="ann@acme.io", job_title=None, phone=None)
    version = edits.get_lead(db.uow(), manager, lead_id)["version"]
    edits.update_lead(db.uow(), manager, lead_id, {"job_title": "CTO (confirmed by phone)"}, expected_version=version)
    again = edits.create_lead(db.uow(), manager, LeadCandidate(lead_name="Ann Lee", email="ANN@acme.io",
                                                               job_title="Engineer", phone="+49 30 1234567"))
    assert (again.saved, again.duplicates) == (0, 1)
    got = edits.get_lead(db.uow(), manager, lead_id)
    assert got["job_title"] == "CTO (confirmed by phone)"  # the person's edit wins
    assert got["phone"] == "+49 30 1234567"  # an empty field is filled
