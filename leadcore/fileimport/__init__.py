"""CSV/Excel import: reading uploaded files in any common dialect and encoding (``reading``), mapping their columns
onto lead fields (``mapping``), and the dry run / commit of the rows through the intake matcher, recorded as a search
run with a per-row report (``importer``). Each team's saved mappings per set of column headers: ``saved_mappings``.
"""
