"""Saved mapping presets: a team's column mapping and status / type value maps for one set of file headers.

A file is recognised by its header set: the headers' keys (``mapping._key``: lowercase, letters and digits only),
deduplicated and sorted, hashed with SHA-256 (:func:`header_signature`), so column order, case and punctuation do
not matter. One preset per header set per team: saving again for the same set updates it. Not to be confused with
``presets`` (the built-in export *formats*). The functions taking a ``Session`` leave committing to the caller; the
``*_for`` ones run one unit of work each (the Import page and ``import-csv`` use those).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from leadcore.accounts.actors import Actor
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import ImportMapping, User
from leadcore.errors import InvalidInput
from leadcore.fileimport.mapping import MAPPABLE_FIELDS, _key, guess_mapping
from leadcore.fileimport.presets import Format
from leadcore.fileimport.values import IMPORT_STATUSES
from leadcore.inputs import has_nul
from leadcore.intake.candidates import LEAD_TYPES

NAME_MAX = 200


class InvalidMapping(InvalidInput, ValueError):
    """A preset that cannot be saved (unknown field, status or type; a header not in the file; no name)."""


@dataclass(frozen=True)
class SavedMapping:
    id: int
    team_id: int
    name: str
    header_signature: str
    headers: list[str]
    mapping: dict[str, str | None]
    status_map: dict[str, str]
    type_map: dict[str, str]
    created_by: int | None
    created_by_name: str | None
    created_at: datetime | None
    updated_at: datetime | None


def provenance(saved: SavedMapping) -> str:
    """"saved by Ada Admin on 2026-12-06", or "saved on …" when no user saved it (the CLI) or that user is gone."""
    who = f" by {saved.created_by_name}" if saved.created_by_name else ""
    when = saved.updated_at.strftime("%Y-%m-%d") if saved.updated_at else "an earlier day"
    return f"saved{who} on {when}"


def header_signature(headers: Sequence[str]) -> str:
    """The stable hash of a header set: sorted, deduplicated normalised keys (blank keys left out)."""
    keys = sorted({_key(h) for h in headers} - {""})
    return hashlib.sha256("\x1f".join(keys).encode()).hexdigest()


def check(headers: Sequence[str], mapping: Mapping[str, str | None], status_map: Mapping[str, str] | None = None,
          type_map: Mapping[str, str] | None = None, name: str = "") -> None:
    """InvalidMapping (a ValueError) when this preset could not be saved; nothing is touched."""
    _clean(headers, mapping, status_map, type_map, name)


def _clean(headers: Sequence[str], mapping: Mapping[str, str | None], status_map: Mapping[str, str] | None,
           type_map: Mapping[str, str] | None, name: str) -> tuple[str, dict[str, str | None], dict[str, str],
                                                                  dict[str, str]]:
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX or has_nul(name):
        raise InvalidMapping(f"Give the mapping a name (up to {NAME_MAX} characters)", field="name")
    if not [h for h in headers if _key(h)]:
        raise InvalidMapping("A mapping needs the file's column headers", field="headers")
    known = set(headers)
    clean_map: dict[str, str | None] = {}
    for header, field in mapping.items():
        if header not in known:
            raise InvalidMapping(f"Column {header!r} is not one of the file's headers", field="mapping")
        if field is not None and field not in MAPPABLE_FIELDS:
            raise InvalidMapping(f"Column {header!r}: {field!r} is not a field; use one of "
                                 f"{', '.join(MAPPABLE_FIELDS)} or ignore", field="mapping")
        clean_map[str(header)] = field
    return (name, clean_map, _value_map(status_map, IMPORT_STATUSES, "Status", "status_map"),
            _value_map(type_map, LEAD_TYPES, "Type", "type_map"))


def _value_map(given: Mapping[str, str] | None, allowed: Sequence[str], what: str, field: str) -> dict[str, str]:
    """A file value → lead value map whose every target is one of ``allowed``."""
    out: dict[str, str] = {}
    for value, target in (given or {}).items():
        if target not in allowed:
            raise InvalidMapping(f"{what} value {value!r}: {target!r} must be one of {', '.join(allowed)}",
                                 field=field)
        out[str(value)] = target
    return out


def applied(saved: SavedMapping, headers: Sequence[str],
            fallback: Mapping[str, str | None]) -> dict[str, str | None]:
    """The preset's mapping for this file's headers (matched by key, so "E-mail" finds "email"); a header the preset
    does not name keeps its ``fallback`` field."""
    by_key = {_key(h): f for h, f in saved.mapping.items()}
    return {h: by_key[_key(h)] if _key(h) in by_key else fallback.get(h) for h in headers}


def starting_mapping(headers: Sequence[str], fmt: Format | None, saved: SavedMapping | None
                     ) -> dict[str, str | None]:
    """The mapping a file starts from: the guess for its export format ``fmt``, with the team's ``saved`` mapping
    for its columns over it (the Import page's defaults, and ``import-csv``'s before ``--map``)."""
    guessed = guess_mapping(headers, fmt)
    return applied(saved, headers, guessed) if saved is not None else guessed


def _presets(session: Session, team_id: int, *where: ColumnElement[bool]) -> list[SavedMapping]:
    """The team's presets that meet ``where``, by name, with their creators' names: the one read every other
    function here goes through (one statement)."""
    rows = session.execute(select(ImportMapping, User.display_name)
                           .outerjoin(User, User.id == ImportMapping.created_by)
                           .where(ImportMapping.team_id == team_id, *where)
                           .order_by(ImportMapping.name, ImportMapping.id))
    return [SavedMapping(id=row.id, team_id=row.team_id, name=row.name, header_signature=row.header_signature,
                         headers=list(row.headers or []), mapping=dict(row.mapping or {}),
                         status_map=dict(row.status_map or {}), type_map=dict(row.type_map or {}),
                         created_by=row.created_by, created_by_name=creator,
                         created_at=row.created_at, updated_at=row.updated_at) for row, creator in rows]


def save_mapping(session: Session, team_id: int, user_id: int | None, headers: Sequence[str],
                 mapping: Mapping[str, str | None], status_map: Mapping[str, str] | None = None,
                 type_map: Mapping[str, str] | None = None, name: str = "") -> SavedMapping:
    """Save the team's preset for this header set, or update the one it has (validated first: nothing is written
    on bad input). The caller commits."""
    name, clean_map, clean_status, clean_type = _clean(headers, mapping, status_map, type_map, name)
    signature = header_signature(headers)
    row = session.scalar(select(ImportMapping).where(ImportMapping.team_id == team_id,
                                                     ImportMapping.header_signature == signature))
    now = datetime.now(UTC)
    if row is None:
        row = ImportMapping(team_id=team_id, header_signature=signature, created_at=now)
        session.add(row)
    row.name, row.headers, row.mapping = name, [str(h) for h in headers], clean_map
    row.status_map, row.type_map, row.created_by, row.updated_at = clean_status, clean_type, user_id, now
    session.flush()
    return _presets(session, team_id, ImportMapping.id == row.id)[0]


def find_mapping(session: Session, team_id: int, headers: Sequence[str]) -> SavedMapping | None:
    """The team's preset for this header set, or ``None`` (a team keeps a handful: its list is read)."""
    return matching(list_mappings(session, team_id), headers)


