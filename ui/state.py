"""Every session-state key the app uses, in one place. Values are plain data, never ORM objects."""

USER = "lc_user"  # leadcore.accounts.users.UserInfo of the signed-in user
SESSION_ID = "lc_session_id"  # id of the leadcore.accounts.sessions row this browser tab is signed in with
HANDOFF = "lc_session_handoff"  # the one-time code the browser trades for its sign-in cookie
COOKIE_CLEAR = "lc_session_clear"  # after a logout: ask the browser to drop its (already ended) cookie
FLASH = "lc_flash"  # (kind, message) shown once on the next run
GRID_VERSION = "lc_grid_version"  # bumped after a save to reset the editor
GRID_CURSOR_STACK = "lc_grid_cursors"
DISCOVERY_RESULT = "lc_discovery_result"  # leadcore.discovery.runs.DiscoveryResult of the last search run
IMPORT_UPLOAD = "lc_import_upload"  # {"name", "data": bytes, "file_id"} of the file being imported
IMPORT_MAPPING = "lc_import_mapping"  # {header: lead field or None} as last shown
IMPORT_PREVIEW = "lc_import_preview"  # {"mapping", "summary": fileimport.ImportSummary} of the dry run
IMPORT_DONE = "lc_import_done"  # {"name", "search_id", "saved", "duplicates", "invalid"} after the commit
AFTER_LOGIN = "lc_after_login"  # nav key of the page to open right after logging in
IMPORT_TABLE = "lc_import_table"  # leadcore.fileimport.reading.Table parsed from IMPORT_UPLOAD's bytes
DISCOVERY_WATCH = "lc_discovery_watch"  # id of the background search this session started and waits for
DISCOVERY_RERUN = "lc_discovery_rerun"  # id of a past search the user asked to run again
# The leads grid (pages/leads.py, ui/grid.py, ui/widgets.py)
GRID_APPLIED = "lc_grid_applied"  # the URL params the grid's widgets last showed (detects outside URL changes)
GRID_PAGE = "lc_grid_page"  # 1-based page number of the grid
GRID_EDITOR_KEY = "lc_grid_editor_key"  # widget key of the current st.data_editor (tests read it)
GRID_SNAPSHOT = "lc_grid_snapshot"  # {"key": editor key, "page": LeadPage} the rows as the user saw them
GRID_PENDING = "lc_grid_pending"  # a bulk action waiting for its confirmation (plain dict)
GRID_OUTCOME = "lc_grid_outcome"  # what the last save / bulk action did, shown once after the rerun
GRID_UNDO = "lc_grid_undo"  # (batch id, what it did) of the last bulk action, offered as "Undo" once
GRID_OPEN = "lc_grid_open"  # lead id whose "Open" button was clicked
CONFLICTS = "lc_conflicts"  # [ui.grid_actions.Conflict] of the last save, decided with "Keep mine" / "Keep theirs"
LEAD_OUTCOME = "lc_lead_outcome"  # (kind, message) shown once on the lead detail page
ADMIN_NEW_USER_V = "lc_admin_new_user_v"  # bumped after a user is created, to empty the form
CHARTS_PREFETCHED = "lc_charts_prefetched"  # the browser was told to load the chart code in idle time
SSO_TRIED = "lc_sso_tried"  # the identity provider's email last tried for a single sign-on
SSO_REFUSED = "lc_sso_refused"  # why that sign-on was refused, shown on the login page
# Outreach email (ui/outreach.py, pages/outreach.py)
OUTREACH_OUTCOME = "lc_outreach_outcome"  # (kind, message) of the last send / save, shown once after the rerun
OUTREACH_BULK = "lc_outreach_bulk"  # {"template_id", "ids", "confirm_repeat"} of a previewed bulk send
