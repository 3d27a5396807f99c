"""The rep's day and the manager's routing: assignment rules (applied at intake and on demand), activities logged on
a lead, follow-up tasks, the "My work" lists, saved grid views and each user's time zone.

It sits below ``leadcore.intake`` (the matcher calls :mod:`leadcore.work.routing` inside its save transaction), so it
imports only ``leadcore.events``, ``leadcore.accounts``, ``leadcore.db`` and the shared modules. Moving a lead to
CONTACTED after its first activity is the entry point's call to ``leadcore.leads.edits``.
"""