def list_mappings(session: Session, team_id: int) -> list[SavedMapping]:
    """The team's presets, by name, with their creators' names (one statement)."""
    return _presets(session, team_id)


def matching(presets: Sequence[SavedMapping], headers: Sequence[str]) -> SavedMapping | None:
    """The preset among ``presets`` (a team's list) for this header set, or ``None``: ``find_mapping`` for a caller
    that already holds the list (the Import page)."""
    signature = header_signature(headers)
    return next((p for p in presets if p.header_signature == signature), None)


def delete_mapping(session: Session, team_id: int, mapping_id: int) -> bool:
    """Delete one of the team's presets; ``False`` when the team has no such preset. The caller commits."""
    row = session.get(ImportMapping, mapping_id)
    if row is None or row.team_id != team_id:
        return False
    session.delete(row)
    session.flush()
    return True


def find_for(uow: UnitOfWork, actor: Actor, headers: Sequence[str]) -> SavedMapping | None:
    """:func:`find_mapping` for the actor's team, in its own read-only unit of work."""
    with uow:
        uow.reading()
        return find_mapping(uow.session, actor.team_id, headers)


def list_for(uow: UnitOfWork, actor: Actor) -> list[SavedMapping]:
    """:func:`list_mappings` for the actor's team, in its own read-only unit of work."""
    with uow:
        uow.reading()
        return list_mappings(uow.session, actor.team_id)


def save_for(uow: UnitOfWork, actor: Actor, headers: Sequence[str], mapping: Mapping[str, str | None],
             status_map: Mapping[str, str] | None = None, type_map: Mapping[str, str] | None = None,
             name: str = "") -> SavedMapping:
    """:func:`save_mapping` for the actor's team as one transaction."""
    _clean(headers, mapping, status_map, type_map, name)  # a bad preset costs no transaction
    with uow:
        saved = save_mapping(uow.session, actor.team_id, actor.user_id, headers, mapping, status_map, type_map,
                             name)
        uow.commit()
    return saved


def delete_for(uow: UnitOfWork, actor: Actor, mapping_id: int) -> bool:
    """:func:`delete_mapping` for the actor's team as one transaction."""
    with uow:
        gone = delete_mapping(uow.session, actor.team_id, mapping_id)
        uow.commit()
    return gone
