"""Named errors a user can act on. Pages, the CLI and the API catch these and show ``str(e)``."""

from __future__ import annotations


class LeadcoreError(Exception):
    """Base of every error whose message is meant for a user."""


class NotFound(LeadcoreError):
    """The record does not exist, or is not visible to this user (another team's data looks absent)."""


class PermissionDenied(LeadcoreError):
    """The user may see the record but not do this to it."""


class InvalidInput(LeadcoreError):
    """Bad input; the message names the field and the reason. Nothing was changed."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class StaleLead(LeadcoreError):
    """Someone changed the lead since it was read; nothing was written."""

    def __init__(self, message: str, *, lead_id: int, current_version: int,
                 conflicts: dict[str, tuple[object, object]] | None = None) -> None:
        super().__init__(message)
        self.lead_id = lead_id
        self.current_version = current_version
        self.conflicts = conflicts or {}  # field -> (yours, theirs): the same field changed by someone else


class AuthError(LeadcoreError):
    """Login or token failed (wrong credentials, inactive user, throttled)."""


class DatabaseBusy(LeadcoreError):
    """The database is locked or unreachable right now; trying again shortly should work."""


class ProviderError(LeadcoreError):
    """A discovery provider failed in a way the user can act on (bad key, rate limit, outage)."""

    def __init__(self, message: str, *, status_code: int | None = None, retryable: bool = False) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.retryable = retryable
