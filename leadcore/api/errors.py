"""Every failure as ``{"error": {"code", "message", "field"}}``: leadcore's named errors, validation, limits.

Nothing a client sends may produce a 500: bad values are refused by the schemas (422), a body over the limit is a
413, a busy or unreachable database is a 503 with Retry-After. A 500 is left for real bugs, and is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic.alias_generators import to_camel
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from leadcore import errors as lc

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
RETRY_AFTER_S = 2
# Service field names that are not simply the camelCase of the API's: SearchQuery's ``text`` is the discover body's
# ``query``, add_note's ``note`` the notes body's ``text``.
_FIELD_NAMES = {"linkedin_url": "linkedinLink", "imported_contact_id": "importedAsContactId",
                "imported_company_id": "importedAsCompanyId", "text": "query", "note": "text"}
_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
               409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "invalid_input",
               428: "precondition_required", 429: "rate_limited", 503: "unavailable"}
_TYPE_TAGS = frozenset({"int", "str", "bool", "float", "bytes", "date", "datetime", "none", "dict", "list"})


class ApiError(Exception):
    """An error answer raised from route code: status, code, message and the field at fault."""

    def __init__(self, status: int, code: str, message: str, *, field: str | None = None,
                 headers: dict[str, str] | None = None, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field
        self.headers = headers
        self.extra = extra or {}


def api_field(name: str | None) -> str | None:
    """A service's field name as the API calls it (``score_min`` → ``scoreMin``)."""
    if not name:
        return None
    return _FIELD_NAMES.get(name) or to_camel(name)


def error_json(status: int, code: str, message: str, *, field: str | None = None,
               headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"error": {"code": code, "message": message, "field": field}}
    body["error"].update({k: v for k, v in extra.items() if k == "details"})
    body.update({k: v for k, v in extra.items() if k != "details"})
    return JSONResponse(body, status_code=status, headers=headers)


def _where(loc: Sequence[Any]) -> tuple[str | None, str | None]:
    """('body', 'filter', 'scoreMin') → ('body', 'filter.scoreMin'); pydantic's union member tags
    (``constrained-int``, ``function-after[…]``) are dropped: they are types, not fields."""
    parts = list(loc)
    location = parts[0] if parts and parts[0] in ("body", "query", "path", "header", "cookie") else None
    rest = [str(p) for p in (parts[1:] if location else parts) if isinstance(p, int) or _is_field_name(p)]
    return location, ".".join(rest) or location


def _is_field_name(part: object) -> bool:
    return isinstance(part, str) and part.isidentifier() and part not in _TYPE_TAGS


def _reason(err: dict[str, Any]) -> str:
    msg = str(err.get("msg", "is not valid"))
    return msg.removeprefix("Value error, ")


async def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = []
    errs = list(exc.errors())
    # "may be left out" fields are a union with None; its "Input should be None" says nothing useful
    errs = [e for e in errs if e.get("type") != "none_required"] or errs
    for err in errs:
        location, field = _where(err.get("loc", ()))
        if err.get("type") == "json_invalid":  # its loc ends in a character position, not a field
            field = location
        details.append({"field": field, "reason": _reason(err), "location": location})
    first = details[0] if details else {"field": None, "reason": "The request is not valid"}
    message = f"{first['field']}: {first['reason']}" if first["field"] else str(first["reason"])
    return error_json(422, "invalid_input", message, field=first["field"], details=details)


async def _api_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_json(exc.status, exc.code, exc.message, field=exc.field, headers=exc.headers, **exc.extra)


async def _leadcore(_: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, lc.NotFound):
        return error_json(404, "not_found", str(exc))
    if isinstance(exc, lc.PermissionDenied):
        return error_json(403, "forbidden", str(exc))
    if isinstance(exc, lc.InvalidInput):
        return error_json(422, "invalid_input", str(exc), field=api_field(exc.field))
    if isinstance(exc, lc.AuthError):
        return error_json(401, "unauthorized", str(exc), headers={"WWW-Authenticate": "Bearer"})
    if isinstance(exc, lc.DatabaseBusy):
        return error_json(503, "unavailable", str(exc), headers={"Retry-After": str(RETRY_AFTER_S)})
    if isinstance(exc, lc.ProviderError):
        if exc.status_code == 429:
            return error_json(429, "rate_limited", str(exc), headers={"Retry-After": "60"})
        if exc.status_code is None:  # an unknown or unconfigured provider: the request named it
            return error_json(422, "invalid_input", str(exc), field="provider")
        return error_json(502, "provider_error", str(exc), field="provider")
    if isinstance(exc, lc.StaleLead):  # routes answer stale updates themselves, with the current record
        return error_json(409, "stale", str(exc), field="version")
    log.error("unmapped leadcore error %s: %s", type(exc).__name__, exc)
    return error_json(400, "bad_request", str(exc))


async def _http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "error")
    return error_json(exc.status_code, code, str(exc.detail), headers=getattr(exc, "headers", None))


def _too_large_response() -> JSONResponse:
    return error_json(413, "too_large", f"The request body is larger than {MAX_BODY_BYTES // 1024} KB")


async def _db_unavailable(_: Request, exc: Exception) -> JSONResponse:
    # A locked SQLite file or an unreachable PostgreSQL: nothing the client did wrong, and worth a retry.
    log.warning("database unavailable: %s", str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    return error_json(503, "unavailable", "The database is busy or unreachable; try again in a moment",
                      headers={"Retry-After": str(RETRY_AFTER_S)})


async def _db_data(_: Request, exc: Exception) -> JSONResponse:
    # Safety net: the schemas should refuse every value the database cannot store before it gets there.
    log.error("database refused a value that passed validation: %s", str(exc).splitlines()[0] if str(exc) else exc)
    return error_json(422, "invalid_input", "A value in the request cannot be stored (out of range or not text)")


def install(app: FastAPI) -> None:
    """Register the handlers and the body size limit on ``app``."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(lc.LeadcoreError, _leadcore)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(OperationalError, _db_unavailable)
    app.add_exception_handler(DataError, _db_data)
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)


class BodyLimit:
    """Refuse bodies over ``max_bytes`` with a 413: at once when Content-Length says so; a body without one
    (chunked) is read up to the limit first and then handed on. FastAPI turns any error raised while it reads a
    body into a 400, so the limit has to be enforced before the app sees the request."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None:
            if not length.isdigit() or int(length) > self.max_bytes:
                await _too_large_response()(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                await _too_large_response()(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)
