"""The rulebook for input text, one definition each, used by the import, the edits, the API and the grid: what a
tag list is split on and how long a tag may be, what a whole number looks like, and the NUL character no column can
hold. (Field lengths and the lead's choices live with the lead: ``intake.candidates``.)"""

from __future__ import annotations

import re

TAG_MAX = 50
# One tag list is split on any of these, whether it comes from a file, the grid's tag cell or an edit.
TAG_SEPARATORS = ",;|"
_TAG_SPLIT = re.compile("[" + re.escape(TAG_SEPARATORS) + "]")
# "80" and "80.0" (a spreadsheet's integer) are whole numbers; "80.5", "8e1", "-3", "²" are not.
_WHOLE_NUMBER = re.compile(r"[0-9]{1,18}(?:\.0+)?", re.ASCII)
NUL = "\x00"


def split_tags(raw: str) -> list[str]:
    """``"vip; berlin, vip | q3"`` → ``["vip", "berlin", "q3"]``: split, stripped, deduplicated in order."""
    tags: list[str] = []
    for part in _TAG_SPLIT.split(raw):
        tag = part.strip()
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def whole_number(text: str) -> int | None:
    """``" 80 "`` and ``"80.0"`` → 80; None for anything that is not a non-negative whole number in digits."""
    text = text.strip()
    return int(text.split(".", 1)[0]) if _WHOLE_NUMBER.fullmatch(text) else None


def has_nul(*texts: str | None) -> bool:
    """True when any text holds NUL (\\x00), which PostgreSQL cannot store: such input is refused as bad input."""
    for t in texts:  # noqa: SIM110 -- a plain loop: it runs for every field of every imported row; any() is 2x
        if t is not None and NUL in t:
            return True
    return False
