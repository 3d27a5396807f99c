"""Every session-state key the app uses, in one place. Values are plain data, never ORM objects."""

USER = "lc_user"  # leadcore.users.UserInfo of the signed-in user
LOGIN_AT = "lc_login_at"  # time.time() of the login, for session expiry
FLASH = "lc_flash"  # (kind, message) shown once on the next run
GRID_VERSION = "lc_grid_version"  # bumped after a save to reset the editor
GRID_CURSOR_STACK = "lc_grid_cursors"
DISCOVERY_RESULT = "lc_discovery_result"
IMPORT_UPLOAD = "lc_import_upload"
IMPORT_MAPPING = "lc_import_mapping"
IMPORT_PREVIEW = "lc_import_preview"
IMPORT_DONE = "lc_import_done"
CONFLICTS = "lc_conflicts"
