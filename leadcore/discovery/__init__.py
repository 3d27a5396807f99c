"""Discovery searches: ``runs`` asks a provider page by page, saves each page through the intake matcher in its own
transaction and records the run in the search history; ``providers/`` turns Apollo.io, Hunter.io and the offline
demo into lead candidates.

Providers never touch the database (an import-linter contract); only ``runs`` writes.
"""
