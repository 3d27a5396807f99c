"""How a lead enters the database, whichever way it comes (provider, file, form, API): the candidate's shape
(``candidates``), the row rules (``validation``), the dedupe keys (``dedupe``, ``domains``) and the matcher that
merges a duplicate into the lead already stored or inserts a new one.

May import scoring (a new lead is scored on save), events, accounts, db.
"""
