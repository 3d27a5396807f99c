"""Working the leads already stored: create, read, edit with optimistic concurrency, notes, soft delete and restore
(``edits``), changes to many leads at once (``bulk``), lead → contact/company conversion (``conversion``), and the
plain views services return (``views``).
"""
