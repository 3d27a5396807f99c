"""What the grid can filter on (``LeadFilters``): validation and the round trip through URL query params.

The SQL for a filter lives in ``grid.clauses``; the API, the UI, analytics and exports all speak this one shape.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from leadcore.errors import InvalidInput
from leadcore.inputs import has_nul
from leadcore.intake.candidates import LEAD_TYPES, STATUSES

UNASSIGNED = 0  # owner filter value meaning "nobody"


@dataclass(frozen=True)
class LeadFilters:
    """Everything the grid can filter on; empty means "any". Round-trips through URL query params."""

    statuses: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    owner_ids: tuple[int, ...] = ()  # UNASSIGNED (0) means no owner
    tags: tuple[str, ...] = ()
    score_min: int | None = None
    score_max: int | None = None
    created_from: date | None = None
    created_to: date | None = None
    search_id: int | None = None
    search_query: str | None = None
    imported: bool | None = None
    q: str | None = None
    deleted: bool = False  # True shows the trash (soft-deleted leads) instead

    def validated(self) -> LeadFilters:
        for s in self.statuses:
            if s not in STATUSES:
                raise InvalidInput(f"Unknown status '{s}'", field="status")
        for t in self.types:
            if t not in LEAD_TYPES:
                raise InvalidInput(f"Unknown lead type '{t}'", field="type")
        for name in ("score_min", "score_max"):
            v = getattr(self, name)
            if v is not None and not 0 <= v <= 100:
                raise InvalidInput(f"{name} must be between 0 and 100", field=name)
        if self.score_min is not None and self.score_max is not None and self.score_min > self.score_max:
            raise InvalidInput("score_min is above score_max", field="score_min")
        if self.created_from and self.created_to and self.created_from > self.created_to:
            raise InvalidInput("created_from is after created_to", field="created_from")
        if self.q is not None and len(self.q) > 200:
            raise InvalidInput("Search text is limited to 200 characters", field="q")
        # PostgreSQL refuses NUL in text parameters: bad input, not a database error.
        for name, values in (("q", (self.q,)), ("search_query", (self.search_query,)), ("tags", self.tags)):
            if has_nul(*values):
                raise InvalidInput(f"{name} contains a NUL character (\\x00)", field=name)
        return self

    def to_params(self) -> dict[str, str]:
        """Compact URL query params (only what is set)."""
        out: dict[str, str] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            # 0 and False are values here (score_max=0, imported=False); only "deleted" is a plain flag.
            if v is None or v == () or v == "" or (f.name == "deleted" and not v):
                continue
            if isinstance(v, tuple):
                out[f.name] = ",".join(str(x) for x in v)
            elif isinstance(v, bool):
                out[f.name] = "1" if v else "0"
            elif isinstance(v, date):
                out[f.name] = v.isoformat()
            else:
                out[f.name] = str(v)
        return out

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> LeadFilters:
        """Parse URL params defensively: anything unreadable is ignored rather than failing the page."""

        def text(name: str) -> str | None:
            v = params.get(name)
            if isinstance(v, list):
                v = v[-1] if v else None
            v = str(v).replace("\x00", "").strip() if v is not None else ""
            return v or None

        def split(name: str) -> list[str]:
            v = text(name)
            return [p.strip() for p in v.split(",") if p.strip()] if v else []

        def whole(v: str) -> int | None:
            # ASCII digits only ("²".isdigit() is True but int() refuses it) and within a database integer.
            v = v.strip()
            if v.isascii() and v.isdigit() and len(v) <= 18:
                return int(v)
            return None

        def integer(name: str) -> int | None:
            return whole(text(name) or "")

        def day(name: str) -> date | None:
            try:
                return date.fromisoformat(text(name) or "")
            except ValueError:
                return None

        imported = text("imported")
        owners = tuple(o for o in (whole(x) for x in split("owner_ids")) if o is not None)
        score_min, score_max = integer("score_min"), integer("score_max")
        score_min = score_min if score_min is not None and 0 <= score_min <= 100 else None
        score_max = score_max if score_max is not None and 0 <= score_max <= 100 else None
        created_from, created_to = day("created_from"), day("created_to")
        # A hand-edited link with the range upside down still opens the grid: read it the right way round.
        if score_min is not None and score_max is not None and score_min > score_max:
            score_min, score_max = score_max, score_min
        if created_from and created_to and created_from > created_to:
            created_from, created_to = created_to, created_from
        return cls(
            statuses=tuple(s.upper() for s in split("statuses") if s.upper() in STATUSES),
            types=tuple(t.upper() for t in split("types") if t.upper() in LEAD_TYPES),
            owner_ids=owners,
            tags=tuple(split("tags")),
            score_min=score_min,
            score_max=score_max,
            created_from=created_from,
            created_to=created_to,
            search_id=integer("search_id"),
            search_query=text("search_query"),
            imported={"1": True, "true": True, "0": False, "false": False}.get((imported or "").lower()),
            q=(text("q") or "")[:200].strip() or None,
            deleted=text("deleted") == "1",
        )
