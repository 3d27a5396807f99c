"""The row rules of SPEC §5, the same on every write path (CSV, providers, manual create, API)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from leadcore.emails import is_plausible_email
from leadcore.inputs import TAG_MAX, has_nul, split_tags, whole_number
from leadcore.intake.candidates import (
    LEAD_TYPES,
    NOTES_MAX,
    SHORT_FIELD_MAX,
    STATUSES,
    TEXT_FIELDS,
    LeadCandidate,
    LeadType,
)

__all__ = ["TAG_MAX", "RowResult", "is_plausible_email", "split_tags", "validate_candidate", "validate_fields"]


@dataclass
class RowResult:
    """A validated candidate, or ``None`` and the reason(s) the row was rejected."""

    candidate: LeadCandidate | None
    reason: str | None

    @property
    def ok(self) -> bool:
        return self.candidate is not None


def validate_fields(values: Mapping[str, str | None]) -> RowResult:
    """Check one row of raw text per lead field; return the clean candidate or every reason it fails.

    Values are stripped and blanks become ``None``. Keys that are not lead fields are ignored.
    A row needs a name or an email whatever its type (SPEC §5). ``raw_data`` is left ``None``
    for the caller to set. Formula-looking text is valid and kept as written.
    """
    clean = {key: _clean(value) for key, value in values.items()}
    reasons: list[str] = []

    lead_type = LeadType.INDIVIDUAL.value
    if clean.get("type") is not None:
        given = clean["type"] or ""
        if given.upper() in LEAD_TYPES:
            lead_type = given.upper()
        else:
            reasons.append(f"type must be INDIVIDUAL or COMPANY, got {_show(given)}")

    text = {name: clean.get(name) for name in TEXT_FIELDS}
    reasons += _text_reasons(text, clean.get("notes"))

    score: int | None = None
    if clean.get("lead_score") is not None:
        raw_score = clean["lead_score"] or ""
        whole = whole_number(raw_score)
        if whole is not None and whole <= 100:
            score = whole
        else:
            reasons.append(f"lead_score must be a whole number 0–100, got {_show(raw_score)}")

    status: str | None = None
    if clean.get("status") is not None:
        given = clean["status"] or ""
        if given.upper() in STATUSES:
            status = given.upper()
        else:
            reasons.append(f"status must be one of {', '.join(STATUSES)}, got {_show(given)}")

    tags = split_tags(clean.get("tags") or "")
    reasons += _tag_reasons(tags)

    if reasons:
        return RowResult(candidate=None, reason="; ".join(reasons))
    candidate = LeadCandidate(
        type=lead_type,
        lead_name=text["lead_name"],
        email=text["email"],
        phone=text["phone"],
        job_title=text["job_title"],
        company=text["company"],
        location=text["location"],
        headquarters=text["headquarters"],
        industry=text["industry"],
        website=text["website"],
        linkedin_url=text["linkedin_url"],
        lead_score=score,
        notes=clean.get("notes"),
        tags=tags,
        status=status,
    )
    return RowResult(candidate=candidate, reason=None)


def validate_candidate(c: LeadCandidate) -> str | None:
    """The reason a candidate built by code breaks the row rules, or ``None`` if it is valid.

    Unlike :func:`validate_fields` nothing is normalised: ``type`` and ``status`` must already be
    upper case, and text is checked as given.
    """
    if _obviously_valid(c):
        return None
    reasons: list[str] = []
    if c.type not in LEAD_TYPES:
        reasons.append(f"type must be INDIVIDUAL or COMPANY, got {_show(str(c.type))}")
    text: dict[str, str | None] = {}
    for name in TEXT_FIELDS:
        value = getattr(c, name)
        if value is not None and not isinstance(value, str):
            reasons.append(f"{name} must be text, got {type(value).__name__}")
            value = None
        text[name] = value or None
    if c.notes is not None and not isinstance(c.notes, str):
        reasons.append(f"notes must be text, got {type(c.notes).__name__}")
    reasons += _text_reasons(text, c.notes if isinstance(c.notes, str) else None)
    score = c.lead_score
    if score is not None and (isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 100):
        reasons.append(f"lead_score must be a whole number 0–100, got {_show(str(score))}")
    if c.status is not None and c.status not in STATUSES:
        reasons.append(f"status must be one of {', '.join(STATUSES)}, got {_show(str(c.status))}")
    if not all(isinstance(tag, str) and tag.strip() and "\x00" not in tag for tag in c.tags):
        reasons.append("tags must be non-empty text without NUL characters")
    else:
        reasons += _tag_reasons(c.tags)
    return "; ".join(reasons) or None


def _obviously_valid(c: LeadCandidate) -> bool:
    """True only when :func:`validate_candidate` would find no reason at all: one pass over the fields for the
    common case (every row of a clean provider page). Anything unusual answers False and gets the full check,
    which words the reasons."""
    if c.type not in LEAD_TYPES:
        return False
    for name in TEXT_FIELDS:
        value = getattr(c, name)
        if value is not None and (type(value) is not str or len(value) > SHORT_FIELD_MAX or has_nul(value)):
            return False
    email = c.email
    if email:
        if not is_plausible_email(email.strip()):
            return False
    elif not (c.lead_name or "").strip():
        return False  # neither a name nor an email
    notes = c.notes
    if notes is not None and (type(notes) is not str or len(notes) > NOTES_MAX or has_nul(notes)):
        return False
    score = c.lead_score
    if score is not None and (type(score) is not int or not 0 <= score <= 100):
        return False
    if c.status is not None and c.status not in STATUSES:
        return False
    return all(type(tag) is str and len(tag) <= TAG_MAX and not has_nul(tag) and tag.strip() for tag in c.tags)


def _text_reasons(text: Mapping[str, str | None], notes: str | None) -> list[str]:
    reasons: list[str] = []
    if not (text.get("lead_name") or "").strip() and not (text.get("email") or "").strip():
        reasons.append("needs a name or an email (for a company, its name goes in the name column)")
    email = text.get("email")
    if email is not None and len(email) <= SHORT_FIELD_MAX and not is_plausible_email(email.strip()):
        reasons.append(f"email {_show(email)} is not a valid address")
    for name, value in text.items():
        if value is not None and len(value) > SHORT_FIELD_MAX:
            reasons.append(f"{name} is longer than {SHORT_FIELD_MAX} characters")
    if notes is not None and len(notes) > NOTES_MAX:
        reasons.append(f"notes is longer than {NOTES_MAX:,} characters")
    for name, value in (*text.items(), ("notes", notes)):
        if has_nul(value):
            reasons.append(f"{name} contains a NUL character (\\x00), which cannot be stored")
    return reasons


def _tag_reasons(tags: list[str]) -> list[str]:
    reasons = [f"tag {_show(tag)} is longer than {TAG_MAX} characters" for tag in tags if len(tag) > TAG_MAX]
    if has_nul(*tags):  # as for the text fields: PostgreSQL cannot store it
        reasons.append("tags contain a NUL character (\\x00), which cannot be stored")
    return reasons


def _clean(value: object) -> str | None:
    if value is None:
        return None
    text = (value if isinstance(value, str) else str(value)).strip()
    return text or None


def _show(value: str, limit: int = 40) -> str:
    """A value quoted for a message, cut short so a 10,000-character cell does not flood the report."""
    return repr(value if len(value) <= limit else value[: limit - 1] + "…")
