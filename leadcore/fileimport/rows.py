"""A file's rows as lead candidates: the mapping applied, other tools' values turned into ours (see
:mod:`~leadcore.fileimport.values`), and every cell that did not land in a lead field kept on the raw record."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from leadcore.errors import InvalidInput
from leadcore.fileimport.mapping import (
    OPT_OUT_FIELD,
    column_ranks,
    compose_parts,
    guess_mapping,
    mapped_cells,
    opted_out,
)
from leadcore.fileimport.presets import Format, detect_format, format_by_key
from leadcore.fileimport.reading import Table
from leadcore.fileimport.values import (
    IMPORT_STATUSES,
    google_labels,
    is_phone,
    split_list,
    status_for,
    type_for,
    unguard,
)
from leadcore.intake.candidates import LEAD_TYPES, LeadCandidate
from leadcore.intake.validation import validate_fields

_LINKEDIN_PROFILE = re.compile(r"(^|[/.])linkedin\.com/(in|pub|company)/", re.IGNORECASE)
_WHOLE = re.compile(r"[0-9]+", re.ASCII)


@dataclass
class ImportSpec:
    """How a table is read: the column mapping, the recognised format and the user's status value choices."""

    mapping: dict[str, str | None]
    fmt: Format | None = None
    status_map: dict[str, str] = field(default_factory=dict)
    ranks: dict[str, int] = field(default_factory=dict)


def make_spec(
    table: Table,
    mapping: Mapping[str, str | None] | None = None,
    *,
    fmt: str | None = None,
    status_map: Mapping[str, str] | None = None,
    overrides: Mapping[str, str | None] | None = None,
) -> ImportSpec:
    """The spec for ``table``: the format detected (or named by ``fmt``), its mapping unless ``mapping`` is given,
    with ``overrides`` (header → field or None) applied on top. InvalidInput when no column gives a name, an email
    or a company, or an override names a header the file lacks."""
    chosen = format_by_key(fmt) if fmt else detect_format(table.headers)
    if fmt and chosen is None:
        raise InvalidInput(f"unknown format {fmt!r}", field="format")
    out = dict(mapping) if mapping is not None else guess_mapping(table.headers, chosen)
    for header, target in (overrides or {}).items():
        match = next((h for h in table.headers if h.casefold() == header.strip().casefold()), None)
        if match is None:
            raise InvalidInput(f"--map {header!r}: the file has no such column (its columns: "
                               f"{', '.join(table.headers[:12])}{' …' if len(table.headers) > 12 else ''})",
                               field="mapping")
        out[match] = target
    fields = set(out.values())
    if not fields & {"lead_name", "email", "company", "first_name", "last_name", "middle_name"}:
        raise InvalidInput(f"No column maps to a name, an email or a company (header taken from row "
                           f"{table.header_row}: {table.header_reason}); map at least one of them")
    return ImportSpec(out, chosen, dict(status_map or {}), column_ranks(table.headers, chosen))


@dataclass
class BuiltRow:
    """One data row read through a spec: blank, invalid (``reason``) or a candidate, with warnings (``notes``)."""

    candidate: LeadCandidate | None = None
    reason: str | None = None
    blank: bool = False
    notes: list[str] = field(default_factory=list)
    lead_id: int | None = None  # our export's ``id`` column
    version: int | None = None
    present: dict[str, Any] = field(default_factory=dict)  # update mode: the mapped fields' clean values
    status_original: str | None = None
    opted_out: bool = False  # its unsubscribe / do-not-contact column says yes


def status_values(table: Table, spec: ImportSpec) -> dict[str, int]:
    """The distinct status values of the file (as written) and how many rows carry each."""
    cols = [i for i, h in enumerate(table.headers) if spec.mapping.get(h) == "status"]
    out: dict[str, int] = {}
    for row in table.rows:
        for i in cols:
            value = unguard(row[i]).strip()
            if value:
                out[value] = out.get(value, 0) + 1
                break
    return out


def resolve_status(value: str, spec: ImportSpec) -> str | None:
    """Our status for a file value: ours as written (IMPORTED aside), the user's map, then the defaults."""
    upper = value.strip().upper()
    if upper in IMPORT_STATUSES and value.strip() not in spec.status_map:
        return upper
    return status_for(value, spec.status_map)


