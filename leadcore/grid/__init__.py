"""The leads grid's read side: server-side pages (``listing``) built from the SQL of filters, sorts and cursors
(``clauses``), PostgreSQL's free-text search (``search``), true totals (``totals``), the filter widgets' options,
and the streamed, formula-safe CSV export.

Reads only; edits go through leadcore.leads.
"""
