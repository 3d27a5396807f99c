"""Duplicate review: the scan for near-duplicates already in a team (``scan``, scored by ``scoring`` from the parts
``names`` makes), the review queue and dismissals (``queue``), field-by-field merge and unmerge (``merge``), and
undoing a whole import or discovery run (``undo``).

May import leadcore.leads, leadcore.intake, leadcore.events, leadcore.accounts, leadcore.db and the shared modules;
only entry points import it.
"""
