"""Storage: engines and the unit of work (one transaction per user action), the models (``db/models/``, one module per
area), column types that behave the same on SQLite and PostgreSQL, faults and deadlock retries, migrations through
Alembic, and engine-neutral backup/restore.

The bottom layer: imports nothing from leadcore but config and errors.
"""
