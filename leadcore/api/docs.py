"""OpenAPI documentation of error answers, so every status a route can give is in the schema."""

from __future__ import annotations

from typing import Any

from leadcore.api.schemas import ErrorResponse

DESCRIPTIONS = {
    400: "The body could not be read (not UTF-8 JSON).",
    401: "No API token, or an unknown or revoked one (see WWW-Authenticate).",
    403: "You may see this lead but not do this to it (for example, another rep's lead).",
    404: "No such lead, or it belongs to another team.",
    409: "The lead changed since you read it.",
    413: "The request body is larger than 1 MB.",
    422: "A value is missing or not valid; `error.field` names it and `error.details` lists every problem.",
    428: "The version you read is required (If-Match header or body `version`).",
    429: "The discovery provider is rate-limiting; retry after the Retry-After seconds.",
    502: "The discovery provider failed.",
    503: "The database is busy or unreachable; retry after the Retry-After seconds.",
}
_HEADERS = {
    401: {"WWW-Authenticate": {"description": "Bearer challenge", "schema": {"type": "string"}}},
    429: {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "string"}}},
    503: {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "string"}}},
}
ALWAYS = (401, 503)
ERROR_REF = "#/components/schemas/ErrorResponse"  # present: every other route documents ErrorResponse


def errors_doc(*codes: int, non_json_route: bool = False) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for these codes: 401 and 503 always (any call can get them), 400 with 413 (bodies).

    ``non_json_route``: the route answers something else (CSV) on success; FastAPI would file the error models
    under that media type, so they are spelled out as JSON instead."""
    out: dict[int | str, dict[str, Any]] = {}
    wanted = set(codes) | set(ALWAYS) | ({400} if 413 in codes else set())  # a body can be unreadable
    for code in sorted(wanted):
        entry: dict[str, Any] = {"description": DESCRIPTIONS[code]}
        if non_json_route:
            entry["content"] = {"application/json": {"schema": {"$ref": ERROR_REF}}}
        else:
            entry["model"] = ErrorResponse
        if code in _HEADERS:
            entry["headers"] = _HEADERS[code]
        out[code] = entry
    return out
