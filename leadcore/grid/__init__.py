"""The leads grid's read side: filters, free-text search, sort and server-side pages (``listing``), statements compiled
once per shape (``prepared``), the filter widgets' options, and the streamed, formula-safe CSV export.

Reads only; edits go through leadcore.leads.
"""
