"""Finding the header row of a file that does not start with it: LinkedIn's ``Connections.csv`` opens with a
"Notes:" preamble, a spreadsheet report with a title and a date line above the table.

The header is the row among the first ones that names the most columns we know (lead fields or a known export's
columns); without any, the first row as wide as the table below it. The choice comes with a sentence saying why,
which the dry run and the error messages repeat.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from leadcore.fileimport.mapping import field_for_header
from leadcore.fileimport.presets import FORMATS, rule_for

# How far down a header row is looked for (preambles are a few lines).
SCAN_ROWS = 30


@dataclass(frozen=True)
class HeaderChoice:
    index: int  # 0-based position among the file's rows (blank lines included)
    reason: str

    @property
    def row_number(self) -> int:
        return self.index + 1


def _filled(row: list[str]) -> list[str]:
    return [c.strip() for c in row if c.strip()]


def known_columns(row: list[str]) -> int:
    """How many cells of ``row`` name a column we know."""
    n = 0
    for cell in _filled(row):
        if field_for_header(cell) is not None or any(
            (rule := rule_for(fmt, cell)) is not None and rule[1] is not None for fmt in FORMATS
        ):
            n += 1
    return n


def detect_header(rows: list[list[str]]) -> HeaderChoice:
    """The header row among ``rows`` (the file's rows as read, blank lines included)."""
    candidates = [(i, row) for i, row in enumerate(rows[:SCAN_ROWS]) if _filled(row)]
    if not candidates:
        return HeaderChoice(0, "the first row")
    first = candidates[0][0]
    scored = [(known_columns(row), len(_filled(row)), i) for i, row in candidates]
    best_known = max(s[0] for s in scored)
    best = next(s for s in scored if s[0] == best_known)
    # A row naming known columns is the header when everything above it is narrower (a title, notes).
    if best_known >= 2 and all(s[1] < best[1] for s in scored if s[2] < best[2]):
        known, filled, index = best
        if index == first:
            return HeaderChoice(index, "the first row")
        return HeaderChoice(index, f"row {index + 1} is the first to name known columns ({known} of its {filled}); "
                                   f"the {_rows(index - first)} above it look like a title or notes")
    # No names we know: the first row as wide as most of the rows under it (a title line is one cell wide).
    widths = Counter(len(_filled(row)) for _, row in candidates[1:]) or Counter([len(_filled(candidates[0][1]))])
    table_width = widths.most_common(1)[0][0]
    for i, row in candidates:
        if len(_filled(row)) >= max(2, table_width):
            if i == first:
                return HeaderChoice(i, "the first row")
            return HeaderChoice(i, f"row {i + 1} is the first as wide as the table under it; the "
                                   f"{_rows(i - first)} above it look like a title or notes")
    return HeaderChoice(first, "the first row")


def _rows(n: int) -> str:
    return "row" if n == 1 else f"{n} rows"
