"""Cell values of other tools turned into ours: CRM status and type vocabularies, Google's ``:::`` lists, the
formula guard of our own export, and phone cells that hold no number.

A status or type value we do not know never rejects a row: the row keeps the default (status NEW, type
INDIVIDUAL), the original value is recorded on the lead's raw record and the report counts it. ``IMPORTED`` is never
set by an import: it means "converted into a contact here" (lead → contact conversion), so a file's
``IMPORTED``/``Converted`` becomes QUALIFIED, the original value kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from leadcore.errors import InvalidInput
from leadcore.fileimport.presets import header_key
from leadcore.intake.candidates import STATUSES

# The statuses an import may set (IMPORTED is conversion's alone).
IMPORT_STATUSES: tuple[str, ...] = tuple(s for s in STATUSES if s != "IMPORTED")

# The common CRM vocabularies (HubSpot, Salesforce, Zoho, Pipedrive, Apollo), by header_key of the value.
_STATUS_WORDS: dict[str, tuple[str, ...]] = {
    "NEW": ("new", "open", "notcontacted", "opennotcontacted", "cold", "none", "unassigned", "newlead",
            "notstarted"),
    "CONTACTED": ("contacted", "attemptedtocontact", "attempted", "inprogress", "workingcontacted", "working",
                  "connected", "opendeal", "approaching", "replied", "contactinfuture", "engaged", "followup",
                  "nurturing", "nurture", "warm", "unresponsive"),
    "QUALIFIED": ("qualified", "prequalified", "salesqualifiedlead", "marketingqualifiedlead", "sql", "mql",
                  "interested", "hot", "converted", "closedconverted", "customer", "won", "closedwon",
                  "opportunity", "imported", "demoed", "meetingbooked"),
    "REJECTED": ("rejected", "unqualified", "notqualified", "lost", "lostlead", "closedlost",
                 "closednotconverted", "junk", "junklead", "badtiming", "notinterested", "donotcontact",
                 "baddata", "changedjob", "disqualified", "badfit"),
    "ARCHIVED": ("archived",),
}
DEFAULT_STATUS_MAP: dict[str, str] = {word: status for status, words in _STATUS_WORDS.items() for word in words}

_TYPE_WORDS: dict[str, tuple[str, ...]] = {
    "INDIVIDUAL": ("individual", "person", "people", "contact", "lead", "human", "private", "privateperson"),
    "COMPANY": ("company", "organization", "organisation", "org", "account", "business", "firm", "corporation"),
}
DEFAULT_TYPE_MAP: dict[str, str] = {word: kind for kind, words in _TYPE_WORDS.items() for word in words}

GOOGLE_LIST = " ::: "
# Google's system groups on every contact ("* myContacts"): not a label anyone chose.
_GOOGLE_SYSTEM_GROUPS = frozenset({"mycontacts"})
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def status_for(value: str, overrides: Mapping[str, str] | None = None) -> str | None:
    """Our status for a file's status value, or ``None`` when neither the overrides nor the defaults know it.

    ``overrides`` are the user's choices (``--status-map``, the Import page), keyed by the value as written.
    """
    if overrides:
        for given, status in overrides.items():
            if header_key(given) == header_key(value):
                return status
    return DEFAULT_STATUS_MAP.get(header_key(value))


def type_for(value: str) -> str | None:
    return DEFAULT_TYPE_MAP.get(header_key(value))


def parse_status_map(pairs: Iterable[str]) -> dict[str, str]:
    """``["Hot Lead=QUALIFIED", …]`` → ``{"Hot Lead": "QUALIFIED"}``; InvalidInput for a pair that is not one."""
    out: dict[str, str] = {}
    for pair in pairs:
        value, sep, status = pair.rpartition("=")
        status = status.strip().upper()
        if not sep or not value.strip():
            raise InvalidInput(f"--status-map {pair!r} is not VALUE=STATUS", field="status_map")
        if status not in IMPORT_STATUSES:
            why = " (IMPORTED is set only by converting a lead into a contact)" if status == "IMPORTED" else ""
            raise InvalidInput(f"--status-map {pair!r}: STATUS must be one of {', '.join(IMPORT_STATUSES)}{why}",
                               field="status_map")
        out[value.strip()] = status
    return out


def unguard(cell: str) -> str:
    """Undo exactly the formula guard our export adds: ``'`` before ``= + - @``, tab or CR (or before more quotes
    and then one of them, which the export guards too), so export → import gives back the stored text."""
    if cell[:1] == "'" and cell.lstrip("'")[:1] in _FORMULA_TRIGGERS and cell.lstrip("'"):
        return cell[1:]
    return cell


def split_list(cell: str) -> list[str]:
    """Google's multi-value cell ``"a ::: b"`` → ``["a", "b"]`` (any other cell: itself)."""
    if ":::" not in cell:
        return [cell]
    return [part.strip() for part in cell.split(":::") if part.strip()]


def google_labels(cell: str) -> str:
    """Google's labels ``"* myContacts ::: Clients ::: * starred"`` as our tag list text ``"Clients; starred"``."""
    out = []
    for part in split_list(cell):
        label = part.lstrip("*").strip()
        if label and header_key(label) not in _GOOGLE_SYSTEM_GROUPS:
            out.append(label)
    return "; ".join(out)


_DIGIT = re.compile(r"\d")


def is_phone(text: str) -> bool:
    """A phone number has digits; "mobile phone test" is a note, not a number."""
    return bool(_DIGIT.search(text))
