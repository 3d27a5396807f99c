"""The read side for the Analytics page and /api/analytics: plain SQL aggregates over the team's leads and events
(the PostgreSQL rollup tables where they exist), one snapshot per dashboard, typed rows for the UI.

Reads only: it never writes a lead. May import grid (the shared filters), intake, events, accounts, db.
"""
