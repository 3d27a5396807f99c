"""Who is acting, and what each role may do (SPEC §3). Services check these; pages only hide buttons."""

from __future__ import annotations

from dataclasses import dataclass

from leadcore.errors import NotFound, PermissionDenied

ROLES = ("rep", "manager", "admin")


@dataclass(frozen=True)
class Actor:
    """The signed-in user as services see it: plain values, safe to keep in session state."""

    user_id: int | None
    team_id: int
    role: str
    name: str = ""
    email: str = ""

    @property
    def is_manager(self) -> bool:
        """Managers and admins edit any lead of the team, reassign, bulk-edit and purge."""
        return self.role in ("manager", "admin")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def ensure_visible(actor: Actor, team_id: int, what: str, ident: object) -> None:
    """Another team's record looks exactly like a missing one."""
    if team_id != actor.team_id:
        raise NotFound(f"{what} {ident} was not found")


def can_edit_lead(actor: Actor, owner_id: int | None) -> bool:
    """Reps edit their own and unassigned leads; managers and admins edit any lead of the team."""
    return actor.is_manager or owner_id is None or owner_id == actor.user_id


def ensure_can_edit(actor: Actor, lead_id: int, owner_id: int | None, owner_name: str | None = None) -> None:
    if not can_edit_lead(actor, owner_id):
        who = owner_name or "another rep"
        raise PermissionDenied(f"Lead {lead_id} belongs to {who}; only its owner or a manager can change it")


def ensure_can_assign(actor: Actor, new_owner_id: int | None) -> None:
    """Managers assign to anyone; a rep may only claim a lead for themself."""
    if actor.is_manager:
        return
    if new_owner_id is not None and new_owner_id == actor.user_id:
        return
    raise PermissionDenied("Only a manager can assign leads to someone else or unassign them")


def ensure_manager(actor: Actor, action: str) -> None:
    if not actor.is_manager:
        raise PermissionDenied(f"Only a manager can {action}")


def ensure_admin(actor: Actor, action: str) -> None:
    if not actor.is_admin:
        raise PermissionDenied(f"Only an admin can {action}")