def build_rows(table: Table, spec: ImportSpec) -> list[BuiltRow]:
    return [build_row(row, table.headers, spec) for row in table.rows]


def build_row(row: list[str], headers: list[str], spec: ImportSpec) -> BuiltRow:
    if not any(cell.strip() for cell in row):
        return BuiltRow(blank=True)
    out = BuiltRow()
    cells = [unguard(c) for c in row]
    own_export = spec.fmt is not None and spec.fmt.key == "leadcore"
    values: dict[str, str] = {}
    extra: dict[str, Any] = {}
    used: set[str] = set()
    for name, cell, header in mapped_cells(cells, headers, spec.mapping, spec.ranks):
        used.add(header)
        if name == "tags" and spec.fmt is not None and spec.fmt.key.startswith("google"):
            values[name] = google_labels(cell)
        elif name == "tags" and ":::" in cell:
            values[name] = "; ".join(split_list(cell))
        elif ":::" in cell and name != "notes":
            values[name] = split_list(cell)[0]
            extra[header] = cell
        else:
            values[name] = cell
    website = values.get("website", "").strip()
    if website and _LINKEDIN_PROFILE.search(website) and not values.get("linkedin_url", "").strip():
        values["linkedin_url"], values["website"] = website, ""
    compose_parts(values)
    out.opted_out = opted_out(values.pop(OPT_OUT_FIELD, None))
    _identity(values, out)
    _status_and_type(values, spec, out, extra)
    phone = values.get("phone", "").strip()
    if phone and not is_phone(phone):
        extra["phone"] = phone
        values["phone"] = ""
        out.notes.append(f"phone {phone[:40]!r} has no digits: kept in the raw record, not as the phone")
    if not values.get("lead_name", "").strip() and not values.get("email", "").strip():
        company = values.get("company", "").strip()
        if company:
            values["lead_name"] = company
            if not values.get("type", "").strip():
                values["type"] = "COMPANY"
    if out.reason:
        return out
    result = validate_fields(values)
    if result.candidate is None:
        out.reason = result.reason
        return out
    if not own_export:  # every other cell (a second email, an unmapped column) is kept on the raw record
        for i, header in enumerate(headers):
            cell = cells[i].strip() if i < len(cells) else ""
            if cell and header not in used:
                extra.setdefault(header, cell)
    raw: dict[str, Any] = {}
    if extra:
        raw["import"] = extra
    if out.status_original is not None:
        raw["status_original"] = out.status_original
    result.candidate.raw_data = raw or None
    out.candidate = result.candidate
    c = result.candidate
    out.present = {name: _clean_value(c, name) for name in _present_fields(values)}
    return out


def _present_fields(values: Mapping[str, str]) -> list[str]:
    keep = ("type", "lead_name", "email", "phone", "job_title", "company", "location", "headquarters", "industry",
            "website", "linkedin_url", "lead_score", "notes", "tags", "status")
    return [name for name in keep if name in values]


def _clean_value(c: LeadCandidate, name: str) -> Any:
    value = getattr(c, name)
    return list(value) if name == "tags" else value


def _identity(values: dict[str, str], out: BuiltRow) -> None:
    for name in ("id", "version"):
        raw = values.pop(name, "").strip()
        if not raw:
            continue
        if not _WHOLE.fullmatch(raw):
            out.reason = f"{name} must be a whole number (the lead id of our export), got {raw[:40]!r}"
            return
        setattr(out, "lead_id" if name == "id" else "version", int(raw))


def _status_and_type(values: dict[str, str], spec: ImportSpec, out: BuiltRow, extra: dict[str, Any]) -> None:
    raw_status = values.get("status", "").strip()
    if raw_status:
        status = resolve_status(raw_status, spec)
        if status is None:
            out.notes.append(f"status {raw_status[:40]!r} is not one we know: kept NEW")
            values["status"] = ""
        else:
            values["status"] = status
        if status is None or status != raw_status.upper():
            out.status_original = raw_status
    raw_type = values.get("type", "").strip()
    if raw_type and raw_type.upper() not in LEAD_TYPES:
        kind = type_for(raw_type)
        if kind is None:
            out.notes.append(f"type {raw_type[:40]!r} is not one we know: read as INDIVIDUAL")
            extra["type"] = raw_type
        values["type"] = kind or ""
