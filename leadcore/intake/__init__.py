"""How a lead enters the database, whichever way it comes (provider, file, form, API): the candidate's shape
(``candidates``), the row rules (``validation``), the dedupe keys (``dedupe``, ``domains``) and the matcher:
``matcher.save_batch`` plans a batch (``plan``, over ``lookup`` of the stored leads), merges duplicates by the fill
policy (``merging``) and writes through the engine's bulk writers (``writes``).

May import work (routing at save), scoring (a new lead is scored on save), events, accounts, db, inputs.
"""
